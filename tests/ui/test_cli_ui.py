"""`kiosk ui` arguments: bad input gets one line and exit 2, before any screen opens."""


def test_bad_theme_and_bad_config_are_refused(kiosk_cli, tmp_path):
    done = kiosk_cli("ui", "--theme", "neon", "--db", str(tmp_path / "k.db"))
    assert done.returncode == 2 and "theme" in done.stderr and len(done.stderr.splitlines()) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui]\nreveal_seconds = 0\n")
    done = kiosk_cli("ui", "--config", str(bad), "--db", str(tmp_path / "k.db"))
    assert done.returncode == 2 and "reveal_seconds" in done.stderr
    assert not (tmp_path / "k.db").exists()
