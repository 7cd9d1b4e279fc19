"""1,000 commands at once on SQLite and on PostgreSQL: no error reply, no lost update.

100 people each fire ten commands at the same moment, each marking a different chapter
(eight /done, one /skip, one /start); afterwards every person has exactly those ten states.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.core import Core
from bot.db import Database
from bot.features import COMMANDS
from bot.services import store
from bot.types import Actor, Place
from curriculum import Curriculum
from tests.conftest import START, drop_schema, make_database

PEOPLE = 100
CHAPTERS = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2"]
EXPECTED = {c: "done" for c in CHAPTERS[:8]} | {CHAPTERS[8]: "skipped", CHAPTERS[9]: "in_progress"}


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def core(backend: str, tmp_path: Path, curriculum: Curriculum) -> AsyncIterator[Core]:
    db, schema = await make_database(backend, tmp_path)
    try:
        yield Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=FixedClock(START))
    finally:
        await db.close()
        if schema:
            await drop_schema(schema)


def actor(i: int) -> Actor:
    return Actor("test", "W1", f"u{i:03d}", display_name=f"u{i:03d}")


async def test_a_thousand_concurrent_commands(core: Core) -> None:
    place = Place("test", "W1", "C1", channel_name="study")
    enrol = await asyncio.gather(
        *(core.handle_text(actor(i), place, "/path mlops") for i in range(PEOPLE))
    )
    assert [r.text for r in enrol if r.is_error] == []

    lines = [f"/done {c}" for c in CHAPTERS[:8]] + [f"/skip {CHAPTERS[8]}", f"/start {CHAPTERS[9]}"]
    started = time.monotonic()
    replies = await asyncio.gather(
        *(core.handle_text(actor(i), place, line) for i in range(PEOPLE) for line in lines)
    )
    elapsed = time.monotonic() - started
    assert len(replies) == 1000
    errors = [r.text for r in replies if r.is_error]
    assert errors == [], errors[:3]

    db: Database = core.db
    async with db.transaction() as session:
        for i in range(PEOPLE):
            user = await store.find_user(session, actor(i))
            assert user is not None
            states = await store.chapter_states(session, user.id)
            assert states == EXPECTED, (i, states)
    print(f"1000 commands in {elapsed:.1f} s")
