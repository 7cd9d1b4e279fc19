"""What each layer between the bot and the database costs, in CPU per statement.

The commands benchmark compares the core with a floor of bare SQL on the raw driver. This
script takes that gap apart: the same small statements (a person's chapter states by user id,
the hottest read; an empty unit of work, BEGIN and COMMIT) sent one after another through

* the raw driver (aiosqlite / asyncpg), as the floor sends them;
* SQLAlchemy's ``AsyncConnection`` with a prebuilt Core statement (compiled once, cached);
* ``AsyncSession`` with the same Core statement, as the bot's repository functions send it;
* ``AsyncSession`` with the ORM entity (``select(ChapterProgress)``), as a model query does;

and a whole read-only unit of work around that select: ``Database.reading()`` (pool turn,
session, checkout, commit, close) against the raw driver sending what it sends.

It counts process CPU (all threads: SQLite's worker thread included, the PostgreSQL server
not), medians of interleaved rounds, so another process on the machine moves it far less than
it moves throughput.

    .venv/bin/python -m bench.layers                  # SQLite, then PostgreSQL
    .venv/bin/python -m bench.layers --backends sqlite --statements 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Table, bindparam, insert, select

from bench.common import BenchDb, append_results, cpu_us, reachable
from bot.db.engine import _READING
from bot.db.models import ChapterProgress, User

PEOPLE = 200
CHAPTERS = ("1.1", "1.2", "2.1", "2.2", "3.1")
STATES_SQL = "SELECT chapter_id, state FROM chapter_progress WHERE user_id = {p}"
_T = cast(Table, ChapterProgress.__table__)
CORE_STATES = select(_T.c.chapter_id, _T.c.state).where(_T.c.user_id == bindparam("user_id"))
ORM_STATES = select(ChapterProgress).where(ChapterProgress.user_id == bindparam("user_id"))

Step = Callable[[int], Awaitable[Any]]
# What a read-only unit of work sends, in the bot as in the raw driver's version here.
UNIT = {"sqlite": "BEGIN, select, COMMIT", "postgresql": "autocommit: the select alone"}


async def fill(bdb: BenchDb) -> None:
    now = datetime(2027, 3, 3, tzinfo=UTC)
    async with bdb.db.transaction() as s:
        await s.execute(
            insert(cast(Table, User.__table__)),
            [
                {
                    "platform": "test",
                    "workspace": "W1",
                    "external_id": f"L{i:05d}",
                    "display_name": f"p{i}",
                    "locale": "en",
                    "privacy": "shown",
                    "created_at": now,
                }
                for i in range(PEOPLE)
            ],
        )
        ids = list((await s.execute(select(User.id))).scalars())
        await s.execute(
            insert(_T),
            [
                {"user_id": u, "chapter_id": c, "state": "done", "updated_at": now}
                for u in ids
                for c in CHAPTERS
            ],
        )


async def cpu_per_call(step: Step, n: int) -> float:
    """Mean process CPU (µs) of ``n`` calls of ``step``, over the people in turn."""
    return await cpu_us(step, [(1 + i % PEOPLE,) for i in range(n)])


async def measure(backend: str, n: int, rounds: int) -> list[str]:
    bdb = await BenchDb.create(backend)
    try:
        await fill(bdb)
        raw_conn: Any
        if backend == "sqlite":
            raw_conn = await aiosqlite.connect(bdb.sqlite_path, isolation_level=None)
            await raw_conn.execute("PRAGMA journal_mode=WAL")

            async def raw_select(uid: int) -> Any:
                async with raw_conn.execute(STATES_SQL.format(p="?"), (uid,)) as cur:
                    return await cur.fetchall()

            async def raw_unit(uid: int) -> None:
                await raw_conn.execute("BEGIN")
                await raw_conn.execute("COMMIT")
        else:
            raw_conn = await asyncpg.connect(
                bdb.asyncpg_dsn, server_settings={"search_path": bdb.schema or "public"}
            )

            async def raw_select(uid: int) -> Any:
                return await raw_conn.fetch(STATES_SQL.format(p="$1"), uid)

            async def raw_unit(uid: int) -> None:
                pass  # the bot reads in autocommit on PostgreSQL: no BEGIN, no COMMIT

        # Both only read (on SQLite a plain BEGIN, beside each other), and are held open for
        # the whole run as the floor holds its connection: the per-call figures are the
        # statement's, not a pool checkout's.
        reading_engine = bdb.db.engine.execution_options(**{_READING: True})
        async with reading_engine.connect() as conn, bdb.db.reading() as session:

            async def core_conn(uid: int) -> Any:
                return (await conn.execute(CORE_STATES, {"user_id": uid})).all()

            async def session_core(uid: int) -> Any:
                return (await session.execute(CORE_STATES, {"user_id": uid})).all()

            async def session_orm(uid: int) -> Any:
                rows = (await session.execute(ORM_STATES, {"user_id": uid})).scalars().all()
                session.expunge_all()  # each call loads afresh, as a new unit of work would
                return rows

            selects: dict[str, Step] = {
                "raw driver": raw_select,
                "AsyncConnection, Core statement": core_conn,
                "AsyncSession, Core statement": session_core,
                "AsyncSession, ORM entity": session_orm,
            }
            figures: dict[str, list[float]] = {k: [] for k in selects}
            for _ in range(rounds):
                for name, step in selects.items():
                    figures[name].append(await cpu_per_call(step, n))
        units: dict[str, list[float]] = {"raw driver": [], "AsyncSession (Database.reading)": []}

        async def session_unit(uid: int) -> None:
            async with bdb.db.reading() as s:
                await s.execute(CORE_STATES, {"user_id": uid})

        async def raw_unit_select(uid: int) -> None:
            await raw_unit(uid)
            await raw_select(uid)

        for _ in range(rounds):
            units["raw driver"].append(await cpu_per_call(raw_unit_select, n // 2))
            units["AsyncSession (Database.reading)"].append(
                await cpu_per_call(session_unit, n // 2)
            )
        await raw_conn.close()
    finally:
        await bdb.close()

    lines = []
    base = statistics.median(figures["raw driver"])
    for name, values in figures.items():
        med = statistics.median(values)
        lines.append(
            f"{backend}: one small select through {name}: {med:.0f} µs CPU ({med / base:.2f}× raw)"
        )
    ubase = statistics.median(units["raw driver"])
    for name, values in units.items():
        med = statistics.median(values)
        lines.append(
            f"{backend}: a read-only unit of work with that select ({UNIT[backend]}) "
            f"through {name}: "
            f"{med:.0f} µs CPU ({med / ubase:.2f}× raw)"
        )
    for line in lines:
        print("  " + line)
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--statements", type=int, default=1000, help="per round and layer")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-results", action="store_true", help="do not append RESULTS.md")
    args = parser.parse_args()
    lines = [
        f"workload: {PEOPLE} people × {len(CHAPTERS)} chapter rows; {args.statements} calls per "
        f"layer and round, {args.rounds} rounds interleaved, medians; process CPU per call"
    ]
    async for backend in reachable(args.backends, lines):
        print(f"[{backend}]")
        lines += await measure(backend, args.statements, args.rounds)
    if not args.no_results:
        append_results("bench/layers.py", lines)


if __name__ == "__main__":
    asyncio.run(main())
