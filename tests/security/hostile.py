"""A shared corpus of hostile strings, for every test of a screen or a command that shows user text.

Import it: `from tests.security.hostile import HOSTILE, forbidden_in`. Each string is
something a text message, a form, the config or a tampered database could carry: markup that Rich
or Textual would obey, terminal escapes (colours, window titles, clipboard writes), bidi overrides
that reorder what reception reads, invisible characters, controls, huge and SQL-shaped text.
Nothing here may ever reach a terminal or a screen uninterpreted-as-text: a test that shows one of
these must find nothing `forbidden_in` what was written.
"""

from __future__ import annotations

import unicodedata

HOSTILE: dict[str, str] = {
    "rich-markup": "[bold red]x[/]",
    "rich-markup-unclosed": "[reverse][blink]ALARM CLEARED",
    "textual-action": "[@click=app.quit]quit[/]",
    "textual-action-bare": "@click=app.exit",
    "textual-link": "[link=https://evil.example]click[/link]",
    "ansi-colour": "\x1b[31mred\x1b[0m",
    "ansi-clear-screen": "\x1b[2J\x1b[Hall visits back",
    "ansi-cursor-up-overwrite": "ok\x1b[1A\x1b[2Kvisit 3 back",
    "osc-title": "\x1b]0;title\x07",
    "osc-title-st": "\x1b]2;pwned\x1b\\",
    "osc-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc-hyperlink": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "dcs": "\x1bP+q544e\x1b\\",
    "c1-csi": "\x9b31mC1 red",
    "c1-osc": "\x9d0;title\x9c",
    "c1-all": "".join(chr(c) for c in range(0x80, 0xA0)),
    "c0-all": "".join(chr(c) for c in range(0x00, 0x20)),
    "del": "rub\x7fout",
    "nul": "nul\x00byte",
    "bell": "bell\x07\x07",
    "backspace-overwrite": "SAFE\x08\x08\x08\x08DEAD",
    "carriage-return-overwrite": "Ann Lee OUT\rAnn Lee BACK",
    "newline-fake-row": "hello\n    9 14:00 <- +447700900123 processed 'BACK'",
    "bidi-rlo": "\u202eKCAB si nnA",
    "bidi-isolates": "\u2066safe\u2069 \u2067evil\u2069 \u2068x\u2069",
    "bidi-marks": "\u200e\u200f\u061c",
    "bidi-embeddings": "\u202aa\u202bb\u202cc\u202dd",
    "zero-width": "blue\u200bbird\u200c\u200d\ufeff",
    "line-separators": "one\u2028two\u2029three",
    "tag-characters": "hi\U000e0041\U000e0042",
    "interlinear": "\ufff9a\ufffab\ufffb",
    "long": "A" * 1200,
    "long-words": "word " * 300,
    "emoji": "😀👍🏽👨‍👩‍👧‍👦🏳️‍🌈",
    "sql": "'; DROP TABLE visit; --",
    "sql-union": "1 UNION SELECT code_word FROM staff --",
    "format-string": "{0.__class__} %s %n {}",
    "json-breaker": '"}]{"id": 1, "level": "ok"',
    "path": "../../etc/passwd",
    "lone-surrogate-escape": "\\ud800",
    "combining-pile": "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358",
    "fullwidth": "ＢＡＣＫ",
}


def _forbidden(ch: str) -> bool:
    if ch == "\n":
        return False  # the line break between rows is the program's own
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


FORBIDDEN_NAMES = "C0/C1 controls, DEL, ESC, bidi and zero-width format characters, line/paragraph separators"


def forbidden_in(output: str) -> list[str]:
    """The characters of `output` a terminal or screen could act on (or hide text with), escaped."""
    return sorted({f"U+{ord(ch):04X}" for ch in output if _forbidden(ch)})


def hostile_ids() -> list[str]:
    return list(HOSTILE)
