"""``/leaderboard`` (week, month, all) in one study group of 10,000 people with full histories.

Two measurements, because the command is two very different costs:

* the command with its PNG replaced by fixed bytes (patched in this process only): queries,
  lazy snapshots and ranking — ``--calls`` calls per view (default 1: each call takes
  seconds, so more calls only lengthen the run), SQLite and PostgreSQL;
* the real command once per view in ``--real-views`` on SQLite (PNG of every ranked member
  included), with the rows it drew and the process's peak RSS — what a person waits for.

    .venv/bin/python -m bench.leaderboard
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from bench.commands import PNG_STUB
from bench.common import SEED, BenchDb, append_results, pct, peak_rss_mb, pg_available
from bench.seed import seed
from bot.clock import FixedClock
from bot.core import Core
from bot.handlers import leaderboard as lb_handlers
from bot.types import Actor, Place
from curriculum import load_curriculum

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
MEMBERS = 10_000
VIEWS = ("week", "month", "all")
TARGET_P99_MS = 30.0
ADMIN = Actor("test", "W1", "ADMIN", display_name="admin", is_admin=True)
PLACE = Place("test", "W1", "C00000", channel_name="study-0")


@contextlib.contextmanager
def no_pictures() -> Iterator[None]:
    """Both pictures /leaderboard can draw replaced by fixed bytes (this process only)."""
    saved = lb_handlers.leaderboard_png, lb_handlers.skill_tree_png

    async def fixed(model: object) -> bytes:
        return PNG_STUB

    lb_handlers.leaderboard_png = lb_handlers.skill_tree_png = fixed  # type: ignore[assignment]
    try:
        yield
    finally:
        lb_handlers.leaderboard_png, lb_handlers.skill_tree_png = saved


async def call(core: Core, view: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    reply = await core.handle_text(ADMIN, PLACE, f"/leaderboard {view}")
    ms = (time.perf_counter() - t0) * 1000
    assert not reply.is_error, reply.text
    lines = reply.text.splitlines()
    more = re.search(r"and (\d+) more", lines[-1]) if lines else None
    ranked = len(lines) - 1 + int(more.group(1)) if more else len(lines)  # chat shows 15
    return ms, ranked


async def bench_backend(backend: str, calls: int, real: tuple[str, ...]) -> list[str]:
    curriculum = load_curriculum()
    print(f"\n[{backend}] seeding one group of {MEMBERS} people with full histories …")
    bdb = await BenchDb.create(backend)
    lines = []
    try:
        t0 = time.perf_counter()
        seeded = await seed(
            bdb.db,
            curriculum,
            random.Random(SEED),
            people=MEMBERS,
            channels=1,
            now=NOW,
            full_history=True,
            history_weeks=16,
        )
        print(f"  {seeded.progress_rows} chapter rows in {time.perf_counter() - t0:.1f} s")
        core = Core(curriculum=curriculum, db=bdb.db, clock=FixedClock(NOW))
        with no_pictures():
            first, _ = await call(core, "all")  # takes the lazy snapshots of past periods
            print(f"  first call (lazy snapshots): {first:.0f} ms", flush=True)
            for view in VIEWS:
                results = [await call(core, view) for _ in range(calls)]
                times, ranked = [ms for ms, _ in results], results[0][1]
                p50, p99 = pct(times, 50), pct(times, 99)
                verdict = "MET" if p99 <= TARGET_P99_MS else "NOT MET"
                print(f"  {view}: {ranked} ranked, p50 {p50:.0f} ms, p99 {p99:.0f} ms", flush=True)
                lines.append(
                    f"{backend} /leaderboard {view} without the PNG ({ranked} people ranked, "
                    f"{calls} calls): p50 {p50:.0f} ms, p99 {p99:.0f} ms — target p99 ≤ "
                    f"{TARGET_P99_MS:.0f} ms {verdict}"
                )
            lines.append(f"{backend}: first call after seeding (lazy snapshots) {first:.0f} ms")
        if real:
            for view in real:
                ms, ranked = await call(core, view)
                drawn = min(ranked, getattr(lb_handlers, "PICTURE_ROWS", ranked))
                rss = peak_rss_mb()
                print(f"  real {view}: {ms:.0f} ms ({ranked} rows), RSS {rss:.0f}", flush=True)
                lines.append(
                    f"{backend} /leaderboard {view} as shipped ({ranked} ranked, PNG of the "
                    f"top {drawn} rows, 760×{100 + drawn * 40 + 24} px): {ms:.0f} ms, one call; "
                    f"peak RSS so far {peak_rss_mb():.0f} MB"
                )
    finally:
        await bdb.close()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--calls", type=int, default=1, help="calls per view (no PNG)")
    parser.add_argument(
        "--real-views", default="week,all", help="views to run once with the real PNG (SQLite)"
    )
    parser.add_argument("--no-real", action="store_true", help="skip the real (PNG) calls")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    lines = [f"workload: 1 group, {MEMBERS} members, full histories, seed {SEED}"]
    for i, backend in enumerate(args.backends.split(",")):
        if backend == "postgresql" and not await pg_available():
            lines.append("postgresql: skipped (server not reachable)")
            continue
        # The PNG does not depend on the database: draw it for real on the first backend only.
        real = () if args.no_real or i else tuple(args.real_views.split(","))
        lines += await bench_backend(backend, args.calls, real)
    lines.append(f"peak RSS {peak_rss_mb():.0f} MB")
    if not args.no_results:
        append_results("bench/leaderboard.py", lines)


if __name__ == "__main__":
    asyncio.run(main())
