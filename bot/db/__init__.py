"""Storage: typed tables, the engine and its unit of work, and migrations."""

from bot.db.engine import Database, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]
