"""Two schedulers (two processes' worth: separate engines) on one database send nothing twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from bot.core import Core
from bot.db import Database
from bot.features import COMMANDS
from scheduler.service import PromptService
from tests.conftest import pg_url
from tests.scheduler.fakes import FakeNotifier, Sent
from tests.scheduler.helpers import deliveries, enrol, utc

MON = utc(2027, 3, 8, 9, 0)


async def second_database(db: Database) -> Database:
    """Another engine on the same data: same SQLite file, or same PostgreSQL schema."""
    if db.is_sqlite:
        return Database(db.url.render_as_string(hide_password=False))
    async with db.engine.connect() as conn:
        schema = (await conn.exec_driver_sql("SELECT current_schema()")).scalar_one()
    url = pg_url()
    assert url is not None
    return Database(url, connect_args={"server_settings": {"search_path": schema}})


async def test_two_schedulers_at_once_send_each_prompt_once(core, db, clock, person):
    for i in range(24):
        await enrol(person, f"p{i:02d}", channel=f"group{i % 3}")
    other_db = await second_database(db)
    try:
        other_core = Core(commands=COMMANDS, curriculum=core.curriculum, db=other_db, clock=clock)
        logs: tuple[list[Sent], list[Sent]] = ([], [])
        services = [
            PromptService(c, {"test": FakeNotifier("test", clock=clock, log=log)}, concurrency=4)
            for c, log in zip((core, other_core), logs, strict=True)
        ]
        for minute in (0, 0, 1, 2):  # two ticks at the same instant, then a few more
            at = MON + timedelta(minutes=minute)
            clock.set(at)
            await asyncio.gather(*(s.run_once(at) for s in services))
    finally:
        await other_db.close()

    # Who sends what is a race (on SQLite the writer lock often lets one do it all); what
    # must hold is that, together, they send everything and nothing twice.
    counts = Counter(s.to for s in logs[0] + logs[1])
    assert len(counts) == 24 + 3  # every person and every group
    assert set(counts.values()) == {1}  # and nobody twice
    rows = await deliveries(core)
    assert len(rows) == 27 and {r.status for r in rows} == {"sent"}
