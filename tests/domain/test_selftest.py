"""The loop-back self-test's pure rules: the text, recognising it, and the board's verdict."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from kiosk.domain import selftest as S
from kiosk.domain.link import link_state

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
SENT = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 07:00 in London (BST)


def test_the_text_carries_its_token_and_fits_one_gsm_segment():
    token = S.new_token()
    text = S.text_for(token)
    assert S.token_in(text) == token and len(text) <= 160 and text.isascii()
    assert S.token_in(text.lower()) == token  # a network that changes case changes nothing
    assert S.new_token() != token and len(token) == S.TOKEN_LENGTH


def test_other_texts_are_not_self_tests():
    for text in ("OUT 12 High St UNTIL 3pm", "kiosk self-test", "kiosk self-test ABC", "self-test ABCDEFGHJK",
                 "please kiosk self-test ABCDEFGHJK", "", None, 42, "kiosk self-test ABCDEFGHJ0"):
        assert S.token_in(text) is None, text


@given(st.text(max_size=300))
def test_token_in_never_raises(text):
    found = S.token_in(text)
    assert found is None or (len(found) == S.TOKEN_LENGTH and found.isupper())


def facts(**kw):
    return S.SelfTestFacts(**{"sent_at": SENT, "due_by": SENT + timedelta(minutes=10), **kw})


def test_back_in_time_says_checked_with_the_local_time():
    v = S.verdict(facts(received_at=SENT + timedelta(seconds=40)), SENT + timedelta(hours=3), LONDON)
    assert (v.ok, v.strip, v.reason) == (True, "SMS checked 07:00", None)


def test_waiting_within_the_timeout_is_not_known_yet():
    v = S.verdict(facts(), SENT + timedelta(minutes=9), LONDON)
    assert v.ok is None and v.strip == "SMS self-test sent 07:00"
    earlier = S.verdict(facts(received_at=SENT - timedelta(days=1)), SENT + timedelta(minutes=9), LONDON)
    assert earlier.ok is None and earlier.strip == "SMS self-test sent 07:00; checked 07:00"


def test_not_back_after_the_timeout_is_down_with_the_reason():
    v = S.verdict(facts(received_at=SENT - timedelta(days=1)), SENT + timedelta(minutes=10, seconds=1), LONDON)
    assert v.ok is False
    assert v.reason == "self-test text not received since 07:00: check the SIM's credit and signal"


def test_a_late_arrival_or_a_text_from_staff_proves_the_path_again():
    late = S.verdict(facts(received_at=SENT + timedelta(minutes=30)), SENT + timedelta(hours=1), LONDON)
    assert late.ok is True and late.strip == "SMS checked 07:30"
    staff = S.verdict(facts(proven_at=SENT + timedelta(minutes=45)), SENT + timedelta(hours=1), LONDON)
    assert staff.ok is True and "07:45" in staff.strip
    before = S.verdict(facts(proven_at=SENT - timedelta(minutes=1)), SENT + timedelta(hours=1), LONDON)
    assert before.ok is False  # a text from before the test proves nothing about now


def test_switched_off_or_never_sent():
    off = S.verdict(S.SelfTestFacts(note="switched off ([selftest] enabled = false)"), SENT, LONDON)
    assert off.ok is None and off.strip.startswith("SMS path not self-tested")
    assert S.verdict(S.SelfTestFacts(), SENT, LONDON) == S.Verdict(None, "")


def row(**fields):
    base = dict(heartbeat_at=SENT + timedelta(minutes=20), stopped_at=None, modem_connected=True,
                registration="home", signal_bars=3, queue_length=0, clock_warning=None, sound_warning=None,
                selftest_sent_at=SENT, selftest_due_by=SENT + timedelta(minutes=10))
    return SimpleNamespace(**{**base, **fields})


def test_the_link_is_down_when_the_self_test_did_not_come_back():
    state = link_state(row(), SENT + timedelta(minutes=20, seconds=5), 90, LONDON)
    assert not state.up and state.banner == ("SMS link down: self-test text not received since 07:00: "
                                             "check the SIM's credit and signal")
    back = link_state(row(selftest_received_at=SENT + timedelta(minutes=1)), SENT + timedelta(minutes=20), 90, LONDON)
    assert back.up and back.self_test == "SMS checked 07:01"


def test_a_dead_gateway_or_modem_is_still_the_reason_first():
    state = link_state(row(modem_connected=False, modem_gone_at=None), SENT + timedelta(minutes=20), 90, LONDON)
    assert not state.up and state.reason == "modem disconnected"
