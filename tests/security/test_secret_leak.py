"""Secrets: after a full day with duress, no code word appears anywhere but the two code-word
columns. Issue 8: "code words never appear in clear on the board, in logs, exports, backups' file
names, error messages or SMS sent to anyone".

The scenario runs the real CLI (in-process, so its logs are captured too, and one command as a
subprocess for its stderr): staff with standing code words, a visit with its own code word, the
word in a multi-word SMS, a bare one, an accented one, one heard on a call, alarms, alerts queued
and sent, ACK by SMS, acknowledgement at the kiosk, tick, exports, a backup, and commands that fail
on a code word. Then every captured output, every sent SMS, the export files, the backup file
names and every cell of every table except staff.code_word and visit.code_word are searched for
the code words (casefolded, accents removed): zero hits.
"""

from __future__ import annotations

import json
import logging

from kiosk import services as svc
from kiosk.cli import main
from kiosk.config import config_from_mapping
from kiosk.clock import FakeClock
from kiosk.store import open_database
from kiosk.store.models import Message
from tests.conftest import run_kiosk
from tests.gateway.conftest import simulator, start_gateway  # noqa: F401 - fixtures
from tests.gateway.harness import texts
from tests.security.dump import dump, fold, hits

CODE_WORDS = ("bluebird", "kestrel", "wagtail", "kingfisher", "nightjar")
ANN, BOB, HANA, DEE = "+447700900123", "+447700900124", "+447700900200", "+447700900201"
NOW = "2026-11-24T14:00:00+00:00"


class Session:
    def __init__(self, path, capsys, monkeypatch):
        self.path, self.capsys, self.monkeypatch = path, capsys, monkeypatch
        self.seen: list[str] = []
        monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
        self.at(NOW)

    def at(self, instant: str) -> None:
        self.monkeypatch.setenv("KIOSK_NOW", instant)

    def kiosk(self, *argv: str, expect: int = 0) -> str:
        code = main([*argv, "--db", str(self.path)])
        out, err = self.capsys.readouterr()
        self.seen += [out, err]
        assert code == expect, (argv, code, err)
        return out


def test_no_code_word_anywhere_after_a_full_day_with_duress(tmp_path, capsys, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "kiosk.db"
    k = Session(db, capsys, monkeypatch)
    k.kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "Bluebird",
            "--vehicle", "AB12 CDE")
    k.kiosk("staff", "add", "--name", "Bob Cole", "--mobile", "07700 900124", "--code-word", "KESTRÉL")
    k.kiosk("staff", "add", "--name", "Hana Head", "--mobile", "07700 900200", "--alerts", "--approver")
    k.kiosk("staff", "add", "--name", "Dee Lead", "--mobile", "07700 900201", "--alerts")
    k.kiosk("visit", "out", "--staff", "Ann Lee", "--staff", "Bob Cole", "--place", "14 Elm Rd, Luton LU4 9AB",
            "--due", "15:30", "--code-word", "Wagtail", "--approved-by", "HH")
    k.kiosk("staff", "add", "--name", "Cal Day", "--mobile", "07700 900125", "--code-word", "Nightjar")
    k.kiosk("visit", "out", "--staff", "Cal Day", "--place", "3 Oak Rd, Luton LU4 9AB", "--due", "16:00",
            "--approved-by", "HH")

    k.at("2026-11-24T14:10:00+00:00")
    k.kiosk("sms-in", "--from", ANN, "OK", "running", "late", "BLUEBIRD")  # standing word, multi-word
    k.kiosk("sms-in", "--from", BOB, "kestrel")  # a bare code word
    k.kiosk("sms-in", "--from", ANN, "all", "good,", "wágtail!")  # the visit's own word, accented
    k.kiosk("sms-in", "--from", ANN, "bluebirds")  # a word holding the code word: duress, hidden
    k.kiosk("visit", "duress", "3", "--by", "RC", expect=2)  # no such visit: a one-line error
    k.kiosk("visit", "duress", "2", "--by", "RC")  # heard on a call
    sub = run_kiosk("sms-in", "--from", "07700 900125", "--db", str(db), "--", "NIGHTJAR", "help",
                    env={"KIOSK_NOW": "2026-11-24T14:11:00+00:00"})
    assert sub.returncode == 0, sub.stderr
    k.seen += [sub.stdout, sub.stderr]

    k.at("2026-11-24T16:00:00+00:00")
    k.kiosk("tick")
    k.kiosk("board")
    k.kiosk("board", "--json")
    k.kiosk("messages", "--limit", "1000")
    k.kiosk("messages", "--json", "--limit", "1000")
    k.kiosk("alarms")
    alarms = json.loads(k.kiosk("alarms", "--json"))
    assert [a["kind"] for a in alarms].count("duress") >= 4  # "NIGHTJAR help" is duress: the SOS is not applied
    k.kiosk("staff", "list")
    k.kiosk("staff", "list", "--json")

    # the gateway's part: every queued text "sent", then ACK by SMS, then the kiosk acknowledges
    open_database(db)
    ctx = svc.Context(config_from_mapping({}), FakeClock("2026-11-24T16:01:00+00:00"))
    while (msg := svc.next_outgoing(ctx)) is not None:
        assert svc.mark_sending(ctx, msg.id)
        svc.mark_sent(ctx, msg.id, modem_ref=msg.id % 256)
    ctx.db.close()
    first = alarms[-1]["id"]
    k.kiosk("sms-in", "--from", HANA, "ACK", str(first))
    for alarm in alarms:
        if alarm["resolved_at"] is None:
            k.kiosk("ack", str(alarm["id"]), "--by", "RC", "--action", "police", "--ref", "CAD 123")
            k.kiosk("ack", str(alarm["id"]), "--by", "RC", "--action", "stood-down")

    # exports and a backup
    export_file = tmp_path / "ann.json"
    k.kiosk("privacy", "export", "--staff", "1")
    export_file.write_text(k.kiosk("privacy", "export", "--staff", "1"))
    k.kiosk("privacy", "export", "--staff", "5")
    backups = tmp_path / "backups"
    k.kiosk("backup", str(backups))

    # commands that fail on a code word never repeat it
    k.kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900126", "--code-word", "Kingfisher", expect=2)
    k.kiosk("staff", "add", "--name", "Eve Ray", "--mobile", "07700 900123", "--code-word", "Kingfisher", expect=2)
    k.kiosk("staff", "add", "--name", "Eve Ray", "--mobile", "07700 900127", "--code-word", "Kingfisher 2", expect=2)
    k.kiosk("visit", "out", "--staff", "Nobody", "--place", "1 High St", "--due", "16:30",
            "--code-word", "Kingfisher", expect=2)
    bad = run_kiosk("staff", "add", "--name", "Eve Ray", "--mobile", "nonsense", "--code-word", "Kingfisher",
                    "--db", str(db))
    assert bad.returncode == 2
    k.seen += [bad.stdout, bad.stderr]

    assert any("INSERT" in r.getMessage() for r in caplog.records)  # the queries were logged, values not
    sent = [m.text for m in _sent_texts(db)]
    assert len(sent) >= 6 and any("DURESS" in t for t in sent)
    places = {
        "CLI output and errors": "\n".join(k.seen),
        "logs": "\n".join(r.getMessage() for r in caplog.records),
        "sent SMS": "\n".join(sent),
        "export file": export_file.read_text(),
        "backup file names": "\n".join(p.name for p in backups.iterdir()),
    }
    for where, text in places.items():
        found = [w for w in CODE_WORDS if w in fold(text)]
        assert found == [], f"code word in {where}"
    cells = dump(db, skip=frozenset({("staff", "code_word"), ("visit", "code_word")}))
    assert len(cells) > 500
    assert hits(cells, CODE_WORDS) == []
    # the code words are really there, in the only two places allowed (so the search can hit)
    kept = dump(db)
    assert {fold(v) for t, c, v in kept if c == "code_word" and v} == {"bluebird", "kestrel", "wagtail", "nightjar"}


def _sent_texts(db):
    open_database(db)
    try:
        return list(Message.select().where((Message.direction == "out")
                                           & Message.state.in_(("sent", "delivered", "queued"))))
    finally:
        from kiosk.store.db import database_proxy
        database_proxy.obj.close()


def test_the_gateway_logs_and_sends_no_code_word(start_gateway, caplog):
    """Through the real gateway (driver, simulated modem on a pty): a multi-part text with a code
    word, a bare one and a visit reply. Its log lines (DEBUG and up, every logger, peewee's query
    log included) and every SMS it put on the air hold no code word."""
    caplog.set_level(logging.DEBUG)
    g = start_gateway()
    g.sim.inject_sms(G_ANN, "Running late, BLUEBIRD, all fine otherwise. " + "Will text again when I leave. " * 5)
    g.sim.inject_sms(G_BEN, "Marigold")
    g.sim.inject_sms(G_ANN, "OK")
    g.until(lambda: len(g.sent_to(G_HEAD)) >= 2 and len(g.sent_to(G_ANN)) >= 2 and g.sent_to(G_BEN),
            timeout=30, what="alerts and replies on the air")
    assert any("received" in r.getMessage() for r in caplog.records)
    logged = fold("\n".join(r.getMessage() for r in caplog.records))
    on_air = fold("\n".join(texts(g.sim.sent)))
    for word in ("bluebird", "marigold"):
        assert word not in logged and word not in on_air
    assert "duress" in on_air


G_ANN, G_BEN, G_HEAD = "+447700900001", "+447700900002", "+447700900100"
