"""peewee without psycopg2 until a PostgreSQL database is made (kiosk.store.pgdriver, issue 19).

Run in fresh interpreters: which modules are loaded is the point. The first checks that an SQLite
process never loads psycopg2; the second that a PostgreSQL database made afterwards gets from peewee
exactly what peewee's own import of psycopg2 would have given it (compared with a process in which
psycopg2 was loaded before peewee, i.e. peewee unchanged). The PostgreSQL pass of the suite
(.ci/with-postgresql) then connects through it for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

STATE = textwrap.dedent("""
    import json, sys
    if sys.argv[1] == "psycopg2-first":
        import psycopg2
    import kiosk.store, peewee
    loaded_before = "psycopg2" in sys.modules
    from kiosk.store.db import postgres_database
    db = postgres_database("postgresql://nobody@127.0.0.1:1/none")
    a = type(db._adapter)
    print(json.dumps({"loaded_before": loaded_before, "adapter": a.__name__,
                      "psycopg2": getattr(peewee.psycopg2, "__name__", None),
                      "ext": getattr(peewee.pg_extensions, "__name__", None),
                      "json": repr(getattr(peewee, "Json_pg2", None)),
                      "txn": [getattr(a, n, None) for n in ("txn_idle", "txn_inerror", "txn_unknown")],
                      "json_type": repr(db._adapter.json_type)}))
""")


def state(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", STATE, mode], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "KIOSK_CONFIG": "/dev/null"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_peewee_gets_psycopg2_only_when_a_postgresql_database_is_made_and_then_as_its_own_import_would() -> None:
    lazy, eager = state("kiosk-first"), state("psycopg2-first")
    assert lazy["loaded_before"] is False  # an SQLite process never loads it
    assert eager["loaded_before"] is True
    assert lazy["psycopg2"] == "psycopg2" and lazy["ext"] == "psycopg2.extensions"
    assert {k: v for k, v in lazy.items() if k != "loaded_before"} == \
        {k: v for k, v in eager.items() if k != "loaded_before"}
