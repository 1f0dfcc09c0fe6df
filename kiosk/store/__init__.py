"""Persistence for kiosk: peewee models, the database and its migrations.

Nothing here decides anything: rules live in `kiosk.domain`, the glue that applies them in
`kiosk.services`. Models are bound through `database_proxy`, so the same code runs on SQLite (the
default) and on PostgreSQL (`database.url`); keep backend-only SQL out of models and queries.
"""

from kiosk.store.pgdriver import import_peewee

import_peewee()  # first, before any module here imports peewee: without psycopg2 (see kiosk.store.pgdriver)

from kiosk.store.db import database_proxy  # noqa: E402
from kiosk.store.migrations import open_database  # noqa: E402

__all__ = ["database_proxy", "open_database"]
