"""systemd/install.sh into a temporary root: idempotent, reversible, and the config is sacred."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from tests.deploy.conftest import INSTALL, run_install


def tree(root: Path) -> dict[str, tuple[str, str]]:
    """path -> (type+mode, content hash or link target) for everything under root."""
    out: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = "/" + str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = (f"dir {stat.S_IMODE(info.st_mode):o}", "")
            else:
                out[rel] = (f"file {stat.S_IMODE(info.st_mode):o}", hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def test_install_lays_out_the_kiosk(root, source):
    result = run_install(root, "install", source=source)
    assert "user 'kiosk' not created" in result.stdout
    t = tree(root)
    assert t["/etc/kiosk/kiosk.toml"][0] == "file 640"
    assert t["/var/lib/kiosk"][0] == "dir 750" and t["/var/lib/kiosk/backups"][0] == "dir 750"
    assert t["/opt/kiosk/venv/bin/kiosk"][0] == "file 755"
    for unit in ("kiosk-gateway.service", "kiosk-ui.service", "kiosk-ui-wayland.service",
                 "kiosk-backup.service", "kiosk-backup.timer"):
        assert t[f"/etc/systemd/system/{unit}"][0] == "file 644"
    assert t["/etc/udev/rules.d/99-kiosk-modem.rules"][0] == "file 644"
    assert t["/etc/pam.d/kiosk-cage"][0] == "file 644"
    assert t["/etc/systemd/system/multi-user.target.wants/kiosk-gateway.service"] == \
        ("link", "/etc/systemd/system/kiosk-gateway.service")
    assert t["/etc/systemd/system/multi-user.target.wants/kiosk-ui.service"][0] == "link"
    assert t["/etc/systemd/system/timers.target.wants/kiosk-backup.timer"][0] == "link"
    assert "/etc/systemd/system/multi-user.target.wants/kiosk-ui-wayland.service" not in t
    manifest = (root / "opt/kiosk/install-manifest.txt").read_text().splitlines()
    assert "user-skipped - dialout,audio kiosk" in manifest
    assert "config 0640 root:kiosk /etc/kiosk/kiosk.toml" in manifest


def test_config_gets_the_installed_database_and_modem_paths(root, source):
    run_install(root, "install", source=source)
    config = (root / "etc/kiosk/kiosk.toml").read_text()
    database = config.split("[database]")[1].split("[")[0]
    modem = config.split("[modem]")[1]
    assert 'path = "/var/lib/kiosk/kiosk.db"' in database
    assert 'port = "/dev/kiosk-modem"' in modem and "baud = 115200" in modem
    assert 'name = "Example School"' in config


def test_installing_twice_gives_an_identical_tree(root, source):
    run_install(root, "install", source=source)
    first = tree(root)
    run_install(root, "install", source=source)
    assert tree(root) == first


def test_config_is_never_overwritten_by_a_reinstall(root, source):
    run_install(root, "install", source=source)
    config = root / "etc/kiosk/kiosk.toml"
    config.write_text('[school]\nname = "St Nicholas"\n')
    result = run_install(root, "install", source=source)
    assert "kept existing /etc/kiosk/kiosk.toml" in result.stdout
    assert config.read_text() == '[school]\nname = "St Nicholas"\n'
    assert stat.S_IMODE(config.stat().st_mode) == 0o640


def test_uninstall_removes_what_it_created_but_keeps_config_and_data(root, source):
    run_install(root, "install", source=source)
    (root / "var/lib/kiosk/kiosk.db").write_bytes(b"the school's records")
    run_install(root, "uninstall", source=source)
    left = set(tree(root))
    assert left == {"/etc", "/etc/kiosk", "/etc/kiosk/kiosk.toml", "/opt", "/opt/kiosk",
                    "/opt/kiosk/install-manifest.txt", "/var", "/var/lib", "/var/lib/kiosk",
                    "/var/lib/kiosk/backups", "/var/lib/kiosk/kiosk.db"}
    assert (root / "var/lib/kiosk/kiosk.db").read_bytes() == b"the school's records"


def test_purge_after_uninstall_removes_the_rest(root, source):
    run_install(root, "install", source=source)
    (root / "var/lib/kiosk/kiosk.db").write_bytes(b"x")
    run_install(root, "uninstall", source=source)
    run_install(root, "--purge", "uninstall", source=source)
    assert tree(root) == {}


def test_uninstall_purge_leaves_nothing_but_what_was_there_before(root, source):
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/systemd/system/other.service").write_text("[Service]\nExecStart=/bin/true\n")
    before = tree(root)
    run_install(root, "install", source=source)
    (root / "var/lib/kiosk/backups/kiosk-20261124T020000Z.db").write_bytes(b"x")
    run_install(root, "--purge", "uninstall", source=source)
    assert tree(root) == before


def test_reinstall_after_uninstall_keeps_the_config(root, source):
    run_install(root, "install", source=source)
    (root / "etc/kiosk/kiosk.toml").write_text("# mine\n")
    run_install(root, "uninstall", source=source)
    run_install(root, "install", source=source)
    assert (root / "etc/kiosk/kiosk.toml").read_text() == "# mine\n"
    run_install(root, "--purge", "uninstall", source=source)
    assert tree(root) == {}


def test_no_enable_installs_units_without_links(root, source):
    run_install(root, "--no-enable", "install", source=source)
    t = tree(root)
    assert "/etc/systemd/system/kiosk-gateway.service" in t
    assert not any(".wants" in path for path in t)


def test_status_reports_installed_and_missing_files(root, source):
    assert run_install(root, "status", source=source, check=False).returncode == 3
    run_install(root, "install", source=source)
    ok = run_install(root, "status", source=source)
    assert "ok      file /etc/systemd/system/kiosk-gateway.service" in ok.stdout
    (root / "etc/udev/rules.d/99-kiosk-modem.rules").unlink()
    broken = run_install(root, "status", source=source, check=False)
    assert broken.returncode == 1
    assert "MISSING file /etc/udev/rules.d/99-kiosk-modem.rules" in broken.stdout


def test_bad_arguments_get_one_line_and_change_nothing(root, source):
    for args in (["frobnicate"], [], ["install", "uninstall"], ["--bogus", "install"]):
        result = run_install(root, *args, source=source, check=False)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("install.sh: ")
    assert tree(root) == {}


def test_source_without_example_config_is_refused_and_nothing_is_written(root, source):
    (source / "data" / "kiosk.example.toml").unlink()
    result = run_install(root, "install", source=source, check=False)
    assert result.returncode == 2 and "no example config" in result.stderr
    assert tree(root) == {}


def test_the_real_example_config_installs_as_a_valid_config(root):
    """From the repository itself: the installed kiosk.toml loads and points at the installed
    database and the udev rule's modem name, with every other key at its commented default."""
    from kiosk.config import load_config

    run_install(root, "install")  # --source defaults to the tree install.sh is in
    installed = root / "etc/kiosk/kiosk.toml"
    config = load_config(installed, env={})
    assert config.database.resolved_path(env={}) == Path("/var/lib/kiosk/kiosk.db")
    assert config.modem.port == "/dev/kiosk-modem"
    assert config.school == load_config(Path(__file__).parents[2] / "data/kiosk.example.toml", env={}).school


def test_installer_passes_shellcheck_and_a_careless_edit_would_not(tmp_path):
    import subprocess

    from tests.deploy.conftest import INSTALL

    clean = subprocess.run(["shellcheck", str(INSTALL)], capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0, clean.stdout
    careless = tmp_path / "install.sh"
    careless.write_text(INSTALL.read_text().replace('rm -rf -- "$R$1"', "rm -rf -- $R$1", 1))
    assert careless.read_text() != INSTALL.read_text()
    result = subprocess.run(["shellcheck", str(careless)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SC2086" in result.stdout


def test_item10_the_installer_makes_the_database_with_kiosk_init(root, source):
    """install.sh runs `kiosk init` (as the kiosk user on a live system); with --no-venv there is no
    kiosk to run it with, and it says what to run instead. Nothing else makes the database."""
    result = run_install(root, "install", source=source)
    assert "no database made; once kiosk is installed: sudo -u kiosk kiosk --config /etc/kiosk/kiosk.toml init" \
        in result.stdout
    assert not (root / "var/lib/kiosk/kiosk.db").exists()
    script = INSTALL.read_text()
    assert 'runuser -u "$USER_NAME" -- "$VENV_DIR/bin/kiosk" --config "$CONFIG" init' in script
