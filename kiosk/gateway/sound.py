"""An alarm you can hear: a siren looped while a red alarm is unacknowledged, a chime per new amber.

The sounds are generated at run time with the `wave` module (no binary files in git) and played by
an external player (`aplay` by default) in a subprocess. It must never crash or block the gateway: a
missing player or sound device becomes a warning that the health row shows on the board.
"""

from __future__ import annotations

import logging
import math
import shlex
import struct
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from kiosk.config import SoundConfig
from kiosk.devices.speaker import find_player

log = logging.getLogger("kiosk.gateway.sound")

RATE = 16_000


# --- the sounds ---------------------------------------------------------------------------------
def _write_wav(path: Path, samples: Iterable[float], rate: int = RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32000)) for s in samples)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    tmp.replace(path)
    return path


def siren_samples(seconds: float = 2.0, high: float = 960.0, low: float = 770.0,
                  rate: int = RATE) -> list[float]:
    """A two-tone siren: high and low alternate every half second, square-ish for loudness."""
    out: list[float] = []
    phase = 0.0
    for i in range(int(seconds * rate)):
        freq = high if (i // (rate // 2)) % 2 == 0 else low
        phase += 2 * math.pi * freq / rate
        out.append(0.8 * math.tanh(3 * math.sin(phase)))
    return out


def chime_samples(rate: int = RATE) -> list[float]:
    """Two soft decaying bell notes (E6 then C6), 1.2 s in all."""
    out: list[float] = []
    for freq, length in ((1318.5, 0.5), (1046.5, 0.7)):
        n = int(length * rate)
        for i in range(n):
            t = i / rate
            out.append(0.6 * math.exp(-4 * t) * math.sin(2 * math.pi * freq * t))
    return out


def ensure_sounds(cache_dir: Path) -> dict[str, Path]:
    """Write siren.wav and chime.wav into cache_dir unless they are already there and valid."""
    wanted = {"siren": siren_samples, "chime": chime_samples}
    paths: dict[str, Path] = {}
    for name, make in wanted.items():
        path = Path(cache_dir) / f"{name}.wav"
        if not _valid_wav(path):
            _write_wav(path, make())
        paths[name] = path
    return paths


def _valid_wav(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, wave.Error, EOFError):
        return False


# --- what should sound: a pure function over alarm facts ----------------------------------------
@dataclass(frozen=True)
class AlarmFact:
    id: int
    level: str  # "amber" | "red"
    acknowledged: bool
    resolved: bool


@dataclass(frozen=True)
class SoundPlan:
    siren: bool
    chimes: tuple[int, ...]  # amber alarm ids to chime for now (once each)


def plan_sound(alarms: Iterable[AlarmFact], already_chimed: set[int]) -> SoundPlan:
    """Siren while any red alarm is neither acknowledged nor resolved; one chime per new amber."""
    siren = False
    chimes: list[int] = []
    for a in alarms:
        if a.resolved:
            continue
        if a.level == "red" and not a.acknowledged:
            siren = True
        elif a.level == "amber" and a.id not in already_chimed:
            chimes.append(a.id)
    return SoundPlan(siren=siren, chimes=tuple(sorted(chimes)))


# --- playing -------------------------------------------------------------------------------------
def player_argv(command: str, device: str | None, path: Path) -> list[str]:
    argv = shlex.split(command)
    if device:
        argv += ["-D", device]
    return argv + [str(path)]


def check_player(command: str, device: str | None = None) -> str | None:
    """None if the player can be found (and, for aplay, a device listed); else a warning line."""
    found = find_player(command, device)
    if not found.program:
        return "sound: no player command configured"
    if found.exe is None:
        return f"sound: player {found.program!r} not found (install alsa-utils or set sound.command)"
    if found.card_listing is not None and found.card_listing[0] == 127:
        return f"sound: {found.program} -l failed: {found.card_listing[1]}"
    if found.no_card:
        return "sound: no sound card found (aplay -l lists none)"
    return None


class SoundPlayer:
    """Keeps the siren looping while wanted and plays chimes; remembers its last warning."""

    def __init__(self, sounds: dict[str, Path], command: str = SoundConfig().command, device: str | None = None,
                 enabled: bool = True) -> None:
        self.sounds = sounds
        self.command = command
        self.device = device
        self.enabled = enabled
        self.warning: str | None = None
        self.chimed: set[int] = set()
        self._siren: subprocess.Popen | None = None
        self._chime: subprocess.Popen | None = None

    def update(self, alarms: Sequence[AlarmFact]) -> SoundPlan:
        """Call often (every second or on every board change): applies plan_sound to the players."""
        plan = plan_sound(alarms, self.chimed)
        live_ambers = {a.id for a in alarms if a.level == "amber" and not a.resolved}
        self.chimed &= live_ambers | set(plan.chimes)
        if not self.enabled:
            self.chimed |= set(plan.chimes)
            self._stop_siren()
            return plan
        if plan.siren:
            if self._siren is None or self._siren.poll() is not None:
                self._siren = self._play("siren")
        else:
            self._stop_siren()
        if plan.chimes:
            self.chimed |= set(plan.chimes)
            if not plan.siren and (self._chime is None or self._chime.poll() is not None):
                self._chime = self._play("chime")
        return plan

    @property
    def siren_playing(self) -> bool:
        return self._siren is not None and self._siren.poll() is None

    def close(self) -> None:
        self._stop_siren()
        if self._chime is not None and self._chime.poll() is None:
            self._chime.terminate()

    def _stop_siren(self) -> None:
        if self._siren is not None:
            if self._siren.poll() is None:
                self._siren.terminate()
                try:
                    self._siren.wait(1)
                except subprocess.TimeoutExpired:
                    self._siren.kill()
            self._siren = None

    def _play(self, name: str) -> subprocess.Popen | None:
        argv = player_argv(self.command, self.device, self.sounds[name])
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, close_fds=True)
        except OSError as exc:
            self._warn(f"sound: cannot run {argv[0]!r}: {exc.strerror or exc}")
            return None
        if self.warning and "cannot run" in self.warning:
            self.warning = None
        return proc

    def _warn(self, text: str) -> None:
        if text != self.warning:
            log.warning("%s", text)
        self.warning = text
