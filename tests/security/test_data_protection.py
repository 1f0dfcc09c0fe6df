"""Subject access and erasure for staff; and no code word anywhere after a full duress scenario.

Issue 8: "export everything held about one member of staff (subject access); erase a former member
of staff's personal data while keeping an anonymised audit trail"; "secret-leak test (after a full
scenario with duress, grep ... sent SMS and a dump of every database column except the staff/visit
code-word columns for the known code word: zero hits)".
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.config import config_from_mapping
from kiosk.services import Context, Refused
from kiosk.services.data_protection import ERASED_TEXT, erase_staff, subject_access
from kiosk.services.staff_admin import set_staff_active
from kiosk.store import open_database
from kiosk.store.models import Event, Message, Staff, Visit, VisitMember

ANN, HANA = "+447700900123", "+447700900200"


@pytest.fixture
def ctx(db_path, clock):
    db = open_database(db_path)
    context = Context(config_from_mapping({}), clock)
    svc.add_staff(context, "Ann Lee", "07700 900123", code_word="bluebird", vehicle_reg="AB12 CDE")
    svc.add_staff(context, "Hana Head", "07700 900200", alerts=True)
    yield context
    db.close()


def _scenario(ctx, clock):
    """Ann goes out, checks in, texts her code word (duress), Hana takes charge, reception acknowledges."""
    visit = svc.sign_out(ctx, ["Ann Lee"], "14 Elm Rd, Luton LU4 9AB", clock.now() + timedelta(hours=1)).visit
    clock.advance(minutes=10)
    svc.sms_in(ctx, ANN, "OK all fine")
    clock.advance(minutes=5)
    svc.sms_in(ctx, ANN, "Running late, BLUEBIRD, sorry")
    svc.tick(ctx)
    svc.sms_in(ctx, HANA, "ACK")
    alarm = svc.list_alarms(ctx, open_only=True)[0]
    svc.acknowledge(ctx, alarm.id, by="RC", action="answered")
    clock.advance(minutes=5)
    svc.mark_back(ctx, visit.id, by="RC")
    return visit


def _dump(db_path, skip=(("staff", "code_word"), ("visit", "code_word"))) -> str:
    conn = sqlite3.connect(db_path)
    out = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
        for column in columns:
            if (table, column) in skip:
                continue
            out += [str(v) for (v,) in conn.execute(f'SELECT "{column}" FROM "{table}"')]
    conn.close()
    return "\n".join(out).casefold()


def test_no_code_word_in_any_column_after_a_duress_scenario(ctx, clock, db_path):
    _scenario(ctx, clock)
    assert Message.select().where(Message.duress == True).count() == 1  # noqa: E712
    assert "bluebird" not in _dump(db_path)
    sent = [m.text.casefold() for m in Message.select().where(Message.direction == "out")]
    assert sent and not any("bluebird" in text for text in sent)
    export = json.dumps(subject_access(ctx, 1)).casefold()
    assert "bluebird" not in export


def test_subject_access_has_everything_about_the_person_and_nothing_secret(ctx, clock):
    visit = _scenario(ctx, clock)
    data = subject_access(ctx, 1, actor="cli:DPO")
    assert data["staff"]["name"] == "Ann Lee" and data["staff"]["code_word_set"] is True
    assert [v["id"] for v in data["visits"]] == [visit.id] and data["visits"][0]["label"] == "Visit 1 · LU4"
    texts = [m["text"] for m in data["messages"] if m["direction"] == "in"]
    assert texts == ["OK all fine", "Running late, [code word], sorry"]
    assert any(a["kind"] == "duress" for a in data["alarms"])
    assert any(e["kind"] == "visit-out" for e in data["events"])
    assert "Elm Rd" not in json.dumps(data)  # the family's address is not the staff member's data
    assert Event.select().where(Event.kind == "subject-access").get().actor == "cli:DPO"


def test_erase_refuses_an_active_member_then_anonymises_and_keeps_the_trail(ctx, clock, db_path):
    visit = _scenario(ctx, clock)
    events_before = Event.select().count()
    with pytest.raises(Refused, match="still active"):
        erase_staff(ctx, 1)
    set_staff_active(ctx, 1, False)
    erase_staff(ctx, 1, actor="cli:DPO")
    ann = Staff.get_by_id(1)
    assert (ann.name, ann.mobile, ann.code_word, ann.vehicle_reg) == ("former staff 1", None, None, "")
    assert all(m.text == ERASED_TEXT for m in Message.select().where(Message.staff == ann))
    assert VisitMember.get(VisitMember.staff == ann).phone_number is None
    assert Visit.get_by_id(visit.id).state == "back"  # the visit's history still adds up
    assert Event.select().count() == events_before + 2  # deactivated + erased: nothing deleted
    dump = _dump(db_path, skip=())
    for personal in ("ann lee", "7700900123", "ab12 cde", "running late", "bluebird"):
        assert personal not in dump, personal


def test_erase_refuses_someone_out_on_a_visit(ctx, clock):
    svc.sign_out(ctx, ["Ann Lee"], "1 Elm Rd LU4 9AB", clock.now() + timedelta(hours=1))
    ann = Staff.get_by_id(1)
    ann.active = False
    ann.save()
    with pytest.raises(Refused, match="open visit"):
        erase_staff(ctx, 1)
    assert Staff.get_by_id(1).name == "Ann Lee"


def test_privacy_cli_exports_json_and_erase_needs_yes(kiosk_cli, ctx, db_path):
    done = kiosk_cli("privacy", "export", "--staff", "1", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["staff"]["name"] == "Ann Lee"
    refused = kiosk_cli("privacy", "erase", "--staff", "1", "--db", str(db_path))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    active = kiosk_cli("privacy", "erase", "--staff", "1", "--yes", "--db", str(db_path))
    assert active.returncode == 1 and "still active" in active.stderr
    missing = kiosk_cli("privacy", "export", "--staff", "99", "--db", str(db_path))
    assert missing.returncode == 2 and "no member of staff 99" in missing.stderr
