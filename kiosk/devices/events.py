"""What the modem driver hands its caller: events, stored messages and their fingerprints.

Plain frozen dataclasses and one pure function; no I/O, nothing about visits. A fingerprint must be
the same for the same SMS however it reached us (pushed with +CMT, listed with AT+CMGL, text or PDU
mode, before or after a restart), so the caller can recognise a duplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Union

from kiosk.devices.pdu import Deliver, StatusReport, Submit

Pdu = Union[Deliver, StatusReport, Submit]


def fingerprint(pdu: Pdu | None, raw: str = "") -> str:
    """A stable id for one received SMS (or one part of a multi-part SMS)."""
    if isinstance(pdu, Deliver):
        stamp = pdu.timestamp.isoformat() if pdu.timestamp else "-"
        concat = f"{pdu.concat.ref}/{pdu.concat.total}/{pdu.concat.seq}" if pdu.concat else "-"
        key = f"deliver|{pdu.sender}|{stamp}|{concat}|{pdu.text}"
    elif isinstance(pdu, StatusReport):
        stamp = pdu.discharge_time.isoformat() if pdu.discharge_time else "-"
        key = f"report|{pdu.message_ref}|{pdu.recipient}|{pdu.status}|{stamp}"
    elif isinstance(pdu, Submit):
        key = f"submit|{pdu.recipient}|{pdu.message_ref}|{pdu.text}"
    else:
        key = f"raw|{raw.strip().upper()}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# Stored-message status as AT+CMGL reports it (PDU numbers; text mode names map onto them).
STATUS_NAMES = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT"}
STATUS_BY_NAME = {v: k for k, v in STATUS_NAMES.items()}


@dataclass(frozen=True)
class StoredMessage:
    """One entry of the modem's message store (AT+CMGL). `pdu` is None when it could not be decoded;
    then `error` says why and `raw` keeps what the modem gave, so nothing is lost."""

    index: int
    storage: str
    status: int  # 0 received unread, 1 received read, 2 stored unsent, 3 stored sent
    pdu: Pdu | None
    error: str | None
    raw: str

    @property
    def incoming(self) -> bool:
        return self.status in (0, 1)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.pdu, self.raw)


@dataclass(frozen=True)
class ModemEvent:
    """Base of every event; `at` is the injected clock's time when the driver saw it."""

    at: datetime


@dataclass(frozen=True)
class MessageStored(ModemEvent):
    """+CMTI: an SMS was stored at `index`. Answer by draining (stored_messages / drain)."""

    storage: str = "SM"
    index: int = -1


@dataclass(frozen=True)
class MessageReceived(ModemEvent):
    """+CMT: an SMS delivered straight to us, not stored on the modem. Store it before on_event
    returns: the driver acknowledges it (AT+CNMA where the modem needs it) only after a normal return."""

    message: Deliver | None = None
    raw: str = ""
    error: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.message, self.raw)


@dataclass(frozen=True)
class ReportStored(ModemEvent):
    """+CDSI: a delivery report was stored at `index`; drain picks it up."""

    storage: str = "SM"
    index: int = -1


@dataclass(frozen=True)
class ReportReceived(ModemEvent):
    """+CDS: a delivery report for the message with TP-MR `report.message_ref`."""

    report: StatusReport | None = None
    raw: str = ""
    error: str | None = None


@dataclass(frozen=True)
class IncomingCall(ModemEvent):
    """RING (+CLIP): someone is calling; `number` is None when withheld or unknown."""

    number: str | None = None


@dataclass(frozen=True)
class CallEnded(ModemEvent):
    """NO CARRIER outside a command: the caller gave up or the call was hung up."""


@dataclass(frozen=True)
class KeyPressed(ModemEvent):
    """+DTMF: a key pressed by the person on our outgoing call (where the modem reports it)."""

    key: str = ""


@dataclass(frozen=True)
class RegistrationChanged(ModemEvent):
    """+CREG/+CGREG/+CEREG: network registration changed."""

    state: str = "unknown"


@dataclass(frozen=True)
class NetworkTimeReceived(ModemEvent):
    """NITZ: the network told us the time (aware UTC)."""

    network_time: datetime | None = None


@dataclass(frozen=True)
class StorageFull(ModemEvent):
    """The message store is full (^SMMEMFULL or AT+CPMS used == total): drain it now."""

    storage: str = "SM"


@dataclass(frozen=True)
class ModemRebooted(ModemEvent):
    """A reboot banner (RDY, +CFUN: 1, START...): the driver re-initialises; then drain."""

    banner: str = ""


@dataclass(frozen=True)
class ModemGone(ModemEvent):
    """The device vanished or stopped answering; the driver keeps trying to reopen it."""

    reason: str = ""
    port: str = ""


@dataclass(frozen=True)
class ModemBack(ModemEvent):
    """The device is back and initialised after `gap`; drain the store now."""

    port: str = ""
    gone_at: datetime | None = None
    gap: timedelta = field(default_factory=timedelta)


REGISTRATION = {0: "not registered", 1: "home", 2: "searching", 3: "denied", 4: "unknown", 5: "roaming",
                6: "home (SMS only)", 7: "roaming (SMS only)"}


@dataclass(frozen=True)
class ModemStatus:
    """One snapshot of the modem's health, for the status line and `kiosk doctor`."""

    connected: bool
    ready: bool  # initialised and able to handle SMS
    port: str
    mode: str
    quirks: str
    manufacturer: str = ""
    model: str = ""
    firmware: str = ""
    imei: str = ""
    sim: str = "unknown"  # ready, absent, PIN required, PUK required, busy, error
    registration: str = "unknown"
    operator: str = ""
    access_technology: str = ""  # GSM, UMTS, LTE... (AT+COPS? <AcT>); "" when the modem does not say
    signal_bars: int = 0  # 0..5
    signal_dbm: int | None = None
    storage_used: int | None = None
    storage_total: int | None = None
    storage_full: bool = False
    last_exchange: datetime | None = None
    last_error: str | None = None
    gone_since: datetime | None = None
    junk_lines: int = 0


@dataclass(frozen=True)
class DrainResult:
    handled: int = 0  # handed to the handler and then deleted
    duplicates: int = 0  # already confirmed earlier (e.g. pushed with +CMT and also stored): deleted
    kept: int = 0  # the handler raised: left on the modem for the next sweep
    delete_failed: int = 0  # confirmed, but the delete failed: will come again as a duplicate


def signal_from_csq(rssi: int | None) -> tuple[int, int | None]:
    """+CSQ rssi (0..31, 99 unknown) -> (bars 0..5, dBm)."""
    if rssi is None or rssi == 99 or not 0 <= rssi <= 31:
        return 0, None
    dbm = -113 + 2 * rssi
    bars = 0 if rssi == 0 else 1 if rssi < 10 else 2 if rssi < 15 else 3 if rssi < 20 else 4 if rssi < 25 else 5
    return bars, dbm
