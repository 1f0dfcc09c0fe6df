"""Code words: a safe choice, found as a whole word however it is typed, and never left in stored
text. Policy 000 (St Nicholas): staff in difficulty use an agreed code word on the phone; here the
same word in an SMS raises duress."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.codewords import (
    REDACTED, CodeWordError, find_code_words, may_hold_code_word, redact, strip_code_words,
    validate_code_word,
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
    ("blue bird", set()),
    ("", set()),
])
def test_find_code_words_matches_after_normalising(text, found):
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
    ("bluebirds are nice", "[code word] are nice"),  # a word holding a code word: duress, hidden
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
    "ouse", "ildr", "ORNI",  # inside an everyday word (house, children, morning): every such text would be duress
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


# --- issue 14 item 2: a code word in any spelling is duress, and is never stored --------------

ITEM2_SPELLINGS = [
    ("B-L-U-E-B-I-R-D", {"bluebird"}, "[code word]"),
    ("b.l.u.e.b.i.r.d", {"bluebird"}, "[code word]"),
    ("b l u e b i r d", {"bluebird"}, "[code word]"),
    ("K.E.S.T.R.E.L", {"kestrel"}, "[code word]"),
    ("k e s t r e l please", {"kestrel"}, "[code word] please"),
    ("B. L. U. E. B. I. R. D.", {"bluebird"}, "[code word]."),
    ("B - L - U - E - B - I - R - D", {"bluebird"}, "[code word]"),
    ("ok B_L_U_E_B_I_R_D ok", {"bluebird"}, "ok [code word] ok"),
    ("blue-bird", {"bluebird"}, "[code word]"),
    ("blue.bird!", {"bluebird"}, "[code word]!"),
    ("Blüe-Bírd", {"bluebird"}, "[code word]"),
    ("bluebirds", {"bluebird"}, "[code word]"),
    ("xbluebirdx", {"bluebird"}, "[code word]"),
    ("thebluebird is here", {"bluebird"}, "[code word] is here"),
    ("OK running late, Bluebirds!", {"bluebird"}, "OK running late, [code word]!"),
]


@pytest.mark.parametrize("text,found,stored", ITEM2_SPELLINGS, ids=[t for t, _, _ in ITEM2_SPELLINGS])
def test_item2_any_spelling_is_duress_and_is_redacted(text, found, stored):
    assert find_code_words(text, WORDS) == found
    assert redact(text, WORDS) == stored
    assert find_code_words(stored, WORDS) == set()


ORDINARY = [
    # Single letters do occur in texts; they only spell something in a row as long as the word.
    "I am at a B and B, back at 4", "Plan B: a u turn", "flat 2 b, then c", "I a m late", "u r a star",
    "J. K. Rowling book for Sam", "A & E then home", "OK x", "P.S. running late", "e.g. traffic",
    # Two words of two or more letters never join across a space.
    "blue bird on the fence", "kes trel", "the rest relates to Bird Lane", "saw a heron at the lake",
    "OUT 14 Elm Rd, LU4 9AB until 15:30", "Arrived. Blue car outside, bird feeder", "B-road, then A-road",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_item2_joining_letters_does_not_make_ordinary_texts_duress(text):
    """'b l u e b i r d' is joined, but a row of single letters only spells a code word when it has
    all of its letters in order, and words of two or more letters are never run together across
    a space: the texts staff send every day stay what they are."""
    words_in_use = ["bluebird", "kestrel", "marigold", "sycamore", "wagtail", "nightjar"]
    assert find_code_words(text, words_in_use) == set()
    assert redact(text, words_in_use) == text


_code_word = st.from_regex(r"[a-zéü]{4,10}", fullmatch=True).filter(
    lambda w: _valid(w))


def _valid(word: str) -> bool:
    try:
        validate_code_word(word)
    except CodeWordError:
        return False
    return True


@st.composite
def _text_around(draw, word: str) -> str:
    """Ordinary noise, the code word in some spelling (spelt apart, cased, accented, cut short,
    inside a longer word), or both."""
    seps = st.sampled_from(["", " ", "-", ".", ". ", " - ", "  ", "_", "1", " x ", "\u200b", "\u0301"])
    letters = list(word)
    if draw(st.integers(0, 3)) == 0:
        letters = letters[: draw(st.integers(1, len(letters)))]  # sometimes cut short
    one_sep = draw(seps)  # mostly one way of spelling it apart, sometimes a mix
    mixed = draw(st.integers(0, 3)) == 0
    spelt = ""
    for ch in letters:
        ch = ch.upper() if draw(st.booleans()) else ch
        spelt += ch + (draw(seps) if mixed else one_sep)
    noise = st.text(st.sampled_from("ab ok-.1 \u00e9Ss\u200b!"), max_size=12)
    parts = draw(st.lists(st.one_of(st.just(spelt), noise, st.text(max_size=8)), min_size=1, max_size=4))
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_item2_redacted_iff_duress_for_any_code_word_and_any_text(data):
    """The property the issue asks for: a text is stored redacted exactly when it raises duress,
    and what is stored holds no code word."""
    word = data.draw(_code_word, label="code word")
    text = data.draw(st.one_of(_text_around(word), _text_around(word), st.text(max_size=40)), label="text")
    duress = bool(find_code_words(text, [word]))
    redacted = redact(text, [word])
    assert duress == (redacted != text)
    assert find_code_words(redacted, [word]) == set()
    if duress:
        assert REDACTED in redacted and may_hold_code_word(text, [word])


def test_item2_may_hold_code_word_is_never_wrong_when_it_says_no():
    for text, _, _ in ITEM2_SPELLINGS:
        assert may_hold_code_word(text, WORDS)
    assert not may_hold_code_word("OK running late", WORDS)
    assert not may_hold_code_word("anything", [])
