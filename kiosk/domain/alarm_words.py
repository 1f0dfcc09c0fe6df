"""What reception is told about an alarm, in words: its kind on the board, and what to do now.

Pure data from the policies (the alarm view, the banner, the viewer and the acknowledge dialog all
say the same); no I/O, no textual. An unknown kind is shown as itself in capitals, never hidden.
"""

from __future__ import annotations

from kiosk.domain import ladder as L

INSTRUCTIONS = {
    L.DURESS: "Call 999 now.",
    L.SOS: "Call 999 now.",
    L.NO_REPLY: "Ring the mobile; if no answer and there is cause for concern, call 999.",
    L.SEND_FAILED: "An alert text was not delivered: ring the alert receivers, then check the SMS link.",
    L.OVERDUE: "Ring the mobile now.",
    L.MISSED_CHECK_IN: "Ring the mobile now.",
}
KIND_WORDS = {
    L.DURESS: "DURESS", L.SOS: "SOS", L.NO_REPLY: "NO REPLY", L.SEND_FAILED: "TEXT FAILED",
    L.OVERDUE: "OVERDUE", L.MISSED_CHECK_IN: "NO CHECK-IN",
}


def instruction(kind: str) -> str:
    """The one line the alarm view tells reception to do (from the policies)."""
    return INSTRUCTIONS.get(kind, "Ring the mobile now.")


def kind_word(kind: str) -> str:
    """The alarm's kind as the board names it ("NO CHECK-IN"); an unknown kind in capitals."""
    return KIND_WORDS.get(kind, kind.upper())
