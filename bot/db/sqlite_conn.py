"""aiosqlite connections whose statements cost one trip to the database thread, not four.

aiosqlite runs SQLite on a thread of its own; every awaited call is a hand-over to that
thread and back. SQLAlchemy's adapter makes four per statement (open a cursor, execute,
fetch all, close), and with SQLite's single writer the bot's whole throughput is the time a
unit of work holds the write lock: those hand-overs were a third of it. Here the cursor does
all four in one, in the thread, and hands SQLAlchemy the rows it would have fetched.

It leans on ``Connection._execute`` (aiosqlite's one way of running a function in its
thread, which every public method uses); the whole test suite runs through it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

import aiosqlite

_Rows = list[Any]
_T = TypeVar("_T")


def _run(conn: sqlite3.Connection, sql: str, parameters: Any) -> tuple[Any, _Rows, int, int]:
    """In the database thread: the statement, its rows and the cursor's figures."""
    cursor = conn.cursor()
    try:
        if parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, rows, cursor.lastrowid or 0, cursor.rowcount
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, sql: str, seq: Iterable[Any]) -> tuple[int, int]:
    cursor = conn.cursor()
    try:
        cursor.executemany(sql, seq)
        return cursor.lastrowid or 0, cursor.rowcount
    finally:
        cursor.close()


class OneTripCursor:
    """The part of ``aiosqlite.Cursor`` SQLAlchemy uses, with results fetched up front."""

    def __init__(self, conn: OneTripConnection) -> None:
        self._conn = conn
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.lastrowid = 0
        self.rowcount = -1
        self.arraysize = 1

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        self.description, rows, self.lastrowid, self.rowcount = await self._conn.in_thread(
            _run, sql, parameters
        )
        self._rows = deque(rows)
        return self

    async def executemany(self, sql: str, seq: Iterable[Any]) -> OneTripCursor:
        self.description, self._rows = None, deque()
        self.lastrowid, self.rowcount = await self._conn.in_thread(_run_many, sql, seq)
        return self

    async def fetchall(self) -> _Rows:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def fetchmany(self, size: int | None = None) -> _Rows:
        n = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(n)]

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    async def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def in_thread(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(sqlite3_connection, *args)`` run in the database thread."""
        result: _T = await self._execute(fn, self._conn, *args)  # type: ignore[no-untyped-call]
        return result


def connector(database: str, **kwargs: Any) -> OneTripConnection:
    """What ``aiosqlite.connect`` does, with the one-trip cursor: SQLAlchemy's adapter calls
    it with the file name and ``sqlite3.connect`` options it worked out from the URL. The
    thread is a daemon, as SQLAlchemy makes aiosqlite's own, so a connection left open never
    keeps the process from exiting."""
    conn = OneTripConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
    # Before aiosqlite 0.22 the connection was itself the thread.
    thread = conn if isinstance(conn, threading.Thread) else conn._thread
    thread.daemon = True
    return conn
