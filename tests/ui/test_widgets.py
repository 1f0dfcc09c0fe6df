"""The board's pieces as pure text: the SMS link strip, the amber banner, status words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from kiosk.domain.link import link_state
from kiosk.services.board_view import AlarmLine, Link
from kiosk.widgets.banner import amber_text
from kiosk.widgets.look import CONSOLE, FULL, status_cell, status_word
from kiosk.widgets.status import link_text

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
LONDON = ZoneInfo("Europe/London")


def health(**fields):
    base = dict(heartbeat_at=NOW - timedelta(seconds=20), stopped_at=None, modem_connected=True,
                registration="home", signal_bars=3, queue_length=2, clock_warning=None, sound_warning=None,
                modem_gone_at=None, operator="Vodafone UK")
    return SimpleNamespace(**{**base, **fields})


def test_link_up_shows_signal_network_queue_and_last_contact():
    row = health()
    text = link_text(Link(link_state(row, NOW), 3, "Vodafone UK", 2, row.heartbeat_at), NOW, FULL).plain
    assert text == " ● SMS link up  signal 3/5 · Vodafone UK · queue 2 · gateway now"


def test_stale_heartbeat_is_sms_link_down_with_the_reason():
    row = health(heartbeat_at=NOW - timedelta(minutes=5))
    text = link_text(Link(link_state(row, NOW, 90), 3, "Vodafone UK", 0, row.heartbeat_at), NOW, CONSOLE).plain
    assert text.startswith(" X SMS LINK DOWN  no heartbeat from the gateway since 13:55 UTC")
    assert text.endswith("gateway 5m ago") and text.isascii()


def test_every_status_is_a_word_and_a_symbol_ascii_on_the_console():
    for level, kinds, word in (("red", ("duress",), "DURESS"), ("red", ("no-reply", "overdue"), "NO REPLY"),
                               ("amber", ("missed-check-in",), "NO CHECK-IN"), ("due-soon", (), "DUE SOON"),
                               ("ok", (), "OK")):
        assert status_word(level, kinds) == word
        full, console = status_cell(level, kinds, FULL, (0,)).plain, status_cell(level, kinds, CONSOLE, (0,)).plain
        assert full.endswith(word) and console.endswith(word) and console.isascii() and full != word


def test_amber_banner_has_the_number_to_ring_and_skips_visits_already_red():
    amber = AlarmLine(1, "amber", "overdue", 4, ("Eve Fox",), ("07700 900126",), NOW, None, None)
    red_visit_amber = AlarmLine(2, "amber", "overdue", 5, ("Ivy Jones",), ("07700 900128",), NOW, None, None)
    red = AlarmLine(3, "red", "no-reply", 5, ("Ivy Jones",), ("07700 900128",), NOW, None, None)
    text = amber_text([red, amber, red_visit_amber], LONDON, FULL).plain
    assert text == " ▲ OVERDUE visit 4: Eve Fox · Ring the mobile now: 07700 900126 · since 14:00"


def test_flags_fit_their_column_as_whole_words_and_count_the_rest():
    """Found at 80x24: the flags column showed "unappr"; a word is now shown whole or counted."""
    from kiosk.widgets.visits import COMPACT, fit_words

    width = next(w for k, _, w in COMPACT if k == "flags")
    words = ["FLAG", "unapproved", "taken", "pair", "ci20", "car"]
    assert fit_words(words, width) == "FLAG +5"
    assert fit_words(["unapproved"], width) == "unapproved"
    assert fit_words(["pair", "ci20"], width) == "pair ci20"
    assert fit_words(["unapproved", "pair"], width) == "unapproved\u2026"
    assert fit_words([], width) == ""
    for n in range(len(words) + 1):
        shown = fit_words(words[:n], width)
        assert len(shown) <= width
        kept = [w.rstrip("\u2026") for w in shown.split() if not w.startswith("+")]
        assert kept == words[: len(kept)]  # whole words, most important first
        more = [w for w in shown.split() if w.startswith("+")]
        assert (int(more[0][1:]) if more else 0) == n - len(kept) or shown.endswith("\u2026")


def test_link_up_shows_when_the_sms_path_was_last_checked():
    row = health(selftest_sent_at=NOW - timedelta(hours=7), selftest_received_at=NOW - timedelta(hours=7),
                 selftest_due_by=NOW - timedelta(hours=6, minutes=50))
    text = link_text(Link(link_state(row, NOW, 90, LONDON), 3, "EE", 0, row.heartbeat_at), NOW, FULL).plain
    assert text == " ● SMS link up  signal 3/5 · EE · queue 0 · SMS checked 07:00 · gateway now"


def test_alarm_view_says_which_alert_texts_were_delivered_and_when_to_ring_the_receivers():
    from kiosk.domain.deliveries import Delivery
    from kiosk.screens.alarm import alarm_text
    from kiosk.services.board_view import AlarmDetail

    raised = NOW - timedelta(minutes=6)
    detail = AlarmDetail(
        id=3, level="red", kind="sos", summary="SOS text from Ann Lee", raised_at=raised, visit_id=1,
        names=("Ann Lee",), phones=("07700 900123",), place="14 Elm Rd", home_phone="", vehicle="",
        vehicle_reg="", vehicle_make="", vehicle_colour="", left_at=None, due_back=None, last_contact=None,
        owner=None, acknowledged_by=None, action=None, police_ref=None, resolved=False,
        deliveries=(Delivery("Dave Deputy", "sent", raised), Delivery("Eve Lead", "sent", raised)))
    text = alarm_text(detail, NOW, LONDON, full=True).plain
    assert "Alert texts   sent to Dave Deputy 13:54, not confirmed; sent to Eve Lead 13:54, not confirmed" in text
    assert "ALERT TEXTS NOT DELIVERED: RING THE RECEIVERS" in text
    delivered = AlarmDetail(**{**detail.__dict__, "deliveries": detail.deliveries + (
        Delivery("Eve Lead", "delivered", raised, raised + timedelta(minutes=1)),)})
    text = alarm_text(delivered, NOW, LONDON, full=False).plain
    assert "delivered to Eve Lead 13:55" in text and "RING THE RECEIVERS" not in text
