"""Every value of every column of every table of a kiosk database, read with plain sqlite3: what a
thief with the SD card would see. For the secret-leak, erasure and "changes nothing" tests."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path


def dump(path: Path | str, *, skip: frozenset[tuple[str, str]] = frozenset()) -> list[tuple[str, str, object]]:
    """[(table, column, value)] for every cell, in a stable order; `skip` names (table, column)
    pairs to leave out."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        cells = []
        for table in tables:
            cursor = con.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row):
                    if (table, column) not in skip:
                        cells.append((table, column, value))
        return cells
    finally:
        con.close()


def fold(text: str) -> str:
    """Casefolded, accents removed, NFKC: how a code word is matched."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", str(text)).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def hits(cells, needles) -> list[tuple[str, str, object]]:
    """The cells whose text contains any of `needles` (folded both sides)."""
    wanted = [fold(n) for n in needles]
    return [(t, c, v) for t, c, v in cells if v is not None and any(w in fold(v) for w in wanted)]
