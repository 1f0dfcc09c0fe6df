"""Enough of textual-serve's websocket protocol to read the board and press keys, as a browser does.

Browser -> server: JSON text frames `["stdin", keys]`, `["resize", {"width", "height"}]`, `["ping", x]`.
Server -> browser: binary frames of terminal output (ANSI), JSON text frames for the rest.
"""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp

ESCAPES = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
                     rb"|\x1b[P^_X].*?\x1b\\"  # DCS and friends
                     rb"|\x1b\[[0-9;?<>=!]*[ -/]*[@-~]"  # CSI
                     rb"|\x1b[@-Z\\-_]", re.S)

KEYS = {  # xterm's sequences for the keys the reception board answers to
    "enter": "\r", "escape": "\x1b", "f1": "\x1bOP", "f6": "\x1b[17~", "f7": "\x1b[18~", "f8": "\x1b[19~",
    "f9": "\x1b[20~", "f10": "\x1b[21~", "down": "\x1b[B", "ctrl+c": "\x03",
}


def screen_text(raw: bytes) -> str:
    """The text a terminal would show, without the control sequences (cursor moves become gaps)."""
    return ESCAPES.sub(b" ", raw).decode("utf-8", "replace")


class Viewer:
    """One browser session on `/ws`: collects everything the viewer draws."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.raw = b""
        self.closed: tuple[int | None, str] | None = None

    @property
    def text(self) -> str:
        return screen_text(self.raw)

    async def read_until(self, *needles: str, timeout: float = 40) -> str:
        """Read until every needle is on screen; fail with what was seen after `timeout`."""
        deadline = time.monotonic() + timeout
        while not all(n in self.text for n in needles):
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                raise AssertionError(f"not seen {needles} (closed={self.closed}); saw: {self.text[-2000:]!r}")
            await self.read(min(left, 1.0))
        return self.text

    async def read(self, seconds: float) -> None:
        """Take whatever arrives within `seconds`."""
        try:
            message = await self.ws.receive(timeout=seconds)
        except asyncio.TimeoutError:
            return
        if message.type == aiohttp.WSMsgType.BINARY:
            self.raw += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            self.closed = (self.ws.close_code, str(message.extra or ""))

    async def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.closed:
            await self.read(deadline - time.monotonic())

    async def press(self, key: str) -> None:
        await self.ws.send_json(["stdin", KEYS.get(key, key)])
