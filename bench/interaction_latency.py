"""How long a person waits for an answer (``Core.handle_text``) while a weekly fan-out runs
in the same process, against the same database — as ``bot/app.py`` runs them.

Open loop: commands arrive at ``--rate`` per second (the /done, /next, /progress, /path mix of
bench.commands) for ``--seconds``, first with nothing else running (baseline), then while
``PromptService.run_once`` sends 20,000 due Discord reminders into the rate-limited fake
(``bench.fakes``, own process).

    .venv/bin/python -m bench.interaction_latency
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import time
from datetime import timedelta

from adapters.discord.notifier import DiscordNotifier
from bench.commands import CHANNELS, MIX, core_runner
from bench.common import SEED, BenchDb, append_results, pct, pg_available
from bench.fanout import DUE, Fakes, discord_http, gated, rss_mb, timeboxed
from bench.seed import seed
from bot.clock import FixedClock
from bot.core import Core
from curriculum import load_curriculum
from tests.discord.fake_discord import GUILD_ID

PEOPLE = 10_000
DUE_REMINDERS = 20_000
TARGET_P99_MS = 250.0


async def open_loop(core: Core, rate: float, seconds: float, rng: random.Random) -> list[float]:
    run = core_runner(core)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []

    async def one(kind: str, person: int) -> None:
        t0 = time.perf_counter()
        await run(kind, person)
        latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    n = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        due = started + n / rate
        if due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        tasks.append(
            asyncio.create_task(one(rng.choices(kinds, weights)[0], rng.randrange(PEOPLE)))
        )
        n += 1
    del elapsed
    await asyncio.gather(*tasks)
    return latencies


async def bench_backend(backend: str, rate: float, seconds: float, fakes: Fakes) -> list[str]:
    curriculum = load_curriculum()
    print(f"\n[{backend}] seeding {PEOPLE} people + {DUE_REMINDERS} due Discord reminders …")
    bdb = await BenchDb.create(backend)
    lines: list[str] = []
    try:
        now = DUE
        await seed(
            bdb.db,
            curriculum,
            random.Random(SEED),
            people=PEOPLE,
            channels=CHANNELS,
            now=now,
            reminders=False,
        )
        await seed(
            bdb.db,
            curriculum,
            random.Random(SEED + 1),
            people=DUE_REMINDERS,
            channels=200,
            now=now - timedelta(hours=1),
            platform="discord",
            workspace=GUILD_ID,
            due_at=DUE,
            id_base=100_000,
            numeric_ids=True,
        )
        core = Core(curriculum=curriculum, db=bdb.db, clock=FixedClock(now))
        base = await open_loop(core, rate, seconds, random.Random(SEED + 2))
        print(f"  baseline: p50 {pct(base, 50):.0f} ms, p99 {pct(base, 99):.0f} ms")

        http = await discord_http(fakes.ports["discord"])
        service, gate = gated(core, DiscordNotifier(http, getattr(core, "directory", bdb.db)))
        fan = asyncio.create_task(timeboxed(service, gate, DUE, seconds + 5))
        await asyncio.sleep(2)  # the fan-out's first query and task fan-out are under way
        during = await open_loop(core, rate, seconds, random.Random(SEED + 3))
        run = await fan
        stats = await fakes.stats("discord")
        sent = sum(stats["messages_per_user"].values())
        await http.close()
        verdict = "MET" if pct(during, 99) <= TARGET_P99_MS else "NOT MET"
        print(f"  during fan-out: p50 {pct(during, 50):.0f} ms, p99 {pct(during, 99):.0f} ms")
        lines.append(
            f"{backend}: {len(base)} commands at {rate:.0f}/s alone: p50 {pct(base, 50):.0f} ms, "
            f"p99 {pct(base, 99):.0f} ms, max {max(base):.0f} ms"
        )
        lines.append(
            f"{backend}: {len(during)} commands at {rate:.0f}/s during the fan-out "
            f"({sent} DMs sent meanwhile, peak RSS {run['peak_rss']:.0f} MB): "
            f"p50 {pct(during, 50):.0f} ms, p99 {pct(during, 99):.0f} ms, "
            f"max {max(during):.0f} ms — target p99 ≤ {TARGET_P99_MS:.0f} ms {verdict}"
        )
    finally:
        await bdb.close()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rate", type=float, default=20.0, help="commands per second offered")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    lines = [
        f"workload: open loop {args.rate:.0f} commands/s, mix {dict(MIX)}, {args.seconds:.0f} s "
        f"per run, fan-out of {DUE_REMINDERS} due Discord DMs (fake at 50 req/s), seed {SEED}"
    ]
    for backend in args.backends.split(","):
        if backend == "postgresql" and not await pg_available():
            lines.append("postgresql: skipped (server not reachable)")
            continue
        fakes = Fakes()  # fresh per backend: the same ids would meet Discord's nonce dedupe
        try:
            lines += await bench_backend(backend, args.rate, args.seconds, fakes)
        finally:
            fakes.close()
    lines.append(f"RSS at the end {rss_mb():.0f} MB")
    if not args.no_results:
        append_results("bench/interaction_latency.py", lines)


if __name__ == "__main__":
    asyncio.run(main())
