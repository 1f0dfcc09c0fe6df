"""The modem's upkeep for the SMS path's health (issue 17): its own number (AT+CNUM), the SIM's
credit by USSD (AT+CUSD), and the rungs of the watchdog's reset ladder that need the modem: radio
off and on, restart (AT+CFUN=1,1) and reopening the port.

A mixin of kiosk.devices.modem.Modem (it uses the driver's channel, lock and bookkeeping), kept apart
so the driver's SMS path stays readable. kiosk.gateway.watchdog decides when to climb a rung; each
rung raises ModemError if the modem cannot be reached, and none touches a stored or queued message.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import TYPE_CHECKING

from kiosk.clock import Clock
from kiosk.devices import at_network
from kiosk.devices.at_channel import AtChannel
from kiosk.devices.errors import CommandError, ModemError
from kiosk.devices.modem_config import ModemSettings
from kiosk.devices.quirks import Quirks

log = logging.getLogger("kiosk.devices.modem")


class ModemUpkeep:
    """Own number, USSD and the reset rungs (see the module docstring)."""

    if TYPE_CHECKING:  # what the mixin uses of kiosk.devices.modem.Modem, for the type checker
        settings: ModemSettings
        clock: Clock
        quirks: Quirks
        _channel: AtChannel
        _cmd_lock: threading.RLock
        _ussd: queue.Queue[str]
        _next_attempt: float

        @property
        def ready(self) -> bool: ...
        def reconnect(self) -> bool: ...
        def _came_back(self) -> None: ...
        def _connect(self) -> None: ...
        def _teardown(self) -> None: ...
        def _drop_connection(self, reason: str) -> None: ...
        def _initialise(self) -> None: ...
        def _command(self, command: str, *, timeout: float | None = None,
                     payload: str | None = None) -> list[str]: ...
        def _execute(self, command: str, *, timeout: float, payload: str | None = None) -> list[str]: ...

    def own_number(self) -> str | None:
        """The SIM's number (AT+CNUM), None when the SIM does not store it."""
        return at_network.own_number(self._command) if self.ready else None

    def ussd(self, code: str, *, timeout: float = 20.0) -> at_network.Ussd | None:
        """Ask the network (AT+CUSD) and wait for its answer; None when the modem or network cannot
        (many 4G modems refuse USSD): a fact to show, never a failure of the SMS path."""
        while not self._ussd.empty():
            self._ussd.get_nowait()
        try:
            lines = self._command(at_network.ussd_command(code), timeout=timeout)
        except CommandError as exc:
            log.info("USSD refused by the modem: %s", exc.reply)
            return None
        for line in lines:  # some modems answer before OK, most as an unsolicited +CUSD after it
            answer = at_network.parse_cusd(line)
            if answer is not None:
                return answer
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                answer = at_network.parse_cusd(self._ussd.get(timeout=left))
            except queue.Empty:
                break
            if answer is not None:
                return answer
        return None

    def radio_cycle(self) -> None:
        """Rung 1: radio off and on (AT+CFUN=0 then 1, or the model's way), then initialise again:
        what re-registers a modem that dropped off the network or stopped answering. Works on a
        modem the driver has given up on too (the port is opened without initialising first)."""
        with self._cmd_lock:
            try:
                if not self._channel.connected:
                    self._connect()
                self._execute(self.quirks.radio_off, timeout=self.settings.command_timeout)
                self._execute(self.quirks.radio_on, timeout=self.settings.command_timeout)
                self._initialise()
            except ModemError:
                self._teardown()
                raise
            self._gone_reported = False
        self._came_back()

    def restart(self) -> None:
        """Rung 2: restart the modem (AT+CFUN=1,1). It goes away (a USB modem's port may vanish)
        and ensure_open() brings it back with the usual ModemGone/ModemBack."""
        with self._cmd_lock:
            try:
                if not self._channel.connected:
                    self._connect()
                self._execute(self.quirks.restart, timeout=self.settings.command_timeout)
            finally:
                self._drop_connection("restarted by the watchdog")
        self._next_attempt = self.clock.monotonic()  # try again at once, then back off as usual

    def reopen(self) -> bool:
        """Rung 3: close the port and open it again now. True when the modem answers."""
        self._drop_connection("port closed and reopened by the watchdog")
        return self.reconnect()

    @property
    def port_in_use(self) -> str:
        """The device node actually opened (the udev name may be a symlink to it)."""
        return self._channel.port_used or self.settings.port
