"""Persistence for kiosk: peewee models, the database and its migrations.

Nothing here decides anything: rules live in `kiosk.domain`, the glue that applies them in
`kiosk.services`. Models are bound through `database_proxy`, so the same code runs on SQLite (the
default) and on PostgreSQL (`database.url`); keep backend-only SQL out of models and queries.
"""

from kiosk.store.db import database_proxy
from kiosk.store.migrations import open_database

__all__ = ["database_proxy", "open_database"]
