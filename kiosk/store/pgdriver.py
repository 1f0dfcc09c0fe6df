"""psycopg2 for peewee only when a PostgreSQL database is opened: start-up time and memory (issue 19).

peewee imports psycopg2 at import time whenever it is installed (the `postgresql` extra), which
costs an SQLite site ~5 MB of resident memory and ~15 ms of start-up in every process (the reception
UI included) for a driver it never uses. `import_peewee()` imports peewee with psycopg2 hidden (peewee
then records it as not installed); `give_peewee_psycopg2()`, called by every PostgreSQL database kiosk
makes before it is set up, imports psycopg2 and hands it to peewee exactly as peewee's own import
would have (the module, its extensions, the Json adapter, the UUID type, the adapter's transaction
states). Without psycopg2 installed it does nothing and peewee says so when connecting, as before.
tests/store/test_pgdriver.py checks both halves against the installed peewee.
"""

from __future__ import annotations

import sys


def import_peewee() -> None:
    """Import peewee without psycopg2 unless something loaded either already. kiosk.store calls it
    before any of its modules imports peewee."""
    hide = "peewee" not in sys.modules and "psycopg2" not in sys.modules
    if hide:
        sys.modules["psycopg2"] = None  # type: ignore[assignment]  # `import psycopg2` raises ImportError
    try:
        import peewee  # noqa: F401
    finally:
        if hide:
            del sys.modules["psycopg2"]


def give_peewee_psycopg2() -> None:
    """Hand psycopg2 to peewee if it was hidden from it and is installed (idempotent)."""
    import peewee

    if getattr(peewee, "psycopg2", None) is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions, extras
    except ImportError:
        return
    extras.register_uuid()
    peewee.psycopg2, peewee.pg_extensions = psycopg2, extensions
    if hasattr(peewee, "Json_pg2"):
        peewee.Json_pg2 = extras.Json
    adapter = getattr(peewee, "Psycopg2Adapter", None)
    if adapter is not None:  # class attributes peewee sets only when psycopg2 imported
        adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
        adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
        adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
