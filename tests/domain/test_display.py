"""The screen-safety sanitiser and the countdown wording: pure, total, and literal about markup."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.display import HOSTILE, ago, countdown, duration, safe_text


def test_markup_is_kept_as_characters():
    assert safe_text("[bold red]x[/]") == "[bold red]x[/]"
    assert safe_text("[@click=app.quit]quit[/]") == "[@click=app.quit]quit[/]"


def test_escape_sequences_are_removed_whole():
    assert safe_text("\x1b[31mred\x1b[0m") == "red"
    assert safe_text("\x1b]0;pwned\x07title") == "title"
    assert safe_text("\x9b31mC1") == "C1"
    assert safe_text("a\x1bb") == "a"  # a lone ESC takes the next character with it, never reaches the terminal


def test_controls_bidi_and_zero_width_become_visible_replacements():
    assert safe_text("\u202eevil\u202c") == "\ufffdevil\ufffd"
    assert safe_text("nul\x00byte") == "nul\ufffdbyte"
    assert safe_text("zero\u200bwidth") == "zero\ufffdwidth"
    assert safe_text("line\nbreak\r\n\ttab") == "line break tab"


def test_long_text_is_cut_with_an_ellipsis():
    assert safe_text("x" * 1000, 20) == "x" * 19 + "\u2026"
    assert len(safe_text("x" * 1000)) == 200
    assert safe_text(None) == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_nothing_a_terminal_obeys_survives(text):
    out = safe_text(text, None)
    assert "\x1b" not in out and "\x9b" not in out and "\x00" not in out
    assert all(ch == "\ufffd" or ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in out)


def test_corpus_is_all_cleaned():
    for text in HOSTILE:
        out = safe_text(text)
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and len(out) <= 200


def test_countdown_and_ago():
    """One format everywhere (issue 15): "in 0:57" (57 seconds) read like 57 minutes beside "in 34m"."""
    assert [countdown(s) for s in (5340, 3900, 3600, 3599, 754, 599, 59.9, 9, 0)] == [
        "in 1h29m", "in 1h05m", "in 1h00m", "in 59m", "in 12m", "in 9m", "in <1m", "in <1m", "in <1m"]
    assert [countdown(s) for s in (-0.5, -59, -60, -599, -754, -3900)] == [
        "<1m over", "<1m over", "1m over", "9m over", "12m over", "1h05m over"]
    assert [ago(s) for s in (-5, 3, 59, 60, 180, 7500)] == ["now", "now", "now", "1m ago", "3m ago", "2h05m ago"]
    assert [duration(s) for s in (0, 59, 60, 3599, 3600, 86400)] == ["<1m", "<1m", "1m", "59m", "1h00m", "24h00m"]
