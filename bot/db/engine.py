"""The engine, a unit of work, and schema upgrades.

SQLite is the default, so it gets the care: WAL (readers never block the writer), a busy
timeout, ``BEGIN IMMEDIATE`` (a transaction takes the write lock up front instead of failing
to upgrade a read lock with "database is locked"), and one writer at a time in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from bot.db import sqlite_conn

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: several replicas starting at once upgrade the schema one after another.
_PG_MIGRATION_LOCK = 7_311_852_001
# A pooled connection used this recently is taken as alive without a ping (HikariCP's
# "alive bypass window"): under load a ping per checkout is one more round trip per command.
PING_AFTER_IDLE_S = 1.0


# asyncpg raises its own errors, unwrapped, when a connection cannot be opened (no such
# database, authentication); statement errors arrive wrapped in SQLAlchemy's DBAPIError.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa_exc.TimeoutError,  # every pooled connection busy for the whole pool timeout
    OperationalError,
    InterfaceError,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or refused the work; nothing was written."""


class WriteNeeded(RuntimeError):
    """A unit of work begun with ``Database.reading()`` tried to write; the statement was
    stopped before it ran, so the caller can do the work again in ``transaction()``."""


_READING = "skilltree_reading"  # execution option of the connections ``reading()`` uses
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def redact_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Database:
    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 30_000,
        pool_size: int = 10,
        max_overflow: int = 10,
        pool_timeout: float = 30.0,
        echo: bool = False,
        connect_args: dict[str, Any] | None = None,
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo, "connect_args": dict(connect_args or {})}
        if self.is_sqlite:
            db = self.url.database or ""
            if db in ("", ":memory:"):
                # One shared connection, or each checkout would see its own empty database.
                kwargs["poolclass"] = StaticPool
            else:
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"].setdefault("timeout", busy_timeout_ms / 1000)
        # Units of work wait for a connection in the order they asked (``_connection_turn``).
        self._gate: asyncio.Semaphore | None = None
        self._gate_timeout = pool_timeout
        if kwargs.get("poolclass") is not StaticPool:
            # Kept open rather than opened per burst: a new PostgreSQL connection costs tens
            # of milliseconds, which the command that waits for it would show.
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
            self._gate = asyncio.Semaphore(pool_size + max_overflow)
        self.engine = create_async_engine(self.url, **kwargs)

        @event.listens_for(self.engine.sync_engine, "before_cursor_execute")
        def _refuse_writes_when_reading(
            conn: Connection, _cursor: Any, statement: str, *_args: Any
        ) -> None:
            if not conn.get_execution_options().get(_READING):
                return
            verb = statement.lstrip()[:7].upper()
            if verb.startswith(_WRITES):
                raise WriteNeeded(verb.split()[0])

        if self.is_sqlite:
            self._tune_sqlite(busy_timeout_ms)
        else:
            self._ping_when_idle()
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = asyncio.Lock() if self.is_sqlite else None
        # SQLite in WAL mode lets readers run beside the one writer, each on a connection (and
        # thread) of its own; an in-memory database is one shared connection, so it cannot.
        self.concurrent_reads = not self.is_sqlite or (self.url.database or "") not in (
            "",
            ":memory:",
        )
        reading_options: dict[str, Any] = {_READING: True}
        if not self.is_sqlite:
            # PostgreSQL reads at READ COMMITTED, where every statement takes its own snapshot
            # inside a transaction too: BEGIN and COMMIT around reads bought nothing but two
            # round trips per command.
            reading_options["isolation_level"] = "AUTOCOMMIT"
        self._read_sessions = async_sessionmaker(
            self.engine.execution_options(**reading_options), expire_on_commit=False
        )

    def _tune_sqlite(self, busy_timeout_ms: int) -> None:
        sync_engine = self.engine.sync_engine

        @event.listens_for(sync_engine, "do_connect")
        def _one_trip(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
            # SQLAlchemy's own aiosqlite adapter, over a connection whose cursor does a
            # statement in one trip to the database thread (``bot/db/sqlite_conn.py``).
            return dialect.dbapi.connect(*cargs, async_creator_fn=sqlite_conn.connector, **cparams)

        @event.listens_for(sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let us issue BEGIN ourselves; pysqlite's implicit BEGIN is DEFERRED.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            if (self.url.database or ":memory:") != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(sync_engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # A reader's snapshot starts at its first read and never takes the write lock.
            reading = conn.get_execution_options().get(_READING)
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    def _ping_when_idle(self) -> None:
        """Ping a pooled connection before use only when it sat idle for a while: one that
        was used a moment ago is alive, and a server that went away in between is caught by
        the statement itself (that error invalidates the whole pool, so the next command
        reconnects). A failed ping does the same before any work is sent."""
        pool_events = self.engine.sync_engine
        dialect = self.engine.dialect

        @event.listens_for(pool_events, "checkin")
        def _idle_from(_dbapi_conn: Any, record: Any) -> None:
            if record is not None:
                record.info["idle_since"] = time.monotonic()

        @event.listens_for(pool_events, "checkout")
        def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
            idle_since = record.info.get("idle_since")
            if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
                return  # fresh from connect(), or in use a moment ago
            try:
                dialect.do_ping(dbapi_conn)
            except Exception as exc:
                # The pool drops every connection as old as this one and connects afresh.
                raise sa_exc.InvalidatePoolError(str(exc)) from exc

    @contextlib.asynccontextmanager
    async def _connection_turn(self) -> AsyncIterator[None]:
        """Wait for one of the pool's connections in arrival order. The pool alone lets a
        newcomer take a connection just freed ahead of those already waiting: under a burst
        half the commands got one at once and the rest waited seconds (p99 2.4 s at p50 0)."""
        if self._gate is None:
            yield
            return
        try:
            async with asyncio.timeout(self._gate_timeout):
                await self._gate.acquire()
        except TimeoutError:
            raise DatabaseUnavailable("every connection stayed busy for the pool timeout") from None
        try:
            yield
        finally:
            self._gate.release()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any error; nothing half-done."""
        # SQLite's writer turn first: a write waiting for it holds no connection meanwhile.
        lock = self._writer if self._writer is not None else contextlib.nullcontext()
        with _unavailable_as_ours():
            async with (
                lock,
                self._connection_turn(),
                self._sessions() as session,
                session.begin(),
            ):
                yield session

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that expects only to read. On a SQLite file it does not queue for
        the writer (it reads a consistent snapshot beside it); on PostgreSQL it locks no row,
        so it never waits for one nor makes its commit wait for the disk. Should it try to
        write after all, ``WriteNeeded`` is raised before the statement runs and nothing is
        written. In-memory SQLite (one shared connection) takes the writer's turn instead."""
        if not self.concurrent_reads:
            async with self.transaction() as session:
                yield session
            return
        with _unavailable_as_ours():
            async with self._connection_turn(), self._read_sessions() as session, session.begin():
                session.info["reading"] = True
                yield session

    async def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        try:
            async with self.engine.begin() as conn:
                if not self.is_sqlite:
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK}
                    )
                await conn.run_sync(_upgrade_sync)
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailable(str(getattr(exc, "orig", exc))) from exc

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()


@contextlib.contextmanager
def _unavailable_as_ours() -> Iterator[None]:
    """The driver's "cannot reach / connection lost" errors as ``DatabaseUnavailable``."""
    try:
        yield
    except _UNAVAILABLE as exc:
        raise DatabaseUnavailable(str(getattr(exc, "orig", exc))) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise DatabaseUnavailable(str(exc.orig)) from exc
        raise


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """INSERT with ``on_conflict_do_*``, for the database at hand (PostgreSQL or SQLite)."""
    return insert_for(session.bind.dialect.name, table)


def insert_for(dialect: str, table: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade_sync(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
