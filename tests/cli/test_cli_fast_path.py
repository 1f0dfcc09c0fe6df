"""`kiosk ui ...` and `kiosk gateway ...` build only their own parser (start-up time, issue 19):
they must parse exactly as the whole parser does, reject the same mistakes with the same words,
and nothing else may take the short path."""

from __future__ import annotations

import pytest

from kiosk.cli import STARTED_BY_SERVICES, UsageError, build_parser, main

GOOD = [
    ["ui"], ["ui", "--db", "/tmp/x.db", "--theme", "full"], ["ui", "--viewer", "--config", "k.toml"],
    ["ui", "--theme", "console", "--db", "postgresql://u@h/d"],
    ["gateway", "--db", "/tmp/x.db"], ["gateway", "--port", "/dev/ttyUSB0", "--db", "x.db"],
]
BAD = [["ui", "--theme", "neon"], ["ui", "--bogus"], ["ui", "extra"], ["gateway", "--nope"]]


@pytest.mark.parametrize("argv", GOOD, ids=" ".join)
def test_the_short_parser_parses_as_the_whole_one(argv: list[str]) -> None:
    whole = vars(build_parser().parse_args(argv))
    short = vars(build_parser(STARTED_BY_SERVICES[argv[0]]).parse_args(argv))
    assert short == whole


@pytest.mark.parametrize("argv", BAD, ids=" ".join)
def test_the_short_parser_refuses_what_the_whole_one_refuses_in_the_same_words(argv: list[str]) -> None:
    with pytest.raises(UsageError) as whole:
        build_parser().parse_args(argv)
    with pytest.raises(UsageError) as short:
        build_parser(STARTED_BY_SERVICES[argv[0]]).parse_args(argv)
    assert str(short.value) == str(whole.value)


def test_other_commands_and_options_first_use_the_whole_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", "/nonexistent/x.db", "ui", "--theme", "neon"]) == 2  # option first: whole parser
    assert "invalid choice: 'neon'" in capsys.readouterr().err
    assert main(["staff", "--help-me"]) == 2
    assert set(STARTED_BY_SERVICES) == {"ui", "gateway"}
