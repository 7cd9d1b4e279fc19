"""Database look-ups and fixtures shared by the core's behaviour tests."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.db.models import (
    Base,
    ChapterProgress,
    ReminderPref,
    User,
)
from tests.conftest import drop_schema, make_database, pg_url


async def user_row(db: Database, name: str, workspace: str = "W1") -> User | None:
    async with db.transaction() as s:
        return (
            await s.execute(
                select(User).where(
                    User.platform == "test", User.workspace == workspace, User.external_id == name
                )
            )
        ).scalar_one_or_none()


async def user_id(db: Database, name: str, workspace: str = "W1") -> int:
    row = await user_row(db, name, workspace)
    assert row is not None, f"no user {name!r}"
    return row.id


async def progress_rows(db: Database, uid: int) -> dict[str, ChapterProgress]:
    async with db.transaction() as s:
        rows = (
            (await s.execute(select(ChapterProgress).where(ChapterProgress.user_id == uid)))
            .scalars()
            .all()
        )
    return {r.chapter_id: r for r in rows}


async def states(db: Database, uid: int) -> dict[str, str]:
    return {c: r.state for c, r in (await progress_rows(db, uid)).items()}


async def reminder(db: Database, uid: int) -> ReminderPref | None:
    async with db.transaction() as s:
        return await s.get(ReminderPref, uid)


async def count(db: Database, table: Any, *where: Any) -> int:
    async with db.transaction() as s:
        return int(
            (await s.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        )


async def rows_about(db: Database, uid: int) -> dict[str, int]:
    """How many rows in each table still mention ``uid``: ``users`` by id, and every table
    whose ``user_id`` points at ``users.id`` (found from the models, so new tables are checked
    too). ``slack_installations.user_id`` is a Slack user id (who installed the app), not ours."""
    out = {"users": await count(db, User, User.id == uid)}
    for table in Base.metadata.sorted_tables:
        if "user_id" in table.c and table.c.user_id.references(User.__table__.c.id):
            out[table.name] = await count(db, table, table.c.user_id == uid)
    return out


# Modules whose behaviour does not depend on the database engine run on SQLite only (each
# PostgreSQL test pays for a fresh schema): they import ``sqlite_backend`` (a fixture named
# ``backend``, overriding conftest's) and mark the few tests that need both with ``BOTH``.
@pytest.fixture(params=["sqlite"], name="backend")
def sqlite_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])


# --- a faster ``db`` ---------------------------------------------------------------------
# conftest's ``db`` migrates a brand-new database for every test, which is most of a test's
# cost. Modules that import ``fast_db`` (a fixture named ``db``) get the same thing cheaper:
# SQLite — a copy of one migrated template file; PostgreSQL — one migrated schema for the
# whole run, emptied before each test. Both are real databases at the real head revision.


_SHARED_PG_SCHEMA: dict[str, str] = {}


@pytest.fixture(name="db")
async def fast_db(
    backend: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Database]:
    if backend == "sqlite":
        template = tmp_path_factory.getbasetemp() / "skilltree-template.db"
        if not template.exists():
            maker = Database(f"sqlite+aiosqlite:///{template}")
            await maker.upgrade()
            await maker.close()
        shutil.copyfile(template, tmp_path / "bot.db")
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    else:
        if pg_url() is None:
            pytest.skip("PostgreSQL tests need SKILLTREE_TEST_POSTGRES_URL (set by .ci/run)")
        if "schema" not in _SHARED_PG_SCHEMA:
            first, schema = await make_database("postgresql", tmp_path)
            await first.close()
            assert schema is not None
            _SHARED_PG_SCHEMA["schema"] = schema
            request.config.add_cleanup(lambda: asyncio.run(drop_schema(schema)))
        url = pg_url()
        assert url is not None
        db = Database(
            url, connect_args={"server_settings": {"search_path": _SHARED_PG_SCHEMA["schema"]}}
        )
        async with db.engine.begin() as conn:
            tables = (
                (
                    await conn.exec_driver_sql(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                        " AND tablename <> 'alembic_version'"
                    )
                )
                .scalars()
                .all()
            )
            if tables:
                names = ", ".join(f'"{t}"' for t in tables)
                await conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    try:
        yield db
    finally:
        await db.close()
