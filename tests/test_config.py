"""The TOML config: lookup order, validation that names the key, unknown keys refused, the example
file equal to the defaults, and fuzzing that only ever yields a Config or a ConfigError."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk import config as config_module
from kiosk.config import SECTIONS, Config, ConfigError, config_from_mapping, load_config, render_toml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "kiosk.example.toml"


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def no_system_config(monkeypatch, tmp_path):
    """Point the system-wide path somewhere empty so the host's /etc never leaks into a test."""
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "etc-kiosk" / "kiosk.toml")
    return tmp_path / "etc-kiosk" / "kiosk.toml"


# --- defaults and the example file ---------------------------------------------------------------

def test_defaults_match_the_issue():
    c = Config()
    assert (c.school.name, c.school.timezone) == ("Our School", "Europe/London")
    assert (c.ladder.due_soon_minutes, c.ladder.overdue_grace_minutes, c.ladder.check_in_grace_minutes,
            c.ladder.reply_window_minutes, c.ladder.alert_repeat_minutes,
            c.ladder.max_extend_minutes) == (10, 0, 5, 15, 10, 240)
    assert c.staffed_hours.days == ("mon", "tue", "wed", "thu", "fri")
    assert (c.staffed_hours.start, c.staffed_hours.end) == ("08:00", "17:30")
    assert (c.visits.lone_visits, c.visits.allow_start_by_text, c.visits.default_check_in_minutes) == ("warn", True, 0)
    assert (c.modem.port, c.modem.baudrate, c.modem.mode, c.modem.init) == ("/dev/kiosk-modem", 115200, "pdu", ())
    assert (c.gateway.tick_seconds, c.gateway.heartbeat_stale_seconds) == (15, 90)
    assert (c.retention.audit_days, c.security.flood_texts_per_minute, c.ui.theme) == (2190, 10, "auto")


def test_example_file_loads_and_equals_the_defaults():
    loaded = load_config(str(EXAMPLE), env={})
    assert loaded == Config()
    assert loaded.source == EXAMPLE


def test_example_file_has_every_key_of_every_section():
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(data) == set(SECTIONS)
    for name, cls in SECTIONS.items():
        assert set(data[name]) == {f.name for f in dataclasses.fields(cls)}, name


def test_rendered_config_reads_back_to_the_same_values(tmp_path):
    changed = config_from_mapping({"school": {"name": 'St "Nick\'s" \\ School'},
                                   "modem": {"init": ['AT+CSCS="GSM"']},
                                   "staffed_hours": {"days": ["sat", "sun"]}})
    path = write(tmp_path, render_toml(changed))
    assert load_config(str(path), env={}) == changed


def test_render_hides_the_admin_pin_hash():
    secret = "scrypt$16384$8$1$c2FsdA==$aGFzaA=="
    shown = render_toml(config_from_mapping({"security": {"admin_pin_hash": secret}}))
    assert secret not in shown and "admin_pin_hash is set" in shown
    assert secret in render_toml(config_from_mapping({"security": {"admin_pin_hash": secret}}),
                                 hide_secrets=False)


def test_to_toml_dict_has_plain_values():
    d = Config().to_toml_dict()
    assert d["staffed_hours"]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert d["ladder"]["reply_window_minutes"] == 15 and d["modem"]["init"] == []


def test_ladder_settings_follow_the_config():
    c = config_from_mapping({"ladder": {"reply_window_minutes": 20, "due_soon_minutes": 5},
                             "staffed_hours": {"days": ["mon", "sat"], "start": "07:45", "end": "16:00"},
                             "school": {"timezone": "Europe/Dublin"}})
    s = c.ladder_settings()
    assert s.reply_window == timedelta(minutes=20) and s.due_soon == timedelta(minutes=5)
    assert s.staffed_days == frozenset({0, 5})
    assert (s.staffed_start, s.staffed_end) == (time(7, 45), time(16, 0))
    assert str(s.tz) == "Europe/Dublin"


def test_database_path_default_and_override():
    assert Config().database.resolved_path({"XDG_DATA_HOME": "/data"}) == Path("/data/kiosk/kiosk.db")
    assert Config().database.resolved_path({"HOME": "/home/k"}) == Path("/home/k/.local/share/kiosk/kiosk.db")
    c = config_from_mapping({"database": {"path": "/srv/kiosk.db"}})
    assert c.database.resolved_path({}) == Path("/srv/kiosk.db")


# --- lookup order -----------------------------------------------------------------------------

def test_dev_null_means_defaults(no_system_config):
    c = load_config(env={"KIOSK_CONFIG": os.devnull})
    assert c == Config() and c.source == Path(os.devnull)


def test_nothing_found_means_defaults_with_no_source(no_system_config, tmp_path):
    c = load_config(env={"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert c == Config() and c.source is None


def test_lookup_order(no_system_config, tmp_path):
    explicit = write(tmp_path, '[school]\nname = "Explicit"\n', "explicit.toml")
    from_env = write(tmp_path, '[school]\nname = "Env"\n', "env.toml")
    user = tmp_path / "xdg" / "kiosk" / "kiosk.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[school]\nname = "User"\n')
    env = {"KIOSK_CONFIG": str(from_env), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}

    assert load_config(str(explicit), env=env).school.name == "Explicit"
    assert load_config(None, env=env).school.name == "Env"
    env.pop("KIOSK_CONFIG")
    assert load_config(None, env=env).school.name == "User"
    no_system_config.parent.mkdir()
    no_system_config.write_text('[school]\nname = "System"\n')
    assert load_config(None, env=env).school.name == "System"
    assert load_config(None, env=env).source == no_system_config


def test_home_config_without_xdg(no_system_config, tmp_path):
    user = tmp_path / "home" / ".config" / "kiosk" / "kiosk.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[ui]\ntheme = "console"\n')
    assert load_config(env={"HOME": str(tmp_path / "home")}).ui.theme == "console"


@pytest.mark.parametrize("how", ["explicit", "env"])
def test_a_named_file_that_is_missing_is_an_error(no_system_config, tmp_path, how):
    missing = str(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="no such config file"):
        if how == "explicit":
            load_config(missing, env={})
        else:
            load_config(env={"KIOSK_CONFIG": missing})


# --- validation names the key -------------------------------------------------------------------

BAD = [
    ('[ladder]\nreply_window_minutes = "x"', "ladder.reply_window_minutes: must be a whole number between 1 and 240, got 'x'"),
    ("[ladder]\nreply_window_minutes = 0", "ladder.reply_window_minutes: must be a whole number between 1 and 240, got 0"),
    ("[ladder]\nreply_window_minutes = 1.5", "ladder.reply_window_minutes: must be a whole number"),
    ("[ladder]\nreply_window_minutes = true", "ladder.reply_window_minutes: must be a whole number"),
    ("[ladder]\ndue_soon_minutes = -1", "ladder.due_soon_minutes: must be a whole number between 0 and 120"),
    ("[ladder]\nmax_extend_minutes = 99999", "ladder.max_extend_minutes: must be a whole number"),
    ("[ladder]\nreply_windw_minutes = 15", "ladder.reply_windw_minutes: unknown key"),
    ("[ladders]\nx = 1", "ladders: unknown section"),
    ("ladder = 3", "ladder: must be a section"),
    ('[school]\ntimezone = "Mars/Olympus"', "school.timezone: must be a time zone name"),
    ('[school]\ntimezone = "../../etc/passwd"', "school.timezone: must be a time zone name"),
    ('[school]\ntimezone = ""', "school.timezone: must be a time zone name"),
    ('[school]\nname = ""', "school.name: must not be empty"),
    ('[school]\nname = "a\\u001b[31mb"', "school.name: must not contain control characters"),
    ('[school]\nname = 7', "school.name: must be text"),
    ('[staffed_hours]\nstart = "8am"', 'staffed_hours.start: must be a time "HH:MM"'),
    ('[staffed_hours]\nstart = "25:00"', 'staffed_hours.start: must be a time "HH:MM"'),
    ('[staffed_hours]\nend = "07:00"', "staffed_hours.end: must be later than staffed_hours.start"),
    ('[staffed_hours]\ndays = ["mon", "funday"]', "staffed_hours.days: must list days as"),
    ('[staffed_hours]\ndays = ["mon", "mon"]', "staffed_hours.days: must not list a day twice"),
    ('[staffed_hours]\ndays = "mon"', "staffed_hours.days: must be a list of day names"),
    ('[visits]\nlone_visits = "never"', 'visits.lone_visits: must be one of "allow", "warn", "refuse"'),
    ('[visits]\nallow_start_by_text = "yes"', "visits.allow_start_by_text: must be true or false"),
    ("[modem]\nbaudrate = 12345", "modem.baudrate: must be one of"),
    ('[modem]\nmode = "binary"', 'modem.mode: must be one of "pdu", "text"'),
    ('[modem]\npin = 1234', "modem.pin: must be empty or 4 to 8 digits"),
    ('[modem]\npin = "12"', "modem.pin: must be empty or 4 to 8 digits"),
    ('[modem]\ninit = ["AT+CMGF=0\\r\\nAT+CMGD=1,4"]', "modem.init: must be a list of AT commands"),
    ('[modem]\ninit = ["ATZ", "rm -rf /"]', "modem.init: must be a list of AT commands"),
    ('[modem]\nport = ""', "modem.port: must not be empty"),
    ('[database]\nurl = "mysql://x"', "database.url: must be empty or a"),
    ("[gateway]\ntick_seconds = 0", "gateway.tick_seconds: must be a whole number between 1 and 3600"),
    ("[gateway]\ntick_seconds = 100", "gateway.heartbeat_stale_seconds: must be more than gateway.tick_seconds"),
    ('[ui]\ntheme = "dark"', 'ui.theme: must be one of "auto", "full", "console"'),
    ("[security]\nflood_texts_per_minute = 0", "security.flood_texts_per_minute: must be a whole number"),
    ("[retention]\naudit_days = 0", "retention.audit_days: must be a whole number"),
    ("[sound]\nenabled = 1", "sound.enabled: must be true or false"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m.split(":")[0] + "|" + t[:25] for t, m in BAD])
def test_bad_values_name_the_key(tmp_path, text, message):
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), env={})
    assert str(caught.value).startswith(message)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("raw,message", [
    (b"[ladder\nx = 1", "not valid TOML"),
    (b"a = 1\na = 2", "not valid TOML"),
    (b"\xff\xfe[school]", "not UTF-8"),
    (b"[school]\nname = \"" + b"x" * 90 + b"\"", "school.name: must be at most 80 characters"),
    (b"x = " + b"[" * 5000 + b"]" * 5000, "not valid TOML"),
])
def test_broken_files(tmp_path, raw, message):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError, match=message):
        load_config(str(path), env={})


def test_a_directory_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(str(tmp_path), env={})


def test_accepted_alternatives(tmp_path):
    path = write(tmp_path, '[staffed_hours]\nstart = 07:30:00\ndays = ["Monday", "TUE"]\n'
                           '[modem]\npin = "0000"\ninit = ["AT+CSCS=\\"GSM\\""]\n')
    c = load_config(str(path), env={})
    assert c.staffed_hours.start == "07:30" and c.staffed_hours.days == ("mon", "tue")
    assert c.modem.pin == "0000" and c.modem.init == ('AT+CSCS="GSM"',)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().ladder.reply_window_minutes = 1  # type: ignore[misc]


# --- fuzzing ----------------------------------------------------------------------------------

_keys = st.sampled_from([f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
                        + ["ladder.nope", "nope.x", "school", "ui.theme.x"])
_values = st.one_of(
    st.integers(-10, 100_000), st.booleans(), st.text(max_size=30), st.floats(allow_nan=False),
    st.sampled_from(['"08:00"', '"Europe/London"', '"pdu"', '["mon"]', "08:00:00", "[]", '"auto"']),
    st.lists(st.text(max_size=5), max_size=3),
)


def _toml_literal(value) -> str:
    if isinstance(value, str) and value[:1] in ('"', "[", "0"):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "[" + ", ".join(_toml_literal(v) for v in value) + "]"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_keys, _values), max_size=6))
def test_random_settings_give_a_config_or_a_config_error(tmp_path, pairs):
    lines = []
    for key, value in pairs:
        section, _, name = key.partition(".")
        lines.append(f"[{section}]" if name else f"{section} = 1")
        if name:
            lines.append(f"{name} = {_toml_literal(value)}")
    path = tmp_path / "fuzz.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        c = load_config(str(path), env={})
    except ConfigError as error:
        assert str(error) and "\n" not in str(error).strip()
    else:
        assert isinstance(c, Config)
        assert c.ladder_settings() is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_random_bytes_give_a_config_or_a_config_error(tmp_path, raw):
    path = tmp_path / "fuzz.toml"
    if isinstance(raw, str):
        path.write_text(raw, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(raw)
    try:
        assert isinstance(load_config(str(path), env={}), Config)
    except ConfigError:
        pass


# --- issue 17: the self-test, the watchdog, credit and quota ------------------------------------

def test_selftest_and_modem_health_defaults():
    c = Config()
    assert (c.selftest.enabled, c.selftest.at, c.selftest.timeout_minutes) == (True, "07:00", 10)
    assert (c.modem.own_number, c.modem.reregister_minutes, c.modem.balance_ussd) == ("", 5, "")
    assert (c.modem.balance_warning, c.modem.monthly_sms_limit, c.ladder.delivery_warning_minutes) == (2.0, 0, 5)


def test_own_number_is_stored_in_one_form(tmp_path):
    c = load_config(str(write(tmp_path, '[modem]\nown_number = "07700 900123"\n')), env={})
    assert c.modem.own_number == "+447700900123"


@pytest.mark.parametrize("text, message", [
    ('[modem]\nown_number = "kiosk"', "modem.own_number: must be empty or the SIM's mobile number"),
    ('[modem]\nown_number = 7700900123', "modem.own_number: must be empty or the SIM's mobile number"),
    ('[modem]\nown_number = "01632 960123"', "modem.own_number: must be empty or the SIM's mobile number"),
    ('[modem]\nbalance_ussd = "*#10#; rm"', "modem.balance_ussd: must be empty or a USSD code"),
    ("[modem]\nbalance_warning = -1", "modem.balance_warning: must be an amount between 0 and 1000"),
    ('[modem]\nbalance_warning = "2"', "modem.balance_warning: must be an amount"),
    ("[modem]\nreregister_minutes = 0", "modem.reregister_minutes: must be a whole number between 1 and 120"),
    ("[modem]\nmonthly_sms_limit = -5", "modem.monthly_sms_limit: must be a whole number"),
    ('[selftest]\nat = "7am"', 'selftest.at: must be a time "HH:MM"'),
    ("[selftest]\ntimeout_minutes = 0", "selftest.timeout_minutes: must be a whole number between 1 and 240"),
    ('[selftest]\nenabled = "yes"', "selftest.enabled: must be true or false"),
    ("[selftest]\nevery = 3", "selftest.every: unknown key"),
    ("[ladder]\ndelivery_warning_minutes = 0", "ladder.delivery_warning_minutes: must be a whole number"),
])
def test_bad_selftest_and_modem_values_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as err:
        load_config(str(write(tmp_path, text)), env={})
    assert message in str(err.value)


def test_a_float_balance_warning_renders_and_reads_back(tmp_path):
    changed = config_from_mapping({"modem": {"balance_warning": 5, "balance_ussd": "*#10#"},
                                   "selftest": {"at": "06:45", "enabled": False}})
    assert changed.modem.balance_warning == 5.0
    assert load_config(str(write(tmp_path, render_toml(changed))), env={}) == changed
