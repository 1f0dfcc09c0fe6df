"""Schema versions: a school's database is upgraded in place, never rebuilt.

The `schema_version` table holds one row per applied version. A new, empty database gets the
current schema in one go (`create_tables` from the models, which is what every version up to
LATEST adds up to) and is stamped LATEST. An existing database runs, in order and each in its own
transaction, every step above its version. Steps use `playhouse.migrate`, so they work on SQLite
and PostgreSQL alike.

Changing the schema: change the model, then append a step that makes the same change to an
existing database, and let the upgrade test (tests/store/test_migrations.py) prove that an
upgraded database and a fresh one have the same tables, columns and indexes.
This module must never drop data in a step without a copy, nor skip a version.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import peewee

if TYPE_CHECKING:
    from playhouse.migrate import SchemaMigrator

from kiosk.store import models as m
from kiosk.store.db import NoDatabase, bind_database, is_postgres

Step = Callable[[peewee.Database, "SchemaMigrator"], None]


def run_operations(*operations: object) -> None:
    """playhouse.migrate's `migrate`, imported when a step runs: it buys start-up time and memory
    (issue 19): playhouse.migrate loads peewee's PostgreSQL and CockroachDB modules and with them
    psycopg2 (~5 MB), which an up-to-date SQLite database never needs."""
    from playhouse.migrate import migrate

    migrate(*operations)


class SchemaVersion(peewee.Model):
    version = peewee.IntegerField(primary_key=True)
    applied_at = peewee.CharField()  # ISO 8601 UTC; written by the migrator, not the clock

    class Meta:
        table_name = "schema_version"


def _v2_outbox_and_board_indexes(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v2: indexes the outbox sender and the board query use on every pass."""
    run_operations(
        migrator.add_index("message", ("direction", "state", "priority"), False),
        migrator.add_index("alarm", ("resolved_at",), False),
        migrator.add_index("visit", ("ended_at",), False),
    )


def _v3_gateway_health_and_sms_parts(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v3: the gateway's health row and the parts of multi-part SMS awaiting the rest.

    The tables as they were at v3 (frozen here, so a later change to the models needs its own step)."""
    dt, txt, char, num = m.UtcDateTimeField, peewee.TextField, peewee.CharField, peewee.IntegerField

    class GatewayHealth(peewee.Model):
        heartbeat_at, pid, started_at, stopped_at = dt(null=True), num(null=True), dt(null=True), dt(null=True)
        port, modem_connected = char(default=""), peewee.BooleanField(default=False)
        modem_gone_at, modem_back_at = dt(null=True), dt(null=True)
        signal_bars, signal_dbm = num(null=True), num(null=True)
        operator, registration, sim_state, modem_model = char(default=""), char(default=""), char(default=""), char(default="")
        last_exchange_at, queue_length = dt(null=True), num(default=0)
        last_error, last_error_at = txt(null=True), dt(null=True)
        clock_source, clock_warning, sound_warning = char(default="system"), txt(null=True), txt(null=True)

        class Meta:
            table_name = "gateway_health"

    class SmsPart(peewee.Model):
        key, seq, total, text, received_at, done_at = char(), num(), num(), txt(), dt(), dt(null=True)

        class Meta:
            table_name = "sms_part"
            primary_key = peewee.CompositeKey("key", "seq")

    with db.bind_ctx([GatewayHealth, SmsPart]):
        db.create_tables([GatewayHealth, SmsPart])


def _v4_reception_pins_and_post_visit_answers(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v4: reception users with PIN hashes, and the post-visit answers on a visit."""
    dt, char = m.UtcDateTimeField, peewee.CharField

    class ReceptionUser(peewee.Model):
        initials, name, pin_hash = char(unique=True), char(default=""), char()
        active, created_at = peewee.BooleanField(default=True), dt()

        class Meta:
            table_name = "reception_user"
            legacy_table_names = False

    with db.bind_ctx([ReceptionUser]):
        db.create_tables([ReceptionUser])
    run_operations(
        migrator.add_column("visit", "objective_achieved", char(null=True)),
        migrator.add_column("visit", "follow_up_needed", peewee.BooleanField(null=True)),
        migrator.add_column("visit", "safeguarding_concern", peewee.BooleanField(null=True)),
    )


def _v5_indexes_for_the_sms_path_and_the_ladder(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v5: indexes so that what runs on every text and every tick does not scan the history:
    open visits (`visit.state`), who sent a text (`visit_member.phone_number`), a number's texts in
    the last minute (`message.number, created_at`, flood control), the last end-of-day report
    (`event.kind`) and a visit's audit trail (`event.visit_id`)."""
    run_operations(
        migrator.add_index("visit", ("state",), False),
        migrator.add_index("visit_member", ("phone_number",), False),
        migrator.add_index("message", ("number", "created_at"), False),
        migrator.add_index("event", ("kind",), False),
        migrator.add_index("event", ("visit_id",), False),
    )


def _v6_approvers_and_the_visit_car(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v6: who may approve a visit (`staff.approver`), and the make, model and colour of a car given
    for one visit (`visit.vehicle` held only its registration)."""
    columns: list[tuple[str, str, peewee.Field, str]] = [("staff", "approver", peewee.BooleanField(default=False), "INTEGER NOT NULL DEFAULT 0"),
               ("visit", "vehicle_make", peewee.CharField(default=""), "VARCHAR(255) NOT NULL DEFAULT ''"),
               ("visit", "vehicle_colour", peewee.CharField(default=""), "VARCHAR(255) NOT NULL DEFAULT ''")]
    _add_not_null_columns(db, migrator, columns)


def _add_not_null_columns(db: peewee.Database, migrator: SchemaMigrator,
                          columns: list[tuple[str, str, peewee.Field, str]]) -> None:
    """Add NOT NULL columns with a default to tables that have rows. playhouse's SQLite migrator
    rebuilds the table to set NOT NULL, which fails once other tables' rows refer to it (foreign keys
    are enforced), so SQLite gets a plain ADD COLUMN ... NOT NULL DEFAULT, which it allows."""
    if is_postgres(db):
        run_operations(*(migrator.add_column(table, name, field) for table, name, field, _ in columns))
        return
    for table, name, _, sql in columns:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql}')


def _v7_self_test_and_modem_health(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v7 (issue 17): the loop-back self-test table, and the self-test, network generation,
    credit, quota and watchdog columns of the gateway's health row."""
    dt, txt, char, num = m.UtcDateTimeField, peewee.TextField, peewee.CharField, peewee.IntegerField

    class Message(peewee.Model):  # a stand-in for the foreign keys (never the live model: no backrefs on it)
        class Meta:
            table_name = "message"

    class SelfTest(peewee.Model):
        token, requested_at, requested_by = char(unique=True), dt(), char(default="schedule")
        message = peewee.ForeignKeyField(Message, null=True, on_delete="SET NULL", backref="+")
        reply = peewee.ForeignKeyField(Message, null=True, on_delete="SET NULL", backref="+")
        received_at, note = dt(null=True), txt(null=True)

        class Meta:
            table_name = "self_test"
            legacy_table_names = False

    with db.bind_ctx([SelfTest, Message]):
        db.create_tables([SelfTest])
    not_null = {"access_technology": "VARCHAR(255) NOT NULL DEFAULT ''", "sent_this_month": "INTEGER NOT NULL DEFAULT 0",
                "watchdog_step": "VARCHAR(255) NOT NULL DEFAULT ''", "watchdog_count": "INTEGER NOT NULL DEFAULT 0"}
    for name, field in (  # in the model's order, so an upgraded table is the fresh one column for column
            ("selftest_sent_at", dt(null=True)), ("selftest_received_at", dt(null=True)),
            ("selftest_due_by", dt(null=True)), ("selftest_proven_at", dt(null=True)),
            ("selftest_note", txt(null=True)), ("access_technology", char(default="")),
            ("credit", char(null=True)), ("credit_amount", peewee.FloatField(null=True)),
            ("credit_at", dt(null=True)), ("credit_note", txt(null=True)), ("sent_this_month", num(default=0)),
            ("watchdog_step", char(default="")), ("watchdog_count", num(default=0)),
            ("watchdog_at", dt(null=True)), ("watchdog_reason", txt(null=True))):
        if name in not_null:
            _add_not_null_columns(db, migrator, [("gateway_health", name, field, not_null[name])])
        else:
            run_operations(migrator.add_column("gateway_health", name, field))


def _v8_alarm_history_and_held_back(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v8 (issue 14): what a ladder alarm missed (`alarm.missed_at`), a BACK held while red was
    open (`visit.back_claimed_at`), and every action on an alarm (`alarm_action`). The alarm rows
    kept only their latest acknowledgement: that one is copied in, the earlier ones are gone."""
    dt, char = m.UtcDateTimeField, peewee.CharField
    run_operations(migrator.add_column("visit", "back_claimed_at", dt(null=True)),
                   migrator.add_column("alarm", "missed_at", dt(null=True)))

    class Alarm(peewee.Model):  # a stand-in for the foreign key (never the live model: no backrefs on it)
        acknowledged_at, acknowledged_by, action = dt(null=True), char(null=True), char(null=True)
        police_ref, note = char(null=True), peewee.TextField(null=True)

        class Meta:
            table_name = "alarm"

    class AlarmAction(peewee.Model):
        alarm = peewee.ForeignKeyField(Alarm, backref="+", on_delete="CASCADE")
        at, who, action = dt(), char(default=""), char()
        police_ref, note, actor = char(null=True), peewee.TextField(null=True), char(default="")

        class Meta:
            table_name = "alarm_action"
            legacy_table_names = False

    with db.bind_ctx([AlarmAction, Alarm]):
        db.create_tables([AlarmAction])
        acked = (Alarm.select(Alarm._meta.primary_key, Alarm.acknowledged_at, fn_coalesce(Alarm.acknowledged_by), Alarm.action,
                              Alarm.police_ref, Alarm.note, peewee.Value("upgrade"))
                 .where(Alarm.acknowledged_at.is_null(False) & Alarm.action.is_null(False)))
        AlarmAction.insert_from(acked, [AlarmAction.alarm, AlarmAction.at, AlarmAction.who, AlarmAction.action,
                                        AlarmAction.police_ref, AlarmAction.note, AlarmAction.actor]).execute()


def _v9_alert_tiers(db: peewee.Database, migrator: SchemaMigrator) -> None:
    """v9 (issue 18): alert receivers' tiers (everyone already a receiver is tier 1, as before) and
    the highest tier each alarm has told, and when. Old alarms keep NULL: they told every receiver."""
    _add_not_null_columns(db, migrator, [("staff", "alert_tier", peewee.IntegerField(default=1),
                                                 "INTEGER NOT NULL DEFAULT 1")])
    run_operations(migrator.add_column("alarm", "alert_tier", peewee.IntegerField(null=True)),
                   migrator.add_column("alarm", "tier_at", m.UtcDateTimeField(null=True)))


def fn_coalesce(column: peewee.Field) -> peewee.Node:
    return peewee.fn.COALESCE(column, "")


# (version, what it does, how). Version 1 is the first release: the tables themselves.
STEPS: list[tuple[int, str, Step]] = [
    (2, "indexes for the outbox and the board", _v2_outbox_and_board_indexes),
    (3, "gateway health row and multi-part SMS parts", _v3_gateway_health_and_sms_parts),
    (4, "reception PINs and post-visit answers", _v4_reception_pins_and_post_visit_answers),
    (5, "indexes for the SMS path, the ladder and the audit trail", _v5_indexes_for_the_sms_path_and_the_ladder),
    (6, "approvers, and the make and colour of a visit's car", _v6_approvers_and_the_visit_car),
    (7, "self-test table; self-test, network, credit and watchdog health", _v7_self_test_and_modem_health),
    (8, "alarm history, what a ladder alarm missed, BACK held under red", _v8_alarm_history_and_held_back),
    (9, "tiers of alert receivers, and the tier each alarm has told", _v9_alert_tiers),
]
LATEST = max([1] + [version for version, _, _ in STEPS])


def current_version(db: peewee.Database) -> int:
    """0 for an empty database, else the highest applied version."""
    if not db.table_exists("schema_version"):
        return 1 if db.table_exists("visit") else 0
    with db.bind_ctx([SchemaVersion]):
        top = SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar()
    return int(top or 0)


def migrate(db: peewee.Database) -> int:
    """Bring `db` to LATEST; returns the version it is at. Safe to call on every start, and from
    two processes at once: the version is re-read inside each step's write transaction."""
    with db.bind_ctx([SchemaVersion]):
        version = current_version(db)
        if version > LATEST:
            raise RuntimeError(f"database schema v{version} is newer than this kiosk (v{LATEST}): upgrade kiosk")
        if version < LATEST:
            version = _upgrade(db)
        if is_postgres(db) and not _has_change_notification(db):
            with db.atomic():
                _create_change_notification(db)
    return version


def _upgrade(db: peewee.Database) -> int:
    with db.atomic():
        version = current_version(db)  # again, under the write lock: another process may have done it
        SchemaVersion.create_table(safe=True)
        if version == 0:
            with db.bind_ctx(m.ALL_MODELS):
                db.create_tables(m.ALL_MODELS)
            _stamp(LATEST)
            return LATEST
    from playhouse.migrate import SchemaMigrator  # only when upgrading: see run_operations

    migrator = SchemaMigrator.from_database(db)
    for step_version, _, step in STEPS:
        with db.atomic():
            if step_version <= current_version(db):
                continue
            step(db, migrator)
            _stamp(step_version)
    return current_version(db)


# --- PostgreSQL only: change notification for the UI (kiosk.dbwatch) ------------------------------
# One statement-level trigger per table: a committed write sends NOTIFY on CHANNEL. PostgreSQL
# delivers it only on commit and folds identical notifications of one transaction into one, so a
# unit of work wakes the UI once. The payload is empty: a watcher reloads, it never reads data
# from a notification. SQLite has PRAGMA data_version instead.
CHANNEL = "kiosk_changed"
_NOTIFY_FUNCTION = "kiosk_notify_changed"


def notified_tables() -> list[str]:
    return [model._meta.table_name for model in m.ALL_MODELS]


def _has_change_notification(db: peewee.Database) -> bool:
    cursor = db.execute_sql(
        "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = %s AND c.relnamespace = current_schema()::regnamespace",
        (_NOTIFY_FUNCTION,))
    return bool(cursor.fetchone()[0] == len(notified_tables()))


def _create_change_notification(db: peewee.Database) -> None:
    db.execute_sql(
        f"CREATE OR REPLACE FUNCTION {_NOTIFY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$")
    for table in notified_tables():
        db.execute_sql(
            f'CREATE OR REPLACE TRIGGER {_NOTIFY_FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {_NOTIFY_FUNCTION}()')


def _stamp(version: int) -> None:
    applied = datetime.now(timezone.utc).replace(microsecond=0).isoformat()  # record keeping, not logic
    SchemaVersion.insert(version=version, applied_at=applied).on_conflict_ignore().execute()


def open_database(target: str | Path, *, create: bool = True) -> peewee.Database:
    """Open and migrate the database at `target` and bind the models to it: an SQLite path or a
    `postgresql://` URL (the server's database itself must exist). `create=True` makes what is
    missing (the SQLite file 0600 with its folder; kiosk's tables); `create=False`, what every
    command but the set-up ones passes (kiosk.store.db), raises NoDatabase instead and makes
    nothing. Returns the database; close it with `.close()`."""
    db = bind_database(target, create=create)
    if not create and is_postgres(db) and current_version(db) == 0:
        db.close()
        raise NoDatabase(target)
    migrate(db)
    return db
