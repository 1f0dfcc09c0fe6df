"""How to reach and drive the modem: ModemSettings, and building them from the `[modem]` config section.

Pure data; no I/O. Flow control is off unless configured, and every wait has a timeout here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

DEFAULT_PORT = "/dev/kiosk-modem"

@dataclass(frozen=True)
class ModemSettings:
    """How to reach and drive the modem. Flow control is off unless configured (some boards hang at
    the first AT with rtscts/dsrdtr on). Timeouts are seconds of real time."""

    port: str = DEFAULT_PORT  # a device path, a glob (/dev/serial/by-id/*SIM800*) or any pyserial URL
    baudrate: int = 115200
    rtscts: bool = False
    dsrdtr: bool = False
    mode: str = "pdu"  # "pdu" (default) or "text" for modems that need it
    pin: str = ""
    model: str = ""  # force the quirks of this model instead of asking the modem
    quirks: Mapping[str, Any] = field(default_factory=dict)  # overrides of Quirks fields
    init: tuple[str, ...] = ()  # extra init commands, sent last, errors tolerated
    command_timeout: float = 5.0
    list_timeout: float = 30.0
    send_timeout: float = 60.0
    prompt_timeout: float = 5.0
    probe_timeout: float = 1.0
    reconnect_min: float = 1.0
    reconnect_max: float = 60.0

    def __post_init__(self) -> None:
        if self.mode not in ("pdu", "text"):
            raise ValueError(f"modem mode must be 'pdu' or 'text', not {self.mode!r}")


def settings_from_config(config: Any, **overrides: Any) -> ModemSettings:
    """ModemSettings from the `[modem]` config section (any object with its attributes: port,
    baudrate, rtscts, dsrdtr, mode, pin, init, model), plus overrides such as timeouts."""
    values = {name: getattr(config, name) for name in ("port", "baudrate", "rtscts", "dsrdtr", "mode", "pin",
                                                         "init", "model", "quirks") if hasattr(config, name)}
    if "init" in values:
        values["init"] = tuple(values["init"])
    return ModemSettings(**{**values, **overrides})
