"""The systemd units pass `systemd-analyze verify`, checked where they are installed.

systemd-analyze verify also checks that each ExecStart= program exists and is executable, and it
needs systemd's own units (sysinit.target...). So the test installs kiosk into a temporary root
with install.sh (whose --no-venv leaves an executable placeholder at /opt/kiosk/venv/bin/kiosk),
copies the host's /usr/lib/systemd/system there, puts placeholder `cage` and `foot` programs
in place (the Wayland route's, inside the root), and runs `systemd-analyze verify --root`.
verify exits 0 even for an unknown key or a bad value (it only warns), so any output fails too.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO, run_install

UNITS = ["kiosk-gateway.service", "kiosk-ui.service", "kiosk-ui-wayland.service",
         "kiosk-backup.service", "kiosk-backup.timer"]


@pytest.fixture(scope="module")
def installed_root(tmp_path_factory) -> Path:
    """Built once per module (install + a copy of systemd's units); tests that change a file put
    it back (see `system_root`)."""
    root = tmp_path_factory.mktemp("root")
    run_install(root, "install")
    (root / "usr" / "lib" / "systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    for program in ("cage", "foot"):
        fake = root / "usr" / "bin" / program
        fake.parent.mkdir(parents=True, exist_ok=True)
        fake.write_text("#!/bin/sh\nexit 0\n")
        fake.chmod(0o755)
    return root


@pytest.fixture
def system_root(installed_root: Path):
    """The installed root; the kiosk units and program are restored after each test."""
    keep = [installed_root / "etc/systemd/system" / unit for unit in UNITS]
    keep.append(installed_root / "opt/kiosk/venv/bin/kiosk")
    saved = {path: (path.read_bytes(), path.stat().st_mode) for path in keep}
    yield installed_root
    for path, (content, mode) in saved.items():
        path.write_bytes(content)
        path.chmod(mode)


def verify(root: Path, *units: str) -> tuple[int, str]:
    paths = [f"/etc/systemd/system/{unit}" for unit in units]
    result = subprocess.run(["systemd-analyze", "verify", f"--root={root}", *paths],
                            capture_output=True, text=True, timeout=30)
    return result.returncode, (result.stdout + result.stderr).strip()


def test_every_installed_unit_verifies_cleanly(system_root):
    assert verify(system_root, *UNITS) == (0, "")


def test_the_installed_units_are_the_repository_units(system_root):
    for unit in UNITS:
        installed = system_root / "etc" / "systemd" / "system" / unit
        assert installed.read_bytes() == (REPO / "systemd" / unit).read_bytes()


BREAKAGES = {
    "misspelt key": ("kiosk-gateway.service", "WatchdogSec=", "WatchdogSecs="),
    "bad time span": ("kiosk-gateway.service", "WatchdogSec=60", "WatchdogSec=6O"),
    "unknown service type": ("kiosk-gateway.service", "Type=notify", "Type=notfy"),
    "bad device rights": ("kiosk-gateway.service", "DeviceAllow=char-ttyUSB rw", "DeviceAllow=char-ttyUSB rwx"),
    "unknown restart mode": ("kiosk-ui.service", "Restart=always", "Restart=allways"),
    "program not installed": ("kiosk-ui-wayland.service", "/usr/bin/cage", "/usr/bin/cagee"),
    "bad calendar": ("kiosk-backup.timer", "OnCalendar=*-*-* 02:30:00", "OnCalendar=*-*-* 25:30:00"),
    "section typo": ("kiosk-backup.service", "[Service]", "[Servce]"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_a_deliberately_broken_copy_fails_verification(system_root, name):
    unit, good, bad = BREAKAGES[name]
    path = system_root / "etc" / "systemd" / "system" / unit
    text = path.read_text()
    assert good in text
    path.write_text(text.replace(good, bad, 1))
    code, output = verify(system_root, unit)
    assert code != 0 or output != ""


def test_missing_kiosk_program_fails_verification(system_root):
    (system_root / "opt" / "kiosk" / "venv" / "bin" / "kiosk").unlink()
    code, output = verify(system_root, "kiosk-gateway.service")
    assert code != 0 and "/opt/kiosk/venv/bin/kiosk" in output


def settings(unit: str) -> dict[str, list[str]]:
    """KEY -> values (a key may repeat), from the repository's unit file."""
    out: dict[str, list[str]] = {}
    for line in (REPO / "systemd" / unit).read_text().splitlines():
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_gateway_unit_is_watched_hardened_and_limited_to_modem_and_sound():
    s = settings("kiosk-gateway.service")
    assert s["Type"] == ["notify"] and s["Restart"] == ["always"] and "WatchdogSec" in s
    assert s["ExecStart"] == ["/opt/kiosk/venv/bin/kiosk gateway --config /etc/kiosk/kiosk.toml"]
    assert s["User"] == ["kiosk"] and s["Group"] == ["kiosk"]
    assert set(s["SupplementaryGroups"][0].split()) == {"dialout", "audio"}
    assert s["ProtectSystem"] == ["strict"] and s["ReadWritePaths"] == ["/var/lib/kiosk"]
    assert s["StateDirectory"] == ["kiosk"] and s["NoNewPrivileges"] == ["yes"]
    assert s["ProtectHome"] == ["yes"] and s["PrivateTmp"] == ["yes"]
    assert s["DevicePolicy"] == ["closed"]
    assert set(s["DeviceAllow"]) == {"char-ttyUSB rw", "char-ttyACM rw", "char-alsa rw"}
    assert s["StandardOutput"] == ["journal"]


def test_console_ui_is_on_tty1_follows_the_gateway_but_does_not_die_with_it():
    s = settings("kiosk-ui.service")
    assert s["TTYPath"] == ["/dev/tty1"] and s["StandardInput"] == ["tty"] and s["StandardOutput"] == ["tty"]
    assert "getty@tty1.service" in s["Conflicts"][0].split()
    assert "kiosk-gateway.service" in s["After"][0].split() and s["Wants"] == ["kiosk-gateway.service"]
    assert "BindsTo" not in s and "Requires" not in s and "PartOf" not in s
    assert s["Environment"][0] == "TERM=linux" and s["Restart"] == ["always"]
    assert any("setterm --blank 0 --powersave off" in v for v in s["ExecStartPre"])


def test_wayland_ui_runs_foot_in_cage_and_excludes_the_console_ui(installed_root):
    s = settings("kiosk-ui-wayland.service")
    pam = installed_root / "etc" / "pam.d" / s["PAMName"][0]
    assert "pam_systemd.so" in pam.read_text()
    assert "kiosk-ui.service" in s["Conflicts"][0].split()
    assert s["ExecStart"][0].startswith("/usr/bin/cage ")
    assert "/usr/bin/foot" in s["ExecStart"][0] and "kiosk ui --config /etc/kiosk/kiosk.toml" in s["ExecStart"][0]


FOOT_KEYS_THAT_LEAVE_THE_BOARD = {"spawn-terminal", "show-urls-launch", "search-start", "font-increase",
                                  "font-decrease", "font-reset"}


def test_wayland_route_switches_off_foots_keys_that_leave_the_board_and_real_foot_accepts_them():
    """Found by QA: foot's default Ctrl+Shift+N opened a new terminal (a shell) that cage shows full
    screen over the board. The overrides must be ones the real foot (Debian's) accepts."""
    words = shlex.split(settings("kiosk-ui-wayland.service")["ExecStart"][0])
    foot = words.index("/usr/bin/foot")
    overrides = [words[i + 1] for i in range(foot, len(words) - 1) if words[i] == "-o"]
    assert {o.removeprefix("key-bindings.").removesuffix("=none") for o in overrides} == FOOT_KEYS_THAT_LEAVE_THE_BOARD
    args = [a for o in overrides for a in ("-o", o)]
    ok = subprocess.run(["foot", "--check-config", *args], capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(["foot", "--check-config", "-o", "key-bindings.spawn-terminall=none"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0  # the check can fail


def test_backup_timer_is_nightly_persistent_and_spread():
    t = settings("kiosk-backup.timer")
    assert t["Persistent"] == ["true"] and "RandomizedDelaySec" in t
    result = subprocess.run(["systemd-analyze", "calendar", t["OnCalendar"][0]], capture_output=True, text=True)
    assert result.returncode == 0 and "*-*-* 02:30:00" in result.stdout
    b = settings("kiosk-backup.service")
    assert b["ExecStart"] == ["/opt/kiosk/venv/bin/kiosk backup --config /etc/kiosk/kiosk.toml /var/lib/kiosk/backups"]
    assert b["User"] == ["kiosk"] and b["Type"] == ["oneshot"]
