"""Own number, network generation and credit: reading what modems and networks say (never raising)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kiosk.devices import at_network as N
from kiosk.devices.errors import CommandError


def runner(answers):
    def run(command):
        answer = answers.get(command)
        if isinstance(answer, Exception):
            raise answer
        return answer or []
    return run


def test_own_number_from_cnum():
    assert N.own_number(runner({"AT+CNUM": ['+CNUM: "","+447700900999",145,7,4']})) == "+447700900999"
    assert N.own_number(runner({"AT+CNUM": ['+CNUM: "Voice","07700900999",129']})) == "07700900999"
    assert N.own_number(runner({"AT+CNUM": []})) is None  # a SIM with no number stored
    assert N.own_number(runner({"AT+CNUM": ['+CNUM: "",""']})) is None
    assert N.own_number(runner({"AT+CNUM": CommandError("AT+CNUM", "+CME ERROR: 4", 4, "operation not supported", "cme")})) is None


def test_access_technology():
    assert N.access_technology(["0", "0", "EE", "7"]) == "LTE"
    assert N.access_technology(["0", "0", "Vodafone UK", "2"]) == "UMTS"
    assert N.access_technology(["0", "0", "O2", "0"]) == "GSM"
    assert N.access_technology(["0", "0", "O2"]) == "" and N.access_technology(["0", "0", "x", "zz"]) == ""


def test_cusd_and_credit():
    answer = N.parse_cusd('+CUSD: 0,"Your balance is £4.20. Top up at ...",15')
    assert answer == N.Ussd(0, "Your balance is £4.20. Top up at ...")
    assert N.credit_from_text(answer.text) == N.Credit("£4.20", 4.2)
    assert N.credit_from_text("Balance: 12.50 GBP") == N.Credit("£12.50", 12.5)
    assert N.credit_from_text("You have 85p left") == N.Credit("£0.85", 0.85)
    assert N.credit_from_text("Unknown application") is None and N.credit_from_text(None) is None
    assert N.parse_cusd("+CUSD: 4") == N.Ussd(4, "") and N.parse_cusd("OK") is None


def test_ussd_codes_are_only_digits_star_and_hash():
    assert N.ussd_command("*#10#") == 'AT+CUSD=1,"*#10#",15'
    for bad in ('*#10#";AT+CFUN=0', "10", "", "*" * 40):
        with pytest.raises(ValueError):
            N.ussd_command(bad)


@given(st.text(max_size=300))
def test_garbage_never_raises(text):
    N.credit_from_text(text)
    N.parse_cusd("+CUSD:" + text)
    N.access_technology(text.split(","))
