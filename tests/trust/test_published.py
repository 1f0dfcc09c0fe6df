"""What leaves a school: every column of every model is published or withheld with a reason, and
nothing that can hold a code word (or an address, a phone number, typed free text) is published.

Issue 9: "Code-word columns are never published." A column added to a model later stays home
until someone adds it to one of the two lists: this test fails until they do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from kiosk.store import models as m
from kiosk.store.migrations import SchemaVersion
from kiosk.trust.published import PUBLISHED, WITHHELD_COLUMNS, WITHHELD_TABLES, column_list_sql
from tests.conftest import REPO

MODELS = {model._meta.table_name: model for model in [*m.ALL_MODELS, SchemaVersion]}


def columns(model) -> set[str]:
    return {field.column_name for field in model._meta.sorted_fields}


def test_every_table_is_published_or_withheld_and_not_both():
    assert set(PUBLISHED) | set(WITHHELD_TABLES) == set(MODELS)
    assert not set(PUBLISHED) & set(WITHHELD_TABLES)
    assert set(WITHHELD_COLUMNS) == set(PUBLISHED)


def test_every_column_of_a_published_table_is_published_or_withheld_and_not_both():
    for table, published in PUBLISHED.items():
        withheld = set(WITHHELD_COLUMNS[table])
        assert set(published) | withheld == columns(MODELS[table]), table
        assert not set(published) & withheld, table
        assert len(set(published)) == len(published), table


def test_each_published_table_lists_its_primary_key_so_updates_and_deletes_replicate():
    for table, published in PUBLISHED.items():
        key = MODELS[table]._meta.primary_key.column_name
        assert published[0] == key, table


def test_nothing_that_can_hold_a_code_word_is_published():
    risky = {("staff", "code_word"), ("visit", "code_word"), ("message", "text"), ("sms_part", "text"),
             ("visit", "outcome"), ("alarm", "note"), ("event", "summary"), ("alarm", "summary")}
    published = {(t, c) for t, cols in PUBLISHED.items() for c in cols}
    assert not risky & published
    assert not any("code_word" in c for _, c in published)
    for table, model in MODELS.items():
        for field in model._meta.sorted_fields:
            if (table, field.column_name) in published and field.field_type == "TEXT":
                raise AssertionError(f"{table}.{field.column_name}: a TEXT column is published (free text?)")


def test_no_address_phone_number_or_pin_is_published():
    published = {c for cols in PUBLISHED.values() for c in cols}
    assert not published & {"place", "address", "postcode", "mobile", "home_phone", "phone_number", "number",
                            "pin_hash", "family_ref"}


def test_withheld_reasons_are_given():
    for reasons in [*WITHHELD_COLUMNS.values(), {t: r for t, r in WITHHELD_TABLES.items()}]:
        assert all(isinstance(r, str) and len(r) > 5 for r in reasons.values())


def test_column_list_sql_quotes_every_name():
    assert column_list_sql("visit_member") == '"visit_member" ("id", "visit_id", "staff_id")'


_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from kiosk.cli import build_parser
build_parser()  # every command registered, as `kiosk gateway` / `kiosk ui` start
print(json.dumps(sorted(n for n in sys.modules if n == "kiosk.trust" or n.startswith("kiosk.trust."))))
"""


def test_the_alarm_path_never_imports_the_trust_package():
    """The gateway, the reception UI and the services work without kiosk.trust loaded: the trust
    view is never in a site's alarm path."""
    modules = ["kiosk.gateway.service", "kiosk.gateway.loop", "kiosk.app", "kiosk.services",
               "kiosk.cli.gateway", "kiosk.cli.ui", "kiosk.cli.demo", "kiosk.screens.board", "kiosk.store"]
    done = subprocess.run([sys.executable, "-c", _PROBE, *modules], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
