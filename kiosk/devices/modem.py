"""The GSM modem driver: start-up, SIM, quirks, SMS in and out, calls, health, reconnection.

Knows nothing about visits. It must never delete a message before the caller confirmed it is
stored, never wait for the modem without a timeout, and never give up on a vanished device: it
reports the gap and keeps reopening it.

The driver is in three parts: kiosk.devices.at_channel (the port, the reader thread and one command
at a time), kiosk.devices.urc (unsolicited lines to typed events, and the event thread that calls
`on_event` one event at a time, so a handler may call the driver: drain, hang_up), and this module,
which drives them. Waiting for the modem uses real time (timeouts on I/O); reconnection backoff,
event times, the last exchange and the gap are paced and stamped by the injected Clock.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable

from kiosk.clock import Clock, SystemClock
from kiosk.devices import events as ev
from kiosk.devices.at_channel import AtChannel
from kiosk.devices.at_commands import (check_sim, configure, identify, message_reference, read_clock, read_health,
                                      outgoing_call_state, read_storage, reject_call, submissions,
                                      tolerant)
from kiosk.devices.atlines import Urc
from kiosk.devices.calls import CallTracker, is_report
from kiosk.devices.errors import (CommandError, CommandTimeout, ModemError, ModemUnavailable, SendError,
                                  is_empty_index, send_error)
from kiosk.devices.events import (REGISTRATION, DrainResult, ModemEvent, ModemStatus, StoredMessage,
                                  signal_from_csq)
from kiosk.devices.listing import parse_pdu_listing, parse_text_listing
from kiosk.devices.modem_config import DEFAULT_PORT, ModemSettings, settings_from_config
from kiosk.devices.quirks import Quirks, quirks_for
from kiosk.devices.upkeep import ModemUpkeep
from kiosk.devices.urc import EventHandler, EventThread, urc_event

log = logging.getLogger(__name__)

__all__ = ["Modem", "ModemSettings", "ModemStatus", "DrainResult", "DEFAULT_PORT", "REGISTRATION",
           "settings_from_config", "signal_from_csq"]


class Modem(ModemUpkeep):
    """One GSM modem. Typical use by the gateway:

        modem = Modem(settings=ModemSettings(port="/dev/kiosk-modem"), clock=clock, on_event=handle)
        modem.ensure_open()            # call every few seconds; reconnects with backoff
        modem.drain(store_then_return) # on MessageStored / StorageFull / ModemBack / every minute
        refs = modem.send("+447700900123", "Thanks, logged")
    """

    def __init__(self, port: str | None = None, *, settings: ModemSettings | None = None,
                 clock: Clock | None = None, on_event: EventHandler | None = None) -> None:
        settings = settings or ModemSettings()
        self.settings = replace(settings, port=port) if port else settings
        self.clock = clock or SystemClock()
        self.quirks: Quirks = quirks_for(self.settings.model, self.settings.quirks)  # refined on open
        self._channel = AtChannel(self.settings, self.clock, on_urc=self._on_urc, on_lost=self._on_lost)
        self._cmd_lock = self._channel.lock  # one command, or one start-up sequence, at a time
        self._events = EventThread(on_event)
        self._state = threading.Lock()
        self._drain_lock = threading.Lock()
        self._confirmed: OrderedDict[str, None] = OrderedDict()
        self._concat_ref = random.randrange(256)
        self._recovering = False
        self._next_init = 0.0
        self._pin_rejected = False
        self._ucs2 = False  # text mode strings are UCS-2 hex (AT+CSCS="UCS2" accepted)

        self._ready = False
        self._reinit_requested = False
        self._ident: dict[str, str] = {}
        self._sim = "unknown"
        self._registration = "unknown"
        self._operator = ""
        self._access = ""
        self._ussd: "queue.Queue[str]" = queue.Queue()
        self._signal: tuple[int, int | None] = (0, None)
        self._storage: tuple[int | None, int | None] = (None, None)
        self._storage_full = False
        self._last_error: str | None = None
        self._gone_since: datetime | None = None
        self._gone_reported = False
        self._next_attempt = 0.0
        self._backoff = self.settings.reconnect_min
        self._nitz: tuple[datetime, float] | None = None
        self._calls = CallTracker()

    @property
    def on_event(self) -> EventHandler | None:
        """Called with each event on the driver's event thread (None: events are dropped, nothing
        confirmed)."""
        return self._events.on_event

    @on_event.setter
    def on_event(self, handler: EventHandler | None) -> None:
        self._events.on_event = handler

    # Opening, closing, reconnecting

    def open(self) -> None:
        """Open the port and initialise the modem. Raises ModemUnavailable if it cannot be reached."""
        with self._cmd_lock:
            self._events.closed = False
            self._connect()
            try:
                self._initialise()
            except ModemError as exc:
                self._teardown()
                raise ModemUnavailable(f"modem on {self._channel.port_used} did not initialise: {exc}") from exc
            self._gone_reported = False

    def close(self) -> None:
        """Close the port and stop the driver's threads (pending commands fail)."""
        self._events.closed = True
        self._teardown()
        self._events.stop()

    def __enter__(self) -> "Modem":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._channel.connected

    @property
    def ready(self) -> bool:
        return self._channel.connected and self._ready

    def ensure_open(self) -> bool:
        """Reopen a vanished modem when its backoff allows (paced by the clock's monotonic time).

        Never raises. On success after a gap, emits ModemBack (drain then). Call it every few seconds.
        """
        if self._channel.connected:
            due = self.clock.monotonic() >= self._next_init
            if self._reinit_requested or (not self._ready and due):
                self._next_init = self.clock.monotonic() + 30
                try:
                    with self._cmd_lock:
                        self._initialise()
                except ModemError as exc:
                    self._last_error = str(exc)
            return self.ready
        if self.clock.monotonic() < self._next_attempt:
            return False
        return self.reconnect()

    def reconnect(self) -> bool:
        """Try to open the modem now (ignoring backoff). Never raises; True when it is back."""
        with self._cmd_lock:  # two threads calling this at once open it once
            if self._channel.connected:
                return self.ready
            try:
                self.open()
            except ModemError as exc:
                self._note_unavailable(str(exc))
                return False
        self._came_back()
        return True

    def _came_back(self) -> None:
        self._backoff = self.settings.reconnect_min
        gone_at, self._gone_since = self._gone_since, None
        if gone_at is not None:
            now = self.clock.now()
            log.warning("modem back on %s after %s", self._channel.port_used, now - gone_at)
            self._emit(ev.ModemBack(now, port=self._channel.port_used, gone_at=gone_at, gap=now - gone_at))

    def _connect(self) -> None:
        self._channel.open(self.settings.port)
        self._ready = False
        self._events.start()

    def _teardown(self) -> None:
        self._ready = False
        self._channel.close()

    def _drop_connection(self, reason: str) -> None:
        self._teardown()
        self._note_unavailable(reason)

    def _on_lost(self, reason: str) -> None:
        """The channel lost the device under a read or a write: ensure_open() brings it back."""
        self._ready = False
        self._note_unavailable(reason)

    def _note_unavailable(self, reason: str) -> None:
        self._last_error = reason
        now = self.clock.now()
        if self._gone_since is None:
            self._gone_since = now
        self._next_attempt = self.clock.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.settings.reconnect_max)
        port = self._channel.port_used or self.settings.port
        if not self._gone_reported:
            self._gone_reported = True
            log.error("modem gone (%s): %s", port, reason)
            self._emit(ev.ModemGone(now, reason=reason, port=port))

    # Initialisation

    def _initialise(self) -> None:
        self._reinit_requested = False
        self._ready = False
        self._sync()
        tolerant(self._command, "ATE0")
        tolerant(self._command, "AT+CMEE=2")
        self._ident = identify(self._command)
        model = self.settings.model or f"{self._ident['manufacturer']} {self._ident['model']}"
        self.quirks = quirks_for(model, self.settings.quirks)
        sim = check_sim(self._command, self.settings.pin, self._pin_rejected)
        self._sim, self._pin_rejected = sim.state, sim.pin_rejected
        if sim.error is not None:
            self._last_error = sim.error
        if not sim.ready:
            return
        self._ucs2 = configure(self._command, self.settings, self.quirks)
        self._refresh_storage()
        self._ready = True

    def _sync(self) -> None:
        """Get the modem's attention: cancel a stuck prompt, then AT until it answers OK."""
        self._write(b"\x1b")
        last: Exception | None = None
        for _ in range(3):
            try:
                self._execute("AT", timeout=self.settings.probe_timeout)
                return
            except CommandTimeout as exc:
                last = exc
            except CommandError as exc:  # junk before our AT can make it answer ERROR: try again
                last = exc
        raise CommandTimeout(f"modem does not answer AT ({last})")

    # Commands

    def _command(self, command: str, *, timeout: float | None = None, payload: str | None = None) -> list[str]:
        """Run one command; on a timeout, reset the modem (probe, re-init, or drop and reconnect)."""
        try:
            return self._execute(command, timeout=timeout or self.settings.command_timeout, payload=payload)
        except CommandTimeout:
            if not self._recovering:
                self._recover(command)
            raise

    def _execute(self, command: str, *, timeout: float, payload: str | None = None) -> list[str]:
        with self._cmd_lock:
            if not self._channel.connected:
                raise ModemUnavailable(f"modem not connected ({self._last_error or 'not opened'})")
            return self._channel.execute(command, timeout=timeout, payload=payload)

    def _write(self, data: bytes) -> None:
        self._channel.write(data)

    def _recover(self, command: str) -> None:
        """A command timed out: probe; if the modem answers, re-initialise; if not, drop and reconnect."""
        self._recovering = True
        try:
            log.warning("modem did not answer %s: probing", command)
            self._last_error = f"no answer to {command}"
            try:
                self._sync()
                self._initialise()
                log.warning("modem answered again after %s; re-initialised", command)
            except CommandTimeout:
                self._drop_connection(f"modem stopped answering ({command} timed out)")
            except ModemError as exc:
                log.warning("re-initialisation after %s failed: %s", command, exc)
                self._reinit_requested = True
        finally:
            self._recovering = False

    # Unsolicited lines (called on the channel's reader thread: never waits for the modem)

    def _on_urc(self, urc: Urc, body: str | None) -> None:
        kind = urc.kind
        if kind in ("ring", "caller_id"):
            mono = self.clock.monotonic()
            caller = self._calls.ring(mono) if kind == "ring" else self._calls.caller_id(urc, mono, ucs2=self._ucs2)
            if is_report(caller):
                self._emit(ev.IncomingCall(self.clock.now(), number=caller))  # type: ignore[arg-type]
            return
        if kind in ("ready", "sim_state"):
            if not self._ready and "NOT" not in urc.line.upper():
                self._reinit_requested = True
                self._emit(None, before=self._reinit_if_requested)
            return
        if urc.kind == "ussd":
            self._ussd.put(urc.line)
            return
        event = urc_event(urc, body, self.clock.now(), text_mode=self.settings.mode == "text", ucs2=self._ucs2)
        if event is None:
            log.debug("modem URC ignored: %s", urc.line)
        elif isinstance(event, ev.MessageReceived):
            fingerprint = event.fingerprint
            self._emit(event, after=lambda: self._confirm_direct(fingerprint))
        elif isinstance(event, ev.ReportReceived):
            self._emit(event, after=self._acknowledge if self.quirks.needs_cnma else None)
        elif isinstance(event, ev.ModemRebooted):
            self._ready = False
            self._reinit_requested = True
            self._emit(event, before=self._reinit_if_requested)
        else:
            if isinstance(event, ev.CallEnded):
                self._calls.ended()
            elif isinstance(event, ev.RegistrationChanged):
                self._registration = event.state
            elif isinstance(event, ev.NetworkTimeReceived) and event.network_time is not None:
                self._nitz = (event.network_time, self.clock.monotonic())
            elif isinstance(event, ev.StorageFull):
                self._storage_full = True
            self._emit(event)

    def _emit(self, event: ModemEvent | None, *, before: Callable[[], None] | None = None,
              after: Callable[[], None] | None = None) -> None:
        self._events.emit(event, before=before, after=after)

    def _reinit_if_requested(self) -> None:
        if self._reinit_requested and self._channel.connected:
            with self._cmd_lock:
                self._initialise()

    def _confirm_direct(self, fingerprint: str) -> None:
        self._remember(fingerprint)
        if self.quirks.needs_cnma:
            self._acknowledge()

    def _acknowledge(self) -> None:
        try:
            self._command("AT+CNMA")
        except CommandError as exc:
            log.info("AT+CNMA refused: %s", exc.reply)

    def _remember(self, fingerprint: str) -> None:
        with self._state:
            self._confirmed[fingerprint] = None
            self._confirmed.move_to_end(fingerprint)
            while len(self._confirmed) > 5000:
                self._confirmed.popitem(last=False)

    # Receiving

    def stored_messages(self) -> list[StoredMessage]:
        """Every message in the modem's store (AT+CMGL), received or not, decodable or not."""
        timeout = self.quirks.list_timeout or self.settings.list_timeout
        storage = self.quirks.storage
        if self.settings.mode == "pdu":
            return parse_pdu_listing(self._command("AT+CMGL=4", timeout=timeout), storage)
        return parse_text_listing(self._command('AT+CMGL="ALL"', timeout=timeout), storage, ucs2=self._ucs2)

    def read_stored(self, index: int) -> StoredMessage | None:
        """One stored message read on its own (AT+CMGR), decodable or not; None if the slot is empty."""
        try:
            lines = self._command(f"AT+CMGR={index}")
        except CommandError as exc:
            if is_empty_index(exc):
                return None
            raise
        storage = self.quirks.storage
        found = (parse_pdu_listing(lines, storage, prefix="+CMGR") if self.settings.mode == "pdu"
                 else parse_text_listing(lines, storage, prefix="+CMGR", ucs2=self._ucs2))
        return replace(found[0], index=index) if found else None  # +CMGR does not repeat the index

    def _read_again(self, message: StoredMessage) -> StoredMessage:
        """A received message the listing could not decode is read once more before anyone gives
        up on it: a serial glitch can cut a line of a long AT+CMGL answer. The copy that decodes
        wins; if neither does, the longer raw copy goes on, its error saying it was read twice."""
        try:
            again = self.read_stored(message.index)
        except ModemError as exc:
            log.warning("message %s did not decode and could not be read again: %s", message.index, exc)
            return message
        if again is not None and again.pdu is not None:
            log.info("message %s decoded when read again (AT+CMGR)", message.index)
            return again
        best = again if again is not None and len(again.raw) > len(message.raw) else message
        return replace(best, error=f"{best.error} (read twice: AT+CMGL and AT+CMGR)")

    def delete(self, index: int) -> bool:
        """Delete one stored message. False when nothing was there (+CMS ERROR: 321): not a failure."""
        try:
            self._command(self.quirks.delete.format(index=index))
        except CommandError as exc:
            if is_empty_index(exc):
                return False
            raise
        return True

    def drain(self, handler: Callable[[StoredMessage], object]) -> DrainResult:
        """Hand each stored message to `handler`; delete it only when the handler returned normally.

        A handler that raises, or returns False, keeps the message on the modem for the next sweep
        (None or True: confirmed, delete it). A received message that does not decode is read once
        more (AT+CMGR) before it is handed over with its raw PDU and error. A message already
        confirmed earlier in this process (same fingerprint) is deleted without calling the handler
        again; across restarts the caller recognises duplicates by `StoredMessage.fingerprint`.
        """
        handled = duplicates = kept = delete_failed = 0
        with self._drain_lock:
            for message in self.stored_messages():
                if message.pdu is None and message.incoming:
                    message = self._read_again(message)
                fp = message.fingerprint
                if fp in self._confirmed:
                    duplicates += 1
                else:
                    try:
                        confirmed = handler(message) is not False
                    except Exception:
                        log.exception("message %s kept on the modem: the handler did not confirm it",
                                      message.index)
                        confirmed = False
                    if not confirmed:
                        kept += 1
                        continue
                    self._remember(fp)
                    handled += 1
                try:
                    self.delete(message.index)
                except ModemError as exc:
                    delete_failed += 1
                    log.warning("could not delete message %s after it was stored: %s", message.index, exc)
            self._refresh_storage()
        return DrainResult(handled, duplicates, kept, delete_failed)

    def _refresh_storage(self) -> None:
        try:
            storage, used, total = read_storage(self._command)
        except CommandError:
            return
        self._storage = (used, total)
        was_full = self._storage_full
        self._storage_full = used is not None and total is not None and total > 0 and used >= total
        if self._storage_full and not was_full:  # a full store turns new SMS away: drain it now
            self._emit(ev.StorageFull(self.clock.now(), storage=storage))

    # Sending

    def send(self, number: str, text: str, *, request_report: bool = True) -> list[int]:
        """Send an SMS (several concatenated parts if long). Returns the TP-MR of each part.

        Raises SendError (with `.retryable` and `.sent_refs`) for anything that went wrong.
        A timeout after the PDU was written is retryable but may mean it went out (a duplicate risk).
        """
        if self.settings.mode == "pdu":
            self._concat_ref = (self._concat_ref + 1) % 256
        setup, parts = submissions(number, text, pdu=self.settings.mode == "pdu", ucs2_charset=self._ucs2,
                                   concat_ref=self._concat_ref, request_report=request_report)
        sent: list[int] = []
        try:
            if setup is not None:
                self._command(setup)
            for command, payload in parts:
                lines = self._command(command, timeout=self.settings.send_timeout, payload=payload)
                sent.append(message_reference(command, lines))
        except CommandError as exc:
            raise send_error(exc, sent) from exc
        except CommandTimeout as exc:
            raise SendError(None, f"modem did not confirm the send: {exc}", True, sent) from exc
        except ModemUnavailable as exc:
            raise SendError(None, f"modem not available: {exc}", True, sent) from exc
        return sent

    # Calls

    def hang_up(self) -> None:
        """Reject the ringing call (ATH, or the model's own command, falling back to the other)."""
        # Rings read before the hang-up's OK belong to this call: ignore them; after it, a new call.
        self._calls.hanging_up(True)
        try:
            reject_call(self._command, self.quirks.hang_up)
        finally:
            self._calls.hanging_up(False)

    def dial(self, number: str) -> None:
        """Start a voice call to `number` (ATD<number>;): returns once the modem has taken it. The
        caller follows it with `call_state` and ends it with `hang_up` (issue 18)."""
        if not self.quirks.can_dial:
            raise CommandError(f"ATD{number};", "not supported", None, "this modem cannot make voice calls", "plain")
        if not number.replace("+", "", 1).isdigit():
            raise ValueError(f"not a number to dial: {number!r}")
        self._command(f"ATD{number};")

    def call_state(self) -> str | None:
        """Our outgoing call's state from AT+CLCC: dialling, ringing, answered, or None (ended)."""
        return outgoing_call_state(self._command("AT+CLCC"))

    @property
    def reports_keys(self) -> bool:
        """Does this modem tell us of key presses on a call (the quirks table's `dtmf`)?"""
        return bool(self.quirks.dtmf)

    # Health and time

    def status(self, *, refresh: bool = True) -> ModemStatus:
        """The modem's health; with `refresh` (default) signal, network and storage are asked anew."""
        if refresh and self.ready:
            try:
                self._refresh_health()
            except ModemError as exc:
                if self._channel.connected:  # if it vanished, keep the cause (read failed: ...) as the error
                    self._last_error = str(exc)
        used, total = self._storage
        return ModemStatus(
            connected=self._channel.connected, ready=self.ready, port=self._channel.port_used or self.settings.port,
            mode=self.settings.mode, quirks=self.quirks.name, manufacturer=self._ident.get("manufacturer", ""),
            model=self._ident.get("model", ""), firmware=self._ident.get("firmware", ""),
            imei=self._ident.get("imei", ""), sim=self._sim, registration=self._registration,
            operator=self._operator, access_technology=self._access, signal_bars=self._signal[0], signal_dbm=self._signal[1],
            storage_used=used, storage_total=total, storage_full=self._storage_full,
            last_exchange=self._channel.last_exchange, last_error=self._last_error, gone_since=self._gone_since,
            junk_lines=self._channel.junk)

    def _refresh_health(self) -> None:
        health = read_health(self._command, ucs2=self._ucs2)
        self._signal, self._operator, self._access = health.signal, health.operator, health.access_technology
        if health.registration is not None:
            self._registration = health.registration
        self._refresh_storage()

    def network_time(self) -> datetime | None:
        """The time the network reports (aware UTC): the last NITZ URC moved on by the monotonic clock,
        else AT+CCLK? when it looks set (a modem clock never set by the network says 2000-something)."""
        if self._nitz is not None:
            when, mono = self._nitz
            return when + timedelta(seconds=self.clock.monotonic() - mono)
        if not self.ready:
            return None
        try:
            return read_clock(self._command)
        except ModemError:
            return None
