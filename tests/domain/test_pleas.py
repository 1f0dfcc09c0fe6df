"""Issue 14 item 1: a plea for help in any words is an SOS, wherever it is in the text.

Observed: with an amber open, "I need help call 999", "pls help", "call the police", "emergency"
and "🆘" were each answered "Thanks, noted" and resolved the amber as contact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.commands import Ack, CheckIn, Extend, Malformed, Note, Sos
from kiosk.domain.parser import parse_command
from kiosk.domain.pleas import find_plea, plea_words

OBSERVED = ["I need help call 999", "pls help", "call the police", "emergency", "🆘"]

# Each word of the list in a sentence, with punctuation and case.
IN_SENTENCES = [
    ("ok but HELP!", "help"), ("Help, he won't let me leave", "help"), ("need help.", "help"),
    ("sos", "sos"), ("running late SOS!!", "sos"), ("(S.O.S)", "sos"), ("s o s", "sos"),
    ("call 999 now", "999"), ("ring 999!", "999"), ("9 9 9", "999"), ("call999", "999"),
    ("dial 112.", "112"), ("OK 112", "112"), ("OUT 112 High St until 15:00", "112"),  # by choice, documented
    ("get the POLICE", "police"), ("Police!", "police"), ("police station car park", "police"),
    ("this is an Emergency.", "emergency"), ("EMERGENCY", "emergency"),
    ("need an ambulance", "ambulance"), ("Ambulance, 14 Elm Rd", "ambulance"),
    ("I'm in danger", "danger"), ("DANGER!", "danger"),
    ("🆘", "🆘"), ("back soon 🆘", "🆘"), ("🚨🚨", "🚨"), ("ok\U0001F6A8", "🚨"), ("🆘\ufe0f", "🆘"),
    ("ＨＥＬＰ", "help"), ("hélp", "help"), ("h\u200belp", "help"), ("H E L P", "help"), ("helpme", "helpme"),
]

NOT_PLEAS = ["helpful neighbour", "she helped me carry it", "helping mum", "unhelpful traffic",
             "so sorry", "9.99", "9999", "1999 Ford", "dangerous dog, careful", "OK running late",
             "policeman was nice", "emergencies", "dangers"]


@pytest.mark.parametrize("text", OBSERVED)
def test_item1_the_observed_pleas_are_sos(text):
    assert find_plea(text) is not None
    assert parse_command(text) == Sos()


@pytest.mark.parametrize("text,word", IN_SENTENCES, ids=[t for t, _ in IN_SENTENCES])
def test_item1_each_word_as_a_whole_word_anywhere_with_punctuation_and_case(text, word):
    assert find_plea(text) == word
    assert isinstance(parse_command(text), Sos)


@pytest.mark.parametrize("text", NOT_PLEAS)
def test_item1_words_that_only_contain_a_plea_do_not_match(text):
    assert find_plea(text) is None
    assert not isinstance(parse_command(text), Sos)


def test_item1_police_station_car_park_is_a_plea_by_choice():
    """A member may be telling us where the trouble is: the kiosk cannot tell "parked at the police
    station" from "get the police", and a false alarm that reception stands down in a minute is
    cheaper than a missed one (the choice is written in plea_words.txt and the README)."""
    assert parse_command("Back at 4, in the police station car park") == Sos()


@pytest.mark.parametrize("text", ["OK call police", "ARRIVED help", "BACK help", "EXTEND 20 danger",
                                  "BACK AT 16:15 police", "OUT 14 Elm Rd until 15:30 help", "STATUS 🆘",
                                  "ack help", "? help"])
def test_item1_a_plea_wins_over_the_first_word(text):
    """'OK help' is not a check-in: a plea anywhere decides before the command word is read."""
    assert parse_command(text) == Sos()


def test_item1_an_ack_keeps_its_meaning_and_says_it_holds_a_plea():
    """An alert receiver taking charge writes "ACK 2 calling police": still an ACK (the service
    reads it as an SOS from anyone who cannot take charge)."""
    assert parse_command("ACK 2 calling police") == Ack(2, plea=True)
    assert parse_command("ACK 2") == Ack(2)
    assert parse_command("ACK police on way") == Sos()  # not a well-formed ACK: the plea decides


def test_item1_the_word_list_is_a_data_file_beside_the_common_words():
    from importlib.resources import files

    folder = files("kiosk.domain")
    assert folder.joinpath("plea_words.txt").is_file() and folder.joinpath("common_words.txt").is_file()
    words, emoji = plea_words()
    assert {"help", "sos", "999", "112", "police", "emergency", "ambulance", "danger"} <= words
    assert {"🆘", "🚨"} <= emoji


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_item1_find_plea_never_raises_and_agrees_with_the_parser(text):
    plea = find_plea(text)
    command = parse_command(text)
    if plea is None:
        assert not isinstance(command, Sos)
    else:
        assert isinstance(command, (Sos, Ack))


def test_item1_commands_without_a_plea_are_unchanged():
    assert parse_command("OK running late") == CheckIn()
    assert isinstance(parse_command("Back at 4"), Extend)
    assert parse_command("helpful neighbour") == Note("helpful neighbour")
    assert isinstance(parse_command("back soon"), Malformed)
