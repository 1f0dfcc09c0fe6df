"""The gateway's modem watchdog: notices a wedged modem and climbs the reset ladder by itself.

Trouble is a modem that stops answering (its port still there), one off the network for
`[modem] reregister_minutes`, or sends failing in a row; the rule and the ladder are
kiosk.domain.watchdog. Rungs: radio off and on, modem restart, port reopened, USB re-bind (sysfs
`authorized` 0 then 1 of the modem's USB device, where the kernel has one and lets us write it),
and last the gateway's exit with a non-zero status so systemd restarts it. Every rung is logged,
audited and counted in the health row (kiosk doctor shows it). No rung touches a stored or queued
message: the SIM keeps what it holds, the outbox keeps what is queued, and a send cut off by a rung
goes back to the queue (kiosk.services.outbox.recover_in_flight).
"""

from __future__ import annotations

import glob
import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from kiosk.devices.errors import ModemError
from kiosk.domain import watchdog as W
from kiosk.domain.link import OFF_NETWORK
from kiosk.services import audit

log = logging.getLogger("kiosk.gateway.watchdog")
EXIT_WEDGED = 3  # the gateway's exit status after the last rung (systemd: Restart=always)


def write_sysfs(path: Path, value: str) -> None:
    path.write_text(value)


def usb_device(port: str, sysfs: Path) -> Path | None:
    """The USB device (the directory with `authorized` and `idVendor`) behind a tty, or None."""
    name = Path(os.path.realpath(port)).name
    node = sysfs / "class" / "tty" / name / "device"
    if not node.exists():
        return None
    here = node.resolve()
    for folder in (here, *here.parents):
        if (folder / "authorized").is_file() and (folder / "idVendor").is_file():
            return folder
        if folder == sysfs or folder.parent == folder:
            break
    return None


def usb_rebind(port: str, sysfs: Path, *, pause: float = 2.0, sleep: Callable[[float], None] = time.sleep,
               write: Callable[[Path, str], None] | None = None) -> Path:
    """De-authorise then authorise the modem's USB device: the kernel drops and re-enumerates it,
    as unplugging it would. Raises OSError if it cannot (no device, not allowed)."""
    write = write or write_sysfs
    device = usb_device(port, sysfs)
    if device is None:
        raise FileNotFoundError(f"no USB device for {port} under {sysfs}")
    write(device / "authorized", "0")
    sleep(pause)
    write(device / "authorized", "1")
    return device


class Watchdog:
    """`check()` every few seconds on the loop's thread; `send_ok()`/`send_failed()` from the pump."""

    def __init__(self, gateway: Any, settings: W.Settings, *, sysfs: str | Path = "/sys",
                 usb_pause: float = 2.0) -> None:
        self.gateway = gateway
        self.settings = settings
        self.sysfs = Path(sysfs)
        self.usb_pause = usb_pause
        self.state = W.State()
        self.climbed = 0
        self.send_failures = 0
        self.off_network_since: datetime | None = None

    # --- facts ----------------------------------------------------------------------------------
    def send_ok(self) -> None:
        self.send_failures = 0

    def send_failed(self) -> None:
        self.send_failures += 1

    def registration(self, state: str, now: datetime) -> None:
        if state in OFF_NETWORK:
            self.off_network_since = self.off_network_since or now
        elif state:
            self.off_network_since = None

    def _port_present(self) -> bool:
        port = self.gateway.modem.settings.port
        return bool(glob.glob(port)) if any(c in port for c in "*?[") else os.path.exists(port)

    def facts(self) -> W.Facts:
        modem = self.gateway.modem
        # the channel, not `ready`: a modem that answers but has no SIM (or wants its PIN) is the
        # board's "SIM" problem for a person, not a wedge for the ladder to reset
        return W.Facts(connected=bool(self.gateway.modem_connected and modem.connected),
                       port_present=self._port_present(), off_network_since=self.off_network_since,
                       send_failures=self.send_failures)

    def _available(self) -> frozenset[str]:
        rungs = set(W.RUNGS)
        device = usb_device(getattr(self.gateway.modem, "port_in_use", self.gateway.modem.settings.port), self.sysfs)
        if device is None or not os.access(device / "authorized", os.W_OK):
            rungs.discard("usb")
        return frozenset(rungs)

    # --- the ladder -----------------------------------------------------------------------------
    def check(self) -> str | None:
        """Climb a rung if the trouble has lasted; returns the rung climbed (or None)."""
        now = self.gateway.ctx.now()
        reason = W.trouble(self.facts(), now, self.settings)
        was = self.state
        self.state, rung = W.decide(self.state, reason, now, self.settings,
                                    self._available() if reason else frozenset(W.RUNGS))
        if reason is None and was.next_rung:
            log.warning("modem healthy again after the watchdog's %s", W.WORDS[W.RUNGS[was.next_rung - 1]])
        if rung is not None:
            self.climb(rung, reason or "", now)
        return rung

    def climb(self, rung: str, reason: str, now: datetime) -> None:
        gateway = self.gateway
        self.climbed += 1
        words = W.WORDS[rung]
        log.error("modem watchdog: %s (%s)", words, reason)
        with gateway.ctx.atomic():
            gateway.health.heartbeat(watchdog_step=words, watchdog_count=self.climbed, watchdog_at=now,
                                     watchdog_reason=reason[:200])
            audit.record("modem-watchdog", now, actor="gateway", summary=f"modem watchdog: {words} ({reason})"[:200])
        self.send_failures = 0
        if rung == "exit":
            gateway.exit_code = EXIT_WEDGED
            gateway.loop.stop()
            return
        modem = gateway.modem
        try:
            if rung == "radio":
                modem.radio_cycle()
            elif rung == "restart":
                modem.restart()
            elif rung == "reopen":
                modem.reopen()
            elif rung == "usb":
                usb_rebind(getattr(modem, "port_in_use", modem.settings.port), self.sysfs, pause=self.usb_pause)
                modem.reconnect()
        except (ModemError, OSError) as exc:
            log.warning("modem watchdog: %s did not work: %s", words, exc)
            return
        if modem.ready and not gateway.modem_connected:
            gateway._modem_up(gateway.ctx.now(), None)
            gateway.sweep()
            gateway.pump()


def settings_from_config(config: Any, *, settle: float | None = None, grace: float | None = None) -> W.Settings:
    base = W.Settings(reregister=timedelta(minutes=config.modem.reregister_minutes))
    if settle is not None:
        base = W.Settings(base.reregister, timedelta(seconds=settle), base.grace)
    if grace is not None:
        base = W.Settings(base.reregister, base.settle, timedelta(seconds=grace))
    return base
