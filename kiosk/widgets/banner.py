"""Amber alarms as a banner with the number to ring (not a modal), red alarms acknowledged at the
kiosk but still open (with the key that records what was done next), and standing warnings."""

from __future__ import annotations


from rich.text import Text
from textual.widgets import Static

from kiosk.domain import ladder as L
from kiosk.domain.alarm_words import instruction, kind_word
from kiosk.services.board_view import AlarmLine
from kiosk.widgets.look import Glyphs, local_hhmm, plain


def amber_text(alarms: list[AlarmLine], tz, glyphs: Glyphs, *, open_reds: bool = True) -> Text:
    out = Text()
    red_visits = {a.visit_id for a in alarms if a.level == L.RED and a.visit_id is not None}
    reds = [a for a in alarms if a.level == L.RED and a.acknowledged_by] if open_reds else []  # no answer, police
    if len(reds) == 1:
        alarm = reds[0]
        out.append(f" {glyphs.red} {kind_word(alarm.kind)} alarm {alarm.id} open ",
                   style="bold")
        out.append(f"{glyphs.dot} ")
        out.append_text(plain(", ".join(alarm.names) or "?", 60))
        out.append(f" {glyphs.dot} ")
        out.append_text(plain(f"{alarm.acknowledged_by}: {alarm.action or '?'}", 40))
        out.append(f" {glyphs.dot} R: record what was done")
    elif reds:
        out.append(f" {glyphs.red} {len(reds)} red alarms open ", style="bold")
        out.append(f"{glyphs.dot} ")
        out.append_text(plain(", ".join(n for a in reds for n in a.names) or "?", 60))
        out.append(f" {glyphs.dot} R on a visit: record what was done")
    ambers = [a for a in alarms if a.level == L.AMBER and (a.visit_id is None or a.visit_id not in red_visits)]
    for alarm in ambers:
        if out.plain:
            out.append("\n")
        out.append(f" {glyphs.amber} {kind_word(alarm.kind)} ", style="bold")
        if alarm.kind == L.SEND_FAILED:  # a reply or reminder that could not be sent
            out.append_text(plain(alarm.summary, 160))
            out.append(f" {glyphs.dot} since {local_hhmm(alarm.raised_at, tz)}")
            continue
        who = ", ".join(alarm.names) or "?"
        out.append(f"visit {alarm.visit_id}: " if alarm.visit_id else "")
        out.append_text(plain(who, 60))
        out.append(f" {glyphs.dot} {instruction(alarm.kind).rstrip('.')}: ")
        out.append_text(plain(" / ".join(alarm.phones) or "no number", 60, style="bold"))
        out.append(f" {glyphs.dot} since {local_hhmm(alarm.raised_at, tz)}")
    return out


class AmberBanner(Static):
    """Hidden when there is no amber alarm and no acknowledged red one still open."""

    def __init__(self) -> None:
        super().__init__("", id="amber", markup=False)
        self._last: str | None = None

    def show(self, alarms: list[AlarmLine], tz, glyphs: Glyphs, *, open_reds: bool = True) -> None:
        """`open_reds` False: no line for acknowledged red alarms (the read-only viewer lists reds itself)."""
        text = amber_text(alarms, tz, glyphs, open_reds=open_reds)
        self.display = bool(text.plain)
        if text.plain != self._last:
            self._last = text.plain
            self.update(text)


class WarningsLine(Static):
    """Conditions reception must always see (no alert receiver, clock, sound, signal)."""

    def __init__(self) -> None:
        super().__init__("", id="warnings", markup=False)
        self._last: str | None = None

    def show(self, warnings: list[str], ignored: int, glyphs: Glyphs) -> None:
        out = Text()
        for warning in warnings:
            if out.plain:
                out.append("\n")
            out.append(f" {glyphs.amber} ")
            out.append_text(plain(warning, 160))
        if ignored:
            if out.plain:
                out.append("\n")
            out.append(f" {ignored} text(s) from unknown numbers ignored", style="dim")
        self.display = bool(out.plain)
        if out.plain != self._last:
            self._last = out.plain
            self.update(out)
