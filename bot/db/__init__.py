"""Storage: typed tables, the engine and its unit of work, and migrations."""

from bot.db.engine import Database, DatabaseUnavailable, WriteNeeded, dialect_insert

__all__ = ["Database", "DatabaseUnavailable", "WriteNeeded", "dialect_insert"]
