"""What the modem driver says to the modem and how it reads the answers: start-up, identity, SIM
and PIN, the health and clock replies, and the commands that send one SMS.

Split from kiosk.devices.modem so the driver class keeps the decisions (when to initialise, what to
remember, what to emit) and these keep the AT dialogue. No threads and no state of their own:
`run` sends one command and returns its information lines, raising CommandError on a refusal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from kiosk.devices.at_network import access_technology
from kiosk.devices.atlines import decode_ucs2_hex, encode_ucs2_hex, parse_modem_time, reply_fields, to_int
from kiosk.devices.errors import CommandError, SendError
from kiosk.devices.events import REGISTRATION, signal_from_csq
from kiosk.devices.gsm7 import can_encode_gsm7, text_mode_chunks
from kiosk.devices.modem_config import ModemSettings
from kiosk.devices.pdu import PduError, encode_submit
from kiosk.devices.quirks import Quirks

log = logging.getLogger("kiosk.devices.modem")

Run = Callable[[str], list[str]]


def tolerant(run: Run, command: str) -> list[str] | None:
    """A command whose refusal is logged, not raised (optional features, identity): None if refused."""
    try:
        return run(command)
    except CommandError as exc:
        log.info("modem refused %s: %s", command, exc.reply)
        return None


def identify(run: Run) -> dict[str, str]:
    """Manufacturer, model, firmware and IMEI (empty where the modem does not say)."""
    ident = {}
    for key, command in (("manufacturer", "AT+CGMI"), ("model", "AT+CGMM"), ("firmware", "AT+CGMR"),
                         ("imei", "AT+CGSN")):
        lines = tolerant(run, command)
        value = lines[0] if lines else ""
        for prefix in ("+CGMI:", "+CGMM:", "+CGMR:", "+CGSN:", "Revision:"):
            if value.startswith(prefix):
                value = value[len(prefix):].strip()
        ident[key] = value.strip().strip('"')
    if not ident["model"]:
        ident["model"] = " ".join(tolerant(run, "ATI") or [])
    return ident


@dataclass(frozen=True)
class SimCheck:
    """What AT+CPIN? (and the PIN, when one was needed) came to."""

    ready: bool
    state: str  # "ready", "absent", "busy", "PIN required", "PIN rejected", ...
    error: str | None = None
    pin_rejected: bool = False


def check_sim(run: Run, pin: str, pin_rejected: bool) -> SimCheck:
    """Ask the SIM's state and enter the PIN once. A rejected PIN is never tried again: three wrong
    PINs lock the SIM (PUK)."""
    try:
        lines = run("AT+CPIN?")
    except CommandError as exc:
        text = (exc.message or "").lower()
        state = "absent" if exc.code in (10, 310) or "not inserted" in text else \
            "busy" if exc.code in (14, 314) else "error"
        return SimCheck(False, state, f"SIM {state}: {exc.reply}", pin_rejected)
    answer = " ".join(reply_fields(lines[0], "+CPIN") if lines else ["READY"]).upper()
    if "READY" in answer:
        return SimCheck(True, "ready", None, pin_rejected)
    if "SIM PIN" in answer and pin and not pin_rejected:
        try:
            run(f'AT+CPIN="{pin}"')
        except CommandError as exc:
            return SimCheck(False, "PIN rejected",
                            f"SIM PIN rejected (not retried, so the SIM is not locked): {exc.reply}", True)
        return SimCheck(True, "ready", None, pin_rejected)
    if pin_rejected and "SIM PIN" in answer:
        return SimCheck(False, "PIN rejected", None, True)
    state = "PUK required" if "PUK" in answer else "PIN required" if "PIN" in answer else answer.lower()
    return SimCheck(False, state, f"SIM {state}", pin_rejected)


def configure(run: Run, settings: ModemSettings, quirks: Quirks) -> bool:
    """Everything after the SIM: message format, alphabet, storage, new-message indications, caller
    id, registration and time URCs, the model's and the config's extra commands. Returns whether
    text mode strings are UCS-2 hex (AT+CSCS="UCS2" accepted). Raises CommandError if the modem
    refuses the message format; everything else is tolerated."""
    run("AT+CMGF=0" if settings.mode == "pdu" else "AT+CMGF=1")
    ucs2 = False
    if settings.mode == "text":
        ucs2 = tolerant(run, 'AT+CSCS="UCS2"') is not None  # any alphabet, and one line per text
        if not ucs2:
            log.warning("modem refused AT+CSCS=\"UCS2\": text mode limited to ASCII")
            tolerant(run, 'AT+CSCS="IRA"')
        tolerant(run, "AT+CSDH=1")
    mem = quirks.storage
    if tolerant(run, f'AT+CPMS="{mem}","{mem}","{mem}"') is None:
        tolerant(run, f'AT+CPMS="{mem}"')
    for cnmi in quirks.cnmi:
        if tolerant(run, cnmi) is not None:
            break
    else:
        log.warning("modem accepted no AT+CNMI form; relying on the periodic AT+CMGL sweep")
    tolerant(run, "AT+CLIP=1")
    tolerant(run, "AT+CREG=1")
    for command in (*quirks.time_updates, *quirks.dtmf, *quirks.extra_init, *settings.init):
        tolerant(run, command)
    return ucs2


@dataclass(frozen=True)
class Health:
    signal: tuple[int, int | None]  # bars 0-5, dBm
    registration: str | None  # None: the modem did not say
    operator: str
    access_technology: str = ""


def read_health(run: Run, *, ucs2: bool) -> Health:
    """Signal (AT+CSQ), registration (AT+CREG?) and operator (AT+COPS?), each refusal tolerated."""
    fields = _fields(tolerant(run, "AT+CSQ"), "+CSQ")
    signal = signal_from_csq(to_int(fields[0]) if fields else None)
    fields = _fields(tolerant(run, "AT+CREG?"), "+CREG")
    registration = REGISTRATION.get(to_int(fields[1], 4) or 0, "unknown") if len(fields) >= 2 else None
    fields = _fields(tolerant(run, "AT+COPS?"), "+COPS")
    operator = (decode_ucs2_hex(fields[2]) if ucs2 else fields[2]) if len(fields) >= 3 else ""
    return Health(signal, registration, operator, access_technology(fields))


def read_storage(run: Run) -> tuple[str, int | None, int | None]:
    """The message store's name, used and total (AT+CPMS?). Raises CommandError if refused."""
    fields = _fields(run("AT+CPMS?"), "+CPMS")
    if len(fields) >= 3:
        return fields[0], to_int(fields[1]), to_int(fields[2])
    return (fields[0] if fields else ""), None, None


def read_clock(run: Run) -> datetime | None:
    """The modem's clock (AT+CCLK?) when it looks set: a clock never set by the network says 2000-something."""
    fields = _fields(tolerant(run, "AT+CCLK?"), "+CCLK")
    when = parse_modem_time(",".join(fields)) if fields else None
    if when is None or when.year < 2024:
        return None
    return when


def submissions(number: str, text: str, *, pdu: bool, ucs2_charset: bool, concat_ref: int,
                request_report: bool) -> tuple[str | None, list[tuple[str, str]]]:
    """The commands that send one SMS: a setting to send first (text mode's AT+CSMP) and each part's
    AT+CMGS with the payload to write after its prompt. Raises SendError (not retryable) for a text
    that cannot be sent: too long to encode, or not ASCII on a text-mode modem without UCS-2."""
    if pdu:
        try:
            parts = encode_submit(number, text, request_report=request_report, concat_ref=concat_ref)
        except PduError as exc:
            raise SendError(None, f"cannot encode: {exc}", False) from exc
        return None, [(f"AT+CMGS={part.tpdu_length}", part.hex) for part in parts]
    ucs2 = not can_encode_gsm7(text)
    if not ucs2_charset and not text.isascii():
        raise SendError(None, "this modem refused AT+CSCS=\"UCS2\": in text mode it can send "
                              "plain ASCII only (use PDU mode)", False)
    setup = f"AT+CSMP={49 if request_report else 17},167,0,{8 if ucs2 else 0}"
    as_sent = encode_ucs2_hex if ucs2_charset else str
    return setup, [(f'AT+CMGS="{as_sent(number)}"', as_sent(chunk)) for chunk in text_mode_chunks(text, ucs2)]


def message_reference(command: str, lines: list[str]) -> int:
    """The TP-MR from a send's +CMGS reply (CommandError if there is none)."""
    for line in lines:
        fields = reply_fields(line, "+CMGS")
        if fields:
            mr = to_int(fields[0])
            if mr is not None:
                return mr
    raise CommandError(command, "OK without +CMGS", None, "modem gave no message reference", "plain")


def reject_call(run: Run, preferred: str) -> None:
    """Reject the ringing call with the model's command, falling back to the other of ATH / AT+CHUP."""
    last: CommandError | None = None
    for command in [preferred] + [c for c in ("ATH", "AT+CHUP") if c != preferred]:
        try:
            run(command)
            return
        except CommandError as exc:
            last = exc
    assert last is not None
    raise last


def _fields(lines: list[str] | None, prefix: str) -> list[str]:
    return reply_fields(lines[0], prefix) if lines else []


CLCC_STATES = {0: "answered", 1: "held", 2: "dialling", 3: "ringing", 4: "incoming", 5: "waiting"}


def outgoing_call_state(lines: list[str]) -> str | None:
    """From AT+CLCC's answer: the state of our outgoing voice call ("dialling", "ringing",
    "answered"...), or None when there is none (it ended: not answered, busy, hung up)."""
    for line in lines:
        if not line.startswith("+CLCC:"):
            continue
        fields = reply_fields(line, "+CLCC")
        if len(fields) < 4 or fields[1].strip() != "0" or fields[3].strip() != "0":
            continue  # an incoming call, or not voice
        try:
            return CLCC_STATES.get(int(fields[2]), "unknown")
        except ValueError:
            continue
    return None
