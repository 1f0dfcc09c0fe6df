"""The TOML configuration: found, read, validated in full at start, then frozen.

It must never start kiosk on a value it has not checked: every key is validated at load, unknown
keys and sections are errors, and each error names the key ("ladder.reply_window_minutes: must be
a whole number between 1 and 240, got 'x'"). It never writes files and never reads the clock.

Lookup order: an explicit path (`--config`), then `$KIOSK_CONFIG`, then `/etc/kiosk/kiosk.toml`,
then `$XDG_CONFIG_HOME/kiosk/kiosk.toml` (or `~/.config/kiosk/kiosk.toml`); none found -> the
defaults. `KIOSK_CONFIG=/dev/null` is an empty file: the defaults (the tests use it). Every key,
its default and its meaning are in `data/kiosk.example.toml`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from kiosk.config_checks import (
    DAY_NAMES, _at_commands, _Bad, _baudrate, _boolean, _choice, _clock_time, _database_url, _days,
    _integer, _ip_address, _key, _money, _optional_origin, _origins, _own_number, _path, _shown, _sim_pin, _text,
    _timezone, _token, _ussd, _without_password,
)
from kiosk.config_checks import hide_password  # noqa: F401 - callers import it from kiosk.config
from kiosk.domain.ladder import LadderSettings

SYSTEM_CONFIG = Path("/etc/kiosk/kiosk.toml")


class ConfigError(ValueError):
    """A config that kiosk will not start with; the message names the key (and the file)."""

    def __init__(self, message: str, *, key: str | None = None, source: Path | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.source = source


# --- the sections -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SchoolConfig:
    """Who we are and which clock the school lives by."""

    name: str = _key("Our School", _text(80, empty=False), "shown on the board and in SMS to alert receivers")
    timezone: str = _key("Europe/London", _timezone, "local time for display and for times people type")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class DatabaseConfig:
    """Where the facts live."""

    path: str = _key("", _path, 'SQLite file; "" = $XDG_DATA_HOME/kiosk/kiosk.db or ~/.local/share/kiosk/kiosk.db')
    url: str = _key("", _database_url, 'PostgreSQL instead of the SQLite file ("postgresql://user@host/db"; "" = use path); see `kiosk migrate --to`')

    def resolved_path(self, env: Mapping[str, str] | None = None) -> Path:
        """The database file: `path` if set (~ expanded), else the user's data directory."""
        env = os.environ if env is None else env
        if self.path:
            return Path(os.path.expanduser(self.path))
        data_home = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "share")
        return Path(data_home) / "kiosk" / "kiosk.db"

    def target(self, env: Mapping[str, str] | None = None) -> str | Path:
        """What `kiosk.store.open_database` opens: the PostgreSQL `url` if set, else the SQLite file."""
        return self.url.strip() if self.url.strip() else self.resolved_path(env)


@dataclass(frozen=True)
class LadderConfig:
    """The escalation ladder's timings, in minutes."""

    due_soon_minutes: int = _key(10, _integer(0, 120), "board shows due-soon this long before due-back")
    overdue_grace_minutes: int = _key(0, _integer(0, 120), "amber this long after due-back")
    check_in_grace_minutes: int = _key(5, _integer(0, 60), "amber this long after a missed check-in")
    reply_window_minutes: int = _key(15, _integer(1, 240), "red if no contact this long after amber")
    alert_repeat_minutes: int = _key(10, _integer(1, 240), "repeat red alerts until someone takes charge")
    tier_minutes: int = _key(5, _integer(1, 240), "a red alarm nobody has taken charge of tells the next tier of alert receivers after this long")
    max_extend_minutes: int = _key(240, _integer(1, 1440), "most one text may push due-back")
    ack_target_minutes: int = _key(5, _integer(1, 240), "kiosk report: target time from an alarm to its acknowledgement")
    delivery_warning_minutes: int = _key(5, _integer(1, 240), 'no alert text of a red alarm confirmed delivered this long: "ring the receivers"')


@dataclass(frozen=True)
class StaffedHoursConfig:
    """When someone is at reception; outside these hours amber also texts the alert receivers."""

    days: tuple[str, ...] = _key(("mon", "tue", "wed", "thu", "fri"), _days, "days reception is staffed")
    start: str = _key("08:00", _clock_time, "reception staffed from (local time)")
    end: str = _key("17:30", _clock_time, "until (local time); alert receivers get the open-visits report then")

    @property
    def start_time(self) -> dtime:
        return dtime.fromisoformat(self.start)

    @property
    def end_time(self) -> dtime:
        return dtime.fromisoformat(self.end)

    @property
    def weekdays(self) -> frozenset[int]:
        """Monday = 0, as datetime.weekday()."""
        return frozenset(DAY_NAMES.index(d) for d in self.days)


@dataclass(frozen=True)
class VisitsConfig:
    """School policy for visits."""

    lone_visits: str = _key("warn", _choice("allow", "warn", "refuse"), "a visit with one member of staff")
    allow_start_by_text: bool = _key(True, _boolean, "OUT by SMS starts a visit (marked unapproved)")
    approval: str = _key("record", _choice("record", "require"),
                         'record: an unapproved visit is flagged; require: reception cannot sign one out '
                         '(OUT by text is still tracked, flagged)')
    default_check_in_minutes: int = _key(0, _integer(0, 240), "check-in interval for new visits; 0 = none")


@dataclass(frozen=True)
class ModemConfig:
    """The GSM modem on a serial port."""

    port: str = _key("/dev/kiosk-modem", _text(1000, empty=False), "serial device (the udev rule makes this name)")
    baudrate: int = _key(115200, _baudrate, "serial speed")
    rtscts: bool = _key(False, _boolean, "hardware flow control")
    dsrdtr: bool = _key(False, _boolean, "DSR/DTR flow control")
    mode: str = _key("pdu", _choice("pdu", "text"), "SMS mode: pdu (all alphabets, multi-part) or text")
    pin: str = _key("", _sim_pin, "SIM PIN, if the SIM asks for one")
    init: tuple[str, ...] = _key((), _at_commands, "extra AT commands sent after the standard set-up")
    model: str = _key("", _text(80), 'quirks override; "" = detect from AT+CGMM')
    own_number: str = _key("", _own_number, 'this SIM\'s number, texted by the daily self-test; "" = ask the modem (AT+CNUM)')
    reregister_minutes: int = _key(5, _integer(1, 120), "off the network this long: the watchdog resets the modem")
    balance_ussd: str = _key("", _ussd, 'USSD code that answers the SIM\'s credit, e.g. "*#10#"; "" = not checked')
    balance_warning: float = _key(2.0, _money, "credit below this: an amber line on the board")
    monthly_sms_limit: int = _key(0, _integer(0, 1000000), "texts the plan allows a month; amber at 80 %; 0 = no limit")


@dataclass(frozen=True)
class GatewayConfig:
    """The gateway's pacing."""

    tick_seconds: int = _key(15, _integer(1, 3600), "run the ladder this often")
    sweep_seconds: int = _key(60, _integer(5, 3600), "read the SIM for missed messages this often")
    health_seconds: int = _key(60, _integer(5, 3600), "check signal/registration this often")
    heartbeat_stale_seconds: int = _key(90, _integer(10, 3600), 'the board shows "SMS link down" after this')
    call_confirm_sms: bool = _key(False, _boolean, "confirm a missed-call check-in by SMS (costs a text)")


@dataclass(frozen=True)
class SelftestConfig:
    """The daily loop-back self-test: the gateway texts the SIM's own number and waits for it."""

    enabled: bool = _key(True, _boolean, 'false: no self-test (the board says "SMS path not self-tested")')
    at: str = _key("07:00", _clock_time, "daily, local time (also on demand: kiosk selftest)")
    timeout_minutes: int = _key(10, _integer(1, 240), "not back within this long: the SMS link is down")


@dataclass(frozen=True)
class VoiceConfig:
    """Voice calls from the modem to the alert receivers of an unowned red alarm (issue 18)."""

    enabled: bool = _key(True, _boolean, "ring the alert receivers told of a red alarm nobody has taken charge of (only where the modem can dial)")
    after_minutes: int = _key(2, _integer(0, 120), "first call this long after the alert texts (0: at once)")
    ring_seconds: int = _key(30, _integer(5, 120), "let each call ring this long, then hang up")
    repeat_minutes: int = _key(10, _integer(1, 240), "ring them all again this often until someone takes charge")


@dataclass(frozen=True)
class SoundConfig:
    """The kiosk's alarm sound."""

    enabled: bool = _key(True, _boolean, "play a sound while a red alarm is unacknowledged")
    command: str = _key("aplay", _text(200, empty=False), "player program")
    device: str = _key("", _text(200), 'ALSA device; "" = default')


@dataclass(frozen=True)
class RetentionConfig:
    """How long records are kept (days)."""

    closed_visits_days: int = _key(396, _integer(1, 36500), "closed visits")
    messages_days: int = _key(396, _integer(1, 36500), "SMS in and out")
    alarms_days: int = _key(396, _integer(1, 36500), "resolved alarms")
    audit_days: int = _key(2190, _integer(1, 36500), "the audit trail (events)")


@dataclass(frozen=True)
class SecurityConfig:
    """Secrets and abuse limits."""

    admin_pin_hash: str = _key("", _text(500), 'salted scrypt hash of the admin PIN (set with kiosk admin-pin); never the PIN')
    flood_texts_per_minute: int = _key(10, _integer(1, 1000), "more texts a minute from one number get no replies")


@dataclass(frozen=True)
class UiConfig:
    """The reception screen."""

    reveal_seconds: int = _key(30, _integer(1, 600), "a revealed code word hides again after this")
    alarm_privacy_seconds: int = _key(60, _integer(0, 3600), "alarm details hide from passers-by after this")
    theme: str = _key("auto", _choice("auto", "full", "console"), "auto, full (colour terminal) or console (tty1)")


@dataclass(frozen=True)
class TrustConfig:
    """The trust view (kiosk trust, on the trust's PC): never used by a site's kiosk."""

    database_url: str = _key("", _database_url, 'the trust server, e.g. "postgresql://kiosk@trust-server/postgres"; "" = none')
    stale_seconds: int = _key(120, _integer(60, 86400), "a site not heard from for this long is shown STALE (an idle site is heard every 30 s)")
    refresh_seconds: int = _key(5, _integer(1, 600), "the trust view reloads this often")


@dataclass(frozen=True)
class ServeConfig:
    """The read-only board for browsers on the school network (kiosk serve). Never port-forward it."""

    bind: str = _key("127.0.0.1", _ip_address, "listen on this address only: 127.0.0.1, or this PC's school-LAN address")
    port: int = _key(8470, _integer(1024, 65535), "TCP port")
    public_url: str = _key("", _optional_origin, 'the address browsers use, e.g. "http://192.168.1.20:8470"; "" = http://bind:port')
    token: str = _key("", _token, "shared secret the page and its websocket need; required (kiosk serve --new-token)")
    max_viewers: int = _key(3, _integer(1, 20), "browsers at once; one more is refused (each runs its own viewer)")
    allowed_origins: tuple[str, ...] = _key((), _origins, "more origins (besides public_url) a page may connect from")

    @property
    def url(self) -> str:
        """The public URL: `public_url`, or http://bind:port."""
        if self.public_url:
            return self.public_url
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"http://{host}:{self.port}"


SECRET_KEYS = ("admin_pin_hash", "token")  # never printed by `kiosk config` nor in an error

SECTIONS: dict[str, type] = {
    "school": SchoolConfig, "database": DatabaseConfig, "ladder": LadderConfig,
    "staffed_hours": StaffedHoursConfig, "visits": VisitsConfig, "modem": ModemConfig,
    "gateway": GatewayConfig, "selftest": SelftestConfig, "voice": VoiceConfig, "sound": SoundConfig, "retention": RetentionConfig,
    "security": SecurityConfig, "ui": UiConfig, "trust": TrustConfig, "serve": ServeConfig,
}


@dataclass(frozen=True)
class Config:
    """Everything configurable, validated. `source` is the file read (None: built-in defaults)."""

    school: SchoolConfig = field(default_factory=SchoolConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    ladder: LadderConfig = field(default_factory=LadderConfig)
    staffed_hours: StaffedHoursConfig = field(default_factory=StaffedHoursConfig)
    visits: VisitsConfig = field(default_factory=VisitsConfig)
    modem: ModemConfig = field(default_factory=ModemConfig)
    gateway: GatewayConfig = field(default_factory=GatewayConfig)
    selftest: SelftestConfig = field(default_factory=SelftestConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    sound: SoundConfig = field(default_factory=SoundConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    trust: TrustConfig = field(default_factory=TrustConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    source: Path | None = field(default=None, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return self.school.tz

    def to_toml_dict(self) -> dict[str, dict[str, Any]]:
        """The effective values as plain TOML types ({section: {key: value}}), for `kiosk config`."""
        out: dict[str, dict[str, Any]] = {}
        for name in SECTIONS:
            section = getattr(self, name)
            out[name] = {f.name: (list(v) if isinstance(v := getattr(section, f.name), tuple) else v)
                         for f in dataclasses.fields(section)}
        return out

    def ladder_settings(self):
        """The ladder's timings and staffed hours as `kiosk.domain.ladder.LadderSettings`."""

        ladder, hours = self.ladder, self.staffed_hours
        return LadderSettings(
            due_soon=timedelta(minutes=ladder.due_soon_minutes),
            overdue_grace=timedelta(minutes=ladder.overdue_grace_minutes),
            check_in_grace=timedelta(minutes=ladder.check_in_grace_minutes),
            reply_window=timedelta(minutes=ladder.reply_window_minutes),
            alert_repeat=timedelta(minutes=ladder.alert_repeat_minutes),
            tier_step=timedelta(minutes=ladder.tier_minutes),
            staffed_days=hours.weekdays, staffed_start=hours.start_time, staffed_end=hours.end_time,
            tz=self.tz,
        )


# --- rendering ------------------------------------------------------------------------------------

def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def render_toml(config: Config, *, comments: bool = True, hide_secrets: bool = True) -> str:
    """The effective config as TOML that `load_config` reads back to the same values.

    Comments give each key's meaning (the example file is this with the defaults). With
    hide_secrets, a set admin_pin_hash or serve token is shown as "(set)" in a comment instead of its value.
    """
    lines: list[str] = []
    for name, cls in SECTIONS.items():
        section = getattr(config, name)
        if lines:
            lines.append("")
        if comments and cls.__doc__:
            lines.append(f"# {cls.__doc__.strip()}")
        lines.append(f"[{name}]")
        for f in dataclasses.fields(section):
            value = getattr(section, f.name)
            if comments:
                lines.append(f"# {f.metadata['doc']}")
            if hide_secrets and f.name in SECRET_KEYS and value:
                lines.append(f"# {f.name} is set (not shown)")
                continue
            if hide_secrets and f.name in ("url", "database_url") and value and _without_password(value) != value:
                lines.append(f"# {f.name} = {_toml_value(_without_password(value))} (password not shown)")
                continue
            lines.append(f"{f.name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


# --- loading --------------------------------------------------------------------------------------

def _where(source: Path | None) -> str:
    return f" (in {source})" if source else ""


def config_from_mapping(data: Mapping[str, Any], source: Path | None = None) -> Config:
    """A validated Config from parsed TOML; ConfigError naming the first bad key."""
    if not isinstance(data, Mapping):
        raise ConfigError("config must be a TOML table of sections", source=source)
    sections: dict[str, Any] = {}
    for name, raw in data.items():
        if name not in SECTIONS:
            raise ConfigError(f"{name}: unknown section (known: {', '.join(SECTIONS)}){_where(source)}",
                              key=str(name), source=source)
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{name}: must be a section [{name}], got {_shown(raw)}{_where(source)}",
                              key=name, source=source)
        cls = SECTIONS[name]
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            dotted = f"{name}.{key}"
            if key not in known:
                raise ConfigError(f"{dotted}: unknown key (known: {', '.join(known)}){_where(source)}",
                                  key=dotted, source=source)
            try:
                values[key] = known[key].metadata["check"](value)
            except _Bad as bad:
                shown = _shown(_without_password(value) if dotted in ("database.url", "trust.database_url") else value)
                if key in SECRET_KEYS:
                    shown = "a value not shown (a secret)"
                raise ConfigError(f"{dotted}: {bad}, got {shown}{_where(source)}",
                                  key=dotted, source=source) from None
        sections[name] = cls(**values)
    config = Config(**sections, source=source)
    _check_across(config)
    return config


def _check_across(config: Config) -> None:
    hours = config.staffed_hours
    if hours.start_time >= hours.end_time:
        raise ConfigError(f"staffed_hours.end: must be later than staffed_hours.start ({hours.start}), "
                          f"got {_shown(hours.end)}{_where(config.source)}",
                          key="staffed_hours.end", source=config.source)
    serve = config.serve
    if serve.bind in ("0.0.0.0", "::") and not serve.public_url:
        raise ConfigError(f"serve.public_url: must be set when serve.bind is {serve.bind} (browsers cannot "
                          f"connect to that address){_where(config.source)}", key="serve.public_url",
                          source=config.source)
    gateway = config.gateway
    if gateway.heartbeat_stale_seconds <= gateway.tick_seconds:
        raise ConfigError(f"gateway.heartbeat_stale_seconds: must be more than gateway.tick_seconds "
                          f"({gateway.tick_seconds}), got {gateway.heartbeat_stale_seconds}"
                          f"{_where(config.source)}", key="gateway.heartbeat_stale_seconds",
                          source=config.source)


def _read(path: Path) -> Config:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(1_000_001)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file", source=path) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file", source=path) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror or exc})", source=path) from None
    if len(raw) > 1_000_000:
        raise ConfigError(f"{path}: config file is too large (over 1 MB)", source=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config file is not UTF-8 text", source=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", source=path) from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply", source=path) from None
    return config_from_mapping(data, source=path)


def find_config(path: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None) -> Path | None:
    """The file `load_config` would read, or None for the built-in defaults."""
    env = os.environ if env is None else env
    if path is not None and str(path) != "":
        return Path(path)
    from_env = env.get("KIOSK_CONFIG", "")
    if from_env:
        return Path(from_env)
    if SYSTEM_CONFIG.is_file():
        return SYSTEM_CONFIG
    config_home = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    user = Path(config_home) / "kiosk" / "kiosk.toml"
    if user.is_file():
        return user
    return None


def load_config(path: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Find, read and validate the config (see the module docstring for the lookup order).

    An explicit path or $KIOSK_CONFIG must exist; the system and user files are optional.
    Raises ConfigError (and nothing else) for anything wrong with the file.
    """
    found = find_config(path, env)
    if found is None:
        return Config()
    return _read(found)
