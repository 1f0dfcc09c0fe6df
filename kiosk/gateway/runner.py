"""Builds and runs one gateway process: config, database, guarded clock, modem, sound, signals.

The CLI (`kiosk gateway`) and the demo call `run_gateway`. It must exit 0 on SIGTERM/SIGINT after
finishing the current write and closing the modem, and never open the database as the wrong user.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from kiosk.clock import Clock, clock_from_env
from kiosk.config import Config
from kiosk.devices.modem import Modem, ModemSettings, settings_from_config
from kiosk.gateway.notify import Notifier
from kiosk.gateway.service import Gateway, GatewaySettings, newest_stored_time
from kiosk.gateway.sound import SoundPlayer, check_player, ensure_sounds
from kiosk.gateway.timeguard import GuardedClock, timedatectl_synchronised
from kiosk.services.context import Context
from kiosk.store import open_database
from kiosk.store.db import is_postgres
from kiosk.ops.retention import purge

log = logging.getLogger("kiosk.gateway")


def modem_settings(config: Config, port: str | None) -> ModemSettings:
    return settings_from_config(config.modem, **({"port": port} if port else {}))


def sound_cache_dir(db_path: Path | str, env: dict[str, str] | os._Environ, config: Config | None = None) -> Path:
    """$CACHE_DIRECTORY (systemd) or a folder beside the database (a PostgreSQL site: beside where
    its SQLite file would be): writable under the unit's sandbox."""
    cache = env.get("CACHE_DIRECTORY", "").split(":")[0]
    if cache:
        return Path(cache)
    if is_postgres(db_path):
        db_path = (config or Config()).database.resolved_path(env)
    return Path(db_path).expanduser().absolute().parent / "sounds"


def nightly_purge(ctx: Context) -> None:
    """The gateway's nightly job: retention (kiosk.ops.retention); counts only in the log."""

    log.info("retention: %s", purge(ctx, actor="gateway").summary())


def build_gateway(config: Config, db_path: Path | str, port: str | None, *, base_clock: Clock | None = None,
                  out: TextIO | None = None, env: Any = None, synchronised=timedatectl_synchronised,
                  settings: GatewaySettings | None = None) -> tuple[Gateway, Any]:
    env = os.environ if env is None else env
    db = open_database(db_path, create=False)  # NoDatabase: the gateway never makes one (kiosk init does)
    base = base_clock or clock_from_env(env, long_running=True)
    drill = bool(str(env.get("KIOSK_NOW", "")).strip()) and base_clock is None
    clock = GuardedClock(base, floor=newest_stored_time(), synchronised=synchronised, use_network=not drill)
    ctx = Context(config, clock)
    settings = settings or GatewaySettings.from_config(config)
    player = None
    if settings.sound_enabled:
        player = SoundPlayer(ensure_sounds(sound_cache_dir(db_path, env, config)), command=settings.sound_command,
                             device=settings.sound_device)
        player.warning = check_player(settings.sound_command, settings.sound_device)
        if player.warning:
            log.warning("%s", player.warning)
    msettings = modem_settings(config, port)
    gateway = Gateway(ctx, lambda on_event: Modem(settings=msettings, clock=clock, on_event=on_event),
                      clock=clock, settings=settings, port=msettings.port, player=player,
                      notifier=Notifier(env), out=out, purge=nightly_purge)
    return gateway, db


def run_gateway(config: Config, db_path: Path | str, port: str | None, *, out: TextIO | None = None,
                install_signals: bool = True, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the exit code."""
    gateway, db = build_gateway(config, db_path, port, out=out or sys.stdout)
    if install_signals:
        def _stop(signum, _frame):
            log.info("signal %d: stopping after the current step", signum)
            gateway.loop.stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    if stop is not None:
        def stop_when_told() -> None:
            stop.wait()
            gateway.loop.stop()

        threading.Thread(target=stop_when_told, daemon=True, name="gateway-stop").start()
    try:
        gateway.run()
    finally:
        gateway.close()
        db.close()
    if gateway.exit_code:
        log.error("exiting with status %d so that systemd restarts the gateway (the modem watchdog's last rung)",
                  gateway.exit_code)
    return gateway.exit_code
