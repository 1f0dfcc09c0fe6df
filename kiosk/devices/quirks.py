"""Per-model modem quirks as data: which init strings, delete and hang-up commands each model wants.

A table, not `if` chains in the driver (as gammu does it). Pure data and lookup; no I/O. Never put
behaviour here that an override could not replace: every field can be replaced through
`ModemSettings.quirks` (the tests do); the config file picks a row with `[modem] model`. A field
belongs here only if the driver reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class Quirks:
    """How to drive one family of modems. `name` is for logs and the status screen."""

    name: str = "generic"
    # AT+CNMI forms tried in order until one is accepted: store to SIM and announce with +CMTI
    # (mt=1) so a message is never only in flight; delivery reports routed directly (+CDS, ds=1).
    cnmi: tuple[str, ...] = ("AT+CNMI=2,1,0,1,0", "AT+CNMI=2,1,0,1", "AT+CNMI=2,1,0,0,0", "AT+CNMI=1,1")
    storage: str = "SM"  # AT+CPMS memory for reading, writing and receiving
    delete: str = "AT+CMGD={index}"  # Siemens rejects AT+CMGD=<n>,0: the plain form works everywhere
    hang_up: str = "ATH"
    needs_cnma: bool = False  # acknowledge +CMT/+CDS with AT+CNMA (phase 2+ modems in AT+CSMS=1)
    time_updates: tuple[str, ...] = ("AT+CTZU=1",)  # network time (NITZ) updates, errors tolerated
    extra_init: tuple[str, ...] = ()  # sent after the standard init, errors tolerated
    list_timeout: float | None = None  # a slower AT+CMGL than the settings' default
    # the watchdog's reset ladder (kiosk.gateway.watchdog): radio off and on, then a full restart
    radio_off: str = "AT+CFUN=0"
    radio_on: str = "AT+CFUN=1"
    restart: str = "AT+CFUN=1,1"
    # outbound voice calls (issue 18): can it dial (ATD<number>;), and the commands that make it
    # report key presses on a call (+DTMF: 1); empty: no key presses, so a call can never be an ACK
    can_dial: bool = True
    dtmf: tuple[str, ...] = ()


GENERIC = Quirks()

# Model substring (matched case-insensitively against AT+CGMM / ATI) -> quirks. First match wins.
TABLE: tuple[tuple[str, Quirks], ...] = (
    # SIMCom 2G: flight mode (CFUN=4) keeps the SIM powered; CFUN=0 would need the PIN again
    ("SIM800", replace(GENERIC, name="SIMCom SIM800", cnmi=("AT+CNMI=2,1,0,1", "AT+CNMI=2,1,0,1,0"),
                       time_updates=("AT+CLTS=1",), radio_off="AT+CFUN=4", dtmf=("AT+DDET=1",))),
    ("SIM900", replace(GENERIC, name="SIMCom SIM900", cnmi=("AT+CNMI=2,1,0,1", "AT+CNMI=2,1,0,1,0"),
                       time_updates=("AT+CLTS=1",), radio_off="AT+CFUN=4")),
    ("SIM7600", replace(GENERIC, name="SIMCom SIM7600", hang_up="AT+CHUP")),
    # data-only sticks: no voice
    ("E3372", replace(GENERIC, name="Huawei E3372", storage="ME", list_timeout=60.0, hang_up="AT+CHUP",
                      can_dial=False)),
    ("SIMCOM_SIM7", replace(GENERIC, name="SIMCom SIM7xxx", hang_up="AT+CHUP")),
    ("EC25", replace(GENERIC, name="Quectel EC25", hang_up="ATH", time_updates=("AT+CTZU=1", "AT+CTZR=2"),
                     radio_off="AT+CFUN=4")),
    ("EC21", replace(GENERIC, name="Quectel EC21", time_updates=("AT+CTZU=1", "AT+CTZR=2"))),
    # Huawei sticks may send their URCs to another port (the periodic AT+CMGL sweep finds SMS) and
    # announce a full store with ^SMMEMFULL (atlines knows it for every model).
    ("E173", replace(GENERIC, name="Huawei E173", list_timeout=60.0, hang_up="AT+CHUP")),
    ("HUAWEI", replace(GENERIC, name="Huawei", list_timeout=60.0, hang_up="AT+CHUP")),
    ("MC35", replace(GENERIC, name="Siemens MC35", cnmi=("AT+CNMI=1,1,0,2,1", "AT+CNMI=1,1"),
                     delete="AT+CMGD={index}", time_updates=())),
    ("TC35", replace(GENERIC, name="Siemens TC35", cnmi=("AT+CNMI=1,1,0,2,1", "AT+CNMI=1,1"),
                     delete="AT+CMGD={index}", time_updates=())),
)

_FIELDS = set(Quirks.__dataclass_fields__)


def quirks_for(model: str, overrides: Mapping[str, Any] | None = None) -> Quirks:
    """The quirks for a model string (from AT+CGMM/ATI, or forced in config), with config overrides."""
    found = GENERIC
    needle = (model or "").upper()
    for key, quirks in TABLE:
        if key.upper() in needle:
            found = quirks
            break
    if overrides:
        unknown = set(overrides) - _FIELDS
        if unknown:
            raise ValueError(f"unknown modem quirk setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
        found = replace(found, **values)
    return found


__all__ = ["Quirks", "GENERIC", "TABLE", "quirks_for"]
