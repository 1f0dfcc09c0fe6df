"""The gateway service: modem events in, outbox out, the ladder ticking, health and sound on the side.

Order that must never change: an SMS is committed to the database before the driver may delete it
from the modem, and processed (once) only after that; an outgoing SMS is marked `sending` before it
goes to the modem and `sent` after the modem's reference comes back. Everything that touches the
database runs on the loop's thread, except storing a message the modem pushed (+CMT), which must be
committed before the driver's callback returns. Never log SMS text, phone numbers or code words.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, TextIO

from kiosk.config import GatewayConfig, SoundConfig
from kiosk.devices import events as ev
from kiosk.devices.concat import Assembled, Reassembler
from kiosk.devices.errors import ModemError, SendError
from kiosk.devices.pdu import Deliver, StatusReport, sender_of
from kiosk.gateway.health import HealthRecorder
from kiosk.gateway.loop import ClockJump, JobSpec, Loop
from kiosk.gateway.notify import Notifier
from kiosk.gateway.parts import DatabasePartStore
from kiosk.gateway.voice_job import VoiceJob
from kiosk.gateway.selftest_job import SelfTestJob, check_credit
from kiosk.gateway.watchdog import Watchdog, settings_from_config as watchdog_settings
from kiosk.gateway.sound import AlarmFact, SoundPlayer
from kiosk.gateway.timeguard import GuardedClock
from kiosk.services import audit, delivery, inbound, multipart, outbox
from kiosk.services.tick import tick as ladder_tick
from kiosk.services.calls import contact_by_call
from kiosk.services.context import Context
from kiosk.services.undecodable import store_undecodable
from kiosk.store.models import Alarm, Event, Message

log = logging.getLogger("kiosk.gateway")
PUMP_BATCH = 20  # texts sent per pump call before the loop looks at anything else
_GATEWAY, _SOUND = GatewayConfig(), SoundConfig()  # the config file's defaults


@dataclass(frozen=True)
class GatewaySettings:
    """Periods in seconds. What the config file sets (`[gateway]`, `[sound]`) defaults to the config's
    own defaults (kiosk.config, the one place they are written); the rest are the gateway's pacing."""

    tick_seconds: float = _GATEWAY.tick_seconds
    health_seconds: float = _GATEWAY.health_seconds
    sweep_seconds: float = _GATEWAY.sweep_seconds
    pump_seconds: float = 2
    heartbeat_seconds: float = 30  # a third of heartbeat_stale_seconds: few writes, the UI reloads rarely
    sound_seconds: float = 1
    selftest_seconds: float = 5  # pick up `kiosk selftest` requests, notice the text coming back
    watchdog_seconds: float = 10  # the modem watchdog looks this often (kiosk.gateway.watchdog)
    watchdog_settle: float = 30  # trouble this long before the first rung
    watchdog_grace: float = 90  # each rung's time to work before the next
    sysfs: str = "/sys"  # where the USB re-bind looks for the modem's device (tests: a fake tree)
    usb_pause: float = 2.0
    heartbeat_stale_seconds: float = _GATEWAY.heartbeat_stale_seconds
    reassembly_timeout_seconds: float = 600  # not in the config file: parts of a long SMS wait this long
    purge_at: str = "03:00"  # not in the config file: the nightly retention purge
    call_confirm_sms: bool = _GATEWAY.call_confirm_sms
    sound_enabled: bool = _SOUND.enabled
    sound_command: str = _SOUND.command
    sound_device: str | None = _SOUND.device or None

    @classmethod
    def from_config(cls, config: Any) -> "GatewaySettings":
        gw = getattr(config, "gateway", None)
        snd = getattr(config, "sound", None)
        values: dict[str, Any] = {}
        for name in ("tick_seconds", "health_seconds", "sweep_seconds", "heartbeat_stale_seconds", "call_confirm_sms"):
            if gw is not None and getattr(gw, name, None) is not None:
                values[name] = getattr(gw, name)
        if snd is not None:
            for ours, theirs in (("sound_enabled", "enabled"), ("sound_command", "command"),
                                 ("sound_device", "device")):
                if getattr(snd, theirs, None) is not None:
                    values[ours] = getattr(snd, theirs)
        stale = values.get("heartbeat_stale_seconds", cls.heartbeat_stale_seconds)
        values.setdefault("heartbeat_seconds", max(1.0, stale / 3))
        if values.get("sound_device") == "":
            values["sound_device"] = None
        return cls(**values)


def newest_stored_time() -> datetime | None:
    """The latest time the database has recorded as 'now' (the clock's floor)."""
    values = []
    for field in (Event.at, Message.created_at, Alarm.raised_at):
        row = field.model.select(field).order_by(field.desc()).first()
        if row is not None:
            values.append(getattr(row, field.name))
    return max(values) if values else None


class Gateway:
    """One gateway run: `start()`, then `loop.run()` (or `loop.step()` in tests), then `close()`."""

    def __init__(self, ctx: Context, modem_factory: Callable[[Callable[[ev.ModemEvent], None]], Any], *,
                 clock: GuardedClock, settings: GatewaySettings, port: str = "",
                 player: SoundPlayer | None = None, notifier: Notifier | None = None,
                 purge: Callable[[Context], object] | None = None, out: TextIO | None = None,
                 jump_threshold: float = 30.0) -> None:
        self.ctx = ctx
        self.clock = clock
        self.settings = settings
        self.port = port
        self.player = player
        self.notifier = notifier or Notifier({})
        self.purge = purge
        self.out = out
        self.health = HealthRecorder(clock)
        self.parts = Reassembler(DatabasePartStore(ctx.db),
                                 timeout=timedelta(seconds=settings.reassembly_timeout_seconds))
        self._inbound = threading.RLock()
        self.modem = modem_factory(self.on_modem_event)
        self.modem_connected = False
        self._replies_waiting = False
        self._sweep_lock = threading.Lock()
        self._sweep_queued = False
        self._gone_at: datetime | None = None
        self.selftest = SelfTestJob(ctx, self.modem, self.health)
        self.voice = VoiceJob(self)  # calls about red alarms nobody has taken charge of (issue 18)
        self._selftest_failed: int | None = None
        self.exit_code = 0  # EXIT_WEDGED after the watchdog's last rung: systemd restarts the gateway
        self.watchdog = Watchdog(self, watchdog_settings(ctx.config, settle=settings.watchdog_settle,
                                                         grace=settings.watchdog_grace),
                                 sysfs=settings.sysfs, usb_pause=settings.usb_pause)
        self.loop = Loop(clock, self._jobs(), zone=ctx.tz, jump_threshold=jump_threshold,
                         on_jump=self._on_jump, on_error=self._on_error)
        self.ready = False

    # --- lifecycle -----------------------------------------------------------------------------
    def _jobs(self) -> list[JobSpec]:
        s = self.settings
        jobs = [
            JobSpec("modem", self.keep_modem_open, every_seconds=1, run_at_start=True),
            JobSpec("sweep", self.sweep, every_seconds=s.sweep_seconds, run_at_start=True),
            JobSpec("tick", self.tick, every_seconds=s.tick_seconds, run_at_start=True),
            JobSpec("pump", self.pump, every_seconds=s.pump_seconds, run_at_start=True),
            JobSpec("voice", self.voice.step, every_seconds=1),
            JobSpec("health", self.check_health, every_seconds=s.health_seconds, run_at_start=True),
            JobSpec("heartbeat", self.heartbeat, every_seconds=s.heartbeat_seconds),
            JobSpec("sound", self.update_sound, every_seconds=s.sound_seconds, run_at_start=True),
            JobSpec("selftest", self.selftest_step, every_seconds=s.selftest_seconds, run_at_start=True),
            JobSpec("modem-watchdog", self.watchdog.check, every_seconds=s.watchdog_seconds),
        ]
        if self.ctx.config.selftest.enabled:
            jobs.append(JobSpec("selftest-daily", self.selftest.schedule, daily_at=self.ctx.config.selftest.at))
        if self.ctx.config.modem.balance_ussd:
            jobs.append(JobSpec("credit", self.check_credit, daily_at=self.ctx.config.selftest.at))
        watchdog = self.notifier.watchdog_every()
        if watchdog is not None:  # systemd's watchdog: a ping from the loop's thread proves it turns
            jobs.append(JobSpec("watchdog", self.notifier.watchdog, every_seconds=watchdog, run_at_start=True))
        if self.purge is not None:
            jobs.append(JobSpec("purge", lambda: self.purge(self.ctx), daily_at=s.purge_at))
        return jobs

    def start(self) -> None:
        """Record the start, put interrupted sends back in the queue, open the modem."""
        with self.ctx.atomic():
            self.health.started(pid=os.getpid(), port=self.port)
            requeued = outbox.recover_in_flight(self.ctx)
            audit.record("gateway-started", self.ctx.now(), actor="gateway",
                         summary=f"gateway started (pid {os.getpid()}); {requeued} interrupted send(s) requeued")
        if requeued:
            log.warning("%d message(s) found 'sending' after a crash: queued again", requeued)
        try:
            self.modem.open()
        except Exception as exc:  # noqa: BLE001 - ensure_open keeps trying; the board shows the outage
            self._modem_down(self.ctx.now(), f"modem not available at start: {type(exc).__name__}")
        else:
            self._modem_up(self.ctx.now(), None)
            self.selftest.at_start()
            if self.ctx.config.modem.balance_ussd:
                self.check_credit()

    def keep_modem_open(self) -> None:
        """Reopen a vanished modem (the driver paces its own backoff); notice it coming back."""
        if self.modem.ensure_open() and not self.modem_connected:
            self._modem_up(self.ctx.now(), None)
            self.sweep()
            self.pump()

    def first_pass(self) -> None:
        """Run the start-up jobs once (drain, tick, pump, health), then announce readiness."""
        self.loop.step()
        self.ready = True
        if self.out is not None:
            print("ready", file=self.out, flush=True)
        self.notifier.ready("receiving" if self.modem_connected else "waiting for the modem")
        log.info("ready (modem %s)", "connected" if self.modem_connected else "not connected")

    def run(self) -> None:
        self.start()
        self.first_pass()
        self.loop.run()

    def close(self) -> None:
        """Clean shutdown: the current write is finished (the loop stopped between jobs)."""
        self.notifier.stopping()
        if self.player is not None:
            self.player.close()
        try:
            self.modem.close()
        except Exception:  # noqa: BLE001
            log.warning("modem did not close cleanly")
        with self.ctx.atomic():
            self.health.stopped()
            audit.record("gateway-stopped", self.ctx.now(), actor="gateway", summary="gateway stopped")
        log.info("stopped")

    # --- modem events (driver's thread) --------------------------------------------------------
    def on_modem_event(self, event: ev.ModemEvent) -> None:
        if isinstance(event, ev.MessageReceived):
            if isinstance(event.message, Deliver):
                # +CMT: must be committed before we return (the driver acknowledges after)
                self.store_deliver(event.message, event.fingerprint, event.at)
            else:  # pushed, never on the SIM: this copy is the only one, kept as it came
                with self._inbound:
                    msg, _ = store_undecodable(self.ctx, sender_of(event.raw), event.raw, event.error,
                                               fingerprint=event.fingerprint, received_at=event.at)
                log.error("undecodable pushed SMS kept as message %d: %s", msg.id, event.error)
            return
        if isinstance(event, ev.NetworkTimeReceived):
            self.clock.set_network_time(event.network_time)
            return
        if isinstance(event, (ev.MessageStored, ev.ReportStored)):
            # A burst of 50 texts is 50 notices: one sweep lists them all. A notice that arrives once
            # the queued sweep has started queues another, so none is ever left on the SIM.
            with self._sweep_lock:
                if self._sweep_queued:
                    return
                self._sweep_queued = True
            self.loop.call_soon(self._queued_sweep, type(event).__name__)
            return
        self.loop.call_soon(lambda: self.handle_event(event), type(event).__name__)

    def _queued_sweep(self) -> None:
        with self._sweep_lock:
            self._sweep_queued = False
        self.sweep()

    def handle_event(self, event: ev.ModemEvent) -> None:
        """Modem events on the loop's thread."""
        if isinstance(event, (ev.MessageStored, ev.ReportStored, ev.StorageFull, ev.ModemRebooted)):
            self.sweep()
        elif isinstance(event, ev.ReportReceived):
            if event.report is not None:
                self.delivery_report(event.report)
        elif isinstance(event, ev.IncomingCall):
            self.incoming_call(event.number, event.at)
        elif isinstance(event, ev.KeyPressed):
            self.voice.key(event.key)
        elif isinstance(event, ev.ModemGone):
            self._modem_down(event.at, f"modem gone: {event.reason}"[:200])
        elif isinstance(event, ev.ModemBack):
            if not self.modem_connected:
                self._modem_up(event.at, event.gone_at)
                self.sweep()
                self.pump()
        elif isinstance(event, ev.RegistrationChanged):
            self.watchdog.registration(event.state, event.at)
            self.health.modem(connected=self.modem_connected, registration=event.state)

    def _modem_up(self, at: datetime, gone_at: datetime | None) -> None:
        was = self.modem_connected
        self.modem_connected = True
        gone_at, self._gone_at = gone_at or self._gone_at, None
        with self.ctx.atomic():
            self.health.modem(connected=True, back_at=at)
            if not was and gone_at is not None:
                audit.record("modem-back", at, actor="gateway",
                             summary=f"modem back after {int((at - gone_at).total_seconds())} s")
        if gone_at is not None:
            log.warning("modem back")
        self.check_health()

    def _modem_down(self, at: datetime, reason: str) -> None:
        was = self.modem_connected
        self.modem_connected = False
        self._gone_at = at if was or self._gone_at is None else self._gone_at
        with self.ctx.atomic():
            self.health.modem(connected=False, gone_at=at)
            self.health.error(reason)
            if was:
                audit.record("modem-gone", at, actor="gateway", summary=reason)
        log.error("%s", reason)
        self.notifier.status("modem disconnected")

    # --- inbound -------------------------------------------------------------------------------
    def store_deliver(self, deliver: Deliver, fingerprint: str, received_at: datetime, *,
                      on_loop: bool = False) -> bool:
        """Commit one received SMS (or part); True once it is safe for the driver to delete it.
        `on_loop` (a drain, on the loop's thread): a whole SMS is stored and processed in one
        transaction, one commit instead of two; the sweep pumps the replies after the drain."""
        with self._inbound:
            if deliver.concat is None and on_loop:
                result, created = inbound.receive_and_process(self.ctx, deliver.sender, deliver.text,
                                                              received_at=received_at, fingerprint=fingerprint,
                                                              reraise=False)
                if result.error is not None:  # stored, left `received`: process_pending tries again
                    log.error("message %d stored, processing failed: %s: %s", result.message.id,
                              type(result.error).__name__, result.error)
                    self._on_error("process", result.error)
                elif created:
                    log.info("message %d received and processed", result.message.id)
                self._replies_waiting = True
                return True
            if deliver.concat is None:
                msg, created = inbound.receive_sms(self.ctx, deliver.sender, deliver.text,
                                                   received_at=received_at, fingerprint=fingerprint)
                if created:
                    log.info("message %d received", msg.id)
                    self.loop.call_soon(lambda: self.process(msg.id), "process")
                return True
            with self.ctx.atomic():
                whole = self.parts.add(deliver.sender, deliver, received_at)
                if whole is None:
                    self._scan_partial(deliver)
                    log.info("part %d/%d of a multi-part message stored", deliver.concat.seq,
                             deliver.concat.total)
                else:
                    self._store_whole(whole)
            return True

    def _scan_partial(self, deliver: Deliver) -> None:
        """Safety cannot wait for the last part: a code word or SOS so far is stored and acted on now."""
        key = self.parts.key(deliver.sender, deliver)
        stored = self.parts.store.parts(key) if key else {}
        if not stored:
            return
        fp = multipart.fingerprint(key, min(at for _, at in stored.values()))
        if Message.select().where(Message.fingerprint == fp).exists():
            return
        partial = self.parts.partial_text(key)
        if not multipart.needs_early_action(deliver.sender, partial):
            return
        msg, created = inbound.receive_sms(self.ctx, deliver.sender, partial, received_at=self.ctx.now(),
                                           fingerprint=fp)
        if created:
            log.warning("message %d: acted on before its last part (code word or SOS)", msg.id)
            self.loop.call_soon(lambda: self.process(msg.id), "process")

    def _store_whole(self, whole: Assembled) -> None:
        fp = multipart.fingerprint(whole.key, whole.timestamp)
        msg, created = inbound.receive_sms(self.ctx, whole.sender, whole.text, received_at=whole.timestamp,
                                           fingerprint=fp)
        if created:
            log.info("message %d received (%d/%d parts%s)", msg.id, whole.parts_received, whole.parts_total,
                     ", incomplete" if whole.incomplete else "")
            self.loop.call_soon(lambda: self.process(msg.id), "process")
        else:
            multipart.complete(self.ctx, msg, whole.text)
            log.info("message %d completed (%d/%d parts)", msg.id, whole.parts_received, whole.parts_total)

    def handle_stored(self, stored: ev.StoredMessage) -> bool:
        """The drain handler: True means committed, the driver may delete it."""
        pdu = stored.pdu
        if isinstance(pdu, StatusReport):
            self.delivery_report(pdu)
            return True
        if isinstance(pdu, Deliver):
            return self.store_deliver(pdu, stored.fingerprint, self.ctx.now(), on_loop=True)
        if pdu is not None or not stored.incoming:
            return True  # a stored copy of something sent (SMS-SUBMIT): nothing to keep
        # Read twice by the driver and still undecodable: kept as it came (raw PDU, sender if
        # readable) and committed before the driver may delete it from the SIM.
        with self._inbound:
            msg, created = store_undecodable(self.ctx, sender_of(stored.raw), stored.raw, stored.error,
                                             fingerprint=stored.fingerprint, received_at=self.ctx.now())
        if created:
            log.error("undecodable stored SMS at index %d kept as message %d: %s", stored.index, msg.id,
                      stored.error)
        return True

    def process(self, message_id: int) -> None:
        inbound.process_message(self.ctx, message_id)
        self.pump()

    def process_pending(self) -> None:
        """Messages committed but not processed (a crash in between): process them now."""
        for message_id in inbound.pending(self.ctx):
            self.process(message_id)

    def sweep(self) -> None:
        """Drain the modem's store, expire stale multi-part messages, process what is pending."""
        if self.modem_connected:
            try:
                self.modem.drain(self.handle_stored)
            except ModemError as exc:
                log.warning("sweep: modem did not list its messages: %s", type(exc).__name__)
        with self._inbound:
            with self.ctx.atomic():
                for whole in self.parts.expire(self.ctx.now()):
                    self._store_whole(whole)
        self.process_pending()
        if self._replies_waiting:  # texts processed during the drain: their replies go out now
            self._replies_waiting = False
            while self.pump() >= PUMP_BATCH:
                pass

    def delivery_report(self, report: StatusReport) -> None:
        status = report.status
        if status < 0x20:
            delivery.mark_delivered_by_ref(self.ctx, report.message_ref, ok=True)
        elif status >= 0x40:
            delivery.mark_delivered_by_ref(self.ctx, report.message_ref, ok=False,
                                         error=f"delivery report: status 0x{status:02x}")

    def incoming_call(self, number: str | None, at: datetime) -> None:
        """Missed-call check-in: hang up at once (free for the caller), then count it as contact.
        During our own voice call it is counted all the same, and not hung up here: that would end
        our call too (the call's own hang-up, at its end, rejects it)."""
        if not self.voice.busy:
            try:
                self.modem.hang_up()
            except Exception as exc:  # noqa: BLE001
                log.warning("hang-up failed: %s", type(exc).__name__)
        result = contact_by_call(self.ctx, number, confirm_sms=self.settings.call_confirm_sms)
        log.info("incoming call: %s", result)
        self.pump()

    # --- outbound ------------------------------------------------------------------------------
    def pump(self, limit: int = PUMP_BATCH) -> int:
        """Send what is due from the outbox; returns how many went to the modem. Each message is
        `sending` (committed) before it goes to the modem; `sent` is committed with the next claim
        (or on its own after the last one)."""
        sent = 0
        accepted: tuple[int, int | None] | None = None  # sent by the modem, not yet marked
        if self.voice.busy and outbox.anything_due(self.ctx):
            self.voice.give_way()  # calls never delay a text
        try:
            for _ in range(limit):
                if not self.modem_connected or self.loop.stopping:
                    break
                msg = outbox.claim_next(self.ctx, sent=accepted)
                accepted = None
                if msg is None:
                    break
                try:
                    refs = self.modem.send(msg.number, msg.text, request_report=True)
                except SendError as exc:
                    delivery.mark_failed(self.ctx, msg.id, str(exc), retryable=exc.retryable)
                    if exc.retryable:  # a refused number is not the modem's fault; a timeout may be
                        self.watchdog.send_failed()
                    log.warning("message %d not sent: %s", msg.id, "will retry" if exc.retryable else "permanent")
                    continue
                except ModemError as exc:
                    outbox.recover_in_flight(self.ctx)  # not tried: back in the queue, no attempt burnt
                    self.watchdog.send_failed()
                    log.warning("message %d not sent, modem unavailable: %s", msg.id, type(exc).__name__)
                    break
                accepted = (msg.id, refs[-1] if refs else None)
                self.watchdog.send_ok()
                sent += 1
                log.info("message %d sent", msg.id)
        finally:
            if accepted is not None:
                outbox.mark_sent(self.ctx, *accepted)
        return sent

    # --- the clock-driven jobs -----------------------------------------------------------------
    def tick(self) -> None:
        ladder_tick(self.ctx)
        self.pump()

    def check_health(self) -> None:
        self.clock.refresh_sync()
        status = None
        if self.modem_connected:
            try:
                status = self.modem.status()
                self.clock.set_network_time(self.modem.network_time())
            except Exception as exc:  # noqa: BLE001
                log.warning("modem status failed: %s", type(exc).__name__)
        fields = _status_fields(status) if status is not None else {}
        if status is not None:
            self.watchdog.registration(getattr(status, "registration", "") or "", self.ctx.now())
        fields["sent_this_month"] = outbox.sent_this_month(self.ctx)
        self.health.modem(connected=self.modem_connected, **fields)
        self.heartbeat()

    def heartbeat(self) -> None:
        state = self.clock.state()
        self.health.heartbeat(queue_length=outbox.outbox_size(self.ctx), clock_source=state.source,
                              clock_warning=state.warning,
                              sound_warning=self.player.warning if self.player else None)

    def update_sound(self) -> None:
        if self.player is None:
            return
        rows = Alarm.select(Alarm.id, Alarm.level, Alarm.acknowledged_at).where(Alarm.resolved_at.is_null())
        facts = [AlarmFact(a.id, a.level, a.acknowledged_at is not None, False) for a in rows]
        if self._selftest_failed is not None:  # a self-test not back: chime once at reception, like an amber
            facts.append(AlarmFact(self._selftest_failed, "amber", False, False))
        self.player.update(facts)

    def check_credit(self) -> None:
        if self.modem_connected:
            check_credit(self.modem, self.ctx.config.modem.balance_ussd, self.health, self.ctx.now())

    def selftest_step(self) -> None:
        """Send asked-for self-tests, record what came back, and notice one that did not."""
        if self.selftest.step():
            self.pump()
        failed = self.selftest.failed_key()
        if failed is not None and failed != self._selftest_failed:
            reason = self.selftest.verdict().reason
            with self.ctx.atomic():
                audit.record("selftest-failed", self.ctx.now(), actor="gateway", summary=f"SMS link down: {reason}")
            log.error("SMS link down: %s", reason)
            self.notifier.status("self-test text not received")
        self._selftest_failed = failed

    # --- loop callbacks ------------------------------------------------------------------------
    def _on_jump(self, jump: ClockJump) -> None:
        with self.ctx.atomic():
            audit.record("clock-jump", self.ctx.now(), actor="gateway",
                         summary=f"wall clock jumped {jump.seconds:+.0f} s; jobs rescheduled")

    def _on_error(self, name: str, exc: BaseException) -> None:
        self.health.error(f"{name}: {type(exc).__name__}: {exc}"[:200])


def _status_fields(status: Any) -> dict[str, Any]:
    """ModemStatus -> health row columns (whatever of them the driver reports)."""
    mapping = {
        "signal_bars": ("signal_bars", "bars"),
        "signal_dbm": ("signal_dbm", "dbm"),
        "operator": ("operator",),
        "access_technology": ("access_technology",),
        "registration": ("registration",),
        "sim_state": ("sim_state", "sim"),
        "modem_model": ("model",),
        "last_exchange_at": ("last_exchange", "last_exchange_at"),
    }
    out: dict[str, Any] = {}
    for column, names in mapping.items():
        for name in names:
            value = getattr(status, name, None)
            if value is not None:
                out[column] = value if not isinstance(value, str) else value[:60]
                break
    return out

