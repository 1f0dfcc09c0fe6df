"""The modem udev rule: valid syntax, and the right devices get /dev/kiosk-modem, dialout 0660 and
ModemManager's ignore flag (a modem grabbed by ModemManager silently eats SMS and AT replies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.udev_rules import apply, parse

RULE = Path(__file__).resolve().parents[2] / "systemd" / "99-kiosk-modem.rules"


def tty(vendor: str, model: str, interface: str = "00", action: str = "add") -> dict[str, str]:
    return {"ACTION": action, "SUBSYSTEM": "tty", "KERNEL": "ttyUSB0", "ID_VENDOR_ID": vendor,
            "ID_MODEL_ID": model, "ID_USB_INTERFACE_NUM": interface}


def test_rule_file_parses_without_errors():
    rules = parse(RULE.read_text())
    assert rules.errors == []
    assert len(rules.rules) >= 12


@pytest.mark.parametrize("vendor, model, interface", [
    ("1a86", "7523", "00"),  # SIM800 on CH340
    ("10c4", "ea60", "00"),  # CP210x
    ("0403", "6001", "00"),  # FTDI
    ("067b", "2303", "00"),  # PL2303
    ("1e0e", "9001", "02"),  # SIM7600 AT port
    ("2c7c", "0125", "02"),  # Quectel EC25 AT port
    ("12d1", "1506", "00"),  # Huawei E3372 stick mode
    ("12d1", "1001", "00"),
])
def test_known_modem_ports_get_the_stable_name(vendor, model, interface):
    result = apply(parse(RULE.read_text()), tty(vendor, model, interface))
    assert result["SYMLINK"] == ["kiosk-modem"]
    assert result["GROUP"] == "dialout" and result["MODE"] == "0660"
    assert result["ENV"] == {"ID_MM_DEVICE_IGNORE": "1"}


@pytest.mark.parametrize("vendor, model, interface", [
    ("1e0e", "9001", "00"), ("1e0e", "9001", "03"), ("2c7c", "0125", "01"), ("12d1", "1506", "02"),
])
def test_other_ports_of_a_multiport_modem_are_hidden_from_modemmanager_but_not_linked(vendor, model, interface):
    result = apply(parse(RULE.read_text()), tty(vendor, model, interface))
    assert result["SYMLINK"] == []
    assert result["ENV"] == {"ID_MM_DEVICE_IGNORE": "1"}


@pytest.mark.parametrize("device", [
    tty("046d", "c52b"),                         # a keyboard receiver's tty? not ours
    tty("12d1", "14dc"),                         # Huawei in HiLink mode: no serial port
    tty("1a86", "7523", action="remove"),
    {**tty("1a86", "7523"), "SUBSYSTEM": "usb"},
])
def test_unrelated_devices_and_removals_are_left_alone(device):
    result = apply(parse(RULE.read_text()), device)
    assert result == {"SYMLINK": [], "GROUP": None, "MODE": None, "ENV": {}}


BROKEN = {
    "unclosed quote": 'ENV{ID_VENDOR_ID}=="1a86, SYMLINK+="kiosk-modem"',
    "unknown key": 'ATRS{idVendor}=="1a86", SYMLINK+="kiosk-modem"',
    "assignment to a match-only key": 'SUBSYSTEM="tty", SYMLINK+="kiosk-modem"',
    "match on an assign-only key": 'MODE=="0660", SYMLINK+="kiosk-modem"',
    "missing comma": 'ENV{ID_VENDOR_ID}=="1a86" SYMLINK+="kiosk-modem"',
    "ENV without attribute": 'ENV=="1a86", SYMLINK+="kiosk-modem"',
    "unquoted value": 'ENV{ID_VENDOR_ID}==1a86, SYMLINK+="kiosk-modem"',
    "mode not octal": 'ENV{ID_VENDOR_ID}=="1a86", MODE="0689"',
    "trailing comma": 'ENV{ID_VENDOR_ID}=="1a86", SYMLINK+="kiosk-modem",',
    "goto nowhere": 'SUBSYSTEM!="tty", GOTO="kiosk_modem_nowhere"',
    "lower-case key": 'env{ID_VENDOR_ID}=="1a86", SYMLINK+="kiosk-modem"',
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_checker_catches_a_broken_line_in_the_real_file(name):
    lines = RULE.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('ENV{ID_VENDOR_ID}=="1a86"'))
    lines[at] = BROKEN[name]
    errors = parse("\n".join(lines) + "\n").errors
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"line {at + 1}:")
