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
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from kiosk.clock import Clock, SystemClock
from kiosk.simulator.dialling import ENDINGS, CallScript, Dialler, OutgoingCall
from kiosk.devices.pdu import Deliver, PduError, decode_pdu, encode_deliver, encode_deliver_parts, encode_status_report
from kiosk.simulator.commands import (AtCommandSet, SentMessage, SimCall, SimSettings, Slot, scts,
                                        split_commands)

log = logging.getLogger("kiosk.simulator")

UTC = timezone.utc
CTRL_Z, ESC = 0x1A, 0x1B

BOOT_BANNER = ("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready")
DEFAULT_GARBAGE = b"\xff\xfe\x00\x80junk\xc3\x28 line\r\n\x1b[0m\xe2\x82\r\nOK\r\n+CMTI: \"SM\r\n"


# The SIM's own number (AT+CNUM; a text sent to it comes back, as on a real network). A drama
# number no test or demo gives a member of staff: 07700 900000 is the first one they do use, and a
# reply to that member came back as an incoming text.
OWN_NUMBER = "+447700900990"


class ModemSimulator(AtCommandSet):
    """A simulated modem. `start()` returns the pty path; `link_path` (if given) always points at it."""

    def __init__(self, *, clock: Clock | None = None, model: str = "KIOSK-SIM800",
                 manufacturer: str = "KIOSK", revision: str = "KSIM800 R1.0", imei: str = "490154203237518",
                 imsi: str = "234150000000001", capacity: int = 30, first_index: int = 1,
                 echo: bool = True, reply_delay: float = 0.0, chunk_size: int = 0, chunk_delay: float = 0.0,
                 ring_interval: float = 3.0, max_rings: int = 10, link_path: str | os.PathLike | None = None,
                 smsc: str = "+447785016005", pin: str = "", operator: str = "KIOSK NET",
                 empty_delete_error: bool = False, reject_delete_flag: bool = False,
                 smmemfull: bool = False, echo_locked: bool = False, slow_commands: tuple[str, ...] = (),
                 charsets: tuple[str, ...] = ("IRA", "GSM", "UCS2"), own_number: str = OWN_NUMBER,
                 access_technology: int = 7, ussd_answer: str | None = None) -> None:
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
        self.echo_locked = echo_locked
        self.charsets = tuple(c.upper() for c in charsets)  # what AT+CSCS accepts  # ignores ATE0 (echo stays as it is), as some firmware does

        self.sent: list[SentMessage] = []
        # issue 17: the SIM's own number (AT+CNUM); a text sent to it comes back (loop-back) unless
        # the network swallows sends; the generation in +COPS?; the USSD balance answer (None: this
        # modem refuses USSD, as many 4G ones do); a wedge that only the watchdog's ladder clears
        self.own_number = own_number
        self.loopback = True
        self.swallow_sends = False
        self.access_technology = access_technology
        self.ussd_answer = ussd_answer
        self._wedge: str | None = None  # "cfun": answers nothing but AT+CFUN; "restart": only AT+CFUN=1,1
        self._unregistered_until_cfun = False
        self.commands: list[str] = []  # every command line received, in order
        self.calls: list[SimCall] = []
        self.lost_reports: list[int] = []  # reports dropped because CNMI asked for none
        self.sim_state = "READY"  # READY, ABSENT, PIN
        self.registration = 1  # +CREG stat: 1 home, 5 roaming, 2 searching, 0 not registered, 3 denied
        self.rssi = 20
        self._slots: dict[int, Slot] = {}
        self._waiting: list[str] = []  # PDUs the network holds back while the SIM is full
        self._settings = SimSettings(echo=echo, pin_ok=not pin)
        self._fail_next_send: list[list[int]] = []  # [code, successes to allow first]
        self._silent: list[tuple[str, int]] = []  # (command prefix, remaining count)
        self._garbled: list[tuple[str, int]] = []  # (command prefix, remaining count): PDU lines cut
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
        self.dialler = Dialler(self.clock, self._urc)  # outgoing voice calls (issue 18)

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
                    stamp = scts(now)
                    self._urc(f'+CDS: 6,{message_ref},"{self._out_str(recipient)}",145,"{stamp}",'
                              f'"{stamp}",{status}')
            elif ds == 2:
                index = self._free_index()
                if index is None:
                    self.lost_reports.append(message_ref)
                else:
                    self._slots[index] = Slot(0, pdu)
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
                self._slots[index] = Slot(1, encode_deliver(
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
            self._settings = SimSettings(echo=self.power_on_echo, pin_ok=not self.pin)
            self._hung = False
            self._wedge = None
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
            self._settings = SimSettings(echo=self.power_on_echo, pin_ok=not self.pin)
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

    def script_call(self, number: str, *, answer_after: float | None = None, key: str | None = None,
                    ending: str | None = None) -> None:
        """What happens when the kiosk rings `number`: answered after `answer_after` seconds of
        ringing (by the clock), `key` pressed once answered, or `ending` (BUSY...) at once."""
        if ending is not None and ending not in ENDINGS:
            raise ValueError(f"ending must be one of {', '.join(ENDINGS)}")
        self.dialler.scripts[number] = CallScript(answer_after, key, ending)

    @property
    def dialled(self) -> list[OutgoingCall]:
        """Every outgoing call the kiosk placed, oldest first."""
        return list(self.dialler.calls)

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

    def garble(self, prefix: str = "AT+CMGL", count: int = 1) -> None:
        """A serial glitch: in the answers to the next `count` commands starting with `prefix`, every
        PDU line (hex only) loses its second half, as a dropped chunk of the stream would leave it.
        What the SIM holds is unchanged: reading it again (AT+CMGR) gives the whole PDU."""
        with self._lock:
            self._garbled.append((prefix.upper(), count))

    def silence(self, prefix: str = "", count: int = 1) -> None:
        """The next `count` commands starting with `prefix` (e.g. 'AT+CMGL') get no answer at all."""
        with self._lock:
            self._silent.append((prefix.upper(), count))

    def hang(self) -> None:
        """The modem stops answering anything until reboot() or unplug()/plug()."""
        with self._lock:
            self._hung = True

    def wedge(self, until: str = "cfun") -> None:
        """Stop answering anything but the command that clears it: `cfun` (AT+CFUN=..., the radio
        off and on) or `restart` (AT+CFUN=1,1 only), as wedged firmware does."""
        if until not in ("cfun", "restart"):
            raise ValueError("until must be 'cfun' or 'restart'")
        with self._lock:
            self._wedge = until

    def lose_registration(self) -> None:
        """Off the network (+CREG: 0) until the radio is cycled (AT+CFUN)."""
        with self._lock:
            self._unregistered_until_cfun = True
        self.set_network(registration=0)

    @property
    def wedged(self) -> bool:
        return self._wedge is not None

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
    def settings(self) -> SimSettings:
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
            try:
                listener(line)
            except Exception:  # a broken listener (a closed stdout) must not silence the modem
                log.exception("simulator: command listener failed")
        if self._settings.echo:
            self._write(line.encode("utf-8") + b"\r")
        upper = line.upper()
        self._current = upper
        with self._lock:
            if self._hung:
                return
            if self._wedge is not None:
                compact = upper.replace(" ", "")
                if not (compact.startswith("AT+CFUN=") and (self._wedge == "cfun" or compact == "AT+CFUN=1,1")):
                    return
                self._wedge = None
            for i, (prefix, count) in enumerate(self._silent):
                if upper.startswith(prefix):
                    if count <= 1:
                        self._silent.pop(i)
                    else:
                        self._silent[i] = (prefix, count - 1)
                    return
            garbled = False
            for i, (prefix, count) in enumerate(self._garbled):
                if upper.startswith(prefix):
                    self._garbled[i:i + 1] = [] if count <= 1 else [(prefix, count - 1)]
                    garbled = True
                    break
        if not upper.startswith("AT"):
            self._reply([], "ERROR")
            return
        body = line[2:]
        parts = split_commands(body)
        lines: list[str] = []
        for part in parts:
            result = self._dispatch(part)
            if result is None:  # prompt: the reply comes after Ctrl-Z
                return
            info, final = result
            lines.extend(_cut_pdus(info) if garbled else info)
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


def _cut_pdus(lines: list[str]) -> list[str]:
    """Each hex-only line (a PDU) cut to its first half; other lines as they were."""
    return [line[:len(line) // 2] if len(line) > 2 and all(c in "0123456789ABCDEFabcdef" for c in line) else line
            for line in lines]
