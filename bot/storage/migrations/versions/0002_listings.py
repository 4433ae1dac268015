"""Listings: each funded action's refugies.info fiche, last push and last seen status.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listings",
        sa.Column("action_key", sa.String(80), nullable=False),
        sa.Column("fiche_id", sa.String(24), nullable=True),
        sa.Column("pushed_hash", sa.String(64), nullable=True),
        sa.Column("field_hashes", sa.JSON(), nullable=True),
        sa.Column("pushed_at", UtcDateTime(), nullable=True),
        sa.Column("status", sa.String(40), nullable=True),
        sa.Column("has_draft", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("status_seen_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("action_key", name="pk_listings"),
        sa.UniqueConstraint("fiche_id", name="uq_listings_fiche_id"),
    )


def downgrade() -> None:
    op.drop_table("listings")
