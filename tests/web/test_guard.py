"""The pure rules behind `kiosk serve`: the token, the Origin, the viewer slots."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kiosk.web.guard import ViewerSlots, allowed_origins, new_token, origin_key, origin_ok, token_ok

TOKEN = "k" * 20 + "Q_-9" * 4


def test_only_the_exact_token_opens():
    assert token_ok(TOKEN, TOKEN)
    for given_ in (None, "", TOKEN[:-1], TOKEN + "k", TOKEN.upper(), " " + TOKEN, TOKEN + "\n", "é" + TOKEN[1:]):
        assert not token_ok(given_, TOKEN), given_
    assert not token_ok("", "") and not token_ok(None, "")  # no token configured: nothing opens


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_no_other_text_opens(text):
    assert token_ok(text, TOKEN) == (text == TOKEN)


def test_new_tokens_are_long_and_different():
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20 and all(len(t) >= 43 for t in tokens)


def test_origins_in_one_spelling():
    assert origin_key("HTTP://Board.School.LAN:80") == "http://board.school.lan"
    assert origin_key("https://board:443/") == "https://board"
    assert origin_key("http://[::1]:8470") == "http://[::1]:8470"
    for bad in ("null", "file://", "ftp://board", "http://user:pw@board", "http://board/path", "http://board:x",
                "http://board?x=1", ""):
        assert origin_key(bad) is None, bad


def test_only_public_url_and_the_allowed_origins_may_open_the_websocket():
    allowed = allowed_origins("http://192.168.1.20:8470", ("https://board.school.lan",))
    assert origin_ok("http://192.168.1.20:8470", allowed)
    assert origin_ok("https://board.school.lan:443", allowed)
    for bad in (None, "", "null", "http://192.168.1.20", "http://192.168.1.20:8471", "https://192.168.1.20:8470",
                "http://board.school.lan", "http://evil.example", "http://192.168.1.20:8470.evil.example"):
        assert not origin_ok(bad, allowed), bad


def test_slots_refuse_the_one_after_the_last_and_free_on_release():
    slots = ViewerSlots(2)
    assert slots.take() and slots.take() and not slots.take() and slots.full
    slots.release()
    assert not slots.full and slots.take() and not slots.take()
    for _ in range(5):
        slots.release()
    assert slots.taken == 0  # never below zero
