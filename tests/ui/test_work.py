"""The screens' one worker idiom (kiosk/screens/_work.py): a service's refusal comes back in its own
words, anything else as a plain sentence; the exception's text (a driver's SQL, a value) never."""

from __future__ import annotations

import sqlite3

from kiosk.screens._work import Failure, in_db_thread
from kiosk.services.errors import Invalid, Refused


def test_a_refusal_comes_back_in_the_services_words(ctx):
    def refuse() -> None:
        raise Refused("visit 3 is already over")

    def invalid() -> None:
        raise Invalid("due back must be in the next 240 minutes")

    assert in_db_thread(ctx, refuse) == Failure("visit 3 is already over", refused=True)
    assert in_db_thread(ctx, invalid) == Failure("due back must be in the next 240 minutes")


def test_a_crash_comes_back_as_a_plain_sentence_without_the_exceptions_text(ctx, caplog):
    def crash() -> None:
        raise sqlite3.OperationalError("near \"SELECT code_word FROM staff WHERE id = 7\": syntax error")

    result = in_db_thread(ctx, crash)
    assert isinstance(result, Failure) and not result.refused
    assert result.message.startswith("could not save") and "code_word" not in result.message
    assert "SELECT" not in result.message
    assert "code_word" in caplog.text, "the whole error is in the log for whoever fixes it"


def test_a_result_comes_back_as_it_is(ctx):
    assert in_db_thread(ctx, lambda: 42) == 42
