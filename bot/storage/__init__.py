"""Storage: SQLAlchemy Core tables, repositories and Alembic migrations."""

from bot.storage.database import migrate, open_engine
from bot.storage.users import Person, UserRepository

__all__ = ["Person", "UserRepository", "migrate", "open_engine"]
