"""Storage behaves the same on SQLite and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from bot.storage import InboxRepository, UserRepository, migrate, open_engine
from bot.storage.database import UnusableDatabaseError, prepare_database

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_migrations_create_the_schema_and_can_run_twice(engine: Engine) -> None:
    migrate(engine)
    assert "users" in inspect(engine).get_table_names()


def test_a_person_is_created_then_only_touched(engine: Engine) -> None:
    users = UserRepository(engine)
    first = users.seen(42, T0)
    assert (first.language, first.first_seen, first.last_seen) == (None, T0, T0)

    users.set_language(42, "ps", T0)
    later = users.seen(42, T0 + timedelta(days=3))
    assert later.language == "ps"
    assert later.first_seen == T0
    assert later.last_seen == T0 + timedelta(days=3)
    assert later.last_seen.tzinfo is not None


def test_forgetting_removes_everything(engine: Engine) -> None:
    users = UserRepository(engine)
    users.seen(7, T0)
    assert users.forget(7) is True
    assert users.get(7) is None
    assert users.forget(7) is False


def test_simultaneous_first_messages_do_not_collide(engine: Engine) -> None:
    users = UserRepository(engine)
    with ThreadPoolExecutor(max_workers=8) as pool:
        people = list(pool.map(lambda i: users.seen(99, T0 + timedelta(seconds=i)), range(16)))
    assert {person.first_seen for person in people} == {people[0].first_seen}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM users")).scalar_one() == 1


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    engine = open_engine(f"sqlite:///{tmp_path}/wal.db")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_the_migrations_build_exactly_the_declared_tables(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.tables import metadata

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_forgetting_covers_every_table_that_names_a_person() -> None:
    from bot.storage.tables import metadata

    # forget() deletes from each table with a telegram_id column; a table that refers to
    # people some other way would escape it.
    for table in metadata.tables.values():
        person_columns = [c.name for c in table.c if "telegram" in c.name or "user" in c.name]
        assert person_columns in ([], ["telegram_id"]), table.name


def test_the_inbox_keeps_an_update_until_it_is_handled_then_only_its_id(engine: Engine) -> None:
    inbox = InboxRepository(engine)
    assert inbox.accept(501, '{"update_id": 501}', T0) is True
    assert inbox.accept(502, '{"update_id": 502}', T0) is True
    # Telegram sends 501 again (we died before confirming it): not taken twice.
    assert inbox.accept(501, '{"update_id": 501}', T0) is False
    assert inbox.waiting() == [(501, '{"update_id": 501}'), (502, '{"update_id": 502}')]

    inbox.handled(501, T0 + timedelta(seconds=1))
    assert inbox.waiting() == [(502, '{"update_id": 502}')]
    with engine.connect() as connection:
        payload = connection.execute(text("SELECT payload FROM inbox WHERE update_id = 501"))
        assert payload.scalar_one() is None  # people's words are not kept once answered
    assert inbox.accept(501, '{"update_id": 501}', T0) is False

    assert inbox.prune(T0 + timedelta(days=1)) == 1
    assert inbox.waiting() == [(502, '{"update_id": 502}')]


def test_a_database_newer_than_the_code_is_refused_in_one_line(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    url = engine.url.render_as_string(hide_password=False)
    with pytest.raises(
        UnusableDatabaseError, match="DATABASE_URL: the database was upgraded by a newer"
    ):
        prepare_database(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "DATABASE_URL is not a database URL"),
        ("sqlite:///{tmp}/missing/folder/x.db", "folder is missing or not writable"),
        ("sqlite:///{tmp}/garbage.db", "not a database"),
        ("postgresql://nobody@127.0.0.1:1/none", "DATABASE_URL: cannot reach or use the database"),
    ],
)
def test_an_unusable_database_is_named_in_one_line(
    tmp_path: object, url: str, expected: str
) -> None:
    (Path(str(tmp_path)) / "garbage.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UnusableDatabaseError) as raised:
        prepare_database(url.format(tmp=tmp_path))
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message
    assert "nobody@" not in message
