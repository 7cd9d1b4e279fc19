"""Shared fixtures: a real core on a real SQLite file, and on PostgreSQL when CI provides it.

PostgreSQL tests read ``SKILLTREE_TEST_POSTGRES_URL`` (``.ci/run`` sets it) and each test gets
its own schema, so several test runs can share one server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.core import Core
from bot.db import Database
from bot.features import COMMANDS
from bot.types import Actor, Place, Reply
from curriculum import load_curriculum

PG_ENV = "SKILLTREE_TEST_POSTGRES_URL"
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


async def make_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    """A fresh, migrated database; returns it and the PostgreSQL schema to drop, if any."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
        await db.upgrade()
        return db, None
    url = pg_url()
    if url is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (set by .ci/run)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    await admin.close()
    db = Database(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await db.upgrade()
    except BaseException:
        await db.close()
        await drop_schema(schema)
        raise
    return db, schema


async def drop_schema(schema: str) -> None:
    url = pg_url()
    assert url is not None
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def curriculum():
    return load_curriculum()


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    database, schema = await make_database(backend, tmp_path)
    try:
        yield database
    finally:
        await database.close()
        if schema:
            await drop_schema(schema)


@pytest.fixture
async def core(db: Database, clock: FixedClock, curriculum) -> Core:
    return Core(
        commands=COMMANDS,
        curriculum=curriculum,
        db=db,
        clock=clock,
        chapter_base_url="https://example.org/book",
    )


class Person:
    """A test participant: ``await alice("/done")`` → the Reply."""

    def __init__(
        self,
        core: Core,
        name: str,
        *,
        channel: str | None = "study",
        locale: str = "en",
        admin: bool = False,
        tz: str | None = None,
        workspace: str = "W1",
    ) -> None:
        self.core = core
        self.actor = Actor(
            "test",
            workspace,
            name,
            display_name=name,
            locale=locale,  # type: ignore[arg-type]
            is_admin=admin,
            timezone=tz,
        )
        self.place = Place("test", workspace, channel, channel_name=channel or "")

    async def __call__(self, line: str) -> Reply:
        return await self.core.handle_text(self.actor, self.place, line)


@pytest.fixture
def person(core: Core):
    def make(name: str = "alice", **kwargs: object) -> Person:
        return Person(core, name, **kwargs)  # type: ignore[arg-type]

    return make


def flat(reply: Reply) -> str:
    """Everything a person would read in a reply, as one string, for assertions."""
    parts = [reply.title or "", reply.text, reply.footer or ""]
    parts += [f"{f.name}: {f.value}" for f in reply.fields]
    parts += [f"[{b.label} /{b.command} {b.args}]" for b in reply.buttons]
    return "\n".join(parts)
