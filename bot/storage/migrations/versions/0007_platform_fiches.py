"""The refugies.info fiches mirror: fiches of a département, their themes, their texts per
language, and the latest run per département.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_fiches",
        sa.Column("id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("theme_id", sa.String(24), nullable=True),
        sa.Column("location", sa.JSON(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("sponsor_id", sa.String(24), nullable=True),
        sa.Column("sponsor_name", sa.Text(), nullable=True),
        sa.Column("ours", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("last_modified", UtcDateTime(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("stored_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_platform_fiches"),
    )
    op.create_table(
        "platform_fiche_themes",
        sa.Column("fiche_id", sa.String(24), nullable=False),
        sa.Column("theme_id", sa.String(24), nullable=False),
        sa.Column("main", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fiche_id"],
            ["platform_fiches.id"],
            name="fk_platform_fiche_themes_fiche_id_platform_fiches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fiche_id", "theme_id", name="pk_platform_fiche_themes"),
    )
    op.create_index("ix_platform_fiche_themes_theme_id", "platform_fiche_themes", ["theme_id"])
    op.create_table(
        "platform_fiche_texts",
        sa.Column("fiche_id", sa.String(24), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("translated", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("brand", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fiche_id"],
            ["platform_fiches.id"],
            name="fk_platform_fiche_texts_fiche_id_platform_fiches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fiche_id", "language", name="pk_platform_fiche_texts"),
    )
    op.create_table(
        "platform_mirror_runs",
        sa.Column("county", sa.String(80), nullable=False),
        sa.Column("last_success_at", UtcDateTime(), nullable=True),
        sa.Column("last_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("fiches", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("written", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("removed", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("county", name="pk_platform_mirror_runs"),
    )
    op.create_table(
        "platform_themes",
        sa.Column("id", sa.String(24), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_platform_themes"),
    )


def downgrade() -> None:
    op.drop_table("platform_themes")
    op.drop_table("platform_mirror_runs")
    op.drop_table("platform_fiche_texts")
    op.drop_index("ix_platform_fiche_themes_theme_id", table_name="platform_fiche_themes")
    op.drop_table("platform_fiche_themes")
    op.drop_table("platform_fiches")
