"""Reading what the modem lists: AT+CMGL/AT+CMGR replies and +CMT/+CDS bodies, in PDU or text mode.

Pure functions, no I/O. Must never raise on what a modem sends and never drop an entry: what cannot
be decoded becomes a StoredMessage with `pdu=None`, an `error` and the `raw` text, so the caller can
still store it. In text mode strings arrive as UCS-2 hex when the driver set AT+CSCS="UCS2"
(`ucs2=True`), else as they are (a modem that refuses UCS2: ASCII texts only, one line each).
"""

from __future__ import annotations

from kiosk.devices.atlines import decode_ucs2_hex, parse_modem_time, split_fields, to_int
from kiosk.devices.events import STATUS_BY_NAME, StoredMessage
from kiosk.devices.gsm7 import can_encode_gsm7
from kiosk.devices.pdu import Deliver, PduError, StatusReport, decode_pdu


def parse_pdu_listing(lines: list[str], storage: str, prefix: str = "+CMGL") -> list[StoredMessage]:
    """`+CMGL: <index>,<stat>,[<alpha>],<length>` each followed by its PDU line."""
    out: list[StoredMessage] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(prefix + ":"):
            i += 1  # stray line (junk between entries): skipped, the driver logged it
            continue
        fields = split_fields(line[len(prefix) + 1:])
        if prefix == "+CMGR":  # +CMGR: <stat>,[<alpha>],<length>
            index, status = -1, to_int(fields[0], 0)
        else:
            index, status = to_int(fields[0], -1), to_int(fields[1] if len(fields) > 1 else None, 0)
        index = -1 if index is None else index
        body = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith(prefix + ":") else ""
        i += 2 if body else 1
        out.append(decode_stored(index, storage, status or 0, body))
    return out


def decode_stored(index: int, storage: str, status: int, pdu_hex: str) -> StoredMessage:
    if not pdu_hex:
        return StoredMessage(index, storage, status, None, "no PDU followed the listing line", "")
    try:
        pdu = decode_pdu(pdu_hex, direction="mo" if status in (2, 3) else "mt")
    except PduError as exc:
        return StoredMessage(index, storage, status, None, f"undecodable PDU: {exc}", pdu_hex)
    return StoredMessage(index, storage, status, pdu, None, pdu_hex)


def _s(value: str, ucs2: bool) -> str:
    return decode_ucs2_hex(value) if ucs2 else value


def parse_text_listing(lines: list[str], storage: str, prefix: str = "+CMGL", *,
                       ucs2: bool = True) -> list[StoredMessage]:
    """Text mode: `+CMGL: <index>,"<stat>","<oa>",[<alpha>],"<scts>"` then the text (UCS-2 hex);
    a stored delivery report is one line: `+CMGL: <index>,"<stat>",<fo>,<mr>,"<ra>",<tora>,"<scts>","<dt>",<st>`."""
    out: list[StoredMessage] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(prefix + ":"):
            i += 1
            continue
        fields = split_fields(line[len(prefix) + 1:])
        if prefix == "+CMGR":
            fields = ["-1", *fields]
        index = to_int(fields[0], -1)
        index = -1 if index is None else index
        status = STATUS_BY_NAME.get(fields[1].upper() if len(fields) > 1 else "", 1)
        if len(fields) >= 9 and to_int(fields[2]) is not None:
            report = text_report(fields[2:], raw=line, ucs2=ucs2)
            out.append(StoredMessage(index, storage, status, report,
                                     None if report else "unreadable delivery report", line))
            i += 1
            continue
        has_body = i + 1 < len(lines) and not lines[i + 1].startswith(prefix + ":")
        body = lines[i + 1] if has_body else ""
        i += 2 if has_body else 1
        number = _s(fields[2], ucs2) if len(fields) > 2 else ""
        stamp = fields[4] if len(fields) > 4 else ""
        raw = line + "\n" + body
        if status in (2, 3):
            out.append(StoredMessage(index, storage, status, None, "stored outgoing message (text mode)", raw))
            continue
        out.append(StoredMessage(index, storage, status, text_deliver(number, stamp, body, raw, ucs2=ucs2),
                                 None, raw))
    return out


def text_deliver(number: str, stamp: str, body: str, raw: str, *, ucs2: bool = True) -> Deliver:
    """A Deliver built from text-mode fields (no concatenation information survives text mode)."""
    text = _s(body, ucs2) if body else ""
    return Deliver(sender=number, text=text, timestamp=parse_modem_time(stamp),
                   encoding="gsm7" if can_encode_gsm7(text) else "ucs2", concat=None, pid=0,
                   dcs=0 if can_encode_gsm7(text) else 8, smsc=None, status_report_indication=False,
                   raw_hex="", problems=("received in text mode",))


def text_report(fields: list[str], raw: str, *, ucs2: bool = True) -> StatusReport | None:
    """`<fo>,<mr>,"<ra>",<tora>,"<scts>","<dt>",<st>` -> StatusReport (None if unreadable)."""
    if len(fields) < 7:
        return None
    mr, status = to_int(fields[1]), to_int(fields[6])
    if mr is None or status is None:
        return None
    return StatusReport(message_ref=mr, recipient=_s(fields[2], ucs2), status=status,
                        delivered=status <= 0x1F, final=not 0x20 <= status <= 0x3F,
                        scts=parse_modem_time(fields[4]), discharge_time=parse_modem_time(fields[5]),
                        raw_hex=raw)


def decode_direct(header: str, body: str, text_mode: bool, *,
                  ucs2: bool = True) -> tuple[Deliver | None, str | None, str]:
    """+CMT header and body -> (message, error, raw)."""
    if not text_mode:
        try:
            pdu = decode_pdu(body)
        except PduError as exc:
            return None, f"undecodable PDU: {exc}", body
        if not isinstance(pdu, Deliver):
            return None, "+CMT carried something that is not an SMS-DELIVER", body
        return pdu, None, body
    fields = split_fields(header.partition(":")[2])
    number = _s(fields[0], ucs2) if fields else ""
    stamp = fields[2] if len(fields) > 2 else ""
    raw = header + "\n" + body
    return text_deliver(number, stamp, body, raw, ucs2=ucs2), None, raw


def decode_direct_report(header: str, body: str | None, *,
                         ucs2: bool = True) -> tuple[StatusReport | None, str | None, str]:
    """+CDS (PDU: length line + PDU body; text: all fields on the header line)."""
    if body is None:
        fields = split_fields(header.partition(":")[2])
        report = text_report(fields, header, ucs2=ucs2)
        return report, None if report else "unreadable delivery report", header
    try:
        pdu = decode_pdu(body)
    except PduError as exc:
        return None, f"undecodable PDU: {exc}", body
    if not isinstance(pdu, StatusReport):
        return None, "+CDS carried something that is not a status report", body
    return pdu, None, body
