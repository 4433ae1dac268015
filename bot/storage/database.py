"""Engine creation and migrations, identical for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

from bot.config import ConfigError, normalise_database_url

MIGRATIONS = Path(__file__).with_name("migrations")


def _tune_sqlite(dbapi_connection: Any, _record: object) -> None:
    # WAL lets the bot read while the publisher or a staff command writes;
    # the busy timeout makes concurrent writers wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(url: str) -> Engine:
    """An engine for `url` (`postgres://` accepted).

    Statement parameters are kept out of error messages: they hold people's Telegram ids,
    and a "database is locked" traceback would print them in the logs."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class UnusableDatabaseError(ConfigError):
    """The database named by DATABASE_URL cannot be used; the message says why, in one line."""


def prepare_database(url: str) -> Engine:
    """An engine on a reachable, writable database at this code's schema (migrated now), or a
    UnusableDatabaseError naming DATABASE_URL and what is wrong. Never prints the URL: it may
    hold a password."""
    try:
        engine = open_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise UnusableDatabaseError(
            "DATABASE_URL is not a database URL (for example postgresql://user@host/name "
            "or sqlite:///ensemble.db)"
        ) from None
    try:
        _refuse_a_newer_schema(engine)
        migrate(engine)
    except UnusableDatabaseError:
        engine.dispose()
        raise
    except DatabaseError as error:
        engine.dispose()
        raise UnusableDatabaseError(f"DATABASE_URL: {_explain(error)}") from None
    return engine


def _refuse_a_newer_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config(engine)).get_revision(current)
    except CommandError:
        raise UnusableDatabaseError(
            f"DATABASE_URL: the database was upgraded by a newer version of this code "
            f"(schema revision {current}); upgrade the code before starting it"
        ) from None


def _explain(error: DatabaseError) -> str:
    """What went wrong, in the operator's words, from the driver's message."""
    cause = str(getattr(error, "orig", None) or error).strip()
    first = cause.splitlines()[0] if cause else type(error).__name__
    lowered = first.lower()
    if "unable to open database file" in lowered:
        return "cannot open the SQLite file: its folder is missing or not writable"
    if "readonly" in lowered or "read-only" in lowered:
        return "the SQLite file is not writable"
    if "file is not a database" in lowered or "malformed" in lowered:
        return "the SQLite file is not a database (damaged, or another kind of file)"
    if "password authentication failed" in lowered or "authentication" in lowered:
        return "the database server refused the user or password"
    if "does not exist" in lowered and "database" in lowered:
        return f"the database does not exist on the server ({first})"
    return f"cannot reach or use the database ({first})"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent)."""
    command.upgrade(alembic_config(engine), "head")
