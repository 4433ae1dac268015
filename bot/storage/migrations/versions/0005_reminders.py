"""Reminders and notices sent, and people who blocked the bot.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("offset_seconds", sa.Integer(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_sessions.id"],
            name="fk_reminders_sent_session_id_workshop_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminders_sent"),
        sa.UniqueConstraint(
            "session_id", "telegram_id", "offset_seconds", name="uq_reminders_sent_session_id"
        ),
    )
    op.create_table(
        "session_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_sessions.id"],
            name="fk_session_notices_session_id_workshop_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_session_notices"),
        sa.UniqueConstraint(
            "session_id", "telegram_id", "kind", name="uq_session_notices_session_id"
        ),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("blocked_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("blocked_at")
    op.drop_table("session_notices")
    op.drop_table("reminders_sent")
