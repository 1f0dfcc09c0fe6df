"""One line of `kiosk doctor`: a Check (OK, WARN, FAIL or SKIP, what, and how to fix it), the last
line's verdict and the exit status. Never prints a code word, a phone number or message text: the
detail and fix are made safe for the terminal here."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.display import safe_text

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"


@dataclass(frozen=True)
class Check:
    status: str
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name}: {safe_text(self.detail, None)}"
        return text + (f" — fix: {safe_text(self.fix, None)}" if self.fix and self.status in (WARN, FAIL) else "")


def verdict(checks: list[Check]) -> str:
    """The last line: all good, warnings, or failures (with counts)."""
    fails = sum(1 for c in checks if c.status == FAIL)
    warns = sum(1 for c in checks if c.status == WARN)
    if fails:
        return f"failures: {fails} failed, {warns} warning(s) — fix the failures before relying on the kiosk"
    if warns:
        return f"warnings: {warns} warning(s), nothing failed"
    return "all good"


def exit_code(checks: list[Check]) -> int:
    statuses = {c.status for c in checks}
    return 2 if FAIL in statuses else 1 if WARN in statuses else 0
