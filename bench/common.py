"""Shared pieces of the benchmarks: databases, percentiles, machine facts, RESULTS.md."""

from __future__ import annotations

import os
import platform
import resource
import shlex
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.db import Database

RESULTS = Path(__file__).with_name("RESULTS.md")
PG_ENV = "SKILLTREE_TEST_POSTGRES_URL"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SEED = 20270301


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    return (
        f"nproc={os.cpu_count()}, CPU={cpu_model()}, "
        f"Python {platform.python_version()} ({sys.implementation.name})"
    )


def command_line() -> str:
    args = list(sys.argv)
    script = Path(args[0])
    if script.suffix == ".py" and script.parent.name == "bench":
        args[:1] = ["-m", f"bench.{script.stem}"]  # run as a module from the repository root
    return " ".join(shlex.quote(a) for a in [".venv/bin/python", *args])


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pg_url() -> str:
    return os.environ.get(PG_ENV) or DEFAULT_PG


@dataclass
class BenchDb:
    """A fresh, migrated database: a temporary SQLite file, or a fresh PostgreSQL schema."""

    backend: str
    db: Database
    url: str
    schema: str | None = None
    tmpdir: tempfile.TemporaryDirectory[str] | None = None
    connect_args: dict | None = None

    @classmethod
    async def create(cls, backend: str) -> BenchDb:
        if backend == "sqlite":
            tmp = tempfile.TemporaryDirectory(prefix="skilltree-bench-")
            url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
            db = Database(url)
            await db.upgrade()
            return cls("sqlite", db, url, tmpdir=tmp)
        url = pg_url()
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = Database(url)
        async with admin.engine.begin() as conn:
            await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        await admin.close()
        args = {"server_settings": {"search_path": schema}}
        db = Database(url, connect_args=args)
        await db.upgrade()
        return cls("postgresql", db, url, schema=schema, connect_args=args)

    @property
    def sqlite_path(self) -> str:
        assert self.backend == "sqlite" and self.tmpdir is not None
        return str(Path(self.tmpdir.name) / "bench.db")

    @property
    def asyncpg_dsn(self) -> str:
        return self.url.replace("postgresql+asyncpg://", "postgresql://")

    async def close(self) -> None:
        await self.db.close()
        if self.schema:
            admin = Database(self.url)
            async with admin.engine.begin() as conn:
                await conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
            await admin.close()
        if self.tmpdir is not None:
            self.tmpdir.cleanup()


async def cpu_us(
    step: Callable[..., Awaitable[object]], calls: Sequence[tuple[object, ...]]
) -> float:
    """Mean process CPU (µs: every thread of this process, not a database server's) of
    ``await step(*args)`` for each of ``calls``, one after another."""
    c0 = time.process_time()
    for args in calls:
        await step(*args)
    return (time.process_time() - c0) * 1e6 / len(calls)


async def reachable(backends: str, lines: list[str]) -> AsyncIterator[str]:
    """Each of the comma-separated ``backends`` to run; PostgreSQL is left out, with a line
    in ``lines`` saying so, when its server does not answer."""
    for backend in backends.split(","):
        if backend == "postgresql" and not await pg_available():
            lines.append("postgresql: skipped (server not reachable)")
            continue
        yield backend


async def pg_available() -> bool:
    probe = Database(pg_url())
    try:
        return await probe.ping()
    finally:
        await probe.close()


def append_results(title: str, lines: Sequence[str]) -> None:
    """Append one run's figures to RESULTS.md: date, machine, exact command, then ``lines``."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = [
        f"## {title} — {stamp}",
        "",
        f"- machine: {machine()}",
        f"- command: `{command_line()}`",
        *[f"- {line}" for line in lines],
        "",
    ]
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nAppended by the scripts in bench/ (newest last).\n\n",
            encoding="utf-8",
        )
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(block) + "\n")
    print("\n".join(block))
