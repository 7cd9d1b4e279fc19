"""How long a person waits for an answer (``Core.handle_text``) while a weekly fan-out runs
in the same process, against the same database — as ``bot/main/app.py`` runs them.

Open loop: commands arrive at ``--rate`` per second (the /done, /next, /progress, /path mix of
bench.commands) for ``--seconds``, first with nothing else running (baseline), then while
``PromptService.run_once`` sends 20,000 due Discord reminders into the rate-limited fake
(``bench.fakes``, own process).

Besides the latencies, each run reports the event loop's lag (how late a 10 ms timer fires:
whatever holds the loop, a command's PNG or the fan-out's work, shows there) and the p99 per
command kind, so the fan-out's own cost can be told from the commands'. ``--no-picture`` runs
both phases with the /progress PNG replaced by fixed bytes (a diagnostic: the PNG alone holds
the loop ~100 ms per /progress).

    .venv/bin/python -m bench.interaction_latency
    .venv/bin/python -m bench.interaction_latency --backends sqlite --seconds 20 --no-results
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import time
from datetime import timedelta

from adapters.discord.notifier import DiscordNotifier
from bench.commands import CHANNELS, MIX, core_runner, no_picture
from bench.common import SEED, BenchDb, append_results, pct, reachable
from bench.fanout import DUE, Fakes, discord_http, gated, rss_mb, timeboxed
from bench.seed import seed
from bot.clock import FixedClock
from bot.core import Core
from bot.features import COMMANDS
from bot.main.app import settle_heap
from curriculum import load_curriculum
from tests.discord.fake_discord import GUILD_ID

PEOPLE = 10_000
DUE_REMINDERS = 20_000
TARGET_P99_MS = 250.0


LAG_TICK = 0.01  # seconds: the loop-lag sampler's timer


class Run(list[float]):
    """One open-loop run: latencies (ms), and the same per command kind, and the loop's lag."""

    def __init__(self) -> None:
        super().__init__()
        self.by_kind: dict[str, list[float]] = {}
        self.lag: list[float] = []  # ms a LAG_TICK timer fired late

    def kinds_p99(self) -> str:
        return ", ".join(f"/{k} {pct(v, 99):.0f}" for k, v in sorted(self.by_kind.items()))

    def lag_text(self) -> str:
        return f"loop lag p99 {pct(self.lag, 99):.0f} ms, max {max(self.lag, default=0):.0f} ms"


async def sample_lag(into: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        t0 = loop.time()
        await asyncio.sleep(LAG_TICK)
        into.append(max(0.0, (loop.time() - t0 - LAG_TICK) * 1000))


async def open_loop(core: Core, rate: float, seconds: float, rng: random.Random) -> Run:
    run = core_runner(core)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    latencies = Run()
    tasks: list[asyncio.Task[None]] = []
    lag = asyncio.create_task(sample_lag(latencies.lag))

    async def one(kind: str, person: int) -> None:
        t0 = time.perf_counter()
        await run(kind, person)
        took = (time.perf_counter() - t0) * 1000
        latencies.append(took)
        latencies.by_kind.setdefault(kind, []).append(took)

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
    lag.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await lag
    return latencies


async def bench_backend(
    backend: str, rate: float, seconds: float, fakes: Fakes, picture: bool = True
) -> list[str]:
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
        core = Core(commands=COMMANDS, curriculum=curriculum, db=bdb.db, clock=FixedClock(now))
        settle_heap()  # as `skilltree run` does once started
        with contextlib.nullcontext() if picture else no_picture():
            base = await open_loop(core, rate, seconds, random.Random(SEED + 2))
            print(
                f"  baseline: p50 {pct(base, 50):.0f} ms, p99 {pct(base, 99):.0f} ms; "
                f"{base.lag_text()}; p99 per kind: {base.kinds_p99()}"
            )

            http = await discord_http(fakes.ports["discord"])
            notifier = DiscordNotifier(http, getattr(core, "directory", bdb.db))
            service, gate = gated(core, notifier)
            fan = asyncio.create_task(timeboxed(service, gate, DUE, seconds + 5))
            await asyncio.sleep(2)  # the fan-out's first reads and claims are under way
            during = await open_loop(core, rate, seconds, random.Random(SEED + 3))
            run = await fan
        stats = await fakes.stats("discord")
        sent = sum(stats["messages_per_user"].values())
        await http.close()
        verdict = "MET" if pct(during, 99) <= TARGET_P99_MS else "NOT MET"
        print(
            f"  during fan-out: p50 {pct(during, 50):.0f} ms, p99 {pct(during, 99):.0f} ms; "
            f"{during.lag_text()}; p99 per kind: {during.kinds_p99()}"
        )
        name = backend if picture else f"{backend} (diagnostic: /progress PNG replaced)"
        lines.append(
            f"{name}: {len(base)} commands at {rate:.0f}/s alone: p50 {pct(base, 50):.0f} ms, "
            f"p99 {pct(base, 99):.0f} ms, max {max(base):.0f} ms; {base.lag_text()}; "
            f"p99 per kind (ms): {base.kinds_p99()}"
        )
        lines.append(
            f"{name}: {len(during)} commands at {rate:.0f}/s during the fan-out "
            f"({sent} DMs sent meanwhile, {sent / (seconds + 5):.1f}/s, peak RSS "
            f"{run['peak_rss']:.0f} MB): p50 {pct(during, 50):.0f} ms, "
            f"p99 {pct(during, 99):.0f} ms, max {max(during):.0f} ms; {during.lag_text()}; "
            f"p99 per kind (ms): {during.kinds_p99()} — target p99 ≤ {TARGET_P99_MS:.0f} ms "
            f"{verdict}"
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
    parser.add_argument(
        "--no-picture",
        action="store_true",
        help="diagnostic: replace the /progress PNG with fixed bytes in both phases",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    lines = [
        f"workload: open loop {args.rate:.0f} commands/s, mix {dict(MIX)}, {args.seconds:.0f} s "
        f"per run, fan-out of {DUE_REMINDERS} due Discord DMs (fake at 50 req/s), seed {SEED}"
    ]
    async for backend in reachable(args.backends, lines):
        fakes = Fakes()  # fresh per backend: the same ids would meet Discord's nonce dedupe
        try:
            lines += await bench_backend(
                backend, args.rate, args.seconds, fakes, picture=not args.no_picture
            )
        finally:
            fakes.close()
    lines.append(f"RSS at the end {rss_mb():.0f} MB")
    if not args.no_results:
        append_results("bench/interaction_latency.py", lines)
    else:  # the same lines, not appended to RESULTS.md
        print("\n" + "\n".join(f"- {line}" for line in lines))


if __name__ == "__main__":
    asyncio.run(main())
