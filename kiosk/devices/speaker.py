"""The speaker: is the configured player there, and (for aplay) a sound card to play on?

Hardware like the modem, and like it knows nothing of visits. Read by the gateway (a warning on the
board) and by `kiosk doctor` (a check with a fix), each saying it in its own words.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class PlayerCheck:
    """What stands between the configured player and a sound at reception (the gateway's warning and
    `kiosk doctor`'s check both read it). `card_listing` is None unless aplay was asked for cards."""

    program: str  # the command's first word, "" when no command is configured
    exe: str | None  # where it was found on PATH, None if not
    card_listing: tuple[int, str] | None = None  # (exit code, output) of `aplay -l` (no device configured)

    @property
    def no_card(self) -> bool:
        return self.card_listing is not None and (self.card_listing[0] != 0 or "card" not in self.card_listing[1])


def _run(argv: list[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError) as exc:
        return 127, str(exc)
    return done.returncode, done.stdout


def find_player(command: str, device: str | None = None, *,
                which: Callable[[str], str | None] = shutil.which,
                run: Callable[[list[str]], tuple[int, str]] = _run) -> PlayerCheck:
    """Look for the player (and, for aplay without a device, a sound card); `which` and `run` are the
    machine's (the doctor's tests pass their own)."""
    argv = shlex.split(command) if command.strip() else []
    if not argv:
        return PlayerCheck("", None)
    exe = which(argv[0])
    if exe is None or Path(exe).name != "aplay" or device:
        return PlayerCheck(argv[0], exe)
    return PlayerCheck(argv[0], exe, run([exe, "-l"]))
