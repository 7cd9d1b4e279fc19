"""PostgreSQL connections are pinged before use only after sitting idle: a busy bot sends no
extra round trip per command, and a connection the server dropped while idle is replaced
before any command's work is sent to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import bot.db.engine as engine_module
from bot.clock import FixedClock
from bot.core import Core
from bot.db import Database
from bot.features import COMMANDS
from bot.types import Actor, Place
from curriculum import Curriculum
from tests.conftest import START, drop_schema, make_database

ALICE = Actor("test", "W1", "alice", display_name="alice")
STUDY = Place("test", "W1", "study", channel_name="study")


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[Database]:
    db, schema = await make_database("postgresql", tmp_path)
    try:
        yield db
    finally:
        await db.close()
        assert schema is not None
        await drop_schema(schema)


def count_pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = db.engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        pings.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counted)
    return pings


async def test_connection_in_use_a_moment_ago_is_not_pinged(
    pg: Database, curriculum: Curriculum, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = Core(commands=COMMANDS, curriculum=curriculum, db=pg, clock=FixedClock(START))
    pings = count_pings(pg, monkeypatch)
    for line in ("/path mlops", "/done", "/next", "/progress", "/done"):
        assert not (await core.handle_text(ALICE, STUDY, line)).is_error, line
    assert pings == []
    # The same commands with every pooled connection counting as idle: each checkout pings.
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
    for line in ("/next", "/progress"):
        assert not (await core.handle_text(ALICE, STUDY, line)).is_error, line
    assert len(pings) >= 2


async def test_connection_dropped_while_idle_is_replaced_before_use(
    pg: Database, curriculum: Curriculum, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = Core(commands=COMMANDS, curriculum=curriculum, db=pg, clock=FixedClock(START))
    assert not (await core.handle_text(ALICE, STUDY, "/path mlops")).is_error
    async with pg.engine.connect() as conn:  # the pooled connection the commands use
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    killer = Database(str(pg.url.render_as_string(hide_password=False)))
    try:
        async with killer.engine.begin() as conn:
            killed = await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            assert killed.scalar_one() is True
    finally:
        await killer.close()
    pings = count_pings(pg, monkeypatch)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)  # as after a quiet second
    reply = await core.handle_text(ALICE, STUDY, "/done")
    assert not reply.is_error, reply.text
    assert pings, "the idle connection was used without a ping"
    progress = await core.handle_text(ALICE, STUDY, "/progress")
    assert not progress.is_error, progress.text
