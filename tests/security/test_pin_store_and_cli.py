"""Reception PINs in the database and the `kiosk pin` / `kiosk admin set-pin` commands.

Issue 8: PINs "stored as salted hashes (hashlib.scrypt), never in clear". A PIN is never taken from
argv: it is read from stdin (or a no-echo prompt).
"""

from __future__ import annotations

import os
import stat
import tomllib

import pytest

from kiosk.config import config_from_mapping, load_config
from kiosk.cli.pins import with_admin_hash
from kiosk.security.pins import verify_pin
from kiosk.services import Context, Invalid
from kiosk.services.reception import (
    check_admin_pin, check_reception_pin, deactivate_reception_user, set_reception_pin,
)
from kiosk.store import open_database
from kiosk.store.models import Event, ReceptionUser

PIN = "86420"


@pytest.fixture
def ctx(db_path, clock):
    db = open_database(db_path)
    yield Context(config_from_mapping({}), clock)
    db.close()


def _all_bytes(db_path):
    data = b""
    for suffix in ("", "-wal", "-shm"):
        path = f"{db_path}{suffix}"
        if os.path.exists(path):
            data += open(path, "rb").read()
    return data


def test_reception_pin_is_stored_hashed_and_checked(ctx, db_path):
    set_reception_pin(ctx, "ab", PIN, name="Amy Bell")
    user = ReceptionUser.get(ReceptionUser.initials == "AB")
    assert user.pin_hash.startswith("scrypt$") and PIN not in user.pin_hash
    assert check_reception_pin(ctx, "ab", PIN).initials == "AB"
    assert check_reception_pin(ctx, "AB", "86421") is None
    assert check_reception_pin(ctx, "ZZ", PIN) is None
    assert check_reception_pin(ctx, "not initials", PIN) is None
    assert PIN.encode() not in _all_bytes(db_path)
    assert all(PIN not in e.summary for e in Event.select())


def test_changing_a_pin_replaces_the_hash_and_removing_stops_it(ctx):
    set_reception_pin(ctx, "AB", PIN)
    set_reception_pin(ctx, "AB", "1357")
    assert check_reception_pin(ctx, "AB", PIN) is None
    assert check_reception_pin(ctx, "AB", "1357") is not None
    deactivate_reception_user(ctx, "AB")
    assert check_reception_pin(ctx, "AB", "1357") is None


@pytest.mark.parametrize("initials, pin", [("A", PIN), ("A1", PIN), ("ABCDE", PIN), ("AB", "12"),
                                           ("AB", "12ab"), ("AB", "[bold]1234")])
def test_bad_initials_or_pin_change_nothing(ctx, initials, pin):
    with pytest.raises(Invalid):
        set_reception_pin(ctx, initials, pin)
    assert ReceptionUser.select().count() == 0


def test_pin_set_by_cli_reads_stdin_and_never_stores_the_pin(kiosk_cli, db_path, ctx):
    done = kiosk_cli("pin", "set", "--initials", "cd", "--name", "Cat Dunn", "--db", str(db_path), input=PIN + "\n")
    assert done.returncode == 0, done.stderr
    assert PIN not in done.stdout + done.stderr
    assert check_reception_pin(ctx, "CD", PIN) is not None
    assert PIN.encode() not in _all_bytes(db_path)
    listing = kiosk_cli("pin", "list", "--db", str(db_path))
    assert "CD\tactive\tCat Dunn" in listing.stdout and "scrypt" not in listing.stdout


def test_pin_is_never_accepted_from_argv(kiosk_cli, db_path):
    done = kiosk_cli("pin", "set", "--initials", "CD", "--pin", PIN, "--db", str(db_path), input="")
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr


@pytest.mark.parametrize("typed", ["", "12", "abcd", "12 34 56", "\x1b[31m1234"])
def test_pin_set_garbage_is_refused_with_one_line(kiosk_cli, db_path, typed):
    done = kiosk_cli("pin", "set", "--initials", "CD", "--db", str(db_path), input=typed + "\n")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "nothing changed" in done.stderr
    assert not db_path.exists() or PIN.encode() not in _all_bytes(db_path)


def test_admin_set_pin_prints_a_line_that_the_config_accepts(kiosk_cli, clock):
    done = kiosk_cli("admin", "set-pin", input="246810\n")
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith('admin_pin_hash = "scrypt$') and "246810" not in line
    config = config_from_mapping(tomllib.loads("[security]\n" + line))
    ctx = Context(config, clock)
    assert check_admin_pin(ctx, "246810") and not check_admin_pin(ctx, "246811")


def test_admin_set_pin_refuses_a_short_pin(kiosk_cli):
    done = kiosk_cli("admin", "set-pin", input="1234\n")
    assert done.returncode == 2 and "6 to 12 digits" in done.stderr and done.stdout == ""


def test_admin_set_pin_write_edits_only_the_hash(kiosk_cli, tmp_path):
    config = tmp_path / "kiosk.toml"
    original = '[school]\nname = "St Nicholas"  # keep me\n\n[security]\nflood_texts_per_minute = 5\n\n[ui]\ntheme = "console"\n'
    config.write_text(original)
    os.chmod(config, 0o640)
    done = kiosk_cli("admin", "set-pin", "--write", "--config", str(config), input="246810\n")
    assert done.returncode == 0, done.stderr
    text = config.read_text()
    assert "# keep me" in text and 'theme = "console"' in text and "246810" not in text
    loaded = load_config(config)
    assert loaded.security.flood_texts_per_minute == 5
    assert verify_pin("246810", loaded.security.admin_pin_hash)
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    again = kiosk_cli("admin", "set-pin", "--write", "--config", str(config), input="135790\n")
    assert again.returncode == 0
    reloaded = load_config(config)
    assert verify_pin("135790", reloaded.security.admin_pin_hash)
    assert config.read_text().count("admin_pin_hash") == 1


def test_admin_set_pin_write_creates_a_private_config(kiosk_cli, tmp_path):
    config = tmp_path / "new.toml"
    done = kiosk_cli("admin", "set-pin", "--write", "--config", str(config), input="246810\n")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(config.stat().st_mode) & 0o007 == 0
    assert verify_pin("246810", load_config(config).security.admin_pin_hash)


def test_with_admin_hash_adds_section_or_key():
    line = 'admin_pin_hash = "x"'
    assert with_admin_hash("", line) == "[security]\nadmin_pin_hash = \"x\"\n"
    assert with_admin_hash("[ui]\ntheme = \"full\"", line).endswith("\n[security]\nadmin_pin_hash = \"x\"\n")
    edited = with_admin_hash("[security]\n# admin_pin_hash = \"\"\n[ui]\n", line)
    assert edited == "[security]\nadmin_pin_hash = \"x\"\n# admin_pin_hash = \"\"\n[ui]\n"
