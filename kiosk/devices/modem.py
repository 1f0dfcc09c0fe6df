"""The GSM modem driver: AT commands over pyserial, SMS in and out, calls, health, reconnection.

Knows nothing about visits. It must never delete a message before the caller confirmed it is
stored, never let a byte from the line kill the reader, never wait for the modem without a timeout,
and never give up on a vanished device: it reports the gap and keeps reopening it.

Threads: a reader thread routes every line (command replies to the waiting command, URCs to events);
an event thread calls `on_event` one event at a time, so a handler may call the driver (drain,
hang_up). Waiting for the modem uses real time (timeouts on I/O); reconnection backoff, event times,
the last exchange and the gap are paced and stamped by the injected Clock.
"""

from __future__ import annotations

import glob
import logging
import queue
import random
import re
import termios
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Callable

import serial

from kiosk.clock import Clock, SystemClock
from kiosk.devices import events as ev
from kiosk.devices.atlines import (PROMPT, Line, LineSplitter, Prompt, Urc, decode_ucs2_hex, encode_ucs2_hex,
                                   is_final, is_ok, parse_modem_time, parse_nitz, parse_urc, reply_fields,
                                   to_int)
from kiosk.devices.calls import CallTracker, is_report
from kiosk.devices.errors import (CommandError, CommandTimeout, ModemError, ModemUnavailable, SendError,
                                  is_empty_index, parse_error, send_error)
from kiosk.devices.events import (REGISTRATION, DrainResult, ModemEvent, ModemStatus, StoredMessage,
                                  signal_from_csq)
from kiosk.devices.gsm7 import can_encode_gsm7, septet_length
from kiosk.devices.listing import (decode_direct, decode_direct_report, parse_pdu_listing,
                                   parse_text_listing)
from kiosk.devices.pdu import PduError, encode_submit
from kiosk.devices.modem_config import DEFAULT_PORT, ModemSettings, settings_from_config
from kiosk.devices.quirks import Quirks, quirks_for

log = logging.getLogger(__name__)

__all__ = ["Modem", "ModemSettings", "ModemStatus", "DrainResult", "DEFAULT_PORT", "REGISTRATION",
           "settings_from_config", "signal_from_csq"]

@dataclass
class _Pending:
    command: str
    prefix: str | None
    echoes: set[str]
    expects_prompt: bool = False
    lines: list[str] = field(default_factory=list)
    final: str | None = None
    lost: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    prompt: threading.Event = field(default_factory=threading.Event)


# What a vanishing device raises from pyserial: termios.error (tcdrain/tcflush) is not an OSError.
_IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error, TypeError,
                                               AttributeError, ValueError)

# How often an idle reader wakes when nothing arrives (a port without cancel_read stops within this).
# Was 0.05 s: 20 wake-ups a second all night (bench figure 3, idle CPU).
READ_WAKE_SECONDS = 1.0
_PREFIX = re.compile(r"^AT([+^$*][A-Z0-9]+)", re.IGNORECASE)
_URC_PREFIXES = {"+CREG", "+CGREG", "+CEREG", "+CLIP", "+CPIN", "+CFUN", "+CMT", "+CDS", "+CMTI", "+CDSI"}


def _reply_prefix(command: str) -> str | None:
    """The prefix of the information lines this command answers with, e.g. AT+CMGL=4 -> +CMGL.

    None for setting commands whose prefix is also a URC (AT+CREG=1 answers just OK, so a +CREG
    line meanwhile is a URC)."""
    match = _PREFIX.match(command)
    if not match:
        return None
    prefix = match.group(1).upper()
    if prefix in _URC_PREFIXES and not command.endswith("?"):
        return None
    return prefix
EventHandler = Callable[[ModemEvent], None]


class Modem:
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
        self.on_event = on_event
        self.quirks: Quirks = quirks_for(self.settings.model, self.settings.quirks)  # refined on open

        self._cmd_lock = threading.RLock()
        self._state = threading.Lock()
        self._drain_lock = threading.Lock()
        self._io_lock = threading.Lock()
        self._serial: serial.SerialBase | None = None
        self._reader: threading.Thread | None = None
        self._generation = 0
        self._pending: _Pending | None = None
        self._body_for: Urc | None = None
        self._events: queue.Queue = queue.Queue()
        self._event_thread: threading.Thread | None = None
        self._confirmed: OrderedDict[str, None] = OrderedDict()
        self._concat_ref = random.randrange(256)
        self._recovering = False
        self._closed = False
        self._next_init = 0.0
        self._pin_rejected = False
        self._ucs2 = False  # text mode strings are UCS-2 hex (AT+CSCS="UCS2" accepted)

        self._connected = False
        self._ready = False
        self._reinit_requested = False
        self._port_used = ""
        self._ident: dict[str, str] = {}
        self._sim = "unknown"
        self._registration = "unknown"
        self._operator = ""
        self._signal: tuple[int, int | None] = (0, None)
        self._storage: tuple[int | None, int | None] = (None, None)
        self._storage_full = False
        self._last_exchange: datetime | None = None
        self._last_error: str | None = None
        self._gone_since: datetime | None = None
        self._gone_reported = False
        self._next_attempt = 0.0
        self._backoff = self.settings.reconnect_min
        self._junk = 0
        self._nitz: tuple[datetime, float] | None = None
        self._calls = CallTracker()

    # =============================================================================================
    # Opening, closing, reconnecting

    def open(self) -> None:
        """Open the port and initialise the modem. Raises ModemUnavailable if it cannot be reached."""
        with self._cmd_lock:
            self._closed = False
            self._connect()
            try:
                self._initialise()
            except ModemError as exc:
                self._teardown()
                raise ModemUnavailable(f"modem on {self._port_used} did not initialise: {exc}") from exc
            self._gone_reported = False

    def close(self) -> None:
        """Close the port and stop the driver's threads (pending commands fail)."""
        self._closed = True
        self._teardown()
        thread, self._event_thread = self._event_thread, None
        if thread is not None:
            self._events.put(None)
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def __enter__(self) -> "Modem":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def ready(self) -> bool:
        return self._connected and self._ready

    def ensure_open(self) -> bool:
        """Reopen a vanished modem when its backoff allows (paced by the clock's monotonic time).

        Never raises. On success after a gap, emits ModemBack (drain then). Call it every few seconds.
        """
        if self._connected:
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
            if self._connected:
                return self.ready
            try:
                self.open()
            except ModemError as exc:
                self._note_unavailable(str(exc))
                return False
        self._backoff = self.settings.reconnect_min
        gone_at, self._gone_since = self._gone_since, None
        if gone_at is not None:
            now = self.clock.now()
            log.warning("modem back on %s after %s", self._port_used, now - gone_at)
            self._emit(ev.ModemBack(now, port=self._port_used, gone_at=gone_at, gap=now - gone_at))
        return True

    def supervise(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Keep the modem open until `stop` is set: a loop for the gateway to run in a thread."""
        while not stop.is_set():
            self.ensure_open()
            stop.wait(interval)

    def _resolve_port(self) -> list[str]:
        port = self.settings.port
        if any(ch in port for ch in "*?[") and "://" not in port:
            return sorted(glob.glob(port)) or [port]
        return [port]

    def _connect(self) -> None:
        self._stop_reader_and_port()
        errors = []
        for port in self._resolve_port():
            ser = None
            try:
                ser = serial.serial_for_url(port, do_not_open=True)
                ser.baudrate = self.settings.baudrate
                ser.rtscts = self.settings.rtscts
                ser.dsrdtr = self.settings.dsrdtr
                ser.timeout = READ_WAKE_SECONDS  # the reader blocks until a byte comes; stop wakes it (cancel_read)
                ser.write_timeout = 5
                ser.open()
                ser.reset_input_buffer()  # boot banners and URCs from before we listened: drain() finds SMS
            except _IO_ERRORS as exc:
                errors.append(f"{port}: {exc}")
                if ser is not None and ser.is_open:
                    ser.close()
                continue
            with self._state:
                self._generation += 1
                gen = self._generation
                self._serial = ser
                self._connected = True
                self._ready = False
                self._port_used = port
                self._body_for = None
            self._reader = threading.Thread(target=self._read_loop, args=(ser, gen),
                                            name=f"modem-reader-{gen}", daemon=True)
            self._reader.start()
            if self._event_thread is None or not self._event_thread.is_alive():
                self._events = queue.Queue()
                self._event_thread = threading.Thread(target=self._event_loop, args=(self._events,),
                                                      name="modem-events", daemon=True)
                self._event_thread.start()
            return
        raise ModemUnavailable("cannot open modem port: " + "; ".join(errors))

    def _stop_reader_and_port(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and reader is not threading.current_thread():
            ser = self._serial
            cancel = getattr(ser, "cancel_read", None)  # a POSIX port: wake the reader's select now
            if cancel is not None:
                try:
                    cancel()
                except Exception:  # noqa: BLE001 - a vanished device: the reader is failing anyway
                    pass
            reader.join(timeout=2)
        with self._io_lock:
            ser, self._serial = self._serial, None
            if ser is not None:
                try:
                    ser.close()
                except Exception:  # closing a vanished device can fail in many ways; it is gone either way
                    pass

    def _teardown(self) -> None:
        with self._state:
            self._generation += 1
            self._connected = False
            self._ready = False
        self._stop_reader_and_port()
        self._fail_pending()

    def _drop_connection(self, reason: str) -> None:
        self._teardown()
        self._note_unavailable(reason)

    def _note_unavailable(self, reason: str) -> None:
        self._last_error = reason
        now = self.clock.now()
        if self._gone_since is None:
            self._gone_since = now
        self._next_attempt = self.clock.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.settings.reconnect_max)
        if not self._gone_reported:
            self._gone_reported = True
            log.error("modem gone (%s): %s", self._port_used or self.settings.port, reason)
            self._emit(ev.ModemGone(now, reason=reason, port=self._port_used or self.settings.port))

    def _lost(self, reason: str, generation: int) -> None:
        """The device vanished under the reader or a write: drop it and let ensure_open() bring it back."""
        with self._state:
            if generation != self._generation or not self._connected:
                return
            self._generation += 1
            self._connected = False
            self._ready = False
        self._stop_reader_and_port()
        self._fail_pending()
        self._note_unavailable(reason)

    def _fail_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            pending.lost = True
            pending.done.set()
            pending.prompt.set()

    # =============================================================================================
    # Initialisation

    def _initialise(self) -> None:
        self._reinit_requested = False
        self._ready = False
        self._sync()
        self._tolerant("ATE0")
        self._tolerant("AT+CMEE=2")
        self._identify()
        if not self._check_sim():
            return
        self._command("AT+CMGF=0" if self.settings.mode == "pdu" else "AT+CMGF=1")
        self._ucs2 = False
        if self.settings.mode == "text":
            self._ucs2 = bool(self._tolerant('AT+CSCS="UCS2"'))  # any alphabet, and one line per text
            if not self._ucs2:
                log.warning("modem refused AT+CSCS=\"UCS2\": text mode limited to ASCII")
                self._tolerant('AT+CSCS="IRA"')
            self._tolerant("AT+CSDH=1")
        mem = self.quirks.storage
        if not self._tolerant(f'AT+CPMS="{mem}","{mem}","{mem}"'):
            self._tolerant(f'AT+CPMS="{mem}"')
        for cnmi in self.quirks.cnmi:
            if self._tolerant(cnmi):
                break
        else:
            log.warning("modem accepted no AT+CNMI form; relying on the periodic AT+CMGL sweep")
        self._tolerant("AT+CLIP=1")
        self._tolerant("AT+CREG=1")
        for command in (*self.quirks.time_updates, *self.quirks.extra_init, *self.settings.init):
            self._tolerant(command)
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

    def _identify(self) -> None:
        ident = {}
        for key, command in (("manufacturer", "AT+CGMI"), ("model", "AT+CGMM"), ("firmware", "AT+CGMR"),
                             ("imei", "AT+CGSN")):
            lines = self._tolerant(command, want_lines=True)
            value = lines[0] if lines else ""
            for prefix in ("+CGMI:", "+CGMM:", "+CGMR:", "+CGSN:", "Revision:"):
                if value.startswith(prefix):
                    value = value[len(prefix):].strip()
            ident[key] = value.strip().strip('"')
        if not ident["model"]:
            lines = self._tolerant("ATI", want_lines=True)
            ident["model"] = " ".join(lines or [])
        self._ident = ident
        model = self.settings.model or f"{ident['manufacturer']} {ident['model']}"
        self.quirks = quirks_for(model, self.settings.quirks)

    def _check_sim(self) -> bool:
        try:
            lines = self._command("AT+CPIN?")
        except CommandError as exc:
            text = (exc.message or "").lower()
            self._sim = "absent" if exc.code in (10, 310) or "not inserted" in text else \
                "busy" if exc.code in (14, 314) else "error"
            self._last_error = f"SIM {self._sim}: {exc.reply}"
            return False
        state = " ".join(reply_fields(lines[0], "+CPIN") if lines else ["READY"]).upper()
        if "READY" in state:
            self._sim = "ready"
            return True
        if "SIM PIN" in state and self.settings.pin and not self._pin_rejected:
            try:
                self._command(f'AT+CPIN="{self.settings.pin}"')
            except CommandError as exc:
                self._pin_rejected = True  # never try it again: three wrong PINs lock the SIM (PUK)
                self._sim = "PIN rejected"
                self._last_error = f"SIM PIN rejected (not retried, so the SIM is not locked): {exc.reply}"
                return False
            self._sim = "ready"
            return True
        if self._pin_rejected and "SIM PIN" in state:
            return False
        self._sim = "PUK required" if "PUK" in state else "PIN required" if "PIN" in state else state.lower()
        self._last_error = f"SIM {self._sim}"
        return False

    def _tolerant(self, command: str, *, want_lines: bool = False) -> list[str] | bool:
        """A command whose failure is logged, not raised (optional features, identity)."""
        try:
            lines = self._command(command)
        except CommandError as exc:
            log.info("modem refused %s: %s", command, exc.reply)
            return [] if want_lines else False
        return lines if want_lines else True

    # =============================================================================================
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
            if not self._connected:
                raise ModemUnavailable(f"modem not connected ({self._last_error or 'not opened'})")
            pending = _Pending(command, _reply_prefix(command), {command}, expects_prompt=payload is not None)
            if payload is not None:
                pending.echoes |= {payload, payload + "\x1a"}
            with self._state:
                self._pending = pending
            try:
                self._write((command + "\r").encode("ascii", "replace"))
                if payload is not None:
                    if not pending.prompt.wait(self.settings.prompt_timeout):
                        self._write(b"\x1b")
                        raise CommandTimeout(f"{command}: no '> ' prompt within {self.settings.prompt_timeout}s")
                    if pending.lost:
                        raise ModemUnavailable(f"modem vanished during {command}")
                    if not pending.done.is_set():
                        self._write(payload.encode("ascii", "replace") + b"\x1a")
                if not pending.done.wait(timeout):
                    raise CommandTimeout(f"{command}: no answer within {timeout:g}s")
            finally:
                with self._state:
                    if self._pending is pending:
                        self._pending = None
            if pending.lost:
                raise ModemUnavailable(f"modem vanished during {command}")
            final = pending.final or "ERROR"
            self._last_exchange = self.clock.now()
            if is_ok(final):
                return pending.lines
            raise parse_error(command, final)

    def _write(self, data: bytes) -> None:
        with self._io_lock:  # never write to a port another thread is closing
            ser, gen = self._serial, self._generation
            if ser is None:
                raise ModemUnavailable("modem not connected")
            try:
                ser.write(data)
                ser.flush()
                return
            except _IO_ERRORS as exc:
                error = exc
        self._lost(f"write failed: {error}", gen)
        raise ModemUnavailable(f"modem vanished: write failed: {error}") from error

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

    # =============================================================================================
    # Reader and URC routing

    def _read_loop(self, ser: serial.SerialBase, generation: int) -> None:
        splitter = LineSplitter()
        while generation == self._generation:
            try:
                data = ser.read(ser.in_waiting or 1)
            except _IO_ERRORS as exc:
                self._lost(f"read failed: {exc}", generation)
                return
            if not data or generation != self._generation:
                continue
            for item in splitter.feed(data):
                try:
                    self._route(item)
                except Exception:  # never fatal: a line we cannot route is logged and skipped
                    log.exception("modem: could not handle %r", item)

    def _route(self, item: Line | Prompt) -> None:
        pending = self._pending
        if item is PROMPT or isinstance(item, Prompt):
            if pending is not None and pending.expects_prompt:
                pending.prompt.set()
            else:
                log.debug("modem: stray '> ' prompt")
            return
        assert isinstance(item, Line)
        if item.bad_bytes or item.cut:
            self._junk += 1
            log.warning("modem sent %s: %r", "bytes that are not UTF-8" if item.bad_bytes else
                        "an over-long line", item.raw[:200])
        text = item.text
        if self._body_for is not None:
            urc, self._body_for = self._body_for, None
            self._on_urc(urc, text)
            return
        if pending is not None:
            if text in pending.echoes:
                return
            if pending.prefix and text.upper().startswith(pending.prefix + ":"):
                pending.lines.append(text)
                return
        urc = parse_urc(text)
        if urc is not None:
            if urc.needs_body:
                self._body_for = urc
            else:
                self._on_urc(urc, None)
            return
        if pending is not None:
            if is_final(text):
                pending.final = text
                pending.done.set()
                pending.prompt.set()  # an error instead of the prompt ends the wait for it too
            else:
                pending.lines.append(text)
            return
        if is_final(text):
            log.debug("modem: stray %s", text)
            return
        self._junk += 1
        log.info("modem: unsolicited line not understood: %r", text[:200])

    def _on_urc(self, urc: Urc, body: str | None) -> None:  # noqa: C901 - one table of URC kinds
        now = self.clock.now()
        kind = urc.kind
        text_mode = self.settings.mode == "text"
        if kind == "message_stored":
            self._emit(ev.MessageStored(now, storage=urc.fields[0] if urc.fields else "",
                                        index=to_int(urc.fields[-1], -1) if urc.fields else -1))
        elif kind == "report_stored":
            self._emit(ev.ReportStored(now, storage=urc.fields[0] if urc.fields else "",
                                       index=to_int(urc.fields[-1], -1) if urc.fields else -1))
        elif kind == "message_direct":
            message, error, raw = decode_direct(urc.line, body or "", text_mode, ucs2=self._ucs2)
            event = ev.MessageReceived(now, message=message, raw=raw, error=error)
            self._emit(event, after=lambda: self._confirm_direct(event.fingerprint))
        elif kind == "report_direct":
            report, error, raw = decode_direct_report(urc.line, body if urc.needs_body else None, ucs2=self._ucs2)
            self._emit(ev.ReportReceived(now, report=report, raw=raw, error=error),
                       after=self._acknowledge if self.quirks.needs_cnma else None)
        elif kind == "ring":
            self._on_ring()
        elif kind == "caller_id":
            self._on_clip(urc)
        elif kind == "call_ended":
            self._calls.ended()
            self._emit(ev.CallEnded(now))
        elif kind == "registration":
            stat = to_int(urc.fields[0] if urc.fields else None)
            if stat is not None:
                self._registration = REGISTRATION.get(stat, "unknown")
                self._emit(ev.RegistrationChanged(now, state=self._registration))
        elif kind in ("time_zone", "network_time"):
            when = parse_nitz(urc)
            if when is not None:
                self._nitz = (when, self.clock.monotonic())
                self._emit(ev.NetworkTimeReceived(now, network_time=when))
        elif kind == "storage_full":
            self._storage_full = True
            self._emit(ev.StorageFull(now, storage=urc.fields[0] if urc.fields else ""))
        elif kind == "rebooted":
            self._ready = False
            self._reinit_requested = True
            self._emit(ev.ModemRebooted(now, banner=urc.line), before=self._reinit_if_requested)
        elif kind in ("ready", "sim_state"):
            if not self._ready and "NOT" not in urc.line.upper():
                self._reinit_requested = True
                self._emit(None, before=self._reinit_if_requested)
        else:
            log.debug("modem URC ignored: %s", urc.line)

    def _on_ring(self) -> None:
        caller = self._calls.ring(self.clock.monotonic())
        if is_report(caller):
            self._emit(ev.IncomingCall(self.clock.now(), number=caller))  # type: ignore[arg-type]

    def _on_clip(self, urc: Urc) -> None:
        caller = self._calls.caller_id(urc, self.clock.monotonic(), ucs2=self._ucs2)
        if is_report(caller):
            self._emit(ev.IncomingCall(self.clock.now(), number=caller))  # type: ignore[arg-type]

    # Events --------------------------------------------------------------------------------------

    def _emit(self, event: ModemEvent | None, *, before: Callable[[], None] | None = None,
              after: Callable[[], None] | None = None) -> None:
        if self._closed:
            return
        if self._event_thread is None or not self._event_thread.is_alive():
            self._events = queue.Queue()
            self._event_thread = threading.Thread(target=self._event_loop, args=(self._events,),
                                                  name="modem-events", daemon=True)
            self._event_thread.start()
        self._events.put((event, before, after))

    def _event_loop(self, events: queue.Queue) -> None:
        while True:
            item = events.get()
            if item is None:
                return
            event, before, after = item
            try:
                if before is not None:
                    before()
            except ModemError as exc:
                log.warning("modem action before %s failed: %s", type(event).__name__, exc)
            except Exception:
                log.exception("modem action failed")
            if event is not None:
                if self.on_event is None:
                    continue  # nobody took it: never acknowledge what was not stored
                try:
                    self.on_event(event)
                except Exception:
                    log.exception("event handler failed for %s; not acknowledged", type(event).__name__)
                    continue
            try:
                if after is not None:
                    after()
            except ModemError as exc:
                log.warning("modem action after %s failed: %s", type(event).__name__, exc)
            except Exception:
                log.exception("modem action failed")

    def _reinit_if_requested(self) -> None:
        if self._reinit_requested and self._connected:
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

    # =============================================================================================
    # Receiving

    def stored_messages(self) -> list[StoredMessage]:
        """Every message in the modem's store (AT+CMGL), received or not, decodable or not."""
        timeout = self.quirks.list_timeout or self.settings.list_timeout
        storage = self.quirks.storage
        if self.settings.mode == "pdu":
            return parse_pdu_listing(self._command("AT+CMGL=4", timeout=timeout), storage)
        return parse_text_listing(self._command('AT+CMGL="ALL"', timeout=timeout), storage, ucs2=self._ucs2)

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
        (None or True: confirmed, delete it). A message already
        confirmed earlier in this process (same fingerprint) is deleted without calling the handler
        again; across restarts the caller recognises duplicates by `StoredMessage.fingerprint`.
        """
        handled = duplicates = kept = delete_failed = 0
        with self._drain_lock:
            for message in self.stored_messages():
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
            lines = self._command("AT+CPMS?")
        except CommandError:
            return
        fields = reply_fields(lines[0], "+CPMS") if lines else []
        used, total = (to_int(fields[1]), to_int(fields[2])) if len(fields) >= 3 else (None, None)
        self._storage = (used, total)
        was_full = self._storage_full
        self._storage_full = used is not None and total is not None and total > 0 and used >= total
        if self._storage_full and not was_full:  # a full store turns new SMS away: drain it now
            self._emit(ev.StorageFull(self.clock.now(), storage=fields[0] if fields else ""))

    # =============================================================================================
    # Sending

    def send(self, number: str, text: str, *, request_report: bool = True) -> list[int]:
        """Send an SMS (several concatenated parts if long). Returns the TP-MR of each part.

        Raises SendError (with `.retryable` and `.sent_refs`) for anything that went wrong.
        A timeout after the PDU was written is retryable but may mean it went out (a duplicate risk).
        """
        sent: list[int] = []
        try:
            if self.settings.mode == "pdu":
                self._concat_ref = (self._concat_ref + 1) % 256
                try:
                    parts = encode_submit(number, text, request_report=request_report,
                                          concat_ref=self._concat_ref)
                except PduError as exc:
                    raise SendError(None, f"cannot encode: {exc}", False) from exc
                for part in parts:
                    sent.append(self._send_one(f"AT+CMGS={part.tpdu_length}", part.hex))
            else:
                ucs2 = not can_encode_gsm7(text)
                if not self._ucs2 and not text.isascii():
                    raise SendError(None, "this modem refused AT+CSCS=\"UCS2\": in text mode it can send "
                                          "plain ASCII only (use PDU mode)", False)
                self._command(f"AT+CSMP={49 if request_report else 17},167,0,{8 if ucs2 else 0}")
                as_sent = encode_ucs2_hex if self._ucs2 else str
                for chunk in _text_mode_chunks(text, ucs2):
                    sent.append(self._send_one(f'AT+CMGS="{as_sent(number)}"', as_sent(chunk)))
        except CommandError as exc:
            raise send_error(exc, sent) from exc
        except CommandTimeout as exc:
            raise SendError(None, f"modem did not confirm the send: {exc}", True, sent) from exc
        except ModemUnavailable as exc:
            raise SendError(None, f"modem not available: {exc}", True, sent) from exc
        return sent

    def _send_one(self, command: str, payload: str) -> int:
        lines = self._command(command, timeout=self.settings.send_timeout, payload=payload)
        for line in lines:
            fields = reply_fields(line, "+CMGS")
            if fields:
                mr = to_int(fields[0])
                if mr is not None:
                    return mr
        raise CommandError(command, "OK without +CMGS", None, "modem gave no message reference", "plain")

    # =============================================================================================
    # Calls

    def hang_up(self) -> None:
        """Reject the ringing call (ATH, or the model's own command, falling back to the other)."""
        # Rings read before the hang-up's OK belong to this call: ignore them; after it, a new call.
        self._calls.hanging_up(True)
        commands = [self.quirks.hang_up] + [c for c in ("ATH", "AT+CHUP") if c != self.quirks.hang_up]
        last: CommandError | None = None
        try:
            for command in commands:
                try:
                    self._command(command)
                    return
                except CommandError as exc:
                    last = exc
            assert last is not None
            raise last
        finally:
            self._calls.hanging_up(False)

    # =============================================================================================
    # Health and time

    def status(self, *, refresh: bool = True) -> ModemStatus:
        """The modem's health; with `refresh` (default) signal, network and storage are asked anew."""
        if refresh and self.ready:
            try:
                self._refresh_health()
            except ModemError as exc:
                if self._connected:  # if it vanished, keep the cause (read failed: ...) as the error
                    self._last_error = str(exc)
        used, total = self._storage
        return ModemStatus(
            connected=self._connected, ready=self.ready, port=self._port_used or self.settings.port,
            mode=self.settings.mode, quirks=self.quirks.name, manufacturer=self._ident.get("manufacturer", ""),
            model=self._ident.get("model", ""), firmware=self._ident.get("firmware", ""),
            imei=self._ident.get("imei", ""), sim=self._sim, registration=self._registration,
            operator=self._operator, signal_bars=self._signal[0], signal_dbm=self._signal[1],
            storage_used=used, storage_total=total, storage_full=self._storage_full,
            last_exchange=self._last_exchange, last_error=self._last_error, gone_since=self._gone_since,
            junk_lines=self._junk)

    def _refresh_health(self) -> None:
        lines = self._tolerant("AT+CSQ", want_lines=True)
        fields = reply_fields(lines[0], "+CSQ") if lines else []
        self._signal = signal_from_csq(to_int(fields[0]) if fields else None)
        lines = self._tolerant("AT+CREG?", want_lines=True)
        fields = reply_fields(lines[0], "+CREG") if lines else []
        if len(fields) >= 2:
            self._registration = REGISTRATION.get(to_int(fields[1], 4) or 0, "unknown")
        lines = self._tolerant("AT+COPS?", want_lines=True)
        fields = reply_fields(lines[0], "+COPS") if lines else []
        self._operator = decode_ucs2_hex(fields[2]) if len(fields) >= 3 and self._ucs2 \
            else (fields[2] if len(fields) >= 3 else "")
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
            lines = self._tolerant("AT+CCLK?", want_lines=True)
        except ModemError:
            return None
        fields = reply_fields(lines[0], "+CCLK") if lines else []
        when = parse_modem_time(",".join(fields)) if fields else None
        if when is None or when.year < 2024:
            return None
        return when


def _text_mode_chunks(text: str, ucs2: bool) -> list[str]:
    """Text mode cannot concatenate: independent messages of at most 160 GSM / 70 UCS-2 characters."""
    chunks: list[str] = []
    current = ""
    for ch in text:
        candidate = current + ch
        too_long = (len(candidate.encode("utf-16-be", "surrogatepass")) // 2 > 70) if ucs2 \
            else septet_length(candidate) > 160
        if too_long:
            chunks.append(current)
            current = ch
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks
