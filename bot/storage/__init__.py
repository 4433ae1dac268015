"""Storage: SQLAlchemy Core tables, repositories and Alembic migrations."""

# Every module that defines tables is imported here, so that `tables.metadata` is complete
# whenever storage is used (forgetting a person and the schema check walk all of it).
from bot.storage import inbox, listings, reminders, sessions  # noqa: F401
from bot.storage.database import migrate, open_engine
from bot.storage.inbox import InboxRepository
from bot.storage.reminders import NoticeRepository, ReminderRepository
from bot.storage.sessions import (
    CapacityChange,
    FactRepository,
    Registrant,
    Registration,
    Session,
    SessionRepository,
)
from bot.storage.users import Person, UserRepository

__all__ = [
    "CapacityChange",
    "FactRepository",
    "InboxRepository",
    "NoticeRepository",
    "Person",
    "Registrant",
    "Registration",
    "ReminderRepository",
    "Session",
    "SessionRepository",
    "UserRepository",
    "migrate",
    "open_engine",
]
