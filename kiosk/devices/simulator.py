"""An AT-command GSM modem on a real pseudo-terminal, for tests, the demo and people at a keyboard.

The driver (or gammu) opens the pty's `/dev/pts/N` exactly as it would a USB modem. The simulator
keeps a SIM message store, answers AT commands the way real modems do (slowly, in pieces, with URCs
in between when asked), records what was sent, and lets a caller inject events. It must never read
the slave side of its pty (that is the client's) and never touch a real serial device.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from kiosk.clock import Clock, SystemClock
from kiosk.devices.atlines import decode_ucs2_hex, encode_ucs2_hex, split_fields
from kiosk.devices.pdu import (Deliver, PduError, StatusReport, Submit, decode_pdu, encode_deliver,
                               encode_deliver_parts, encode_status_report)

log = logging.getLogger(__name__)

UTC = timezone.utc
CTRL_Z, ESC = 0x1A, 0x1B

BOOT_BANNER = ("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready")
DEFAULT_GARBAGE = b"\xff\xfe\x00\x80junk\xc3\x28 line\r\n\x1b[0m\xe2\x82\r\nOK\r\n+CMTI: \"SM\r\n"


@dataclass(frozen=True)
class SentMessage:
    """One SMS (or one part) the client sent with AT+CMGS, as the simulator understood it."""

    number: str
    text: str
    message_ref: int
    mode: str  # "pdu" or "text"
    raw: str
    submit: Submit | None
    at: datetime

    @property
    def concat(self):
        return self.submit.concat if self.submit else None

    @property
    def status_report_request(self) -> bool:
        return bool(self.submit and self.submit.status_report_request)


@dataclass
class SimCall:
    number: str | None
    rings: int = 0
    hung_up: bool = False
    ended: bool = False


@dataclass
class _Slot:
    status: int  # 0 REC UNREAD, 1 REC READ, 2 STO UNSENT, 3 STO SENT
    pdu: str  # with the SMSC octet(s), as a SIM stores it


@dataclass
class _Settings:
    """What AT commands change; a reboot or power cycle puts these back."""

    echo: bool = True
    cmee: int = 0
    cmgf: int = 0
    cscs: str = "IRA"
    cnmi: tuple[int, ...] = (0, 0, 0, 0, 0)
    clip: int = 0
    creg: int = 0
    csdh: int = 0
    csmp: tuple[int, ...] = (17, 167, 0, 0)
    ctzu: int = 0
    clts: int = 0
    pin_ok: bool = False


_TEXT_STATUS = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT"}
_TEXT_STAT_FILTER = {"REC UNREAD": 0, "REC READ": 1, "STO UNSENT": 2, "STO SENT": 3, "ALL": 4}


class ModemSimulator:
    """A simulated modem. `start()` returns the pty path; `link_path` (if given) always points at it."""

    def __init__(self, *, clock: Clock | None = None, model: str = "KIOSK-SIM800",
                 manufacturer: str = "KIOSK", revision: str = "KSIM800 R1.0", imei: str = "490154203237518",
                 imsi: str = "234150000000001", capacity: int = 30, first_index: int = 1,
                 echo: bool = True, reply_delay: float = 0.0, chunk_size: int = 0, chunk_delay: float = 0.0,
                 ring_interval: float = 3.0, max_rings: int = 10, link_path: str | os.PathLike | None = None,
                 smsc: str = "+447785016005", pin: str = "", operator: str = "KIOSK NET",
                 empty_delete_error: bool = False, reject_delete_flag: bool = False,
                 smmemfull: bool = False, echo_locked: bool = False, slow_commands: tuple[str, ...] = ()) -> None:
        self.clock = clock or SystemClock()
        self.model, self.manufacturer, self.revision = model, manufacturer, revision
        self.imei, self.imsi, self.smsc, self.operator, self.pin = imei, imsi, smsc, operator, pin
        self.capacity, self.first_index = capacity, first_index
        self.power_on_echo = echo
        self.reply_delay, self.chunk_size, self.chunk_delay = reply_delay, chunk_size, chunk_delay
        self.ring_interval, self.max_rings = ring_interval, max_rings
        self.link_path = Path(link_path) if link_path else None
        self.empty_delete_error, self.reject_delete_flag, self.smmemfull = (
            empty_delete_error, reject_delete_flag, smmemfull)
        self.slow_commands = tuple(c.upper() for c in slow_commands)  # reply_delay only for these (all if empty)
        self._current = ""
        self.echo_locked = echo_locked  # ignores ATE0 (echo stays as it is), as some firmware does

        self.sent: list[SentMessage] = []
        self.commands: list[str] = []  # every command line received, in order
        self.calls: list[SimCall] = []
        self.lost_reports: list[int] = []  # reports dropped because CNMI asked for none
        self.sim_state = "READY"  # READY, ABSENT, PIN
        self.registration = 1  # +CREG stat: 1 home, 5 roaming, 2 searching, 0 not registered, 3 denied
        self.rssi = 20
        self._slots: dict[int, _Slot] = {}
        self._waiting: list[str] = []  # PDUs the network holds back while the SIM is full
        self._settings = _Settings(echo=echo, pin_ok=not pin)
        self._fail_next_send: list[list[int]] = []  # [code, successes to allow first]
        self._silent: list[tuple[str, int]] = []  # (command prefix, remaining count)
        self._hung = False
        self._interleave: list[str] = []
        self._next_mr = 1
        self._next_concat_ref = 1
        self._pending_cnma = 0

        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self.path: str | None = None
        self._reader: threading.Thread | None = None
        self._stop_reader = threading.Event()
        self._ringer: threading.Thread | None = None
        self._ring_stop = threading.Event()
        self._call: SimCall | None = None
        self._line = bytearray()
        self._body: bytearray | None = None  # SMS text/PDU after the `> ` prompt
        self._body_target: tuple[str, str | int] | None = None
        self.listeners: list[Callable[[str], None]] = []  # told of each command (for the CLI)

    # ---------------------------------------------------------------------------------------------
    # Lifecycle

    def start(self) -> str:
        """Open the pty and start answering; returns the path a client opens (/dev/pts/N)."""
        if self._master is None:
            self._open_pty()
        return self.path or ""

    def stop(self) -> None:
        self._stop_ringing()
        self._close_pty()

    def __enter__(self) -> "ModemSimulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> str:
        """The stable name to give the driver: the symlink when there is one, else the pty."""
        return str(self.link_path) if self.link_path else (self.path or "")

    def _open_pty(self, avoid: str | None = None) -> None:
        master, slave = os.openpty()
        path = os.ttyname(slave)
        if avoid and path == avoid:  # re-enumerated under a new name, as USB modems do
            master2, slave2 = os.openpty()
            os.close(master)
            os.close(slave)
            master, slave, path = master2, slave2, os.ttyname(slave2)
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave, self.path = master, slave, path
        self._line.clear()
        self._body = None
        if self.link_path:
            tmp = self.link_path.with_name(self.link_path.name + ".new")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            os.symlink(path, tmp)
            os.replace(tmp, self.link_path)
        self._stop_reader = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, args=(master, self._stop_reader),
                                        name="modem-simulator", daemon=True)
        self._reader.start()

    def _close_pty(self) -> None:
        self._stop_reader.set()
        if self._reader and self._reader is not threading.current_thread():
            self._reader.join(timeout=2)
        self._reader = None
        with self._write_lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._master = self._slave = None
        if self.link_path and self.link_path.is_symlink():
            self.link_path.unlink()

    # ---------------------------------------------------------------------------------------------
    # Injection API (tests, the CLI, the demo)

    def inject_sms(self, sender: str, text: str, *, timestamp: datetime | None = None,
                   direct: bool = False, also_store: bool = False, order: list[int] | None = None,
                   encoding: str | None = None, ref: int | None = None, ref_bits: int = 8,
                   drop_parts: tuple[int, ...] = ()) -> list[str]:
        """An SMS from `sender` arrives (split into parts if long). Returns the part PDUs.

        `order` permutes the parts (0-based indexes, e.g. [2, 0, 1]); `drop_parts` never delivers
        those (0-based); `direct` pushes them with +CMT instead of storing them; `also_store` does both
        (the duplicate some modems produce).
        """
        when = timestamp or self.clock.now()
        if ref is None:
            ref = self._next_concat_ref
            self._next_concat_ref = (self._next_concat_ref + 1) % (256 if ref_bits == 8 else 65536)
        pdus = encode_deliver_parts(sender, text, when, ref=ref, ref_bits=ref_bits,  # type: ignore[arg-type]
                                    encoding=encoding)
        sequence = order if order is not None else list(range(len(pdus)))
        for i in sequence:
            if i in drop_parts:
                continue
            self.inject_pdu(pdus[i], direct=direct, also_store=also_store)
        return pdus

    def inject_pdu(self, pdu: str, *, direct: bool = False, also_store: bool = False) -> None:
        """Deliver one SMS-DELIVER PDU (hex with SMSC part) as the network would."""
        with self._lock:
            mt = self._settings.cnmi[1] if len(self._settings.cnmi) > 1 else 0
            if direct or mt == 2:
                self._push_cmt(pdu)
                if not also_store:
                    return
            self._store_incoming(pdu, notify=mt in (1, 2, 3) or also_store)

    def inject_report(self, message_ref: int, *, status: int = 0, recipient: str | None = None) -> str:
        """A delivery report for TP-MR `message_ref` (status 0 = delivered)."""
        if recipient is None:
            match = [m for m in self.sent if m.message_ref == message_ref]
            recipient = match[-1].number if match else "+447700900000"
        now = self.clock.now()
        pdu = encode_status_report(message_ref, recipient, status, now, now)
        with self._lock:
            ds = self._settings.cnmi[3] if len(self._settings.cnmi) > 3 else 0
            if ds == 1:
                if self._settings.cmgf == 0:
                    self._urc(f"+CDS: {len(pdu) // 2 - 1}", pdu)
                else:
                    stamp = _scts(now)
                    self._urc(f'+CDS: 6,{message_ref},"{self._out_str(recipient)}",145,"{stamp}",'
                              f'"{stamp}",{status}')
            elif ds == 2:
                index = self._free_index()
                if index is None:
                    self.lost_reports.append(message_ref)
                else:
                    self._slots[index] = _Slot(0, pdu)
                    self._urc(f'+CDSI: "SM",{index}')
            else:
                self.lost_reports.append(message_ref)
        return pdu

    def fail_next_send(self, code: int, *, after: int = 0) -> None:
        """The next AT+CMGS answers `+CMS ERROR: <code>` (queue several by calling again); with
        `after`, that many sends succeed first (to fail part 2 of a multi-part message)."""
        with self._lock:
            self._fail_next_send.append([code, after])

    def fill_sim(self) -> int:
        """Fill every free slot with old messages; returns how many were added."""
        added = 0
        with self._lock:
            while (index := self._free_index()) is not None:
                self._slots[index] = _Slot(1, encode_deliver(
                    "+447700900999", f"old message {index}", self.clock.now()))
                added += 1
            self._announce_full()
        return added

    def inject_garbage(self, data: bytes | None = None) -> None:
        """Write bytes that are not AT at all (line noise, non-UTF-8, broken URCs)."""
        self._write(DEFAULT_GARBAGE if data is None else data)

    def inject_urc(self, *lines: str) -> None:
        """Write raw unsolicited lines (e.g. '+CREG: 5', '^SMMEMFULL: "SM"')."""
        self._urc(*lines)

    def interleave_next_reply(self, *lines: str) -> None:
        """Put these URC lines in the middle of the next command's reply."""
        with self._lock:
            self._interleave.extend(lines)

    def inject_network_time(self, when: datetime | None = None) -> None:
        when = (when or self.clock.now()).astimezone(UTC)
        self._urc(f'+CTZE: "+00",0,"{when:%Y/%m/%d,%H:%M:%S}"')

    def reboot(self) -> None:
        """The modem restarts: settings back to power-on, boot banners, the SIM store kept."""
        self._stop_ringing()
        with self._lock:
            self._settings = _Settings(echo=self.power_on_echo, pin_ok=not self.pin)
            self._hung = False
            self._body = None
        self._urc(*BOOT_BANNER)

    def unplug(self) -> None:
        """The device vanishes (USB pulled): the pty closes under the client."""
        self._stop_ringing()
        self._close_pty()

    def plug(self, *, new_name: bool = True) -> str:
        """The device comes back (powered on afresh), by default under a different /dev/pts name."""
        old = self.path
        with self._lock:
            self._settings = _Settings(echo=self.power_on_echo, pin_ok=not self.pin)
            self._hung = False
        self._open_pty(avoid=old if new_name else None)
        self._urc(*BOOT_BANNER)
        return self.path or ""

    def ring(self, number: str | None) -> SimCall:
        """An incoming call: RING (+CLIP if enabled) repeated until ATH/AT+CHUP or max_rings."""
        self._stop_ringing()
        call = SimCall(number)
        with self._lock:
            self._call = call
            self.calls.append(call)
        self._ring_stop = threading.Event()
        self._ringer = threading.Thread(target=self._ring_loop, args=(call, self._ring_stop),
                                        name="modem-simulator-ring", daemon=True)
        self._ringer.start()
        return call

    def set_sim(self, state: str) -> None:
        """READY, ABSENT (no SIM) or PIN (SIM asks for `pin`)."""
        if state not in ("READY", "ABSENT", "PIN"):
            raise ValueError("SIM state must be READY, ABSENT or PIN")
        with self._lock:
            self.sim_state = state
            self._settings.pin_ok = state != "PIN"

    def set_network(self, *, registration: int | None = None, rssi: int | None = None) -> None:
        with self._lock:
            if registration is not None:
                self.registration = registration
                if self._settings.creg:
                    self._urc(f"+CREG: {registration}")
            if rssi is not None:
                self.rssi = rssi

    def silence(self, prefix: str = "", count: int = 1) -> None:
        """The next `count` commands starting with `prefix` (e.g. 'AT+CMGL') get no answer at all."""
        with self._lock:
            self._silent.append((prefix.upper(), count))

    def hang(self) -> None:
        """The modem stops answering anything until reboot() or unplug()/plug()."""
        with self._lock:
            self._hung = True

    # Inspection ----------------------------------------------------------------------------------

    def stored(self) -> dict[int, tuple[int, str]]:
        """The SIM store: index -> (status, pdu)."""
        with self._lock:
            return {i: (s.status, s.pdu) for i, s in sorted(self._slots.items())}

    def stored_texts(self) -> list[str]:
        texts = []
        for _, pdu in self.stored().values():
            try:
                decoded = decode_pdu(pdu)
            except PduError:
                continue
            if isinstance(decoded, Deliver):
                texts.append(decoded.text)
        return texts

    @property
    def settings(self) -> _Settings:
        return self._settings

    @property
    def plugged(self) -> bool:
        return self._master is not None

    @property
    def ringing(self) -> bool:
        return bool(self._call and not self._call.ended)

    # ---------------------------------------------------------------------------------------------
    # The line

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            if self._master is None or self._stop_reader.is_set():
                return
            view = memoryview(data)
            deadline = time.monotonic() + 1.0
            while view:
                try:
                    n = os.write(self._master, view)
                    view = view[n:]
                except BlockingIOError:  # nobody reads the line: keep what fits, drop the rest
                    if time.monotonic() > deadline:
                        log.warning("simulator: client not reading, %d bytes dropped", len(view))
                        return
                    time.sleep(0.005)
                except OSError:
                    return

    def _urc(self, *lines: str) -> None:
        self._write(b"".join(b"\r\n" + line.encode("utf-8") + b"\r\n" for line in lines))

    def _read_loop(self, master: int, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 4096)
            except (OSError, ValueError):
                if stop.wait(0.05):
                    return
                continue
            for byte in data:
                try:
                    self._on_byte(byte)
                except Exception:  # a simulator bug must not kill the line for the test that hit it
                    log.exception("simulator: error handling input")

    def _on_byte(self, byte: int) -> None:
        if self._body is not None:
            if byte == CTRL_Z:
                body, self._body = bytes(self._body), None
                self._finish_send(body.decode("utf-8", "replace").strip())
            elif byte == ESC:
                self._body = None
                self._reply([], "OK")
            else:
                self._body.append(byte)
                if self._settings.echo:
                    self._write(bytes([byte]))
            return
        if byte == 0x0D:
            line, self._line = bytes(self._line).decode("utf-8", "replace").strip(), bytearray()
            if line:
                self._command(line)
        elif byte == 0x0A:
            return
        elif byte == ESC:
            self._line.clear()
        else:
            self._line.append(byte)
            if len(self._line) > 2048:
                self._line.clear()

    # ---------------------------------------------------------------------------------------------
    # Commands

    def _command(self, line: str) -> None:
        self.commands.append(line)
        for listener in list(self.listeners):
            listener(line)
        if self._settings.echo:
            self._write(line.encode("utf-8") + b"\r")
        upper = line.upper()
        self._current = upper
        with self._lock:
            if self._hung:
                return
            for i, (prefix, count) in enumerate(self._silent):
                if upper.startswith(prefix):
                    if count <= 1:
                        self._silent.pop(i)
                    else:
                        self._silent[i] = (prefix, count - 1)
                    return
        if not upper.startswith("AT"):
            self._reply([], "ERROR")
            return
        body = line[2:]
        parts = _split_commands(body)
        lines: list[str] = []
        for part in parts:
            result = self._dispatch(part)
            if result is None:  # prompt: the reply comes after Ctrl-Z
                return
            info, final = result
            lines.extend(info)
            if final != "OK":
                self._reply(lines, final)
                return
        self._reply(lines, "OK")

    def _reply(self, lines: list[str], final: str) -> None:
        with self._lock:
            extra, self._interleave = self._interleave, []
        pieces = [b"\r\n" + line.encode("utf-8") + b"\r\n" for line in lines]
        if extra:
            urcs = b"".join(b"\r\n" + u.encode() + b"\r\n" for u in extra)
            pieces.insert(1 if pieces else 0, urcs)
        pieces.append(b"\r\n" + final.encode() + b"\r\n")
        data = b"".join(pieces)
        stopping = self._stop_reader  # an unplug cuts a slow reply short, as pulling the cable would
        if self.reply_delay and (not self.slow_commands or self._current.startswith(self.slow_commands)):
            stopping.wait(self.reply_delay)
        if self.chunk_size > 0:
            for start in range(0, len(data), self.chunk_size):
                self._write(data[start:start + self.chunk_size])
                if self.chunk_delay:
                    stopping.wait(self.chunk_delay)
        else:
            self._write(data)

    def _error(self, cme: int | None = None, cms: int | None = None) -> tuple[list[str], str]:
        if cms is not None:
            return [], f"+CMS ERROR: {cms}"
        if cme is not None and self._settings.cmee:
            return [], f"+CME ERROR: {cme}"
        return [], "ERROR"

    def _dispatch(self, cmd: str) -> tuple[list[str], str] | None:  # noqa: C901 - one table of commands
        s = self._settings
        u = cmd.upper()
        ok: tuple[list[str], str] = ([], "OK")
        if u in ("", "V1", "Q0", "&C1", "&D2", "&D0", "X4", "S0=0", "+IFC=0,0", "&W", "+CSCLK=0", "+CRC=0",
                 "+CMGF=?", "+CSCS=?", "+CPMS=?", "+CNMI=?"):
            return {
                "+CMGF=?": (["+CMGF: (0,1)"], "OK"),
                "+CSCS=?": (['+CSCS: ("IRA","GSM","UCS2")'], "OK"),
                "+CPMS=?": (['+CPMS: ("SM"),("SM"),("SM")'], "OK"),
                "+CNMI=?": (["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"], "OK"),
            }.get(u, ok)
        if u in ("E0", "E1", "E"):
            if not self.echo_locked:
                s.echo = u == "E1"
            return ok
        if u in ("Z", "&F", "Z0", "&F0"):
            self._settings = _Settings(echo=self.power_on_echo, pin_ok=s.pin_ok)
            return ok
        if u in ("I", "I0"):
            return [self.manufacturer, self.model, f"Revision: {self.revision}"], "OK"
        if u in ("+CGMI", "+GMI"):
            return [self.manufacturer], "OK"
        if u in ("+CGMM", "+GMM"):
            return [self.model], "OK"
        if u in ("+CGMR", "+GMR"):
            return [f"Revision:{self.revision}" if u == "+CGMR" else self.revision], "OK"
        if u in ("+CGSN", "+GSN"):
            return [self.imei], "OK"
        if u.startswith("+CMEE"):
            if u == "+CMEE?":
                return [f"+CMEE: {s.cmee}"], "OK"
            if u == "+CMEE=?":
                return ["+CMEE: (0-2)"], "OK"
            s.cmee = _int_arg(cmd, 0)
            return ok
        if u == "+CPIN?":
            if self.sim_state == "ABSENT":
                return self._error(cme=10)
            return (["+CPIN: READY"] if s.pin_ok else ["+CPIN: SIM PIN"]), "OK"
        if u.startswith("+CPIN="):
            if self.sim_state == "ABSENT":
                return self._error(cme=10)
            if split_fields(cmd[6:])[0] == self.pin:
                s.pin_ok = True
                self.sim_state = "READY"
                return ok
            return self._error(cme=16)
        if u in ("+CFUN?",):
            return ["+CFUN: 1"], "OK"
        if u.startswith("+CFUN="):
            if u.replace(" ", "") in ("+CFUN=1,1", "+CFUN=1,1,"):
                threading.Timer(0.05, self.reboot).start()
            return ok
        if u in ("+CSQ",):
            return [f"+CSQ: {self.rssi},99"], "OK"
        if u.startswith("+CSQ=?"):
            return ["+CSQ: (0-31,99),(0-7,99)"], "OK"
        if u.startswith("+CREG") or u.startswith("+CGREG") or u.startswith("+CEREG"):
            name = u[1:].split("=")[0].split("?")[0]
            if u.endswith("?"):
                n = s.creg if name == "CREG" else 0
                return [f"+{name}: {n},{self.registration}"], "OK"
            if u.endswith("=?"):
                return [f"+{name}: (0-2)"], "OK"
            if name == "CREG":
                s.creg = _int_arg(cmd, 0)
            return ok
        if u.startswith("+COPS"):
            if u == "+COPS?":
                if self.registration in (1, 5):
                    return [f'+COPS: 0,0,"{self.operator}"'], "OK"
                return ["+COPS: 0"], "OK"
            if u == "+COPS=?":
                return [f'+COPS: (2,"{self.operator}","KIOSK","23415")'], "OK"
            return ok
        if u == "+CCLK?":
            return [f'+CCLK: "{_scts(self.clock.now())}"'], "OK"
        if u.startswith("+CTZU="):
            s.ctzu = _int_arg(cmd, 0)
            return ok
        if u.startswith("+CLTS="):
            s.clts = _int_arg(cmd, 0)
            return ok
        if u.startswith("+CTZR="):
            return ok
        if u.startswith("+CIMI"):
            if self.sim_state == "ABSENT":
                return self._error(cme=10)
            return [self.imsi], "OK"
        if u.startswith("+CSMS"):
            return (["+CSMS: 0,1,1,1"], "OK") if u.endswith("?") or "=" in u else ok
        if u.startswith("+CSCA"):
            if u == "+CSCA?":
                return [f'+CSCA: "{self._out_str(self.smsc)}",145'], "OK"
            return ok
        if u.startswith("+CMGF"):
            if u == "+CMGF?":
                return [f"+CMGF: {s.cmgf}"], "OK"
            value = _int_arg(cmd, -1)
            if value not in (0, 1):
                return self._error(cme=3)
            s.cmgf = value
            return ok
        if u.startswith("+CSCS"):
            if u == "+CSCS?":
                return [f'+CSCS: "{s.cscs}"'], "OK"
            value = split_fields(cmd.split("=", 1)[1])[0].upper() if "=" in cmd else ""
            if value not in ("IRA", "GSM", "UCS2", "8859-1"):
                return self._error(cme=4)
            s.cscs = value
            return ok
        if u.startswith("+CSDH"):
            if u == "+CSDH?":
                return [f"+CSDH: {s.csdh}"], "OK"
            s.csdh = _int_arg(cmd, 0)
            return ok
        if u.startswith("+CSMP"):
            if u == "+CSMP?":
                return ["+CSMP: " + ",".join(str(x) for x in s.csmp)], "OK"
            values = [_to_int(v) for v in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
            s.csmp = tuple(v if v is not None else d for v, d in zip(values + [None] * 4, s.csmp))  # type: ignore
            return ok
        if u.startswith("+CNMI"):
            if u == "+CNMI?":
                return ["+CNMI: " + ",".join(str(x) for x in s.cnmi)], "OK"
            values = [_to_int(v) for v in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
            if not values or any(v is None for v in values) or len(values) > 5:
                return self._error(cms=304 if s.cmgf == 0 else 305)
            s.cnmi = tuple(values + [0] * (5 - len(values)))  # type: ignore[arg-type]
            return ok
        if u.startswith("+CLIP"):
            if u == "+CLIP?":
                return [f"+CLIP: {s.clip},1"], "OK"
            s.clip = _int_arg(cmd, 0)
            return ok
        if u.startswith("+CPMS"):
            used, total = len(self._slots), self.capacity
            if u == "+CPMS?":
                return [f'+CPMS: "SM",{used},{total},"SM",{used},{total},"SM",{used},{total}'], "OK"
            if self.sim_state == "ABSENT":
                return self._error(cms=310)
            mems = [m.upper() for m in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
            if any(m not in ("SM", "MT", "ME", "") for m in mems):
                return self._error(cms=302)
            return [f"+CPMS: {used},{total},{used},{total},{used},{total}"], "OK"
        if u.startswith("+CMGL"):
            return self._list(cmd)
        if u.startswith("+CMGR"):
            return self._read(cmd)
        if u.startswith("+CMGD"):
            return self._delete(cmd)
        if u.startswith("+CMGS"):
            return self._start_send(cmd)
        if u.startswith("+CNMA"):
            return ok
        if u in ("H", "H0", "+CHUP"):
            self._hang_up()
            return ok
        if u == "+CBC":
            return ["+CBC: 0,100,4200"], "OK"
        if u.startswith("+CNUM"):
            return ['+CNUM: "","+447700900000",145'], "OK"
        return self._error(cme=4)

    # Messages ------------------------------------------------------------------------------------

    def _sms_ready(self) -> tuple[list[str], str] | None:
        if self.sim_state == "ABSENT":
            return self._error(cms=310)
        if not self._settings.pin_ok:
            return self._error(cms=311)
        return None

    def _list(self, cmd: str) -> tuple[list[str], str]:
        if (problem := self._sms_ready()) is not None:
            return problem
        arg = cmd.split("=", 1)[1].strip() if "=" in cmd else ("4" if self._settings.cmgf == 0 else '"ALL"')
        if self._settings.cmgf == 0:
            wanted = _to_int(arg)
            if wanted is None or not 0 <= wanted <= 4:
                return self._error(cms=304)
        else:
            name = arg.strip('"').upper()
            if name not in _TEXT_STAT_FILTER:
                return self._error(cms=305)
            wanted = _TEXT_STAT_FILTER[name]
        lines: list[str] = []
        with self._lock:
            for index, slot in sorted(self._slots.items()):
                if wanted != 4 and slot.status != wanted:
                    continue
                lines.extend(self._render(index, slot, "+CMGL"))
                if slot.status == 0:
                    slot.status = 1
        return lines, "OK"

    def _read(self, cmd: str) -> tuple[list[str], str]:
        if (problem := self._sms_ready()) is not None:
            return problem
        index = _int_arg(cmd, -1)
        with self._lock:
            slot = self._slots.get(index)
            if slot is None:
                return self._error(cms=321)
            lines = self._render(index, slot, "+CMGR")
            if slot.status == 0:
                slot.status = 1
        return lines, "OK"

    def _render(self, index: int, slot: _Slot, prefix: str) -> list[str]:
        tpdu_len = _tpdu_length(slot.pdu)
        head = f"{prefix}: {index}," if prefix == "+CMGL" else f"{prefix}: "
        if self._settings.cmgf == 0:
            return [f"{head}{slot.status},,{tpdu_len}", slot.pdu]
        stat = _TEXT_STATUS[slot.status]
        try:
            decoded = decode_pdu(slot.pdu, direction="mo" if slot.status >= 2 else "mt")
        except PduError:
            return [f'{head}"{stat}","",,""', ""]
        if isinstance(decoded, StatusReport):
            stamp = _scts(decoded.scts) if decoded.scts else ""
            done = _scts(decoded.discharge_time) if decoded.discharge_time else ""
            return [f'{head}"{stat}",6,{decoded.message_ref},"{self._out_str(decoded.recipient)}",145,'
                    f'"{stamp}","{done}",{decoded.status}']
        if isinstance(decoded, Submit):
            return [f'{head}"{stat}","{self._out_str(decoded.recipient)}",', self._out_str(decoded.text)]
        stamp = _scts(decoded.timestamp) if decoded.timestamp else ""
        return [f'{head}"{stat}","{self._out_str(decoded.sender)}",,"{stamp}"', self._out_str(decoded.text)]

    def _delete(self, cmd: str) -> tuple[list[str], str]:
        if (problem := self._sms_ready()) is not None:
            return problem
        args = [_to_int(a) for a in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
        if not args or args[0] is None:
            return self._error(cms=302)
        index, flag = args[0], (args[1] if len(args) > 1 else 0)
        if len(args) > 1 and self.reject_delete_flag:
            return [], "ERROR"
        with self._lock:
            if flag == 4:
                self._slots.clear()
            elif flag in (1, 2, 3):
                limit = {1: 1, 2: 1, 3: 3}[flag]
                for i in [i for i, sl in self._slots.items() if sl.status <= limit or flag == 3]:
                    if self._slots[i].status != 0:
                        del self._slots[i]
            elif index in self._slots:
                del self._slots[index]
            elif self.empty_delete_error:
                return self._error(cms=321)
            self._deliver_waiting()
        return [], "OK"

    def _start_send(self, cmd: str) -> tuple[list[str], str] | None:
        if (problem := self._sms_ready()) is not None:
            return problem
        arg = cmd.split("=", 1)[1] if "=" in cmd else ""
        if self._settings.cmgf == 0:
            length = _to_int(arg)
            if length is None or not 7 <= length <= 164:
                return self._error(cms=304)
            self._body_target = ("pdu", length)
        else:
            fields = split_fields(arg)
            if not fields or not fields[0]:
                return self._error(cms=305)
            self._body_target = ("text", self._in_str(fields[0]))
        self._body = bytearray()
        self._write(b"\r\n> ")
        return None

    def _finish_send(self, body: str) -> None:
        kind, target = self._body_target or ("pdu", 0)
        with self._lock:
            if self._fail_next_send and self._fail_next_send[0][1] > 0:
                self._fail_next_send[0][1] -= 1
            elif self._fail_next_send:
                self._reply([], f"+CMS ERROR: {self._fail_next_send.pop(0)[0]}")
                return
            if self.registration not in (1, 5):
                self._reply([], "+CMS ERROR: 331")
                return
            mr = self._next_mr
            submit: Submit | None = None
            if kind == "pdu":
                try:
                    octets = len(bytes.fromhex(body))
                    smsc_len = int(body[:2], 16)
                    if octets - 1 - smsc_len != target:
                        raise PduError(f"length {target} does not match the PDU ({octets - 1 - smsc_len})")
                    decoded = decode_pdu(body, direction="mo")
                except (PduError, ValueError) as exc:
                    log.info("simulator: rejected PDU %r: %s", body, exc)
                    self._reply([], "+CMS ERROR: 304")
                    return
                assert isinstance(decoded, Submit)
                submit, number, text = decoded, decoded.recipient, decoded.text
            else:
                number = str(target)
                text = self._in_str(body)
            self._next_mr = (self._next_mr + 1) % 256
            self.sent.append(SentMessage(number, text, mr, kind, body, submit, self.clock.now()))
        self._reply([f"+CMGS: {mr}"], "OK")

    def _free_index(self) -> int | None:
        for index in range(self.first_index, self.first_index + self.capacity):
            if index not in self._slots:
                return index
        return None

    def _store_incoming(self, pdu: str, notify: bool) -> None:
        index = self._free_index()
        if index is None:
            self._waiting.append(pdu)
            self._announce_full()
            return
        self._slots[index] = _Slot(0, pdu)
        if notify:
            self._urc(f'+CMTI: "SM",{index}')
        if self._free_index() is None:
            self._announce_full()

    def _announce_full(self) -> None:
        if self.smmemfull:
            self._urc('^SMMEMFULL: "SM"')

    def _deliver_waiting(self) -> None:
        while self._waiting and self._free_index() is not None:
            mt = self._settings.cnmi[1] if len(self._settings.cnmi) > 1 else 0
            self._store_incoming(self._waiting.pop(0), notify=mt in (1, 2, 3))

    def _push_cmt(self, pdu: str) -> None:
        if self._settings.cmgf == 0:
            self._urc(f"+CMT: ,{_tpdu_length(pdu)}", pdu)
            return
        decoded = decode_pdu(pdu)
        assert isinstance(decoded, Deliver)
        stamp = _scts(decoded.timestamp) if decoded.timestamp else ""
        self._urc(f'+CMT: "{self._out_str(decoded.sender)}",,"{stamp}"', self._out_str(decoded.text))

    # Strings as AT+CSCS says ---------------------------------------------------------------------

    def _out_str(self, text: str) -> str:
        return encode_ucs2_hex(text) if self._settings.cscs == "UCS2" else text

    def _in_str(self, text: str) -> str:
        return decode_ucs2_hex(text) if self._settings.cscs == "UCS2" else text

    # Calls ---------------------------------------------------------------------------------------

    def _ring_loop(self, call: SimCall, stop: threading.Event) -> None:
        while not stop.is_set() and call.rings < self.max_rings:
            call.rings += 1
            lines = ["RING"]
            if self._settings.clip:
                if call.number:
                    lines.append(f'+CLIP: "{self._out_str(call.number)}",145,"",0,"",0')
                else:
                    lines.append('+CLIP: "",128,"",0,"",1')
            self._urc(*lines)
            if stop.wait(self.ring_interval):
                break
        if not call.hung_up:
            call.ended = True
            self._urc("NO CARRIER")

    def _hang_up(self) -> None:
        call = self._call
        if call and not call.ended:
            call.hung_up = True
            call.ended = True
            self._ring_stop.set()

    def _stop_ringing(self) -> None:
        self._ring_stop.set()
        if self._call:
            self._call.ended = True
        if self._ringer and self._ringer is not threading.current_thread():
            self._ringer.join(timeout=2)


def _tpdu_length(pdu: str) -> int:
    """Octets after the SMSC part, as +CMGL/+CMT announce them (a best guess for a broken PDU)."""
    try:
        smsc = int(pdu[:2], 16)
    except ValueError:
        smsc = 0
    return max(0, len(pdu) // 2 - 1 - smsc)


def _split_commands(body: str) -> list[str]:
    """`+CMGF=0;+CNMI=2,1` -> ["+CMGF=0", "+CNMI=2,1"]; semicolons inside quotes kept."""
    parts, current, quoted = [], [], False
    for ch in body:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p] or [""]


def _to_int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _int_arg(cmd: str, default: int) -> int:
    if "=" not in cmd:
        return default
    value = _to_int(split_fields(cmd.split("=", 1)[1])[0])
    return default if value is None else value


def _scts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%y/%m/%d,%H:%M:%S") + "+00"
