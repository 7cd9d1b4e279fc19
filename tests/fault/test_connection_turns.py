"""Under a burst, units of work get a database connection in the order they asked for one:
nobody who arrives later is served first, so no command waits for seconds while newer ones
go ahead (the pool alone let newcomers take a freed connection ahead of the waiters)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import Database, DatabaseUnavailable
from tests.conftest import drop_schema, make_database, pg_url


@pytest.fixture(params=["sqlite", "postgresql"])
async def one_connection(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database whose pool holds a single connection."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}", pool_size=1, max_overflow=0)
        yield db
        await db.close()
        return
    if pg_url() is None:
        pytest.skip("needs SKILLTREE_TEST_POSTGRES_URL")
    migrated, schema = await make_database("postgresql", tmp_path)
    await migrated.close()
    assert schema is not None
    url = str(migrated.url.render_as_string(hide_password=False))
    args = {"server_settings": {"search_path": schema}}
    db = Database(url, pool_size=1, max_overflow=0, connect_args=args)
    try:
        yield db
    finally:
        await db.close()
        await drop_schema(schema)


async def test_connections_go_to_units_of_work_in_arrival_order(one_connection: Database) -> None:
    """Thirty workers ask again as soon as they are served, as commands do under a burst;
    with one connection, each is served in the order it asked."""
    db = one_connection
    asked = 0
    served: list[int] = []

    async def worker() -> None:
        nonlocal asked
        for _ in range(8):
            await asyncio.sleep(0)  # the rest of a command: others run meanwhile
            ticket = asked  # no await between taking a ticket and asking for the connection
            asked += 1
            async with db.reading() as session:
                await session.execute(text("SELECT 1"))  # the connection is ours from here
                served.append(ticket)

    await asyncio.gather(*(worker() for _ in range(30)))
    assert len(served) == 240
    overtaken = sum(1 for a, b in itertools.pairwise(served) if b < a)
    assert overtaken == 0, f"{overtaken} units of work were served before one that asked earlier"


async def test_waiting_longer_than_the_pool_timeout_is_the_database_apology(
    tmp_path: Path,
) -> None:
    db = Database(
        f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}", pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    try:
        async with db.reading():
            with pytest.raises(DatabaseUnavailable):
                async with db.reading():
                    pass
    finally:
        await db.close()
