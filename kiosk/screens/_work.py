"""Running service calls off the UI thread: each call gets its own database connection, closed after.

Screens start a thread worker (`@work(thread=True)`) whose body is `in_db_thread(ctx, fn, ...)` and
which only posts a typed Message with the outcome; it never touches a widget. The service's
exceptions (`Invalid`, `Refused`) are returned as a one-line `Failure`, anything else too, so a
crashed call shows a message instead of killing the kiosk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kiosk.services.errors import Invalid, Refused


@dataclass(frozen=True)
class Failure:
    """Why a service call changed nothing: `refused` (the rules say no) or invalid input."""

    message: str
    refused: bool = False


def in_db_thread(ctx: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` on this thread's own connection; a Failure instead of an exception."""
    try:
        with ctx.db.connection_context():
            return fn(*args, **kwargs)
    except Refused as exc:
        return Failure(str(exc), refused=True)
    except Invalid as exc:
        return Failure(str(exc))
    except Exception as exc:  # noqa: BLE001 - shown to reception as one line, never a crash
        return Failure(f"could not save: {type(exc).__name__}")
