"""`kiosk doctor`: checks everything a kiosk needs and says, for each failure, how to fix it.

Config, database (reachable, writable, integrity, schema), modem (port present, not held by another
process or ModemManager, answers AT, SIM, network, signal), clock against network time, gateway
heartbeat, services, alarm sound. It must never change the database or the config, never send an
SMS, never talk to a modem port another process holds (the gateway's own health row is used
instead), and never print a code word, a phone number or message text.

Result: one `Check` per line, `OK|WARN|FAIL|SKIP  name: detail — fix: ...`; exit status 0 when
all are OK (or skipped), 1 with warnings, 2 with failures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping

from kiosk.clock import Clock, ensure_utc
from kiosk.config import Config, ConfigError, find_config, load_config
from kiosk.devices.speaker import find_player
from kiosk.ops.checks import FAIL, OK, SKIP, WARN, Check, exit_code, verdict  # noqa: F401 - the CLI reads them here
from kiosk.ops.doctor_database import check_database, check_postgres, read_health_row  # noqa: F401 - tests too
from kiosk.devices.errors import ModemError
from kiosk.devices.modem import Modem, settings_from_config
from kiosk.domain.link import link_state
from kiosk.services.sms_health import doctor_lines
from kiosk.store.db import is_postgres

CLOCK_TOLERANCE = timedelta(minutes=5)
SERVICES = ("kiosk-gateway.service", "kiosk-ui.service")


@dataclass
class Host:
    """What the doctor asks of the machine; tests replace parts of it."""

    proc: Path = Path("/proc")
    run: Callable[[list[str]], tuple[int, str]] | None = None
    which: Callable[[str], str | None] = shutil.which
    own_pid: int = field(default_factory=os.getpid)
    systemd: bool | None = None  # None: look (PID 1 is systemd and systemctl exists)

    def command(self, argv: list[str]) -> tuple[int, str]:
        if self.run is not None:
            return self.run(argv)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError) as exc:
            return 127, str(exc)
        return done.returncode, (done.stdout or done.stderr).strip()

    def systemd_runs(self) -> bool:
        if self.systemd is not None:
            return self.systemd
        try:
            pid1 = (self.proc / "1" / "comm").read_text().strip()
        except OSError:
            return False
        return pid1 == "systemd" and self.which("systemctl") is not None


# --- config --------------------------------------------------------------------------------------

def check_config(path: str | None, env: Mapping[str, str]) -> tuple[Check, Config]:
    try:
        found = find_config(path, env)
        config = load_config(path, env)
    except ConfigError as exc:
        where = f"edit {exc.source}" if exc.source else "edit the config file"
        what = f" and correct {exc.key}" if exc.key else ""
        return (Check(FAIL, "config", str(exc),
                      f"{where}{what} (every key and its default: data/kiosk.example.toml); "
                      "the other checks below use the built-in defaults"), Config())
    source = str(found) if found else "none found, built-in defaults"
    return Check(OK, "config", f"valid ({source})"), config


# --- database ------------------------------------------------------------------------------------

# --- modem ---------------------------------------------------------------------------------------

def holders(device: str, host: Host) -> list[tuple[int, str]]:
    """(pid, command name) of every other process with `device` open, from /proc/*/fd."""
    try:
        target = os.path.realpath(device)
    except OSError:
        return []
    found = []
    try:
        entries = list(host.proc.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == host.own_pid:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:  # another user's process, or gone
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == target:
                    try:
                        name = (entry / "comm").read_text().strip()
                    except OSError:
                        name = "?"
                    found.append((int(entry.name), name))
                    break
            except OSError:
                continue
    return found


def check_modem_manager(host: Host) -> Check:
    if not host.systemd_runs():
        return Check(SKIP, "ModemManager", "not checked (systemd is not running here)")
    code, out = host.command(["systemctl", "is-active", "ModemManager.service"])
    if out.strip() == "active":
        return Check(WARN, "ModemManager", "ModemManager is running and may grab the modem",
                     "install the udev rule (ID_MM_DEVICE_IGNORE, systemd/99-kiosk-modem.rules) or "
                     "sudo systemctl disable --now ModemManager")
    return Check(OK, "ModemManager", "not running")


def _from_health_row(row: Any, now: datetime) -> list[Check]:
    """The gateway holds the port: report the modem as it last saw it."""
    checks = [Check(OK, "modem answers", f"in use by the kiosk gateway (pid {row.pid}); "
                    f"status from its health row ({_age(now, row.heartbeat_at)} old)")]
    checks += _sim_network_signal(row.sim_state or "unknown", row.registration or "unknown",
                                  row.signal_bars, row.signal_dbm, row.operator or "")
    if getattr(row, "clock_warning", None):
        checks.append(Check(WARN, "clock", row.clock_warning,
                            "turn on time sync: sudo timedatectl set-ntp true"))
    else:
        checks.append(Check(OK, "clock", "the gateway compares it with network time and reports no problem"))
    return checks


def _age(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "never"
    seconds = int((now - then).total_seconds())
    return f"{seconds} s" if abs(seconds) < 120 else f"{seconds // 60} min"


def _sim_network_signal(sim: str, registration: str, bars: int | None, dbm: int | None,
                        operator: str) -> list[Check]:
    checks = []
    if sim == "ready":
        checks.append(Check(OK, "SIM", "ready"))
    elif sim == "absent":
        checks.append(Check(FAIL, "SIM", "no SIM card", "power off, insert the SIM (contacts down, notch as "
                                                         "marked), power on"))
    elif sim == "PIN required":
        checks.append(Check(FAIL, "SIM", "SIM PIN required",
                            'set modem.pin = "1234" (your PIN) in the config, or remove the PIN in a phone'))
    elif sim == "PIN rejected":
        checks.append(Check(FAIL, "SIM", "the configured PIN was refused (kiosk will not retry it)",
                            "correct modem.pin; if the SIM is locked (PUK), unlock it in a phone first"))
    elif sim.startswith("PUK"):
        checks.append(Check(FAIL, "SIM", "SIM PUK required (locked after wrong PINs)",
                            "unlock it in a phone with the PUK from the network, then set modem.pin"))
    else:
        checks.append(Check(FAIL, "SIM", f"not ready ({sim})", "reseat the SIM with the power off"))
    if registration in ("home", "roaming"):
        checks.append(Check(OK, "network", f"registered ({registration}{', ' + operator if operator else ''})"))
    else:
        checks.append(Check(FAIL, "network", f"not registered ({registration})",
                            "check the SIM is active and has credit, the antenna is fitted, and the "
                            "network covers this room"))
    if not bars:
        checks.append(Check(FAIL, "signal", "no signal",
                            "fit the antenna, move the modem nearer a window (a USB extension cable helps)"))
    elif bars == 1:
        checks.append(Check(WARN, "signal", f"weak (1/5{f', {dbm} dBm' if dbm is not None else ''})",
                            "move the modem or its antenna nearer a window"))
    else:
        checks.append(Check(OK, "signal", f"{bars}/5" + (f", {dbm} dBm" if dbm is not None else "")))
    return checks


def _clock_check(now: datetime, network: datetime | None) -> Check:
    if network is None:
        return Check(WARN, "clock", "the network gave no time to compare with",
                     "check the system clock by hand (timedatectl) and that NTP is on: sudo timedatectl set-ntp true")
    diff = ensure_utc(now) - ensure_utc(network)
    seconds = abs(diff.total_seconds())
    if abs(diff) > CLOCK_TOLERANCE:
        way = "ahead of" if diff.total_seconds() > 0 else "behind"
        return Check(WARN, "clock", f"system clock is {seconds / 60:.0f} min {way} network time",
                     "turn on time sync (sudo timedatectl set-ntp true) or set it: sudo date -s '<network time>'")
    return Check(OK, "clock", f"within {seconds:.0f} s of network time")


def check_modem(config: Config, port: str | None, clock: Clock, host: Host, health_row: Any,
                modem_factory: Callable[..., Any] | None = None) -> list[Check]:

    settings = settings_from_config(config.modem, **({"port": port} if port else {}))
    device = settings.port
    if not os.path.exists(device):
        return [Check(FAIL, "modem port", f"{device} does not exist",
                      "plug the modem in; ls -l /dev/kiosk-modem /dev/ttyUSB* /dev/ttyACM*; install the udev "
                      "rule (systemd/99-kiosk-modem.rules) or set modem.port in the config")]
    checks = [Check(OK, "modem port", f"{device}" + (f" -> {os.path.realpath(device)}"
                                                     if os.path.realpath(device) != device else ""))]
    held = holders(device, host)
    if held:
        gateway_pid = getattr(health_row, "pid", None) if health_row is not None else None
        if gateway_pid and any(pid == gateway_pid for pid, _ in held):
            return checks + [Check(OK, "modem free", "held by the kiosk gateway, as it should be")] + \
                _from_health_row(health_row, clock.now())
        who = ", ".join(f"{name} (pid {pid})" for pid, name in held)
        return checks + [Check(FAIL, "modem free", f"{device} is held by {who}",
                               "stop that process (ModemManager: sudo systemctl disable --now ModemManager; "
                               "the udev rule's ID_MM_DEVICE_IGNORE keeps it away); the modem checks are "
                               "skipped while another process holds the port")]
    checks.append(Check(OK, "modem free", "no other process has the port open"))
    make = modem_factory or (lambda: Modem(settings=settings, clock=clock))
    modem = make()
    try:
        try:
            modem.open()
        except ModemError as exc:
            return checks + [Check(FAIL, "modem answers", f"no answer to AT: {exc}",
                                   f"check modem.baudrate ({settings.baudrate}), that {device} is the modem's AT "
                                   "port (some modems have several), and unplug/replug it")]
        status = modem.status()
        ident = " ".join(x for x in (status.manufacturer, status.model) if x)
        checks.append(Check(OK, "modem answers", f"AT ok{' (' + ident + ')' if ident else ''}"))
        checks += _sim_network_signal(status.sim, status.registration, status.signal_bars, status.signal_dbm,
                                      status.operator)
        checks.append(_clock_check(clock.now(), modem.network_time()))
    finally:
        modem.close()
    return checks


# --- gateway, services, sound ----------------------------------------------------------------------

def check_heartbeat(row: Any, now: datetime, stale_seconds: int, tz=None) -> list[Check]:

    fix = "sudo systemctl restart kiosk-gateway; see why it stopped: journalctl -u kiosk-gateway -n 50"
    if row is None or getattr(row, "heartbeat_at", None) is None:
        return [Check(FAIL, "gateway", "the gateway has never run on this database",
                      "sudo systemctl enable --now kiosk-gateway (or run kiosk gateway)")]
    state = link_state(row, now, stale_seconds, **({"tz": tz} if tz is not None else {}))
    age = _age(now, row.heartbeat_at)
    stopped = getattr(row, "stopped_at", None)
    if stopped is not None and stopped >= row.heartbeat_at:
        return [Check(FAIL, "gateway", f"stopped {_age(now, stopped)} ago", fix)]
    if now - row.heartbeat_at > timedelta(seconds=stale_seconds):
        return [Check(FAIL, "gateway", f"no heartbeat for {age} (stale after {stale_seconds} s)", fix)]
    checks = [Check(OK, "gateway", f"heartbeat {age} ago (pid {row.pid})")]
    if not state.up:
        checks.append(Check(FAIL, "SMS link", state.reason or "down", "see the modem and SMS checks"))
    for warning in state.warnings:
        if warning == getattr(row, "clock_warning", None):
            continue  # reported by the clock check
        checks.append(Check(WARN, "gateway warning", warning, "see the gateway's log: journalctl -u kiosk-gateway"))
    return checks


def check_sms_path(row: Any, now: datetime, config: Config) -> list[Check]:
    """The loop-back self-test, the modem watchdog, network generation, credit and quota, as the
    running gateway recorded them (kiosk.services.sms_health)."""
    if row is None or getattr(row, "heartbeat_at", None) is None:
        return []

    return [Check(*line) for line in doctor_lines(row, now, config)]


def check_services(host: Host) -> list[Check]:
    if not host.systemd_runs():
        return [Check(SKIP, "services", "not checked (systemd is not running here)")]
    checks = []
    for unit in SERVICES:
        _, enabled = host.command(["systemctl", "is-enabled", unit])
        _, active = host.command(["systemctl", "is-active", unit])
        if enabled.strip() == "enabled" and active.strip() == "active":
            checks.append(Check(OK, unit, "enabled and running"))
        else:
            checks.append(Check(FAIL, unit, f"{enabled.strip() or 'unknown'}, {active.strip() or 'unknown'}",
                                f"sudo systemctl enable --now {unit}; journalctl -u {unit} -n 50"))
    return checks


def check_sound(config: Config, host: Host) -> Check:
    sound = config.sound
    if not sound.enabled:
        return Check(WARN, "alarm sound", "switched off (sound.enabled = false)",
                     "set sound.enabled = true so a red alarm is heard at reception")
    found = find_player(sound.command, sound.device, which=host.which, run=host.command)
    if found.exe is None:
        return Check(FAIL, "alarm sound", f"player {found.program or '(none)'!r} not found",
                     "sudo apt-get install alsa-utils, or set sound.command")
    if found.no_card:
        return Check(WARN, "alarm sound", "aplay lists no sound card",
                     "plug in a USB speaker or enable the audio output (dtparam=audio=on), then aplay -l")
    return Check(OK, "alarm sound", f"{Path(found.exe).name}" + (f" on {sound.device}" if sound.device else ""))


# --- all of it ---------------------------------------------------------------------------------------

def run_checks(*, clock: Clock, config_path: str | None = None, db_path: str | Path | None = None,
               port: str | None = None, env: Mapping[str, str] | None = None, host: Host | None = None,
               modem_factory: Callable[..., Any] | None = None) -> list[Check]:
    env = os.environ if env is None else env
    host = host or Host()
    config_check, config = check_config(config_path, env)
    checks = [config_check]

    target = db_path if db_path else config.database.target(env)
    if is_postgres(target):
        checks += check_postgres(str(target))
    else:
        target = Path(target)
        checks += check_database(target)
    row = read_health_row(target)
    checks.append(check_modem_manager(host))
    checks += check_modem(config, port, clock, host, row, modem_factory)
    checks += check_heartbeat(row, clock.now(), config.gateway.heartbeat_stale_seconds, config.tz)
    checks += check_sms_path(row, clock.now(), config)
    checks += check_services(host)
    checks.append(check_sound(config, host))
    return checks
