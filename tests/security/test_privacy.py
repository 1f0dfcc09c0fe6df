"""Data protection, beyond tests/security/test_data_protection.py: the erased person's number is a
stranger afterwards, a wrong id changes nothing, an alert receiver's export holds the alarm they
took charge of, and the export never carries a terminal control (hostile texts included)."""

from __future__ import annotations

import json

from kiosk import services as svc
from kiosk.cli import main
from kiosk.services.data_protection import erase_staff, subject_access
from kiosk.store.models import Message, Staff
from tests.security.dump import dump, hits
from tests.security.hostile import HOSTILE, forbidden_in
from tests.services.conftest import ANN, HANA


def day_out(school, clock, *, hostile=False):
    visit = school.out(school.ann)
    for text in ("ARRIVED", "OK running late bluebird", *(HOSTILE.values() if hostile else ())):
        clock.advance(seconds=10)
        svc.sms_in(school.ctx, ANN, text)
    alarm = svc.list_alarms(school.ctx)[-1]  # the first: the duress alarm
    svc.sms_in(school.ctx, HANA, f"ACK {alarm.id}")
    for each in svc.list_alarms(school.ctx, open_only=True):
        svc.acknowledge(school.ctx, each.id, by="RC", action="stood-down")
    if svc.board(school.ctx):  # a BACK among the texts was held under red: resolving it closed the visit
        svc.mark_back(school.ctx, visit.id, by="RC")
    return alarm


def run(capsys, monkeypatch, path, *argv):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-24T16:00:00+00:00")
    code = main([*argv, "--db", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_erased_members_number_is_a_stranger_and_no_trace_of_her_is_left(school, clock):
    day_out(school, clock)
    Staff.update(active=False).where(Staff.id == school.ann.id).execute()
    erase_staff(school.ctx, school.ann.id)
    assert hits(dump(school.path), ("Ann Lee", ANN, "07700 900123", "AB12 CDE")) == []
    result = svc.sms_in(school.ctx, ANN, "OUT 1 High St UNTIL 17:00")
    assert result.message.state == "ignored" and result.reply is None
    assert Message.select().where((Message.direction == "out") & (Message.number == ANN)).count() == 0


def test_an_alert_receivers_export_has_the_alarm_they_took_charge_of(school, clock):
    alarm = day_out(school, clock)
    record = subject_access(school.ctx, school.hana.id)
    assert [(a["id"], a["took_charge"]) for a in record["alarms"]] == [(alarm.id, True)]
    assert {m["number"] for m in record["messages"]} == {HANA}
    assert "bluebird" not in json.dumps(record).lower()


def test_a_wrong_id_is_exit_2_and_changes_nothing(school, clock, capsys, monkeypatch):
    day_out(school, clock)
    school.db.close()
    before = dump(school.path)
    for argv in (["privacy", "export", "--staff", "99"], ["privacy", "erase", "--staff", "99", "--yes"],
                 ["privacy", "erase", "--staff", "x", "--yes"]):
        code, out, err = run(capsys, monkeypatch, school.path, *argv)
        assert code == 2 and out == "" and len(err.splitlines()) == 1, (argv, err)
    assert dump(school.path) == before


def test_the_export_prints_no_terminal_controls_and_keeps_the_exact_texts(school, clock, capsys, monkeypatch):
    day_out(school, clock, hostile=True)
    school.db.close()
    code, out, err = run(capsys, monkeypatch, school.path, "privacy", "export", "--staff", "1")
    assert code == 0, err
    assert forbidden_in(out) == []
    texts = {m["text"] for m in json.loads(out)["messages"]}
    assert HOSTILE["osc-clipboard"] in texts and HOSTILE["bidi-rlo"] in texts and HOSTILE["c1-csi"] in texts
