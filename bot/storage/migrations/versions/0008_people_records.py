"""People's consent and profile, staff records for the indicators (support, housing,
volunteering, trainings, co-hosted sessions), the audit log, and anonymous records.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.schema import SchemaItem

from bot.storage.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _person(table: str, *, primary_key: bool = False) -> list[SchemaItem]:
    """`telegram_id`, a row about one person, deleted with them."""
    items: list[SchemaItem] = [
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["telegram_id"],
            ["users.telegram_id"],
            name=f"fk_{table}_telegram_id_users",
            ondelete="CASCADE",
        ),
    ]
    if primary_key:
        items.append(sa.PrimaryKeyConstraint("telegram_id", name=f"pk_{table}"))
    return items


def _id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def upgrade() -> None:
    op.create_table(
        "consents",
        *_person("consents", primary_key=True),
        sa.Column("notice_version", sa.String(16), nullable=False),
        sa.Column("given_at", UtcDateTime(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "profiles",
        *_person("profiles", primary_key=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("gender", sa.String(12), nullable=False),
        sa.Column("age_band", sa.String(12), nullable=False),
        sa.Column("household", sa.String(12), nullable=False),
        sa.Column("offered_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "person_refs",
        *_person("person_refs", primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.UniqueConstraint("reference", name="uq_person_refs_reference"),
    )
    op.create_table(
        "enrolments",
        *_id("enrolments"),
        *_person("enrolments"),
        sa.Column("action", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_enrolments_telegram_id", "enrolments", ["telegram_id"])
    op.create_table(
        "housing_outcomes",
        *_id("housing_outcomes"),
        *_person("housing_outcomes"),
        sa.Column("housed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("telegram_id", name="uq_housing_outcomes_telegram_id"),
    )
    op.create_table(
        "volunteer_roles",
        *_id("volunteer_roles"),
        *_person("volunteer_roles"),
        sa.Column("role", sa.String(80), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_volunteer_roles_telegram_id", "volunteer_roles", ["telegram_id"])
    op.create_table(
        "trainings",
        *_id("trainings"),
        sa.Column("structure", sa.String(120), nullable=False),
        sa.Column("structure_type", sa.String(60), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "cohosted_sessions",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_sessions.id"],
            name="fk_cohosted_sessions_session_id_workshop_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name="pk_cohosted_sessions"),
    )
    op.create_table(
        "audit_log",
        *_id("audit_log"),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("registration", sa.Integer(), nullable=True),
        sa.Column("person_ref", sa.String(16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_table(
        "anonymous_records",
        *_id("anonymous_records"),
        sa.Column("person_key", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("action", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("seated", sa.Boolean(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("gender", sa.String(12), nullable=False),
        sa.Column("age_band", sa.String(12), nullable=False),
        sa.Column("household", sa.String(12), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_sessions.id"],
            name="fk_anonymous_records_session_id_workshop_sessions",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("anonymous_records")
    op.drop_table("audit_log")
    op.drop_table("cohosted_sessions")
    op.drop_table("trainings")
    op.drop_index("ix_volunteer_roles_telegram_id", table_name="volunteer_roles")
    op.drop_table("volunteer_roles")
    op.drop_table("housing_outcomes")
    op.drop_index("ix_enrolments_telegram_id", table_name="enrolments")
    op.drop_table("enrolments")
    op.drop_table("person_refs")
    op.drop_table("profiles")
    op.drop_table("consents")
