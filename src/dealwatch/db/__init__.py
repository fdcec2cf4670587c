"""Database: SQLAlchemy 2 engine and sessions (SQLite WAL by default, PostgreSQL by URL) and migrations."""

from dealwatch.db.base import Base
from dealwatch.db.engine import create_db_engine, migrate, open_database, session_factory

__all__ = ["Base", "create_db_engine", "migrate", "open_database", "session_factory"]
