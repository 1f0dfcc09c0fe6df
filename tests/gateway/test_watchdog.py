"""The modem watchdog end to end: the real gateway and driver over a pty to kiosk's simulator, each
rung of the reset ladder climbed by a simulated wedge, and no message lost on the way (a text
stored on the SIM during the wedge is received after it; a text queued during it is sent).

Timeouts are cut (probe 0.2 s, commands 0.5 s) so a wedged modem costs little real time; the
watchdog's settle and grace are seconds of the test's clock."""

from __future__ import annotations

import os
from pathlib import Path
from dataclasses import replace
from datetime import timedelta

import pytest

from kiosk.domain import watchdog as W
from kiosk.gateway import runner
from kiosk.gateway import watchdog as gw_watchdog
from kiosk.gateway.service import GatewaySettings
from kiosk.services import outbox
from kiosk.store.models import Event, GatewayHealth, Message

ANN, HEAD = "+447700900001", "+447700900100"


@pytest.fixture(autouse=True)
def quick_modem(monkeypatch):
    real = runner.modem_settings
    monkeypatch.setattr(runner, "modem_settings", lambda config, port: replace(
        real(config, port), probe_timeout=0.2, command_timeout=0.5, list_timeout=1.0, send_timeout=1.0,
        prompt_timeout=0.5, reconnect_min=1.0, reconnect_max=5.0))


def start(start_gateway, sysfs=None):
    g = start_gateway()
    g.gateway.watchdog.settings = W.Settings(reregister=timedelta(minutes=5), settle=timedelta(seconds=10),
                                             grace=timedelta(seconds=30))
    if sysfs is not None:
        g.gateway.watchdog.sysfs = Path(sysfs)
    return g


def rungs():
    return [e.summary for e in Event.select().where(Event.kind == "modem-watchdog").order_by(Event.id)]


def meanwhile(g):
    """During the wedge: a text arrives (the SIM stores it) and a text is queued to go out."""
    g.sim.inject_sms(ANN, "HERE")
    with g.ctx.atomic():
        outbox.queue(g.ctx, HEAD, "queued while the modem was wedged", "report")


def nothing_lost(g):
    g.until(lambda: Message.select().where((Message.direction == "in") & (Message.number == ANN)).exists(),
            what="the text stored during the wedge received", advance=1, timeout=20)
    g.until(lambda: "queued while the modem was wedged" in g.sent_to(HEAD), what="the queued text sent",
            advance=1, timeout=20)
    assert g.sim.stored() == {}


def wedged(g):
    return lambda: not g.gateway.modem_connected


def test_rung_1_radio_off_and_on_clears_a_modem_that_answers_nothing_but_cfun(start_gateway):
    g = start(start_gateway)
    g.sim.wedge("cfun")
    meanwhile(g)
    g.until(lambda: rungs(), what="the first rung", advance=5, timeout=30)
    assert rungs()[0].startswith("modem watchdog: radio off and on (modem does not answer)")
    radio_off = g.gateway.modem.quirks.radio_off  # the quirks table's way: AT+CFUN=4 on a SIM800
    assert radio_off in ("AT+CFUN=0", "AT+CFUN=4") and radio_off in g.sim.commands and not g.sim.wedged
    g.until(lambda: g.gateway.modem_connected, what="modem back", advance=1)
    nothing_lost(g)
    row = GatewayHealth.get_by_id(1)
    assert (row.watchdog_step, row.watchdog_count) == ("radio off and on", 1)


def test_rung_1_re_registers_a_modem_that_lost_the_network(start_gateway):
    g = start(start_gateway)
    g.sim.lose_registration()
    g.until(lambda: GatewayHealth.get_by_id(1).registration == "not registered", what="off the network",
            advance=5)
    g.clock.advance(minutes=5)
    g.until(lambda: rungs(), what="the first rung", advance=5, timeout=30)
    assert "off the network" in rungs()[0] and "radio off and on" in rungs()[0]
    g.until(lambda: GatewayHealth.get_by_id(1).registration == "home", what="registered again", advance=5)


def test_rung_2_restart_clears_a_modem_that_only_a_restart_reaches(start_gateway):
    g = start(start_gateway)
    g.sim.wedge("restart")
    meanwhile(g)
    g.until(lambda: len(rungs()) >= 2, what="the second rung", advance=5, timeout=60)
    assert "radio off and on" in rungs()[0] and "modem restarted (AT+CFUN=1,1)" in rungs()[1]
    assert not g.sim.wedged
    nothing_lost(g)


def test_rungs_3_and_4_reopen_then_usb_re_bind_through_sysfs(start_gateway, tmp_path, monkeypatch):
    """A hung modem: the radio and restart commands get no answer, nor does a reopened port; the USB
    re-bind (sysfs `authorized` 0 then 1: the kernel drops the device and finds it again) does it."""
    g = start(start_gateway)
    sysfs = tmp_path / "sys"
    device = sysfs / "devices" / "usb1" / "1-1"
    (device / "1-1:1.0").mkdir(parents=True)
    (device / "authorized").write_text("1\n")
    (device / "idVendor").write_text("1e0e\n")
    name = os.path.basename(os.path.realpath(g.sim.port))
    (sysfs / "class" / "tty" / name).mkdir(parents=True)
    os.symlink(device / "1-1:1.0", sysfs / "class" / "tty" / name / "device")
    g.gateway.watchdog.sysfs = sysfs
    g.gateway.watchdog.usb_pause = 0
    written = []

    def kernel(path, value):  # the kernel: de-authorised is unplugged, authorised is plugged in again
        path.write_text(value)
        written.append(value)
        if value == "0":
            g.sim.unplug()
        else:
            g.sim.plug(new_name=False)
    monkeypatch.setattr(gw_watchdog, "write_sysfs", kernel)
    g.sim.hang()
    meanwhile(g)
    g.until(lambda: len(rungs()) >= 4, what="the fourth rung", advance=5, timeout=90)
    assert [r.split(" (")[0] for r in rungs()[:4]] == [
        "modem watchdog: radio off and on", "modem watchdog: modem restarted",
        "modem watchdog: port closed and reopened", "modem watchdog: USB device re-bound"]
    assert written == ["0", "1"]
    g.until(lambda: g.gateway.modem_connected, what="modem back after the re-bind", advance=1, timeout=30)
    nothing_lost(g)


def test_last_rung_exits_non_zero_and_a_restarted_gateway_loses_nothing(start_gateway):
    g = start(start_gateway, sysfs="/nonexistent-sysfs")  # no USB device: that rung is passed over
    g.sim.hang()
    meanwhile(g)
    g.until(lambda: g.gateway.loop.stopping, what="the last rung", advance=5, timeout=120)
    assert [r.split(" (")[0] for r in rungs()] == [
        "modem watchdog: radio off and on", "modem watchdog: modem restarted",
        "modem watchdog: port closed and reopened", "modem watchdog: gateway exits for systemd to restart it"]
    assert g.gateway.exit_code == gw_watchdog.EXIT_WEDGED == 3
    assert Message.get(Message.number == HEAD).state == "queued", "still queued, not lost"
    g.close()
    g.sim.reboot()  # what a power cycle or systemd's restart of the gateway meets
    g.gateway, g.db = runner.build_gateway(g.config, g.db_path, g.sim.port, base_clock=g.clock, env={},
                                           synchronised=lambda: None, settings=GatewaySettings.from_config(g.config))
    g.gateway.start()
    g.gateway.first_pass()
    nothing_lost(g)


def test_a_modem_without_its_sim_is_not_reset(start_gateway):
    """No SIM (or a PIN wanted) is for a person to fix; the board and the doctor say so. The ladder
    is for a modem that stops answering."""
    g = start(start_gateway)
    g.sim.set_sim("ABSENT")
    g.sim.reboot()  # it starts again and finds no SIM
    g.until(lambda: not g.gateway.modem.ready, what="the modem without its SIM", advance=1)
    for _ in range(20):
        g.step(10)
    assert not g.gateway.modem.ready and rungs() == []
