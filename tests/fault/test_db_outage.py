"""The database goes away or turns read-only: every command gets the apology (no traceback,
no crash), nothing is half-written, and the same core works again when the database is back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.clock import FixedClock
from bot.core import Core
from bot.db import Database
from bot.features import COMMANDS
from bot.i18n import tr
from bot.types import Actor, Place
from curriculum import Curriculum
from tests.conftest import START, pg_url

ROOT = Path(__file__).resolve().parents[2]
APOLOGY = tr(
    "en",
    "Sorry, I can't reach my database right now. Nothing was changed; please try again"
    " in a minute.",
)
ALICE = Actor("test", "W1", "alice", display_name="alice")
STUDY = Place("test", "W1", "study", channel_name="study")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_read_only_sqlite_apologises_then_recovers(core: Core) -> None:
    assert not (await core.handle_text(ALICE, STUDY, "/path mlops")).is_error
    read_only = {"on": False}

    # As root, chmod does not stop writes; SQLite's own read-only switch gives the same error
    # ("attempt to write a readonly database") on every new connection while it is on.
    @event.listens_for(core.db.engine.sync_engine, "connect")
    def _ro(dbapi_conn: Any, _record: Any) -> None:
        if read_only["on"]:
            dbapi_conn.execute("PRAGMA query_only=ON")

    path = Path(core.db.url.database or "")
    mode = os.stat(path).st_mode
    read_only["on"] = True
    os.chmod(path, 0o444)
    await core.db.engine.dispose()  # connections open from now on see a read-only file
    try:
        started = time.monotonic()
        for line in ("/done", "/done", "/path app", "/progress", "/next"):
            reply = await core.handle_text(ALICE, STUDY, line)
            if line in ("/done", "/path app"):  # writes: an apology, not a traceback
                assert reply.is_error and reply.text == APOLOGY, (line, reply.text)
            else:  # reads still work on a read-only database
                assert not reply.is_error or reply.text == APOLOGY, (line, reply.text)
        assert time.monotonic() - started < 10  # no 30 s busy-timeout waits per command
    finally:
        os.chmod(path, mode)
        read_only["on"] = False
        await core.db.engine.dispose()
    progress = await core.handle_text(ALICE, STUDY, "/progress")
    assert "0/" in progress.text + "".join(f.value for f in progress.fields)  # nothing half-done
    done = await core.handle_text(ALICE, STUDY, "/done")
    assert not done.is_error, done.text


@contextlib.asynccontextmanager
async def tcp_proxy(port: int, target: tuple[str, int]) -> AsyncIterator[None]:
    """Forwards 127.0.0.1:port to ``target`` while the context is open."""
    conns: list[asyncio.StreamWriter] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*target)
        conns.extend([writer, up_writer])
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        for w in conns:
            w.close()
        await server.wait_closed()


async def test_closed_port_gives_apologies_quickly(curriculum: Curriculum) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test"
    core = Core(commands=COMMANDS, curriculum=curriculum, db=Database(url), clock=FixedClock(START))
    try:
        started = time.monotonic()
        replies = await asyncio.gather(
            *(core.handle_text(ALICE, STUDY, line) for line in ("/path mlops", "/done", "/next"))
        )
        assert all(r.is_error and r.text == APOLOGY for r in replies), [r.text for r in replies]
        assert time.monotonic() - started < 10
    finally:
        await core.db.close()


async def test_postgres_behind_a_dead_port_recovers_when_it_returns(
    curriculum: Curriculum,
) -> None:
    url = pg_url()
    if url is None:
        pytest.skip("needs SKILLTREE_TEST_POSTGRES_URL (a PostgreSQL server to proxy to)")
    from sqlalchemy.engine import make_url

    from tests.conftest import drop_schema, make_database

    real = make_url(url)
    db, schema = await make_database("postgresql", Path("."))
    await db.close()
    port = free_port()
    proxied = real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    assert schema is not None
    db = Database(proxied, connect_args={"server_settings": {"search_path": schema}})
    core = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=FixedClock(START))
    try:
        for _ in range(3):  # down: apologies, no crash, no waiting for minutes
            reply = await asyncio.wait_for(core.handle_text(ALICE, STUDY, "/path mlops"), 15)
            assert reply.is_error and reply.text == APOLOGY, reply.text
        async with tcp_proxy(port, (real.host or "127.0.0.1", real.port or 5432)):
            reply = await core.handle_text(ALICE, STUDY, "/path mlops")
            assert not reply.is_error, reply.text
            assert not (await core.handle_text(ALICE, STUDY, "/done")).is_error
        # Down again mid-life (pooled connections die): apologies, then back once more.
        reply = await asyncio.wait_for(core.handle_text(ALICE, STUDY, "/done"), 15)
        assert reply.is_error and reply.text == APOLOGY, reply.text
        async with tcp_proxy(port, (real.host or "127.0.0.1", real.port or 5432)):
            progress = await core.handle_text(ALICE, STUDY, "/progress")
            assert not progress.is_error, progress.text
    finally:
        await db.close()
        await drop_schema(schema)


def test_startup_on_an_unreachable_database_exits_with_a_clear_error(tmp_path: Path) -> None:
    """No crash loop inside the process: one clear line and a non-zero exit."""
    url = f"postgresql+asyncpg://postgres:s3cret@127.0.0.1:{free_port()}/test"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_APP_TOKEN": "",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot.main.cli", "console", "--user", "alice"],
        input="/path mlops\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "cannot reach" in proc.stderr and "127.0.0.1" in proc.stderr, proc.stderr
    assert "s3cret" not in proc.stderr + proc.stdout  # the password stays secret
    assert "Traceback" not in proc.stderr


async def test_every_connection_busy_gives_the_apology_not_an_internal_error(
    tmp_path: Path, curriculum: Curriculum
) -> None:
    db = Database(
        f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}", pool_size=1, max_overflow=0, pool_timeout=0.3
    )
    await db.upgrade()
    core = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=FixedClock(START))
    try:
        async with db.engine.connect():  # the only connection, held
            reply = await core.handle_text(ALICE, STUDY, "/path mlops")
        assert reply.is_error and reply.text == APOLOGY, reply.text
        assert not (await core.handle_text(ALICE, STUDY, "/path mlops")).is_error  # free again
    finally:
        await db.close()
