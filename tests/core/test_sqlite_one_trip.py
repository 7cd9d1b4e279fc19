"""On SQLite a statement is one hand-over to aiosqlite's thread (``bot/db/sqlite_conn.py``),
and it still behaves as SQLAlchemy's own adapter does: rows, row counts, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.db.sqlite_conn import OneTripConnection


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    await db.upgrade()
    try:
        yield db
    finally:
        await db.close()


async def test_a_statement_is_one_trip_to_the_database_thread(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[str] = []
    real = OneTripConnection.in_thread

    async def counted(self: OneTripConnection, fn: Any, *args: Any) -> Any:
        trips.append(fn.__name__)
        return await real(self, fn, *args)

    monkeypatch.setattr(OneTripConnection, "in_thread", counted)
    async with sqlite_db.transaction() as session:
        await session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE happens first
        before = len(trips)
        rows = (await session.execute(text("SELECT 2 UNION ALL SELECT 3"))).all()
        assert len(trips) - before == 1
    assert [r[0] for r in rows] == [2, 3]


async def test_many_rows_arrive_complete_and_in_order(sqlite_db: Database) -> None:
    query = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
        "SELECT i FROM n"
    )
    async with sqlite_db.transaction() as session:
        result = await session.execute(query)
        first = result.fetchmany(7)
        rest = result.all()
    assert [r[0] for r in first + rest] == list(range(1, 5001))


async def test_row_counts_and_errors_are_sqlalchemys(sqlite_db: Database) -> None:
    insert = text(
        "INSERT INTO users (platform, workspace, external_id, display_name, locale, privacy, "
        "created_at) VALUES ('t', 'W', :ext, 'x', 'en', 'shown', '2027-01-01 00:00:00')"
    )
    async with sqlite_db.transaction() as session:
        many = await session.execute(insert, [{"ext": "a"}, {"ext": "b"}, {"ext": "c"}])
        assert many.rowcount == 3  # type: ignore[attr-defined]
        renamed = await session.execute(text("UPDATE users SET display_name = 'y'"))
        assert renamed.rowcount == 3  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError):
        async with sqlite_db.transaction() as session:
            await session.execute(insert, {"ext": "d"})
            await session.execute(insert, {"ext": "a"})  # the unique key: all rolled back
    async with sqlite_db.transaction() as session:  # the connection still works
        names = (await session.execute(text("SELECT external_id FROM users"))).scalars().all()
    assert sorted(names) == ["a", "b", "c"]
