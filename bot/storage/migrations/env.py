"""Alembic environment: the engine comes from the caller, never from a config file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from bot.storage.tables import metadata

engine: Engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
