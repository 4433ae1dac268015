"""Storage: SQLAlchemy Core tables, repositories and Alembic migrations."""

# Every module that defines tables is imported here, so that `tables.metadata` is complete
# whenever storage is used (forgetting a person and the schema check walk all of it).
from bot.storage import (  # noqa: F401
    anonymous,
    consent,
    inbox,
    listings,
    platform_fiches,
    records,
    relay,
    reminders,
    sessions,
)
from bot.storage.anonymous import AnonymousRecordRepository
from bot.storage.consent import ConsentRepository, ProfileRepository
from bot.storage.database import migrate, open_engine
from bot.storage.inbox import InboxRepository
from bot.storage.platform_fiches import PlatformFiche, PlatformFicheRepository
from bot.storage.records import AuditNote, StaffRecordRepository
from bot.storage.relay import Conversation, RelayRepository
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
    "AnonymousRecordRepository",
    "AuditNote",
    "CapacityChange",
    "ConsentRepository",
    "Conversation",
    "FactRepository",
    "InboxRepository",
    "NoticeRepository",
    "Person",
    "PlatformFiche",
    "PlatformFicheRepository",
    "ProfileRepository",
    "Registrant",
    "Registration",
    "RelayRepository",
    "ReminderRepository",
    "Session",
    "SessionRepository",
    "StaffRecordRepository",
    "UserRepository",
    "migrate",
    "open_engine",
]
