"""What the gateway's health row says about the SMS path beyond "the modem answers": the loop-back
self-test, the watchdog's reset ladder, the network generation, credit and the month's texts.

Read-only. Used by `kiosk status --json` (the contract of issue 17: exactly those keys), by
`kiosk doctor` (one line each, with what to do) and by the board (amber lines). The row may be the
peewee model or the doctor's read-only copy: only attributes are read, each may be missing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from kiosk.domain.selftest import SelfTestFacts, verdict as selftest_verdict
from kiosk.clock import format_instant

OLD_GENERATIONS = {"GSM": "2G", "GPRS": "2G", "EDGE": "2G", "UMTS": "3G", "HSDPA": "3G", "HSUPA": "3G",
                   "HSPA": "3G", "HSPA+": "3G", "3G": "3G", "2G": "2G"}
QUOTA_WARNING = 0.8  # amber at 80 % of [modem] monthly_sms_limit


def _get(row: Any, name: str, default: Any = None) -> Any:
    return default if row is None else getattr(row, name, default)


def generation_warning(access_technology: str | None) -> str | None:
    """2G/3G in the UK: the networks are switching those off (3G gone; 2G going)."""
    generation = OLD_GENERATIONS.get((access_technology or "").upper())
    if generation is None:
        return None
    return (f"modem on {generation} ({access_technology}): UK networks are switching {generation} off; "
            "use a 4G modem with SMS over LTE (docs/raspberry-pi.md)")


def credit_warning(row: Any, balance_warning: float) -> str | None:
    amount = _get(row, "credit_amount")
    if amount is None or amount >= balance_warning:
        return None
    return f"SIM credit low: {_get(row, 'credit') or amount} (top up; texts stop when it runs out)"


def quota_warning(row: Any, monthly_limit: int) -> str | None:
    sent = int(_get(row, "sent_this_month", 0) or 0)
    if not monthly_limit or sent < QUOTA_WARNING * monthly_limit:
        return None
    return f"{sent} of {monthly_limit} texts of this month's allowance used (red alerts are still sent)"


def board_warnings(row: Any, config: Any) -> list[str]:
    """The amber lines the board adds for the SMS path (credit, quota, old network)."""
    found = [credit_warning(row, config.modem.balance_warning),
             quota_warning(row, config.modem.monthly_sms_limit),
             generation_warning(_get(row, "access_technology"))]
    return [w for w in found if w]


def status(row: Any, link: Any, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """`kiosk status --json`: exactly link, reason, self_test, signal_bars, registration,
    access_technology, sent_this_month, credit (times ISO 8601 UTC or null)."""

    facts = SelfTestFacts.from_row(row)
    test = selftest_verdict(facts, now, tz)
    return {
        "link": "up" if link.up else "down",
        "reason": link.reason,
        "self_test": {"sent_at": format_instant(facts.sent_at),
                      "received_at": format_instant(facts.received_at) if facts.sent_at and facts.received_at
                      and facts.received_at >= facts.sent_at else None,
                      "ok": test.ok},
        "signal_bars": _get(row, "signal_bars"),
        "registration": _get(row, "registration") or None,
        "access_technology": _get(row, "access_technology") or None,
        "sent_this_month": int(_get(row, "sent_this_month", 0) or 0),
        "credit": _get(row, "credit") or None,
    }


def doctor_lines(row: Any, now: datetime, config: Any) -> list[tuple[str, str, str, str]]:
    """(status, name, detail, fix) for the doctor: the self-test, the watchdog, network, credit, quota."""
    out: list[tuple[str, str, str, str]] = []
    tz = config.tz
    test = selftest_verdict(SelfTestFacts.from_row(row), now, tz)
    if test.ok is True:
        out.append(("OK", "SMS self-test", test.strip, ""))
    elif test.ok is False:
        out.append(("FAIL", "SMS self-test", test.reason or "not back",
                    "check the SIM's credit (top it up) and the signal, then kiosk selftest"))
    elif test.strip.startswith("SMS path not self-tested"):
        fix = ("set [selftest] enabled = true" if "switched off" in test.strip
               else "set [modem] own_number to this SIM's number")
        out.append(("WARN", "SMS self-test", test.strip, fix))
    elif test.strip:
        out.append(("OK", "SMS self-test", test.strip + " (waiting for it to come back)", ""))
    else:
        out.append(("WARN", "SMS self-test", "none yet", "kiosk selftest (the gateway sends one daily)"))
    count = int(_get(row, "watchdog_count", 0) or 0)
    if count:
        at = _get(row, "watchdog_at")
        when = at.astimezone(tz).strftime("%H:%M") if at else "?"
        out.append(("WARN", "modem watchdog", f"reset ladder climbed {count} time(s) since the gateway started; "
                    f"last: {_get(row, 'watchdog_step') or '?'} at {when} ({_get(row, 'watchdog_reason') or '?'})",
                    "if it keeps happening: check the power supply and the aerial, or replace the modem"))
    tech = _get(row, "access_technology")
    old = generation_warning(tech)
    if old:
        out.append(("WARN", "network generation", old, "a 4G modem with SMS over LTE (docs/raspberry-pi.md)"))
    elif tech:
        out.append(("OK", "network generation", str(tech), ""))
    credit = credit_warning(row, config.modem.balance_warning)
    if credit:
        out.append(("WARN", "SIM credit", credit, "top up the SIM"))
    elif _get(row, "credit"):
        out.append(("OK", "SIM credit", str(_get(row, "credit")), ""))
    elif _get(row, "credit_note"):
        out.append(("OK", "SIM credit", f"not known: {_get(row, 'credit_note')}", ""))
    quota = quota_warning(row, config.modem.monthly_sms_limit)
    if quota:
        out.append(("WARN", "texts this month", quota, "raise the plan's allowance or [modem] monthly_sms_limit"))
    return out
