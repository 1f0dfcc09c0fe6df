"""The gateway's voice calls about red alarms (issue 18): one call at a time, and texts first.

Each step either starts the next call (kiosk.services.voice decides whom), or follows the one in
progress: hung up after [voice] ring_seconds of ringing; once answered, the receiver has as long
again to press 1 (an ACK by them), else it is logged "answered, no key" and hung up; a text waiting
to be sent cuts the call short (sending wins, the call comes round again next round). Every call is
recorded on the alarm before it is dialled and when it ends. The state of a call in progress is
only in memory: after a restart the call it was on is simply over (its dialling is on the record).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.devices.errors import ModemError
from kiosk.services import outbox, voice

log = logging.getLogger(__name__)


@dataclass
class _Call:
    plan: voice.CallPlan
    started: datetime
    answered_at: datetime | None = None
    keys: list[str] = field(default_factory=list)


class VoiceJob:
    def __init__(self, gateway) -> None:
        self.g = gateway
        self.call: _Call | None = None
        self._keys_lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self.call is not None

    def key(self, key: str) -> None:
        """A key pressed on our call (the driver's KeyPressed, on the loop's thread)."""
        with self._keys_lock:
            if self.call is not None:
                self.call.keys.append(key)

    def step(self) -> None:
        g, ctx = self.g, self.g.ctx
        if self.call is None:
            if not g.modem_connected or outbox.anything_due(ctx):
                return  # sending wins: a call waits for the queue to empty
            settings = voice.settings_of(ctx, can_dial=bool(getattr(g.modem.quirks, "can_dial", False)))
            plan = voice.next_call(ctx, settings)
            if plan is None:
                return
            voice.dialled(ctx, plan)
            try:
                g.modem.dial(plan.number)
            except (ModemError, ValueError) as exc:
                voice.ended(ctx, plan, f"failed: {exc}"[:200])
                log.warning("call about alarm %d not placed: %s", plan.alarm_id, type(exc).__name__)
                return
            self.call = _Call(plan, ctx.now())
            log.info("ringing a receiver about alarm %d", plan.alarm_id)
            return
        self._follow(self.call)

    def _follow(self, call: _Call) -> None:
        g, ctx = self.g, self.g.ctx
        now = ctx.now()
        ring = voice.settings_of(ctx).ring
        with self._keys_lock:
            keys, call.keys = call.keys, []
        for key in keys:
            if voice.key_pressed(ctx, call.plan, key) is not None:
                self._end(call, f"answered, key {key}: took charge", hang_up=True)
                return
            voice.ended(ctx, call.plan, f"key {key} pressed (only 1 takes charge)")
        try:
            state = g.modem.call_state() if g.modem_connected else None
        except ModemError:
            state = None
        seconds = int((now - call.started).total_seconds())
        if state is None:
            self._end(call, f"answered, no key, ended after {seconds} s" if call.answered_at
                      else f"not answered: ended by the network after {seconds} s", hang_up=False)
            return
        if state == "answered" and call.answered_at is None:
            call.answered_at = now
        if outbox.anything_due(ctx):
            self._end(call, f"cut short after {seconds} s: a text to send first", hang_up=True)
            return
        if call.answered_at is not None:
            if now >= call.answered_at + ring:
                self._end(call, "answered, no key", hang_up=True)
        elif now >= call.started + ring:
            self._end(call, f"rang {seconds} s, no answer", hang_up=True)

    def give_way(self) -> None:
        """A text is about to be sent: end the call in progress first (sending wins; the receiver
        is rung again in the next round)."""
        call = self.call
        if call is not None:
            seconds = int((self.g.ctx.now() - call.started).total_seconds())
            self._end(call, f"cut short after {seconds} s: a text to send first", hang_up=True, pump=False)

    def _end(self, call: _Call, what: str, *, hang_up: bool, pump: bool = True) -> None:
        if hang_up:
            try:
                self.g.modem.hang_up()
            except ModemError as exc:
                log.warning("hang-up after a call failed: %s", type(exc).__name__)
        self.call = None
        voice.ended(self.g.ctx, call.plan, what)
        log.info("call about alarm %d: %s", call.plan.alarm_id, what)
        if pump:
            self.g.pump()
