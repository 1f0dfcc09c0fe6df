"""Code words: a safe choice, found as a whole word however it is typed, and never left in stored
text. Policy 000 (St Nicholas): staff in difficulty use an agreed code word on the phone; here the
same word in an SMS raises duress."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.codewords import (
    REDACTED, CodeWordError, find_code_words, redact, strip_code_words, validate_code_word,
)
from kiosk.domain.commands import CheckIn, Note
from kiosk.domain.parser import COMMAND_WORDS, parse_command
from kiosk.domain.text import words

WORDS = ["bluebird", "kestrel"]


@pytest.mark.parametrize("word,expected", [
    ("bluebird", "bluebird"), ("Bluebird", "bluebird"), ("  KESTREL ", "kestrel"),
    ("Bérénice", "berenice"), ("ｗｉｌｌｏｗ", "willow"),
])
def test_valid_code_words_come_back_normalised(word, expected):
    assert validate_code_word(word) == expected


@pytest.mark.parametrize("word,reason", [
    ("", "empty"), ("   ", "empty"), ("owl", "at least 4 letters"), ("blue bird", "letters only"),
    ("blue-bird", "letters only"), ("bird2", "letters only"), ("b!rd", "letters only"),
    ("x" * 31, "at most 30"), ("help", "command word"), ("HELP", "command word"),
    ("back", "command word"), ("safe", "command word"), ("status", "command word"),
    ("leaving", "command word"), ("until", "command word"), ("hours", "command word"),
    ("tend", "command word"), ("rrive", "command word"), ("ATUS", "command word"), ("midnigh", "command word"),
    ("home", "too common"), ("late", "command word"), ("fine", "too common"), ("soon", "too common"),
    ("okay", "too common"), ("thanks", "too common"), ("there", "too common"), ("code", "too common"),
    ("word", "too common"), ("running", "too common"),
])
def test_unsafe_code_words_are_refused_with_a_reason_that_does_not_repeat_them(word, reason):
    with pytest.raises(CodeWordError) as caught:
        validate_code_word(word)
    message = str(caught.value)
    assert reason in message
    if word.strip():
        assert word.strip().lower() not in message.lower().replace("code word", "")


def test_refusal_messages_do_not_depend_on_the_word():
    """The same reason gives the very same message, so no error can leak a candidate word."""
    def message(word):
        with pytest.raises(CodeWordError) as caught:
            validate_code_word(word)
        return str(caught.value)

    assert message("owl") == message("emu")
    assert message("help") == message("status")
    assert message("home") == message("thanks")
    assert message("blue bird") == message("red2")


def test_no_command_word_can_be_a_code_word():
    for word in COMMAND_WORDS:
        with pytest.raises(CodeWordError):
            validate_code_word(word)


@pytest.mark.parametrize("text", ["EXTEND 20", "ARRIVED", "LEAVING", "STATUS", "COMMANDS", "CHECKIN",
                                  "OUT 14 Elm Rd UNTIL midnight", "back in 2 hours", "in 20 minutes"])
def test_redaction_with_any_valid_code_word_leaves_commands_intact(text):
    """No valid code word hides inside the command language, so redacting cannot change a command."""
    letters = {w for w in words(text)}
    pieces = {w[i:j] for w in letters for i in range(len(w)) for j in range(i + 4, len(w) + 1)}
    for piece in pieces:
        with pytest.raises(CodeWordError):
            validate_code_word(piece)


@pytest.mark.parametrize("text,found", [
    ("OK running late bluebird", {"bluebird"}),
    ("BLUEBIRD", {"bluebird"}),
    ("bluebird!", {"bluebird"}),
    ("(bluebird)", {"bluebird"}),
    ("Blüebird", {"bluebird"}),
    ("ｂｌｕｅｂｉｒｄ", {"bluebird"}),
    ("blue\u200bbird", {"bluebird"}),
    ("\x1b[31mbluebird\x1b[0m", {"bluebird"}),
    ("\x1b[bluebird", {"bluebird"}),
    ("2bluebird2", {"bluebird"}),
    ("kestrel and bluebird", {"bluebird", "kestrel"}),
    ("bluebirds", set()),
    ("thebluebird", set()),
    ("blue bird", set()),
    ("", set()),
])
def test_find_code_words_matches_whole_words_after_normalising(text, found):
    assert find_code_words(text, WORDS) == found


def test_find_with_no_code_words_finds_nothing():
    assert find_code_words("bluebird", []) == set()


@pytest.mark.parametrize("text,expected", [
    ("OK running late bluebird", "OK running late [code word]"),
    ("BLUEBIRD", "[code word]"),
    ("Bluebird, please call", "[code word], please call"),
    ("kestrel bluebird kestrel", "[code word] [code word] [code word]"),
    ("Blue\u0301bird!", "[code word]!"),
    ("blue\u200bbird ok", "[code word] ok"),
    ("bluebirds are nice", "[code word] are nice"),  # no duress, but the secret is still hidden
    ("Robinson Rd", "Robinson Rd"),
    ("nothing here", "nothing here"),
])
def test_redact_replaces_in_the_original_text(text, expected):
    assert redact(text, WORDS) == expected


@pytest.mark.parametrize("text,expected", [
    ("OK running late bluebird", "OK running late"),
    ("BACK bluebird", "BACK"),
    ("bluebird", ""),
    ("  Bluebird  ", ""),
    ("Back in 20 bluebird please", "Back in 20 please"),
])
def test_strip_code_words_gives_the_text_the_reply_is_computed_from(text, expected):
    assert strip_code_words(text, WORDS) == expected


def test_a_bare_code_word_is_answered_as_a_note_and_the_rest_as_without_it():
    assert parse_command(strip_code_words("bluebird", WORDS)) == Note("")
    assert parse_command(strip_code_words("OK running late bluebird", WORDS)) == CheckIn()


_pieces = st.sampled_from(["bluebird", "BLUEBIRD", "Blue\u0301bird", "ｂｌｕｅ", "bird", "blue",
                           "kestrel", "KESTREL", "ok", " ", "\u200b", "\x1b", "[", "31m", "!", "2",
                           "é", "\u0301", "-", "\n", "code", "word", "]"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_pieces, max_size=12).map("".join), st.text(max_size=60)))
def test_redact_never_leaves_a_code_word_findable(text):
    redacted = redact(text, WORDS)
    assert find_code_words(redacted, WORDS) == set()
    for word in WORDS:
        assert word not in words(redacted)
    stripped = strip_code_words(text, WORDS)
    assert find_code_words(stripped, WORDS) == set()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_redact_changes_nothing_without_a_code_word(text):
    if not find_code_words(text, WORDS):
        assert redact(text, WORDS) == text
    else:
        assert redact(text, WORDS) != text and "[code word]" in redact(text, WORDS)


def test_redacted_marker_is_not_a_code_word():
    assert REDACTED == "[code word]"
    for word in ("code", "word"):
        with pytest.raises(CodeWordError):
            validate_code_word(word)


@pytest.mark.parametrize("word", [
    "password", "Password", "PASSWORDS", "letmein", "qwerty", "iloveyou", "welcome", "admin", "monkey",
    "dragon", "sunshine", "secret", "codeword", "safeword", "panic", "mayday",  # guessable
    "traffic", "parked", "stuck", "delayed", "police", "hospital", "ambulance", "neighbour", "doorbell",
    "appointment", "nobody", "sorted", "cheers", "brilliant", "lovely", "coffee",  # what staff text anyway
    "houses", "meetings", "boxes", "tuesday", "november", "twenty", "orange", "evening",
])
def test_common_passwords_and_sms_vocabulary_are_refused(word):
    """Found by QA: `--code-word password` was accepted. A code word someone texts by chance raises
    a false duress alarm; a guessable one is no secret."""
    with pytest.raises(CodeWordError, match="too common"):
        validate_code_word(word)


@pytest.mark.parametrize("word", ["bluebird", "marigold", "lanterns", "pinecone", "kestrel", "heron", "wren",
                                  "sycamore", "kingfisher", "wagtail", "nightjar", "bluebell", "willow"])
def test_unusual_words_are_still_accepted(word):
    assert validate_code_word(word) == word


def test_the_common_word_list_is_a_data_file_read_once_on_first_use():
    import subprocess
    import sys

    probe = ("import kiosk.domain.codewords as c; assert c.common_words.cache_info().currsize == 0; "
             "c.validate_code_word('bluebird'); c.validate_code_word('kestrel'); "
             "i = c.common_words.cache_info(); assert (i.misses, i.hits) == (1, 1), i")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from kiosk.domain.codewords import common_words

    listed = common_words()
    assert len(listed) > 1000 and {"password", "the", "traffic", "arrived"} <= listed
    assert all(w.isalpha() and w == w.casefold() for w in listed)
