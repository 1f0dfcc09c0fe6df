"""One serial port to one modem: open it, read every line on a thread, and run one AT command at a time.

The lowest part of the modem driver (kiosk.devices.modem drives it). It knows AT syntax, not SMS:
a reader thread splits the bytes into lines and routes each one, a reply to the command waiting for
it, anything else to `on_urc`. It must never let a byte from the line kill the reader, never wait
without a timeout, and never write to a port another thread is closing. When the device vanishes
under a read or a write it closes the port and tells `on_lost` once; reopening is the caller's.
"""

from __future__ import annotations

import glob
import logging
import re
import termios
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import serial

from kiosk.clock import Clock
from kiosk.devices.atlines import PROMPT, Line, LineSplitter, Prompt, Urc, is_final, is_ok, parse_urc
from kiosk.devices.errors import CommandTimeout, ModemUnavailable, parse_error
from kiosk.devices.modem_config import ModemSettings

log = logging.getLogger(__name__)

# What a vanishing device raises from pyserial: termios.error (tcdrain/tcflush) is not an OSError.
IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error, TypeError,
                                              AttributeError, ValueError)

# How often an idle reader wakes when nothing arrives (a port without cancel_read stops within this).
# Was 0.05 s: 20 wake-ups a second all night (bench figure 3, idle CPU).
READ_WAKE_SECONDS = 1.0
_PREFIX = re.compile(r"^AT([+^$*][A-Z0-9]+)", re.IGNORECASE)
_URC_PREFIXES = {"+CREG", "+CGREG", "+CEREG", "+CLIP", "+CPIN", "+CFUN", "+CMT", "+CDS", "+CMTI", "+CDSI"}

UrcHandler = Callable[[Urc, "str | None"], None]


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


def reply_prefix(command: str) -> str | None:
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


def _resolve(port: str) -> list[str]:
    if any(ch in port for ch in "*?[") and "://" not in port:
        return sorted(glob.glob(port)) or [port]
    return [port]


class AtChannel:
    """The port, its reader thread, and the one command in flight.

    `lock` is held for a whole command (and by the driver for a whole start-up sequence), so two
    threads never interleave their commands. `generation` changes whenever the port is opened or
    dropped: a reader or a write from an older generation never touches the new port.
    """

    def __init__(self, settings: ModemSettings, clock: Clock, *, on_urc: UrcHandler,
                 on_lost: Callable[[str], None]) -> None:
        self.settings = settings
        self.clock = clock
        self.on_urc = on_urc
        self.on_lost = on_lost
        self.lock = threading.RLock()
        self._state = threading.Lock()
        self._io_lock = threading.Lock()
        self._serial: serial.SerialBase | None = None
        self._reader: threading.Thread | None = None
        self._generation = 0
        self._pending: _Pending | None = None
        self._body_for: Urc | None = None
        self.connected = False
        self.port_used = ""
        self.last_exchange: datetime | None = None
        self.junk = 0  # lines that were not UTF-8, too long, or not understood

    # Opening and closing -------------------------------------------------------------------------

    def open(self, port_or_glob: str) -> None:
        """Open the port (the first of a glob's matches that opens) and start reading it.
        Raises ModemUnavailable."""
        self._stop_reader_and_port()
        errors = []
        for port in _resolve(port_or_glob):
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
            except IO_ERRORS as exc:
                errors.append(f"{port}: {exc}")
                if ser is not None and ser.is_open:
                    ser.close()
                continue
            with self._state:
                self._generation += 1
                gen = self._generation
                self._serial = ser
                self.connected = True
                self.port_used = port
                self._body_for = None
            self._reader = threading.Thread(target=self._read_loop, args=(ser, gen),
                                            name=f"modem-reader-{gen}", daemon=True)
            self._reader.start()
            return
        raise ModemUnavailable("cannot open modem port: " + "; ".join(errors))

    def close(self) -> None:
        """Close the port and stop the reader; a command in flight fails with ModemUnavailable."""
        with self._state:
            self._generation += 1
            self.connected = False
        self._stop_reader_and_port()
        self._fail_pending()

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
                except Exception:  # noqa: BLE001 - closing a vanished device can fail in many ways; it is gone either way
                    pass

    def _lost(self, reason: str, generation: int) -> None:
        """The device vanished under the reader or a write: drop it and tell the driver once."""
        with self._state:
            if generation != self._generation or not self.connected:
                return
            self._generation += 1
            self.connected = False
        self._stop_reader_and_port()
        self._fail_pending()
        self.on_lost(reason)

    def _fail_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            pending.lost = True
            pending.done.set()
            pending.prompt.set()

    # Commands ------------------------------------------------------------------------------------

    def execute(self, command: str, *, timeout: float, payload: str | None = None) -> list[str]:
        """Send one command (and, after the `> ` prompt, its payload); return its information lines.

        Raises CommandTimeout, ModemUnavailable, or CommandError for an ERROR reply."""
        with self.lock:
            if not self.connected:
                raise ModemUnavailable("modem not connected")
            pending = _Pending(command, reply_prefix(command), {command}, expects_prompt=payload is not None)
            if payload is not None:
                pending.echoes |= {payload, payload + "\x1a"}
            with self._state:
                self._pending = pending
            try:
                self.write((command + "\r").encode("ascii", "replace"))
                if payload is not None:
                    if not pending.prompt.wait(self.settings.prompt_timeout):
                        self.write(b"\x1b")
                        raise CommandTimeout(f"{command}: no '> ' prompt within {self.settings.prompt_timeout}s")
                    if pending.lost:
                        raise ModemUnavailable(f"modem vanished during {command}")
                    if not pending.done.is_set():
                        self.write(payload.encode("ascii", "replace") + b"\x1a")
                if not pending.done.wait(timeout):
                    raise CommandTimeout(f"{command}: no answer within {timeout:g}s")
            finally:
                with self._state:
                    if self._pending is pending:
                        self._pending = None
            if pending.lost:
                raise ModemUnavailable(f"modem vanished during {command}")
            final = pending.final or "ERROR"
            self.last_exchange = self.clock.now()
            if is_ok(final):
                return pending.lines
            raise parse_error(command, final)

    def write(self, data: bytes) -> None:
        """Write bytes to the port now; a failed write drops the port (ModemUnavailable)."""
        with self._io_lock:  # never write to a port another thread is closing
            ser, gen = self._serial, self._generation
            if ser is None:
                raise ModemUnavailable("modem not connected")
            try:
                ser.write(data)
                ser.flush()
                return
            except IO_ERRORS as exc:
                error = exc
        self._lost(f"write failed: {error}", gen)
        raise ModemUnavailable(f"modem vanished: write failed: {error}") from error

    # Reader and line routing ---------------------------------------------------------------------

    def _read_loop(self, ser: serial.SerialBase, generation: int) -> None:
        splitter = LineSplitter()
        while generation == self._generation:
            try:
                data = ser.read(ser.in_waiting or 1)
            except IO_ERRORS as exc:
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
            self.junk += 1
            log.warning("modem sent %s: %r", "bytes that are not UTF-8" if item.bad_bytes else
                        "an over-long line", item.raw[:200])
        text = item.text
        if self._body_for is not None:
            header, self._body_for = self._body_for, None
            self.on_urc(header, text)
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
                self.on_urc(urc, None)
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
        self.junk += 1
        log.info("modem: unsolicited line not understood: %r", text[:200])
