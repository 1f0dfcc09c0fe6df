"""The alarm sound: valid generated WAVs, looping while red is unacknowledged, never a crash."""

from __future__ import annotations

import sys
import time
import wave

from kiosk.gateway.sound import (AlarmFact, SoundPlayer, check_player, ensure_sounds, plan_sound,
                                 player_argv)


def test_generated_wavs_are_valid(tmp_path):
    sounds = ensure_sounds(tmp_path / "cache")
    with wave.open(str(sounds["siren"])) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        assert w.getnframes() / w.getframerate() == 2.0
    with wave.open(str(sounds["chime"])) as w:
        assert abs(w.getnframes() / w.getframerate() - 1.2) < 0.01
    mtime = sounds["siren"].stat().st_mtime_ns
    assert ensure_sounds(tmp_path / "cache")["siren"].stat().st_mtime_ns == mtime  # cached


def test_corrupt_cached_wav_is_regenerated(tmp_path):
    (tmp_path / "siren.wav").write_bytes(b"not a wav")
    sounds = ensure_sounds(tmp_path)
    with wave.open(str(sounds["siren"])) as w:
        assert w.getnframes() > 0


def red(i, ack=False, resolved=False):
    return AlarmFact(i, "red", ack, resolved)


def amber(i, resolved=False):
    return AlarmFact(i, "amber", False, resolved)


def test_siren_while_any_red_is_unacknowledged():
    assert plan_sound([red(1)], set()).siren
    assert not plan_sound([red(1, ack=True)], set()).siren, "acknowledged at the kiosk: silence"
    assert not plan_sound([red(1, resolved=True)], set()).siren
    assert plan_sound([red(1, ack=True), red(2)], set()).siren
    assert not plan_sound([], set()).siren


def test_chime_once_per_new_amber():
    assert plan_sound([amber(3), amber(4)], set()).chimes == (3, 4)
    assert plan_sound([amber(3), amber(4)], {3}).chimes == (4,)
    assert plan_sound([amber(3, resolved=True)], set()).chimes == ()
    assert not plan_sound([amber(3)], set()).siren


def test_missing_player_is_a_warning_not_an_exception(tmp_path):
    sounds = ensure_sounds(tmp_path)
    player = SoundPlayer(sounds, command="no-such-player-kiosk")
    plan = player.update([red(1)])
    assert plan.siren
    assert player.warning and "no-such-player-kiosk" in player.warning
    assert not player.siren_playing
    assert check_player("no-such-player-kiosk") and "not found" in check_player("no-such-player-kiosk")
    assert check_player("") == "sound: no player command configured"


def test_argv_includes_device():
    assert player_argv("aplay -q", "hw:1,0", "/x.wav") == ["aplay", "-q", "-D", "hw:1,0", "/x.wav"]
    assert player_argv("paplay", None, "/x.wav") == ["paplay", "/x.wav"]


def test_siren_loops_until_acknowledged_and_chimes_once(tmp_path):
    """A stand-in player that logs each play: the siren restarts when it ends, stops on ack."""
    log = tmp_path / "plays.log"
    script = tmp_path / "player.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write(sys.argv[-1].rsplit('/', 1)[-1] + '\\n')\n")
    player = SoundPlayer(ensure_sounds(tmp_path / "s"), command=f"{sys.executable} {script} {log}")

    def plays():
        return log.read_text().split() if log.exists() else []

    player.update([amber(7)])
    deadline = time.monotonic() + 5
    while plays() != ["chime.wav"] and time.monotonic() < deadline:
        time.sleep(0.02)
    for _ in range(3):
        player.update([amber(7)])
    deadline = time.monotonic() + 5
    while plays().count("siren.wav") < 3 and time.monotonic() < deadline:
        player.update([amber(7), red(8)])
        time.sleep(0.02)
    assert plays().count("chime.wav") == 1
    assert plays().count("siren.wav") >= 3, "the siren is played again each time it ends"
    player.update([amber(7), red(8, ack=True)])
    assert not player.siren_playing
    n = len(plays())
    player.update([amber(7), red(8, ack=True)])
    time.sleep(0.1)
    assert len(plays()) == n
    player.close()
    assert player.warning is None
