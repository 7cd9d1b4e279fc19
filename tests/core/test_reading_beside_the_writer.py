"""On a SQLite file, commands that only read (``/progress``, ``/next``, bare ``/path``) do not
queue behind a write in progress; one that turns out to need a write is stopped before the
write and done again as a normal unit of work, so nothing is lost or half-written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FixedClock
from bot.core import Core
from bot.db import Database, WriteNeeded
from bot.db.models import User
from bot.features import COMMANDS
from bot.types import Actor, Place
from curriculum import Curriculum
from tests.conftest import START, drop_schema, flat, make_database

ALICE = Actor("test", "W1", "alice", display_name="alice")
STUDY = Place("test", "W1", "study", channel_name="study")


@pytest.fixture
async def file_core(tmp_path: Path, curriculum: Curriculum) -> AsyncIterator[Core]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await db.upgrade()
    try:
        yield Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=FixedClock(START))
    finally:
        await db.close()


async def test_reads_answer_while_a_write_is_in_progress(file_core: Core) -> None:
    assert not (await file_core.handle_text(ALICE, STUDY, "/path mlops")).is_error
    held, release = asyncio.Event(), asyncio.Event()

    async def long_write() -> None:
        async with file_core.db.transaction() as session:
            await session.execute(text("UPDATE users SET display_name = display_name"))
            held.set()
            await release.wait()

    writer = asyncio.create_task(long_write())
    await held.wait()
    try:
        for line in ("/progress", "/next", "/path", "/reminders", "/reminders show"):
            reply = await asyncio.wait_for(file_core.handle_text(ALICE, STUDY, line), 10)
            assert not reply.is_error, (line, reply.text)
        done = asyncio.create_task(file_core.handle_text(ALICE, STUDY, "/done"))
        await asyncio.sleep(0.3)
        assert not done.done()  # a write still waits for the writer
    finally:
        release.set()
        await writer
    assert not (await done).is_error
    assert "Steps: 1/10" in flat(await file_core.handle_text(ALICE, STUDY, "/progress"))


async def test_a_newcomers_first_read_is_redone_as_a_write(file_core: Core) -> None:
    bob = Actor("test", "W1", "bob", display_name="bob")
    reply = await file_core.handle_text(bob, STUDY, "/progress")
    assert "haven't picked a path" in reply.text
    renamed = Actor("test", "W1", "bob", display_name="Bobby", locale="zh")
    await file_core.handle_text(renamed, STUDY, "/next")  # a read that must save the new name
    async with file_core.db.transaction() as session:
        rows = (await session.execute(select(User.display_name, User.locale))).all()
    assert [tuple(r) for r in rows] == [("Bobby", "zh")]


async def test_a_write_while_reading_is_stopped_before_it_runs(file_core: Core) -> None:
    insert = text(
        "INSERT INTO users (platform, workspace, external_id, display_name, locale, privacy, "
        "created_at) VALUES ('t', 'W', 'x', 'x', 'en', 'shown', '2027-01-01 00:00:00')"
    )
    with pytest.raises(WriteNeeded):
        async with file_core.db.reading() as session:
            await session.execute(insert)
    async with file_core.db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar() == 0


async def test_in_memory_sqlite_reads_take_the_writer_turn(curriculum: Curriculum) -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    await db.upgrade()
    try:
        assert not db.concurrent_reads  # one shared connection: reads cannot run beside
        core = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=FixedClock(START))
        assert not (await core.handle_text(ALICE, STUDY, "/path mlops")).is_error
        assert "0/" in flat(await core.handle_text(ALICE, STUDY, "/progress"))
    finally:
        await db.close()


async def test_postgres_reads_lock_no_row(tmp_path: Path, curriculum: Curriculum) -> None:
    """A read takes no ``FOR UPDATE``: it neither waits for a person's write in progress nor
    holds one up (and commits without a disk flush)."""
    db, schema = await make_database("postgresql", tmp_path)
    try:
        core = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=FixedClock(START))
        assert not (await core.handle_text(ALICE, STUDY, "/path mlops")).is_error
        held, release = asyncio.Event(), asyncio.Event()

        async def alice_locked() -> None:
            async with db.transaction() as session:
                await session.execute(
                    text("SELECT id FROM users WHERE external_id = 'alice' FOR UPDATE")
                )
                held.set()
                await release.wait()

        locker = asyncio.create_task(alice_locked())
        await held.wait()
        try:
            admin = replace(ALICE, is_admin=True)  # /leaderboard is for admins
            for line in ("/progress", "/next", "/leaderboard"):
                reply = await asyncio.wait_for(core.handle_text(admin, STUDY, line), 10)
                assert not reply.is_error, (line, reply.text)
            done = asyncio.create_task(core.handle_text(ALICE, STUDY, "/done"))
            await asyncio.sleep(0.3)
            assert not done.done()  # a write waits for the person's row
        finally:
            release.set()
            await locker
        assert not (await done).is_error
    finally:
        await db.close()
        assert schema is not None
        await drop_schema(schema)


async def test_postgres_reads_send_no_begin_but_writes_keep_their_transaction(
    tmp_path: Path,
) -> None:
    """Reads run in autocommit (READ COMMITTED snapshots each statement anyway, so BEGIN and
    COMMIT were two round trips for nothing); a unit of work that writes stays one
    transaction: two statements in it share one transaction id, in autocommit they do not."""
    db, schema = await make_database("postgresql", tmp_path)
    xid = text("SELECT pg_current_xact_id()::text")

    async def transaction_ids(session: AsyncSession) -> set[str]:
        return {(await session.execute(xid)).scalar_one() for _ in range(2)}

    try:
        async with db.reading() as session:
            assert len(await transaction_ids(session)) == 2
            # ...and a write is still refused before it runs.
            with pytest.raises(WriteNeeded):
                await session.execute(text("UPDATE users SET locale = locale"))
        async with db.transaction() as session:
            assert len(await transaction_ids(session)) == 1
        # The connection went back to the pool in its default mode: a unit of work that
        # writes, after a read on the same connection, is still one transaction.
        for _ in range(3):
            async with db.reading() as session:
                await session.execute(text("SELECT 1"))
            async with db.transaction() as session:
                assert len(await transaction_ids(session)) == 1
    finally:
        await db.close()
        assert schema is not None
        await drop_schema(schema)
