"""Unsolicited modem lines turned into typed events, and the thread that hands them out one at a time.

The middle part of the modem driver. `urc_event` is the table from a URC (already recognised by
kiosk.devices.atlines) to the event the caller sees; it is pure. `EventThread` delivers events in
order on its own thread, so the reader never waits for the caller, and a handler may call the
driver back (drain, hang_up) without a deadlock. An action to run after an event (AT+CNMA, remember
a fingerprint) runs only when the handler returned normally: what was not stored is never confirmed.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime
from typing import Callable, Optional, Tuple

from kiosk.devices import events as ev
from kiosk.devices.atlines import Urc, parse_nitz, to_int
from kiosk.devices.errors import ModemError
from kiosk.devices.events import REGISTRATION, ModemEvent
from kiosk.devices.listing import decode_direct, decode_direct_report

log = logging.getLogger(__name__)

EventHandler = Callable[[ModemEvent], None]
Action = Callable[[], None]
_Item = Optional[Tuple[Optional[ModemEvent], Optional[Action], Optional[Action]]]


def urc_event(urc: Urc, body: str | None, now: datetime, *, text_mode: bool, ucs2: bool) -> ModemEvent | None:
    """The event one URC means, or None (a URC that carries nothing the caller acts on, or one that
    the driver must answer with its own state: ring, caller id, ready, SIM state)."""
    kind = urc.kind
    storage = urc.fields[0] if urc.fields else ""
    if kind == "message_stored":
        return ev.MessageStored(now, storage=storage, index=to_int(urc.fields[-1], -1) if urc.fields else -1)
    if kind == "report_stored":
        return ev.ReportStored(now, storage=storage, index=to_int(urc.fields[-1], -1) if urc.fields else -1)
    if kind == "message_direct":
        message, error, raw = decode_direct(urc.line, body or "", text_mode, ucs2=ucs2)
        return ev.MessageReceived(now, message=message, raw=raw, error=error)
    if kind == "report_direct":
        report, error, raw = decode_direct_report(urc.line, body if urc.needs_body else None, ucs2=ucs2)
        return ev.ReportReceived(now, report=report, raw=raw, error=error)
    if kind == "call_ended":
        return ev.CallEnded(now)
    if kind == "dtmf":
        key = (urc.fields[0] if urc.fields else "").strip().strip('"')[:1]
        return ev.KeyPressed(now, key=key) if key else None
    if kind == "registration":
        stat = to_int(urc.fields[0] if urc.fields else None)
        return None if stat is None else ev.RegistrationChanged(now, state=REGISTRATION.get(stat, "unknown"))
    if kind in ("time_zone", "network_time"):
        when = parse_nitz(urc)
        return None if when is None else ev.NetworkTimeReceived(now, network_time=when)
    if kind == "storage_full":
        return ev.StorageFull(now, storage=storage)
    if kind == "rebooted":
        return ev.ModemRebooted(now, banner=urc.line)
    return None


class EventThread:
    """Calls `on_event` for one event at a time, in order, on a thread of its own (started on demand).

    Each item may carry an action to run before the event is handed out (re-initialise after a
    reboot) and one to run after the handler returned normally (acknowledge). Nothing is handed out
    once `closed` is set."""

    def __init__(self, on_event: EventHandler | None = None) -> None:
        self.on_event = on_event
        self.closed = False
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._thread: threading.Thread | None = None

    def emit(self, event: ModemEvent | None, *, before: Action | None = None, after: Action | None = None) -> None:
        if self.closed:
            return
        self.start()
        self._queue.put((event, before, after))

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._queue = queue.Queue()
            self._thread = threading.Thread(target=self._loop, args=(self._queue,), name="modem-events",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Let the thread finish what it holds and end (not waited for from the thread itself)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def _loop(self, items: queue.Queue[_Item]) -> None:
        while True:
            item = items.get()
            if item is None:
                return
            event, before, after = item
            _run(before, "before", event)
            if event is not None:
                if self.on_event is None:
                    continue  # nobody took it: never acknowledge what was not stored
                try:
                    self.on_event(event)
                except Exception:
                    log.exception("event handler failed for %s; not acknowledged", type(event).__name__)
                    continue
            _run(after, "after", event)


def _run(action: Action | None, when: str, event: ModemEvent | None) -> None:
    try:
        if action is not None:
            action()
    except ModemError as exc:
        log.warning("modem action %s %s failed: %s", when, type(event).__name__, exc)
    except Exception:
        log.exception("modem action failed")
