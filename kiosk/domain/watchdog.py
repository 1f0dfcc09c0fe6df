"""The modem watchdog's reset ladder, as a rule: what is wrong, and which rung to climb now.

Pure: facts and `now` in, a decision out. The gateway (kiosk.gateway.watchdog) gathers the facts and
climbs the rungs. One rung at a time, each given `grace` to work before the next; the first only
after the trouble has lasted `settle` (a blip the driver's own reconnection fixes is not trouble).
Healthy again resets the ladder to the bottom. Rungs the machine cannot do (no USB device in sysfs)
are passed over. The last rung is the gateway's exit, so systemd starts it afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

RUNGS = ("radio", "restart", "reopen", "usb", "exit")
WORDS = {
    "radio": "radio off and on",
    "restart": "modem restarted (AT+CFUN=1,1)",
    "reopen": "port closed and reopened",
    "usb": "USB device re-bound",
    "exit": "gateway exits for systemd to restart it",
}
SEND_FAILURES = 3  # sends failing in a row that count as trouble


@dataclass(frozen=True)
class Facts:
    """What the gateway knows of the modem at one moment."""

    connected: bool  # the driver has the modem initialised and answering
    port_present: bool  # the device node exists (an unplugged modem is not the ladder's to fix)
    registration: str = ""  # as the driver reports it
    off_network_since: datetime | None = None
    send_failures: int = 0  # sends failed in a row (modem errors and timeouts)


@dataclass(frozen=True)
class Settings:
    reregister: timedelta = timedelta(minutes=5)  # [modem] reregister_minutes
    settle: timedelta = timedelta(seconds=30)
    grace: timedelta = timedelta(seconds=90)


@dataclass(frozen=True)
class State:
    """Where on the ladder: `next_rung` is the index of the rung to climb next."""

    trouble_since: datetime | None = None
    next_rung: int = 0
    climbed_at: datetime | None = None


def trouble(facts: Facts, now: datetime, settings: Settings) -> str | None:
    """Why the modem needs a reset, or None."""
    if not facts.connected:
        return "modem does not answer" if facts.port_present else None
    if facts.send_failures >= SEND_FAILURES:
        return f"{facts.send_failures} sends failed in a row"
    if facts.off_network_since is not None and now - facts.off_network_since >= settings.reregister:
        minutes = int((now - facts.off_network_since).total_seconds() // 60)
        return f"off the network for {minutes} min ({facts.registration or 'not registered'})"
    return None


def decide(state: State, reason: str | None, now: datetime, settings: Settings,
           available: frozenset[str] = frozenset(RUNGS)) -> tuple[State, str | None]:
    """(the new state, the rung to climb now or None)."""
    if reason is None:
        return State(), None
    since = state.trouble_since
    if since is None:
        since = now
        state = replace(state, trouble_since=now)
    if now - since < settings.settle:
        return state, None
    if state.climbed_at is not None and now - state.climbed_at < settings.grace:
        return state, None
    index = state.next_rung
    while index < len(RUNGS) and RUNGS[index] not in available:
        index += 1
    if index >= len(RUNGS):
        return replace(state, next_rung=index), None
    return State(state.trouble_since, index + 1, now), RUNGS[index]
