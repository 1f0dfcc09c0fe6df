"""When the reception UI collects its garbage: never in a full pass at a random moment.

Python walks every tracked object in a full collection; for a Textual app that is 100,000-300,000
objects, 150-400 ms here, and one landed between a red alarm arriving and the alarm view being
painted. `Quiet` collects once the first board is up and freezes what start-up made (modules, CSS,
the board's widgets: they live as long as the process), then leaves the oldest generation to
`collect()`, which the app calls when a screen closes (its widgets are the garbage) and every ten
minutes. It must never disable collection (young generations stay automatic) and must give
everything back on `stop()` (tests run many apps in one process).
"""

from __future__ import annotations

import gc

FULL_EVERY_SECONDS = 600  # a full pass over what start-up did not make: 50-250 ms here, so rarely
NO_AUTOMATIC_FULL = 1_000_000  # gen-1 passes before Python would start a full one by itself


class Quiet:
    """The UI's collection policy; `start()` after the first frame, `collect()` on a timer."""

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None

    @property
    def active(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self._saved is not None:
            return
        gc.collect()
        gc.freeze()
        self._saved = gc.get_threshold()
        young, middle, _ = self._saved
        gc.set_threshold(young, middle, NO_AUTOMATIC_FULL)

    def collect(self) -> int:
        """A full pass now (over what was not frozen); the number of objects it freed."""
        return gc.collect() if self._saved is not None else 0

    def stop(self) -> None:
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None
        gc.unfreeze()
