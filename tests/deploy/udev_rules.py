"""A small, strict checker and evaluator for udev rule files, for testing kiosk's modem rule.

The udevadm of Debian 12 (systemd 252) has no `udevadm verify` (it arrived in 254), so this checks
what udev's own parser checks: every line is a comment, blank, or a comma-separated list of
KEY[{attr}]OP"value" with a known key and an operator that key allows; GOTO targets exist; MODE
is octal. `apply` then evaluates the rules against a device's properties, so a test can say which
devices get /dev/kiosk-modem. It never touches the system's udev.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}

# key -> (needs {attr}: True / False / None for optional, allowed operators)
KEYS: dict[str, tuple[bool | None, set[str]]] = {
    "ACTION": (False, MATCH_OPS), "DEVPATH": (False, MATCH_OPS), "KERNEL": (False, MATCH_OPS),
    "KERNELS": (False, MATCH_OPS), "SUBSYSTEM": (False, MATCH_OPS), "SUBSYSTEMS": (False, MATCH_OPS),
    "DRIVER": (False, MATCH_OPS), "DRIVERS": (False, MATCH_OPS), "TAGS": (False, MATCH_OPS),
    "RESULT": (False, MATCH_OPS), "PROGRAM": (False, MATCH_OPS), "ATTRS": (True, MATCH_OPS),
    "TEST": (None, MATCH_OPS), "CONST": (True, MATCH_OPS),
    "ATTR": (True, MATCH_OPS | {"=", ":="}), "SYSCTL": (True, MATCH_OPS | {"=", ":="}),
    "ENV": (True, MATCH_OPS | ASSIGN_OPS - {"-="}), "TAG": (False, MATCH_OPS | ASSIGN_OPS),
    "NAME": (False, MATCH_OPS | {"=", ":="}), "SYMLINK": (False, MATCH_OPS | ASSIGN_OPS),
    "OWNER": (False, {"=", ":="}), "GROUP": (False, {"=", ":="}), "MODE": (False, {"=", ":="}),
    "SECLABEL": (True, {"=", ":=", "+="}), "RUN": (None, {"=", "+=", ":="}),
    "IMPORT": (True, MATCH_OPS | {"="}), "OPTIONS": (False, {"=", "+=", ":="}),
    "LABEL": (False, {"="}), "GOTO": (False, {"="}),
}

_PAIR = re.compile(r'\s*(?P<key>[A-Z_]+)(?:\{(?P<attr>[^{}"]+)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"\s*')


@dataclass
class Pair:
    key: str
    attr: str | None
    op: str
    value: str


@dataclass
class Rule:
    line: int
    pairs: list[Pair]


@dataclass
class Rules:
    rules: list[Rule] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse(text: str) -> Rules:
    """Parse a rules file; syntax errors are collected as 'line N: what' strings."""
    out = Rules()
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\"):
            buffer += raw[:-1]
            continue
        logical.append((start, buffer + raw))
        buffer = ""
    if buffer:
        out.errors.append(f"line {start}: file ends inside a continued line")
    for number, line in logical:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        rule = _parse_line(number, stripped, out.errors)
        if rule:
            out.rules.append(rule)
    labels = {p.value for r in out.rules for p in r.pairs if p.key == "LABEL"}
    for rule in out.rules:
        for pair in rule.pairs:
            if pair.key == "GOTO" and pair.value not in labels:
                out.errors.append(f"line {rule.line}: GOTO {pair.value!r} has no LABEL")
    return out


def _parse_line(number: int, line: str, errors: list[str]) -> Rule | None:
    pairs: list[Pair] = []
    pos = 0
    while True:
        match = _PAIR.match(line, pos)
        if not match:
            errors.append(f"line {number}: cannot parse at column {pos + 1}: {line[pos:pos + 30]!r}")
            return None
        key, attr, op = match["key"], match["attr"], match["op"]
        if key not in KEYS:
            errors.append(f"line {number}: unknown key {key}")
            return None
        needs_attr, ops = KEYS[key]
        if needs_attr is True and attr is None:
            errors.append(f"line {number}: {key} needs {{attribute}}")
        if needs_attr is False and attr is not None:
            errors.append(f"line {number}: {key} takes no {{attribute}}")
        if op not in ops:
            errors.append(f"line {number}: operator {op} not allowed for {key}")
        if key == "MODE" and not re.fullmatch(r"0?[0-7]{3,4}", match["value"]):
            errors.append(f"line {number}: MODE {match['value']!r} is not octal")
        pairs.append(Pair(key, attr, op, match["value"]))
        pos = match.end()
        if pos == len(line):
            return Rule(number, pairs)
        if line[pos] != ",":
            errors.append(f"line {number}: expected ',' at column {pos + 1}")
            return None
        pos += 1
        if pos == len(line):
            errors.append(f"line {number}: trailing comma")
            return None


def _matches(pattern: str, value: str | None) -> bool:
    return any(fnmatch.fnmatchcase(value or "", alt) for alt in pattern.split("|"))


def apply(rules: Rules, device: dict[str, str]) -> dict[str, object]:
    """Evaluate the rules for one device given as udev properties (ACTION, SUBSYSTEM, ENV keys).

    Returns {"SYMLINK": [...], "GROUP": ..., "MODE": ..., "ENV": {...}} as udev would apply them.
    Supports the keys kiosk's rule uses; any other match key counts as not matching.
    """
    env = dict(device)
    result: dict[str, object] = {"SYMLINK": [], "GROUP": None, "MODE": None, "ENV": {}}
    index = 0
    while index < len(rules.rules):
        rule = rules.rules[index]
        index += 1
        matched = True
        for pair in rule.pairs:
            if pair.op not in MATCH_OPS:
                continue
            actual = env.get(pair.attr or "") if pair.key == "ENV" else env.get(pair.key)
            if pair.key not in {"ENV", "ACTION", "SUBSYSTEM", "KERNEL"}:
                actual = None
            hit = _matches(pair.value, actual)
            if hit != (pair.op == "=="):
                matched = False
                break
        if not matched:
            continue
        for pair in rule.pairs:
            if pair.op in MATCH_OPS:
                continue
            if pair.key == "GOTO":
                index = next(i for i, r in enumerate(rules.rules)
                             if any(p.key == "LABEL" and p.value == pair.value for p in r.pairs))
            elif pair.key == "SYMLINK":
                result["SYMLINK"].append(pair.value)  # type: ignore[union-attr]
            elif pair.key == "ENV":
                result["ENV"][pair.attr] = pair.value  # type: ignore[index]
                env[pair.attr or ""] = pair.value
            elif pair.key in {"GROUP", "MODE"}:
                result[pair.key] = pair.value
    return result
