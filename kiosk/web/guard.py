"""Who may see the served board: the token, the websocket's Origin, and how many browsers at once.

Pure checks with no aiohttp in them, so each rule is tested on its own. They must never accept a
missing or partial token, never compare it in time that depends on how much of it matched, and
never let a refused browser take a viewer slot.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

COOKIE = "kiosk_board"  # the token, set by the page for its websocket (HttpOnly, SameSite=Strict)
DEFAULT_PORTS = {"http": 80, "https": 443}


def new_token() -> str:
    """A fresh shared secret for `serve.token` (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_ok(given: str | None, token: str) -> bool:
    """True only if `given` is exactly the configured token (constant-time compare)."""
    if not given or not token:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def origin_key(origin: str) -> str | None:
    """An origin in one spelling (lower case, default port dropped), or None if it is not one."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username or parts.password:
        return None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + ("" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}")


def allowed_origins(public_url: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(key for key in (origin_key(o) for o in (public_url, *extra)) if key)


def origin_ok(origin: str | None, allowed: frozenset[str]) -> bool:
    """A browser always sends Origin on a websocket: a missing or foreign one is refused."""
    if not origin:
        return False
    key = origin_key(origin)
    return key is not None and key in allowed


class ViewerSlots:
    """At most `limit` browsers at once, each with its own viewer process. Single-threaded (asyncio)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0

    @property
    def full(self) -> bool:
        return self.taken >= self.limit

    def take(self) -> bool:
        if self.full:
            return False
        self.taken += 1
        return True

    def release(self) -> None:
        self.taken = max(0, self.taken - 1)
