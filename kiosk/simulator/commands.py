"""What the simulated modem answers: the AT command set, the SIM store and the SMS it records.

A mixin for ModemSimulator (which owns the pty, the threads and the injection API). It answers the
way real modems do, errors included; it must never do I/O of its own other than through the
simulator's `_urc`/`_reply`/`_write`, and never raise on a malformed command (it answers ERROR).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from kiosk.devices.atlines import decode_ucs2_hex, encode_ucs2_hex, split_fields
from kiosk.devices.pdu import Deliver, PduError, StatusReport, Submit, decode_pdu

log = logging.getLogger("kiosk.simulator")

UTC = timezone.utc

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
class Slot:
    status: int  # 0 REC UNREAD, 1 REC READ, 2 STO UNSENT, 3 STO SENT
    pdu: str  # with the SMSC octet(s), as a SIM stores it


@dataclass
class SimSettings:
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


class AtCommandSet:
    """The modem's side of each AT command; ModemSimulator supplies the state and the line."""

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
                "+CSCS=?": (["+CSCS: (" + ",".join(f'"{c}"' for c in self.charsets) + ")"], "OK"),
                "+CPMS=?": (['+CPMS: ("SM"),("SM"),("SM")'], "OK"),
                "+CNMI=?": (["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"], "OK"),
            }.get(u, ok)
        if u in ("E0", "E1", "E"):
            if not self.echo_locked:
                s.echo = u == "E1"
            return ok
        if u in ("Z", "&F", "Z0", "&F0"):
            self._settings = SimSettings(echo=self.power_on_echo, pin_ok=s.pin_ok)
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
            s.cmee = int_arg(cmd, 0)
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
            if self._unregistered_until_cfun and u.replace(" ", "") in ("+CFUN=1", "+CFUN=1,1"):
                self._unregistered_until_cfun = False
                threading.Timer(0.05, lambda: self.set_network(registration=1)).start()
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
                s.creg = int_arg(cmd, 0)
            return ok
        if u.startswith("+COPS"):
            if u == "+COPS?":
                if self.registration in (1, 5):
                    return [f'+COPS: 0,0,"{self.operator}",{self.access_technology}'], "OK"
                return ["+COPS: 0"], "OK"
            if u == "+COPS=?":
                return [f'+COPS: (2,"{self.operator}","KIOSK","23415")'], "OK"
            return ok
        if u == "+CCLK?":
            return [f'+CCLK: "{scts(self.clock.now())}"'], "OK"
        if u.startswith("+CTZU="):
            s.ctzu = int_arg(cmd, 0)
            return ok
        if u.startswith("+CLTS="):
            s.clts = int_arg(cmd, 0)
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
            value = int_arg(cmd, -1)
            if value not in (0, 1):
                return self._error(cme=3)
            s.cmgf = value
            return ok
        if u.startswith("+CSCS"):
            if u == "+CSCS?":
                return [f'+CSCS: "{s.cscs}"'], "OK"
            value = split_fields(cmd.split("=", 1)[1])[0].upper() if "=" in cmd else ""
            if value not in self.charsets:
                return self._error(cme=4)
            s.cscs = value
            return ok
        if u.startswith("+CSDH"):
            if u == "+CSDH?":
                return [f"+CSDH: {s.csdh}"], "OK"
            s.csdh = int_arg(cmd, 0)
            return ok
        if u.startswith("+CSMP"):
            if u == "+CSMP?":
                return ["+CSMP: " + ",".join(str(x) for x in s.csmp)], "OK"
            values = [to_int(v) for v in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
            s.csmp = tuple(v if v is not None else d for v, d in zip(values + [None] * 4, s.csmp))  # type: ignore
            return ok
        if u.startswith("+CNMI"):
            if u == "+CNMI?":
                return ["+CNMI: " + ",".join(str(x) for x in s.cnmi)], "OK"
            values = [to_int(v) for v in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
            if not values or any(v is None for v in values) or len(values) > 5:
                return self._error(cms=304 if s.cmgf == 0 else 305)
            s.cnmi = tuple(values + [0] * (5 - len(values)))  # type: ignore[arg-type]
            return ok
        if u.startswith("+CLIP"):
            if u == "+CLIP?":
                return [f"+CLIP: {s.clip},1"], "OK"
            s.clip = int_arg(cmd, 0)
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
            if not self.dialler.hang_up():
                self._hang_up()
            return ok
        if u.startswith("D") and len(u) > 1:
            return self.dialler.dial(cmd)
        if u == "+CLCC":
            return self.dialler.clcc(), "OK"
        if u.startswith("+DDET="):  # SIMCom's key-press reports: only a SIM800 knows it
            if "SIM800" not in self.model.upper():
                return self._error(cme=4)
            self.dialler.ddet = u == "+DDET=1"
            return ok
        if u == "+CBC":
            return ["+CBC: 0,100,4200"], "OK"
        if u.startswith("+CNUM"):
            return ([f'+CNUM: "","{self.own_number}",145'] if self.own_number else []), "OK"
        if u.startswith("+CUSD="):
            if self.ussd_answer is None:
                return self._error(cme=4)  # operation not supported, as many 4G modems answer
            answer = self.ussd_answer.replace('"', "'")
            threading.Timer(0.05, lambda: self._urc(f'+CUSD: 0,"{answer}",15')).start()
            return ok
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
            wanted = to_int(arg)
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
        index = int_arg(cmd, -1)
        with self._lock:
            slot = self._slots.get(index)
            if slot is None:
                return self._error(cms=321)
            lines = self._render(index, slot, "+CMGR")
            if slot.status == 0:
                slot.status = 1
        return lines, "OK"

    def _render(self, index: int, slot: Slot, prefix: str) -> list[str]:
        tpdu_len = tpdu_length(slot.pdu)
        head = f"{prefix}: {index}," if prefix == "+CMGL" else f"{prefix}: "
        if self._settings.cmgf == 0:
            return [f"{head}{slot.status},,{tpdu_len}", slot.pdu]
        stat = _TEXT_STATUS[slot.status]
        try:
            decoded = decode_pdu(slot.pdu, direction="mo" if slot.status >= 2 else "mt")
        except PduError:
            return [f'{head}"{stat}","",,""', ""]
        if isinstance(decoded, StatusReport):
            stamp = scts(decoded.scts) if decoded.scts else ""
            done = scts(decoded.discharge_time) if decoded.discharge_time else ""
            return [f'{head}"{stat}",6,{decoded.message_ref},"{self._out_str(decoded.recipient)}",145,'
                    f'"{stamp}","{done}",{decoded.status}']
        if isinstance(decoded, Submit):
            return [f'{head}"{stat}","{self._out_str(decoded.recipient)}",', self._out_str(decoded.text)]
        stamp = scts(decoded.timestamp) if decoded.timestamp else ""
        return [f'{head}"{stat}","{self._out_str(decoded.sender)}",,"{stamp}"', self._out_str(decoded.text)]

    def _delete(self, cmd: str) -> tuple[list[str], str]:
        if (problem := self._sms_ready()) is not None:
            return problem
        args = [to_int(a) for a in split_fields(cmd.split("=", 1)[1])] if "=" in cmd else []
        if not args or args[0] is None:
            return self._error(cms=302)
        index, flag = args[0], (args[1] if len(args) > 1 else 0)
        if len(args) > 1 and self.reject_delete_flag:
            return [], "ERROR"
        with self._lock:
            if flag == 4:
                self._slots.clear()
            elif flag in (1, 2, 3):  # 27.005: read; read and sent; read, sent and unsent
                doomed = {1: {1}, 2: {1, 3}, 3: {1, 2, 3}}[flag]
                for i in [i for i, slot in self._slots.items() if slot.status in doomed]:
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
            length = to_int(arg)
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
            loop = self.loopback and not self.swallow_sends and self.own_number and number == self.own_number
        self._reply([f"+CMGS: {mr}"], "OK")
        if loop and (submit is None or submit.concat is None):  # the network hands it back to this SIM
            threading.Timer(0.05, lambda: self.inject_sms(number, text)).start()

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
        self._slots[index] = Slot(0, pdu)
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
            self._urc(f"+CMT: ,{tpdu_length(pdu)}", pdu)
            return
        decoded = decode_pdu(pdu)
        assert isinstance(decoded, Deliver)
        stamp = scts(decoded.timestamp) if decoded.timestamp else ""
        self._urc(f'+CMT: "{self._out_str(decoded.sender)}",,"{stamp}"', self._out_str(decoded.text))

    # Strings as AT+CSCS says ---------------------------------------------------------------------

    def _out_str(self, text: str) -> str:
        return encode_ucs2_hex(text) if self._settings.cscs == "UCS2" else text

    def _in_str(self, text: str) -> str:
        return decode_ucs2_hex(text) if self._settings.cscs == "UCS2" else text


def tpdu_length(pdu: str) -> int:
    """Octets after the SMSC part, as +CMGL/+CMT announce them (a best guess for a broken PDU)."""
    try:
        smsc = int(pdu[:2], 16)
    except ValueError:
        smsc = 0
    return max(0, len(pdu) // 2 - 1 - smsc)


def split_commands(body: str) -> list[str]:
    """`+CMGF=0;+CNMI=2,1` -> ["+CMGF=0", "+CNMI=2,1"]; semicolons inside quotes kept. A dial
    command is one command, its closing `;` (a voice call) kept: `D+4477...;`."""
    if body[:1].upper() == "D":
        return [body.strip()]
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


def to_int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def int_arg(cmd: str, default: int) -> int:
    if "=" not in cmd:
        return default
    value = to_int(split_fields(cmd.split("=", 1)[1])[0])
    return default if value is None else value


def scts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%y/%m/%d,%H:%M:%S") + "+00"
