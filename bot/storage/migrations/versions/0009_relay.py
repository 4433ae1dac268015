"""The relay between people and the team: each person's conversation and forum topic.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_conversations",
        # AUTOINCREMENT on SQLite: a forgotten person's number is never given again.
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("talking", sa.Boolean(), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("first_written_at", UtcDateTime(), nullable=True),
        sa.Column("staff_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("topic_closed", sa.Boolean(), nullable=False),
        sa.Column("topic_created_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["telegram_id"],
            ["users.telegram_id"],
            name="fk_relay_conversations_telegram_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("number", name="pk_relay_conversations"),
        sa.UniqueConstraint("telegram_id", name="uq_relay_conversations_telegram_id"),
        sa.UniqueConstraint("staff_chat_id", "thread_id", name="uq_relay_conversations_topic"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_relay_conversations_telegram_id", "relay_conversations", ["telegram_id"])


def downgrade() -> None:
    op.drop_index("ix_relay_conversations_telegram_id", table_name="relay_conversations")
    op.drop_table("relay_conversations")
