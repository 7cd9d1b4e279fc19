"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db import Database
from bot.db.engine import alembic_config
from bot.db.models import Base


def _diff(connection: Any) -> list[Any]:
    ctx = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(ctx, Base.metadata)


async def test_autogenerate_finds_no_difference_between_models_and_migrations(db: Database):
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_the_migrated_database_is_at_the_head_revision(db: Database):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    def current(connection: Any) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as conn:
        assert await conn.run_sync(current) == head


async def test_upgrading_twice_is_harmless(db: Database):
    await db.upgrade()
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables


async def test_foreign_keys_to_users_cascade(db: Database):
    def fks(connection: Any) -> dict[str, set[str | None]]:
        insp = inspect(connection)
        out: dict[str, set[str | None]] = {}
        for table in (
            "enrollments",
            "chapter_progress",
            "memberships",
            "reminder_prefs",
            "deliveries",
        ):
            out[table] = {
                (fk.get("options") or {}).get("ondelete")
                for fk in insp.get_foreign_keys(table)
                if fk["referred_table"] == "users"
            }
        return out

    async with db.engine.connect() as conn:
        found = await conn.run_sync(fks)
    assert all(v == {"CASCADE"} for v in found.values()), found


async def test_the_comparison_would_notice_a_model_change(db: Database):
    """Guards the test above: a column the migrations lack shows up as a difference."""
    from sqlalchemy import Column, MetaData, String

    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("nickname", String(20), nullable=True))

    def diff(connection: Any) -> list[Any]:
        return compare_metadata(MigrationContext.configure(connection), changed)

    async with db.engine.connect() as conn:
        found = await conn.run_sync(diff)
    assert [(d[0], d[3].name) for d in found] == [("add_column", "nickname")]
