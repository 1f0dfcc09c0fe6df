"""Typed modem errors and the table of which `+CMS ERROR`/`+CME ERROR` codes are worth retrying.

Pure data and small classes; no I/O. Never guess "not retryable" for an unknown code: an outgoing
message is only given up on when the network or modem said clearly that trying again cannot help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class ModemError(Exception):
    """Anything that went wrong talking to the modem."""


class ModemUnavailable(ModemError):
    """The port cannot be opened, or the device vanished (unplugged, pty closed, read/write failed)."""


class CommandTimeout(ModemError):
    """The modem did not answer a command in time (the driver resets it afterwards)."""


class CommandError(ModemError):
    """The modem answered ERROR / +CME ERROR / +CMS ERROR."""

    def __init__(self, command: str, reply: str, code: int | None, message: str, kind: str) -> None:
        self.command = command
        self.reply = reply
        self.code = code
        self.message = message
        self.kind = kind  # "cms", "cme" or "plain"
        super().__init__(f"{command}: {reply}")


class SendError(ModemError):
    """Sending an SMS failed. `retryable` says whether queueing it again can help.

    `sent_refs` lists the TP-MRs of the parts that did go out before the failure (multi-part sends).
    """

    def __init__(self, code: int | None, message: str, retryable: bool,
                 sent_refs: list[int] | None = None) -> None:
        self.code = code
        self.message = message
        self.retryable = retryable
        self.sent_refs = list(sent_refs or [])
        label = f"{code} " if code is not None else ""
        super().__init__(f"send failed: {label}{message} ({'will retry' if retryable else 'permanent'})")


@dataclass(frozen=True)
class ErrorInfo:
    code: int
    message: str
    retryable: bool


# 3GPP TS 27.005 3.2.5 (+CMS ERROR), with the TS 24.011 / 23.040 causes a modem passes through.
CMS_ERRORS: dict[int, ErrorInfo] = {e.code: e for e in (
    ErrorInfo(1, "unassigned number", False),
    ErrorInfo(8, "operator determined barring", False),
    ErrorInfo(10, "call barred", False),
    ErrorInfo(21, "short message transfer rejected", False),
    ErrorInfo(27, "destination out of service", True),
    ErrorInfo(28, "unidentified subscriber", False),
    ErrorInfo(29, "facility rejected", False),
    ErrorInfo(30, "unknown subscriber", False),
    ErrorInfo(38, "network out of order", True),
    ErrorInfo(41, "temporary failure", True),
    ErrorInfo(42, "congestion", True),
    ErrorInfo(47, "resources unavailable", True),
    ErrorInfo(50, "requested facility not subscribed", False),
    ErrorInfo(69, "requested facility not implemented", False),
    ErrorInfo(81, "invalid short message transfer reference value", True),
    ErrorInfo(95, "invalid message", False),
    ErrorInfo(96, "invalid mandatory information", False),
    ErrorInfo(97, "message type non-existent or not implemented", False),
    ErrorInfo(98, "message not compatible with short message protocol state", True),
    ErrorInfo(99, "information element non-existent or not implemented", False),
    ErrorInfo(111, "protocol error", True),
    ErrorInfo(127, "interworking unspecified", True),
    ErrorInfo(300, "ME failure", True),
    ErrorInfo(301, "SMS service of ME reserved", True),
    ErrorInfo(302, "operation not allowed", True),
    ErrorInfo(303, "operation not supported", False),
    ErrorInfo(304, "invalid PDU mode parameter", False),
    ErrorInfo(305, "invalid text mode parameter", False),
    ErrorInfo(310, "SIM not inserted", True),
    ErrorInfo(311, "SIM PIN required", True),
    ErrorInfo(312, "PH-SIM PIN required", True),
    ErrorInfo(313, "SIM failure", True),
    ErrorInfo(314, "SIM busy", True),
    ErrorInfo(315, "SIM wrong", True),
    ErrorInfo(316, "SIM PUK required", True),
    ErrorInfo(320, "memory failure", True),
    ErrorInfo(321, "invalid memory index", False),
    ErrorInfo(322, "memory full", True),
    ErrorInfo(330, "SMSC address unknown", True),
    ErrorInfo(331, "no network service", True),
    ErrorInfo(332, "network timeout", True),
    ErrorInfo(340, "no +CNMA acknowledgement expected", False),
    ErrorInfo(500, "unknown error", True),
)}

# 3GPP TS 27.007 9.2 (+CME ERROR), the ones a send or a SIM check meets.
CME_ERRORS: dict[int, ErrorInfo] = {e.code: e for e in (
    ErrorInfo(0, "phone failure", True),
    ErrorInfo(3, "operation not allowed", True),
    ErrorInfo(4, "operation not supported", False),
    ErrorInfo(10, "SIM not inserted", True),
    ErrorInfo(11, "SIM PIN required", True),
    ErrorInfo(12, "SIM PUK required", True),
    ErrorInfo(13, "SIM failure", True),
    ErrorInfo(14, "SIM busy", True),
    ErrorInfo(15, "SIM wrong", True),
    ErrorInfo(16, "incorrect password", False),
    ErrorInfo(20, "memory full", True),
    ErrorInfo(21, "invalid index", False),
    ErrorInfo(30, "no network service", True),
    ErrorInfo(31, "network timeout", True),
    ErrorInfo(32, "network not allowed - emergency calls only", True),
    ErrorInfo(100, "unknown", True),
)}

_BY_TEXT = {kind: {info.message.lower(): info for info in table.values()}
            for kind, table in (("cms", CMS_ERRORS), ("cme", CME_ERRORS))}

EMPTY_INDEX_CMS = 321
EMPTY_INDEX_CME = 21


def parse_error(command: str, reply: str) -> CommandError:
    """`+CMS ERROR: 38`, `+CME ERROR: SIM not inserted` (verbose, AT+CMEE=2) or `ERROR`."""
    for kind, prefix, table in (("cms", "+CMS ERROR", CMS_ERRORS), ("cme", "+CME ERROR", CME_ERRORS)):
        if reply.startswith(prefix):
            detail = reply[len(prefix):].lstrip(": ").strip().strip('"')
            if re.fullmatch(r"\d+", detail):
                code = int(detail)
                info = table.get(code)
                return CommandError(command, reply, code, info.message if info else f"error {code}", kind)
            by_text = _BY_TEXT[kind].get(detail.lower())
            return CommandError(command, reply, by_text.code if by_text is not None else None, detail or "error", kind)
    return CommandError(command, reply, None, reply.lower() or "error", "plain")


def is_retryable(error: CommandError) -> bool:
    """Unknown codes and plain ERROR are retryable: only a clear answer gives a message up."""
    table = CMS_ERRORS if error.kind == "cms" else CME_ERRORS if error.kind == "cme" else {}
    info = table.get(error.code) if error.code is not None else None
    return True if info is None else info.retryable


def send_error(error: CommandError, sent_refs: list[int] | None = None) -> SendError:
    return SendError(error.code, error.message, is_retryable(error), sent_refs)


def is_empty_index(error: CommandError) -> bool:
    """`+CMS ERROR: 321` (or +CME 21): nothing stored at that index — "nothing there", not a failure."""
    return ((error.kind == "cms" and error.code == EMPTY_INDEX_CMS)
            or (error.kind == "cme" and error.code == EMPTY_INDEX_CME))
