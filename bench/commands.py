"""Commands through ``Core.handle_text`` beside a bare-SQL floor: latency at a given offered
rate (open loop), and the most a process can do (saturation).

10,000 people in 500 study groups, a mix of /done, /next, /progress and /path. Per backend:

* **open loop**: commands arrive at ``--rate`` per second (Poisson arrivals, 200/s: a very busy
  community), whether or not earlier ones have finished. Each command's latency is counted
  from its *scheduled* arrival, so a stalled process cannot hide its backlog (no coordinated
  omission). Target: p99 ≤ 50 ms.
* **saturation**: a closed loop with ``--in-flight`` commands always outstanding (each worker
  sends its next command when the previous answer arrives), for the core and then for the
  floor. Targets: ≥ 600 commands/s on SQLite, ≥ 1,000/s on PostgreSQL, and core/floor ≤ 2.0×.

The floor issues the same reads and writes per command as bare SQL on the raw driver
(aiosqlite / asyncpg) with the same transaction discipline (SQLite: one writer, ``BEGIN
IMMEDIATE``, with the commands that only read on connections of their own beside it;
PostgreSQL: the user row ``FOR UPDATE`` by the commands that write, and the commands that only
read in autocommit, without BEGIN and COMMIT), and none of the Python around them. Every phase
is bounded in time; everything runs over loopback.

Last, **CPU per command**: each kind one at a time, the core and the floor interleaved, process
CPU time (medians). Throughput on a shared 2-core machine moves by a third with its load; this
figure moves far less, so it is the one to compare changes by.

    .venv/bin/python -m bench.commands                 # SQLite, then PostgreSQL
    .venv/bin/python -m bench.commands --backends sqlite --profile
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import os
import pstats
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite
import asyncpg  # type: ignore[import-untyped]

from bench.common import SEED, BenchDb, append_results, cpu_us, pct, reachable
from bench.seed import seed, seeded_locale
from bot.clock import FixedClock
from bot.core import Core
from bot.features import COMMANDS
from bot.features import leaderboard as lb_handlers
from bot.main.app import settle_heap
from bot.types import Actor, Place
from curriculum import Curriculum, load_curriculum

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
PEOPLE = 10_000
CHANNELS = 500
MIX = (("done", 30), ("next", 30), ("progress", 20), ("path", 10), ("path-enrol", 10))
OFFERED_RATE = 200.0  # commands/s in the open loop
IN_FLIGHT = 64  # closed loop: more only queues for the pool (20) and SQLite's writer
DRAIN_S = 30.0  # after the open loop's last arrival, how long the stragglers may take
TARGET_P99_MS = 50.0
TARGET_RATE = {"sqlite": 600.0, "postgresql": 1000.0}
TARGET_RATIO = 2.0


def plan(rng: random.Random, curriculum: Curriculum) -> Callable[[], tuple[str, int]]:
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]

    def next_command() -> tuple[str, int]:
        return rng.choices(kinds, weights)[0], rng.randrange(PEOPLE)

    return next_command


def line_for(kind: str, person: int, curriculum: Curriculum) -> str:
    if kind == "path-enrol":
        return f"/path {curriculum.paths[person % len(curriculum.paths)].id}"
    return f"/{kind}"


Outcome = tuple[list[float], Counter[str], int, float]


def _counting(
    run_one: Callable[[str, int], Awaitable[None]],
) -> tuple[Callable[[str, int], Awaitable[bool]], list[int]]:
    """``run_one`` that returns False instead of raising, counting (and showing a few) errors:
    the floor must not hide failures."""
    errors = [0]

    async def run(kind: str, person: int) -> bool:
        try:
            await run_one(kind, person)
        except Exception as exc:
            errors[0] += 1
            if errors[0] <= 3:
                print(f"  error: {type(exc).__name__}: {exc}")
            return False
        return True

    return run, errors


async def closed_loop(
    run_one: Callable[[str, int], Awaitable[None]],
    next_command: Callable[[], tuple[str, int]],
    seconds: float,
    in_flight: int,
) -> Outcome:
    """``in_flight`` workers for ``seconds``: latencies (ms), counts per kind, errors, wall."""
    run, errors = _counting(run_one)
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            kind, person = next_command()
            t0 = time.perf_counter()
            await run(kind, person)
            latencies.append((time.perf_counter() - t0) * 1000)
            kinds[kind] += 1

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return latencies, kinds, errors[0], time.perf_counter() - started


async def open_loop(
    run_one: Callable[[str, int], Awaitable[None]],
    next_command: Callable[[], tuple[str, int]],
    seconds: float,
    rate: float,
    rng: random.Random,
) -> tuple[Outcome, int]:
    """Poisson arrivals at ``rate`` for ``seconds``; each latency runs from the arrival's
    scheduled time (a late dispatch counts against the command). Returns the outcome and how
    many commands were still unfinished ``DRAIN_S`` after the last arrival (counted as errors,
    their latencies as the drain limit)."""
    run, errors = _counting(run_one)
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    tasks: set[asyncio.Task[None]] = set()
    started = time.perf_counter()

    async def one(kind: str, person: int, due: float) -> None:
        await run(kind, person)
        latencies.append((time.perf_counter() - due) * 1000)
        kinds[kind] += 1

    due = started
    while True:
        due += rng.expovariate(rate)
        if due - started > seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(*next_command(), due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    unfinished = 0
    if tasks:
        _, pending = await asyncio.wait(set(tasks), timeout=DRAIN_S)
        unfinished = len(pending)
        for task in pending:
            task.cancel()
        latencies += [(time.perf_counter() - started) * 1000] * unfinished
    return (latencies, kinds, errors[0] + unfinished, seconds), unfinished


# --- the core -----------------------------------------------------------------------------


def core_runner(core: Core) -> Callable[[str, int], Awaitable[None]]:
    cur = core.curriculum
    bad: Counter[str] = Counter()

    async def run_one(kind: str, person: int) -> None:
        actor = Actor(
            "test",
            "W1",
            f"U{person:06d}",
            display_name=f"person {person}",
            locale=seeded_locale(person),
        )
        channel = person % CHANNELS
        place = Place("test", "W1", f"C{channel:05d}", channel_name=f"study-{channel}")
        reply = await core.handle_text(actor, place, line_for(kind, person, cur))
        if reply.is_error and "not_enrolled" not in reply.text:
            bad[reply.text[:60]] += 1
            if sum(bad.values()) <= 3:
                print(f"  error reply to {kind}: {reply.text[:120]!r}")

    return run_one


@contextlib.contextmanager
def no_picture() -> Iterator[None]:
    """Replace the skill-tree renderer with constant bytes for the duration (this process)."""
    original = lb_handlers.skill_tree_png

    async def fixed(model: object) -> bytes:
        return PNG_STUB

    lb_handlers.skill_tree_png = fixed  # type: ignore[assignment]
    try:
        yield
    finally:
        lb_handlers.skill_tree_png = original  # type: ignore[assignment]


PNG_STUB = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


# --- the floor: the same statements, bare -------------------------------------------------

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"
# What only reads in the bot too (``CommandSpec.reads``): beside the SQLite writer, and
# without the PostgreSQL row lock.
READS = frozenset({"next", "progress", "path"})
Query = Callable[..., Awaitable[list[Any]]]
# The person with their enrolment and reminder rows, as ``store.ensure_user`` reads them
# (every column of the three tables; the first three are the id and the two timezones).
PERSON_SQL = (
    "SELECT u.id, u.timezone, r.timezone, u.platform, u.workspace, u.external_id, "
    "u.display_name, u.locale, u.privacy, u.created_at, u.dm_channel_id, u.board_changed_at, "
    "e.user_id, e.path_id, e.enrolled_at, e.skipped_days, r.user_id, r.enabled, r.weekday, "
    "r.local_time, r.paused_until, r.next_due_at, r.updated_at, r.snooze_until, "
    "r.quiet_start, r.quiet_end FROM users u "
    "LEFT JOIN enrollments e ON e.user_id = u.id "
    "LEFT JOIN reminder_prefs r ON r.user_id = u.id "
)


# /progress ranks the caller's group: read whole the first time, then (kept boards, as
# ``bot/services/board_cache.py`` does) the member count and who changed since the last read
# less a minute, and those people's rows. The benchmark's clock stands still, so whoever wrote
# in a group is re-read at each of its later /progress (the core does the same).
GROUP_PEOPLE_SQL = (
    "SELECT u.id, u.external_id, u.display_name, u.privacy, u.timezone, "
    "r.timezone, e.path_id, e.enrolled_at, e.skipped_days FROM users u "
    "JOIN memberships m ON m.user_id = u.id "
    "LEFT JOIN enrollments e ON e.user_id = u.id "
    "LEFT JOIN reminder_prefs r ON r.user_id = u.id "
    "WHERE m.channel_id = {ch}"
)
GROUP_PROGRESS_SQL = (
    "SELECT p.user_id, p.chapter_id, p.state, p.completed_at, p.updated_at "
    "FROM chapter_progress p JOIN memberships m ON m.user_id = p.user_id "
    "WHERE m.channel_id = {ch}"
)
CHANGED_SQL = (
    "SELECT -1, (SELECT count(*) FROM memberships WHERE channel_id = {ch}) UNION ALL "
    "SELECT m.user_id, 0 FROM memberships m JOIN users u ON u.id = m.user_id "
    "WHERE m.channel_id = {ch} AND (u.board_changed_at >= {since} OR m.joined_at >= {since})"
)
KEPT_MARGIN = timedelta(seconds=60)


class SqliteFloor:
    """As the bot does it: one writer connection behind an asyncio lock (SQLite has one
    writer), and the commands that only read on connections of their own beside it (WAL), as
    many as SQLAlchemy's pool would open (5 + 10 overflow, one of them the writer's)."""

    def __init__(self, path: str, curriculum: Curriculum) -> None:
        self.path = path
        self.curriculum = curriculum
        self.lock = asyncio.Lock()
        self.conn: aiosqlite.Connection | None = None
        self.readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self.now = NOW.strftime(SQLITE_TS)
        self.since = (NOW - KEPT_MARGIN).strftime(SQLITE_TS)
        self.kept: set[int] = set()  # groups whose boards the core would keep

    async def open(self) -> None:
        self.conn = await self._connect()
        for _ in range(14):
            self.readers.put_nowait(await self._connect())

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL"):
            await conn.execute(f"PRAGMA {pragma}")
        return conn

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
        while not self.readers.empty():
            await self.readers.get_nowait().close()

    async def status_reads(
        self, q: Query, uid: int, user_tz: str | None, pref_tz: str | None
    ) -> list[Any]:
        """standing (enrolment and pref came with the person): chapter states, and the
        person's groups only when neither the pref nor the platform gives a timezone.
        Returns the states."""
        states = await q("SELECT chapter_id, state FROM chapter_progress WHERE user_id = ?", uid)
        if not pref_tz and not user_tz:
            await q(
                "SELECT c.* FROM channels c JOIN memberships m ON m.channel_id = c.id "
                "WHERE m.user_id = ? ORDER BY m.joined_at",
                uid,
            )
        return states

    async def run_one(self, kind: str, person: int) -> None:
        if kind in READS:
            conn = await self.readers.get()
            try:
                await self.unit(conn, "BEGIN", kind, person)
            finally:
                self.readers.put_nowait(conn)
        else:
            assert self.conn is not None
            async with self.lock:
                await self.unit(self.conn, "BEGIN IMMEDIATE", kind, person)

    async def unit(self, conn: aiosqlite.Connection, begin: str, kind: str, person: int) -> None:
        async def q(sql: str, *args: Any) -> list[Any]:
            async with conn.execute(sql, args) as cur:
                return list(await cur.fetchall())

        ext = f"U{person:06d}"
        await q(begin)
        try:
            [user] = await q(  # every benchmark person exists: no insert
                PERSON_SQL + "WHERE u.platform='test' AND u.workspace='W1' AND u.external_id = ?",
                ext,
            )
            uid, user_tz, pref_tz = user[0], user[1], user[2]
            if kind == "path-enrol":
                channel = f"C{person % CHANNELS:05d}"
                [ch] = await q(  # every benchmark channel exists: no insert
                    "SELECT * FROM channels WHERE platform='test' AND workspace='W1' "
                    "AND external_id = ?",
                    channel,
                )
                await q(
                    "INSERT INTO memberships (user_id, channel_id, joined_at) VALUES (?,?,?) "
                    "ON CONFLICT (user_id, channel_id) DO NOTHING",
                    uid,
                    ch[0],
                    self.now,
                )
            states = await self.status_reads(q, uid, user_tz, pref_tz)
            if kind == "done":
                done = {c for c, _ in states}
                path = self.curriculum.paths[person % len(self.curriculum.paths)]
                step = next((s for s in path.steps if not set(s.chapters) <= done), path.steps[-1])
                await q(
                    "INSERT INTO chapter_progress (user_id, chapter_id, state, "
                    "updated_at, completed_at) VALUES "
                    + ",".join("(?,?,'done',?,?)" for _ in step.chapters)
                    + " ON CONFLICT (user_id, chapter_id) DO UPDATE SET "
                    "state = excluded.state, updated_at = excluded.updated_at, "
                    "completed_at = excluded.completed_at",
                    *(v for c in step.chapters for v in (uid, c, self.now, self.now)),
                )
                await q("UPDATE users SET board_changed_at = ? WHERE id = ?", self.now, uid)
            elif kind == "progress":
                [ch] = await q(
                    "SELECT c.* FROM channels c JOIN memberships m ON m.channel_id = c.id "
                    "WHERE m.user_id = ? AND c.platform='test' AND c.workspace='W1' "
                    "AND c.external_id = ?",
                    uid,
                    f"C{person % CHANNELS:05d}",
                )
                cid = ch[0]
                if cid not in self.kept:
                    await q(GROUP_PEOPLE_SQL.format(ch="?") + " ORDER BY u.id", cid)
                    await q(GROUP_PROGRESS_SQL.format(ch="?"), cid)
                    self.kept.add(cid)
                else:
                    rows = await q(
                        CHANGED_SQL.format(ch="?", since="?"), cid, cid, *[self.since] * 2
                    )
                    ids = [r[0] for r in rows if r[0] != -1]
                    if ids:
                        marks = ",".join("?" * len(ids))
                        await q(
                            GROUP_PEOPLE_SQL.format(ch="?")
                            + f" AND u.id IN ({marks}) ORDER BY u.id",
                            cid,
                            *ids,
                        )
                        await q(
                            GROUP_PROGRESS_SQL.format(ch="?") + f" AND p.user_id IN ({marks})",
                            cid,
                            *ids,
                        )
            await q("COMMIT")
        except BaseException:
            await q("ROLLBACK")
            raise


class PgFloor:
    """An asyncpg pool as large as SQLAlchemy's default (5 + 10 overflow)."""

    def __init__(self, dsn: str, schema: str, curriculum: Curriculum) -> None:
        self.dsn = dsn
        self.schema = schema
        self.curriculum = curriculum
        self.pool: asyncpg.Pool | None = None
        self.kept: set[int] = set()  # groups whose boards the core would keep

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.dsn,
            min_size=5,
            max_size=15,
            server_settings={"search_path": self.schema},
        )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def run_one(self, kind: str, person: int) -> None:
        assert self.pool is not None
        ext = f"U{person:06d}"
        # Reads lock nothing and, as the bot's, run without BEGIN and COMMIT (autocommit).
        reads = kind in READS
        async with (
            self.pool.acquire() as c,
            contextlib.nullcontext() if reads else c.transaction(),
        ):
            lock = "" if reads else " FOR UPDATE OF u"
            user = await c.fetchrow(  # every benchmark person exists: no insert
                PERSON_SQL + "WHERE u.platform='test' AND u.workspace='W1' "
                "AND u.external_id = $1" + lock,
                ext,
            )
            uid, user_tz, pref_tz = user[0], user[1], user[2]

            async def status_reads() -> list[Any]:
                states = await c.fetch(
                    "SELECT chapter_id, state FROM chapter_progress WHERE user_id = $1", uid
                )
                if not pref_tz and not user_tz:
                    await c.fetch(
                        "SELECT c.* FROM channels c JOIN memberships m ON m.channel_id = c.id "
                        "WHERE m.user_id = $1 ORDER BY m.joined_at",
                        uid,
                    )
                return list(states)

            if kind == "path-enrol":
                channel = f"C{person % CHANNELS:05d}"
                ch = await c.fetchrow(  # every benchmark channel exists: no insert
                    "SELECT * FROM channels WHERE platform='test' AND workspace='W1' "
                    "AND external_id = $1",
                    channel,
                )
                await c.execute(
                    "INSERT INTO memberships (user_id, channel_id, joined_at) VALUES ($1,$2,$3) "
                    "ON CONFLICT (user_id, channel_id) DO NOTHING",
                    uid,
                    ch["id"],
                    NOW,
                )
            rows = await status_reads()
            if kind == "done":
                done = {r["chapter_id"] for r in rows}
                path = self.curriculum.paths[person % len(self.curriculum.paths)]
                step = next((s for s in path.steps if not set(s.chapters) <= done), path.steps[-1])
                await c.executemany(
                    "INSERT INTO chapter_progress (user_id, chapter_id, state, updated_at, "
                    "completed_at) VALUES ($1,$2,'done',$3,$3) "
                    "ON CONFLICT (user_id, chapter_id) DO UPDATE SET state = excluded.state, "
                    "updated_at = excluded.updated_at, completed_at = excluded.completed_at",
                    [(uid, ch, NOW) for ch in step.chapters],
                )
                await c.execute("UPDATE users SET board_changed_at = $1 WHERE id = $2", NOW, uid)
            elif kind == "progress":
                ch = await c.fetchrow(
                    "SELECT c.* FROM channels c JOIN memberships m ON m.channel_id = c.id "
                    "WHERE m.user_id = $1 AND c.platform='test' AND c.workspace='W1' "
                    "AND c.external_id = $2",
                    uid,
                    f"C{person % CHANNELS:05d}",
                )
                cid = ch["id"]
                if cid not in self.kept:
                    await c.fetch(GROUP_PEOPLE_SQL.format(ch="$1") + " ORDER BY u.id", cid)
                    await c.fetch(GROUP_PROGRESS_SQL.format(ch="$1"), cid)
                    self.kept.add(cid)
                else:
                    since = NOW - KEPT_MARGIN
                    rows = await c.fetch(CHANGED_SQL.format(ch="$1", since="$2"), cid, since)
                    ids = [r[0] for r in rows if r[0] != -1]
                    if ids:
                        await c.fetch(
                            GROUP_PEOPLE_SQL.format(ch="$1") + " AND u.id = ANY($2) ORDER BY u.id",
                            cid,
                            ids,
                        )
                        await c.fetch(
                            GROUP_PROGRESS_SQL.format(ch="$1") + " AND p.user_id = ANY($2)",
                            cid,
                            ids,
                        )


# --- one backend --------------------------------------------------------------------------


def summary(name: str, outcome: Outcome) -> dict[str, Any]:
    lat, kinds, errors, wall = outcome
    n = len(lat)
    row = {
        "name": name,
        "n": n,
        "rate": n / wall if wall else 0.0,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "max": max(lat, default=0.0),
        "errors": errors,
        "kinds": dict(kinds),
        "wall": wall,
    }
    print(
        f"  {name}: {n} commands in {wall:.1f} s = {row['rate']:.0f}/s, "
        f"p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms, "
        f"errors {errors}"
    )
    return row


async def per_kind_latency(core: Core, curriculum: Curriculum) -> dict[str, float]:
    """Each command alone (no contention), mean of 30: where a single command's time goes."""
    run = core_runner(core)
    out = {}
    for kind, _ in MIX:
        t0 = time.perf_counter()
        for i in range(30):
            await run(kind, 7_000 + i)
        out[kind] = (time.perf_counter() - t0) * 1000 / 30
    return out


CPU_ROUNDS = 5


async def cpu_per_command(
    core_run: Callable[[str, int], Awaitable[None]],
    floor_run: Callable[[str, int], Awaitable[None]],
    calls: int,
) -> dict[tuple[str, str], float]:
    """Median process CPU (µs, every thread of this process: SQLite's workers and the
    picture's too, not the PostgreSQL server's) per command of each kind, the core and the
    floor interleaved, one command at a time. Throughput moves with whatever else the machine
    runs; CPU per command far less, so this is the figure to compare changes by."""
    rng = random.Random(SEED + 4)
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(CPU_ROUNDS):
        for kind, _ in MIX:
            for who, run in (("core", core_run), ("floor", floor_run)):
                people = [(kind, rng.randrange(PEOPLE)) for _ in range(calls)]
                samples.setdefault((who, kind), []).append(await cpu_us(run, people))
    return {key: statistics.median(values) for key, values in samples.items()}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} (1/5 min)"


@contextlib.contextmanager
def profiled(enabled: bool) -> Iterator[None]:
    """cProfile of what runs inside, printed by internal time then cumulative (main thread
    only: SQLite's and the pictures' worker threads show as waits in the event loop)."""
    if not enabled:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(order).print_stats(30)
            print(out.getvalue())


async def bench_backend(
    backend: str, curriculum: Curriculum, args: argparse.Namespace
) -> list[str]:
    print(f"\n[{backend}] seeding {PEOPLE} people in {CHANNELS} groups …")
    bdb = await BenchDb.create(backend)
    lines: list[str] = []
    try:
        t0 = time.perf_counter()
        seeded = await seed(
            bdb.db, curriculum, random.Random(SEED), people=PEOPLE, channels=CHANNELS, now=NOW
        )
        print(f"  seeded {seeded.progress_rows} chapter rows in {time.perf_counter() - t0:.1f} s")
        core = Core(commands=COMMANDS, curriculum=curriculum, db=bdb.db, clock=FixedClock(NOW))
        settle_heap()  # as `skilltree run` does once started
        # A process that has been running keeps its groups' boards (bot/services/board_cache):
        # one /progress in each group first, so the phases measure that steady state.
        t0 = time.perf_counter()
        warm = core_runner(core)
        for group in range(CHANNELS):
            await warm("progress", group)  # person g studies in group g % CHANNELS
        warm_ms = (time.perf_counter() - t0) * 1000 / CHANNELS
        print(f"  warm-up: one /progress per group, {warm_ms:.1f} ms each (boards computed)")
        alone = await per_kind_latency(core, curriculum)
        print("  alone (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in alone.items()))
        load_at_start = load()

        # Open loop: latency at the offered rate, from each command's scheduled arrival.
        with profiled(args.profile == "open"):
            outcome, unfinished = await open_loop(
                core_runner(core),
                plan(random.Random(SEED + 1), curriculum),
                args.seconds,
                args.rate,
                random.Random(SEED + 3),
            )
        open_row = summary(f"core, open loop at {args.rate:.0f}/s offered", outcome)

        # Saturation: the core, then the floor, closed loop with the same in flight.
        with profiled(args.profile == "saturation"):
            core_row = summary(
                f"core, saturation ({args.in_flight} in flight)",
                await closed_loop(
                    core_runner(core),
                    plan(random.Random(SEED + 2), curriculum),
                    args.seconds,
                    args.in_flight,
                ),
            )
        nopic_row: dict[str, Any] | None = None
        if args.diagnose:
            # The same saturation with /progress's skill-tree PNG replaced by fixed bytes
            # (patched in this process only), to separate the picture's cost from the rest.
            with no_picture():
                nopic_row = summary(
                    "core without the /progress picture, saturation",
                    await closed_loop(
                        core_runner(core),
                        plan(random.Random(SEED + 2), curriculum),
                        args.seconds,
                        args.in_flight,
                    ),
                )
        floor: SqliteFloor | PgFloor
        if backend == "sqlite":
            floor = SqliteFloor(bdb.sqlite_path, curriculum)
        else:
            assert bdb.schema is not None
            floor = PgFloor(bdb.asyncpg_dsn, bdb.schema, curriculum)
        await floor.open()
        floor.kept = set(core.boards._kept)  # the groups the core's /progress finds kept
        try:
            floor_row = summary(
                f"floor, saturation ({args.in_flight} in flight)",
                await closed_loop(
                    floor.run_one,
                    plan(random.Random(SEED + 2), curriculum),
                    args.seconds,
                    args.in_flight,
                ),
            )
            cpu = await cpu_per_command(core_runner(core), floor.run_one, args.cpu_calls)
        finally:
            await floor.close()
        load_at_end = load()

        target_rate = TARGET_RATE[backend]
        ratio = floor_row["rate"] / core_row["rate"] if core_row["rate"] else float("inf")
        p99_ok = open_row["p99"] <= TARGET_P99_MS and open_row["errors"] == 0
        rate_ok = core_row["rate"] >= target_rate and core_row["errors"] == 0
        print(f"  core is {ratio:.2f}× slower than the floor")
        lines.append(
            f"{backend}: open loop, {args.rate:.0f}/s offered (Poisson) for {args.seconds:.0f} s: "
            f"{open_row['n']} commands, p50 {open_row['p50']:.1f} ms, "
            f"p95 {open_row['p95']:.1f} ms, p99 {open_row['p99']:.1f} ms, "
            f"max {open_row['max']:.0f} ms, errors {open_row['errors']} "
            f"({unfinished} unfinished) — target p99 ≤ {TARGET_P99_MS:.0f} ms " + verdict(p99_ok)
        )
        lines.append(
            f"{backend}: saturation, {args.in_flight} in flight: core "
            f"{core_row['rate']:.0f} commands/s (p50 {core_row['p50']:.1f} ms, "
            f"errors {core_row['errors']}) — target ≥ {target_rate:.0f}/s "
            + verdict(rate_ok)
            + f"; floor {floor_row['rate']:.0f}/s (errors {floor_row['errors']}); "
            f"core/floor {ratio:.2f}× — target ≤ {TARGET_RATIO:.1f}× "
            + verdict(ratio <= TARGET_RATIO)
        )
        lines.append(
            f"{backend}: one command alone, no contention (mean ms): "
            + ", ".join(f"/{k} {v:.1f}" for k, v in alone.items())
            + f"; warm-up /progress computing a group's boards {warm_ms:.1f}"
        )
        core_cpu, floor_cpu = (
            sum(cpu[who, kind] * weight for kind, weight in MIX) / 100 for who in ("core", "floor")
        )
        print(f"  CPU per command, one at a time: core {core_cpu:.0f} µs, floor {floor_cpu:.0f} µs")
        lines.append(
            f"{backend}: process CPU per command, one at a time (medians of "
            f"{CPU_ROUNDS} interleaved rounds of {args.cpu_calls}): "
            + ", ".join(
                f"/{kind} {cpu['core', kind]:.0f} vs {cpu['floor', kind]:.0f} µs" for kind, _ in MIX
            )
            + f"; mix core {core_cpu:.0f} µs, floor {floor_cpu:.0f} µs, "
            f"{core_cpu / floor_cpu:.2f}× (at one busy core: "
            f"{1e6 / core_cpu:.0f}/s and {1e6 / floor_cpu:.0f}/s)"
        )
        if nopic_row is not None:
            lines.append(
                f"{backend}: diagnostic, core saturation with the /progress PNG replaced by "
                f"fixed bytes: {nopic_row['rate']:.0f} commands/s, "
                f"{floor_row['rate'] / nopic_row['rate']:.2f}× floor"
            )
        lines.append(f"{backend}: machine {load_at_start} before the phases, {load_at_end} after")
    finally:
        await bdb.close()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--rate", type=float, default=OFFERED_RATE, help="open loop, per s")
    parser.add_argument("--in-flight", type=int, default=IN_FLIGHT, help="saturation phase")
    parser.add_argument(
        "--profile", choices=("open", "saturation"), help="cProfile the core in that phase"
    )
    parser.add_argument(
        "--diagnose", action="store_true", help="also saturate without the /progress picture"
    )
    parser.add_argument(
        "--cpu-calls", type=int, default=40, help="commands per kind and round, CPU phase"
    )
    parser.add_argument("--no-results", action="store_true", help="do not append RESULTS.md")
    args = parser.parse_args()
    curriculum = load_curriculum()
    lines = [
        f"workload: {PEOPLE} people, {CHANNELS} groups, mix {dict(MIX)}, seed {SEED}; "
        f"open loop {args.rate:.0f}/s offered, saturation {args.in_flight} in flight; "
        f"{args.seconds:.0f} s per phase"
    ]
    async for backend in reachable(args.backends, lines):
        lines += await bench_backend(backend, curriculum, args)
    if not args.no_results:
        append_results("bench/commands.py", lines)


if __name__ == "__main__":
    asyncio.run(main())
