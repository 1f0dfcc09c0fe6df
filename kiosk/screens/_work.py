"""Running service calls off the UI thread: each call gets its own database connection, closed after.

The one worker idiom of the screens: a thread worker (`@work(thread=True)`) whose body is
`in_db_thread(ctx, fn, ...)` and which only posts a typed Message with the outcome; it never touches
a widget. The service's refusals (`Invalid`, `Refused`) come back as a one-line `Failure` in the
service's own words; anything else is logged and comes back as a plain sentence (never the
exception's text, which may be a driver's SQL message), so a crashed call shows a line instead of
killing the kiosk. (The board's own periodic read is the exception: a failed read there shows as
"not updating since", kiosk.app.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.services.context import Context
from kiosk.services.errors import Invalid, Refused

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """Why a service call changed nothing: `refused` (the rules say no) or invalid input."""

    message: str
    refused: bool = False


def in_db_thread(ctx: Context, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` on this thread's own connection; a Failure instead of an exception."""
    try:
        with ctx.db.connection_context():
            return fn(*args, **kwargs)
    except Refused as exc:
        return Failure(str(exc), refused=True)
    except Invalid as exc:
        return Failure(str(exc))
    except Exception as exc:
        log.exception("%s failed in a screen's worker", getattr(fn, "__name__", "a service call"))
        return Failure(f"could not save: the database did not answer ({type(exc).__name__}); try again")
