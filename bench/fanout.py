"""100,000 due weekly reminders through the real notifiers into rate-limited loopback fakes.

At Discord's 50 requests/s the whole Discord half alone would take ~1,000 s (2,000 s for
100,000), so each phase is **time-boxed**: ``PromptService.run_once`` starts on the full set of
due reminders (the real paged query, the real claim/send/record per prompt, the real bounded
worker pool) and is cancelled after ``--seconds``. Rates are measured over that window; the
sample is the first N recipients in the scheduler's order. Phases (same database):

1. Discord, week 1: 50,000 due DMs, DM channels not yet known (open + post = 2 requests each);
2. Discord, week 2: a fresh notifier and HTTP client (a restart); DM channels come from the
   database, so a DM to someone reached in week 1 should be 1 request;
3. Slack: 50,000 due DMs (``chat.postMessage`` to each user: one channel each).

The fakes run in their own process (``bench.fakes``) so this process's RSS is the bot's.

    .venv/bin/python -m bench.fanout                        # SQLite, then PostgreSQL
    .venv/bin/python -m bench.fanout --backends sqlite --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import discord.http
from sqlalchemy import func, select, update

from adapters.discord.notifier import DiscordNotifier
from adapters.slack.client import make_web_client
from adapters.slack.notifier import SlackNotifier
from bench.common import SEED, BenchDb, append_results, peak_rss_mb, reachable
from bench.seed import seed
from bot.clock import FixedClock
from bot.config import Settings
from bot.core import Core
from bot.db.models import Delivery, ReminderPref, User
from bot.features import COMMANDS
from bot.main.app import settle_heap
from curriculum import load_curriculum
from scheduler.service import PromptService
from tests.discord.fake_discord import GUILD_ID
from tests.slack.fake_slack import BOT_TOKEN, TEAM

DUE = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC
PER_PLATFORM = 50_000
DISCORD_RATE = 50.0
BURST_SECONDS = 2.0  # 429s in the first seconds are the expected "first burst"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Fakes:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.fakes"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.ports = json.loads(self.proc.stdout.readline())

        self._seen: dict[str, dict[str, int]] = {}

    async def stats(self, which: str) -> dict[str, Any]:
        """What the fake saw since the last call: its request log, and messages per person
        (the fakes count cumulatively; the difference is this phase's)."""
        url = f"http://127.0.0.1:{self.ports['stats']}/stats/{which}?reset=1"
        async with aiohttp.ClientSession() as s, s.get(url) as r:
            data = dict(await r.json())
        total: dict[str, int] = data["messages_per_user"]
        before = self._seen.get(which, {})
        data["messages_per_user"] = {
            u: n - before.get(u, 0) for u, n in total.items() if n - before.get(u, 0) > 0
        }
        self._seen[which] = total
        return data

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


async def discord_http(port: int) -> discord.http.HTTPClient:
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    await http.static_login("fake-token")
    return http


class Gate:
    """Wraps a notifier: once closed, sends wait forever instead of going out. The time box
    closes it, lets the database work in progress finish, then cancels run_once, so the
    cancellation lands on sends that never started (not inside a transaction)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.closed = False

    async def _wait_if_closed(self) -> None:
        if self.closed:
            await asyncio.Event().wait()

    async def send_to_user(self, target: Any, reply: Any, *, key: str) -> None:
        await self._wait_if_closed()
        await self.inner.send_to_user(target, reply, key=key)

    async def send_to_channel(self, target: Any, reply: Any, *, key: str) -> None:
        await self._wait_if_closed()
        await self.inner.send_to_channel(target, reply, key=key)

    def __getattr__(self, name: str) -> Any:  # what else the notifier offers, as in production
        return getattr(self.inner, name)


def gated(core: Core, notifier: Any) -> tuple[PromptService, Gate]:
    gate = Gate(notifier)
    return PromptService(core, {notifier.platform: gate}), gate


async def timeboxed(
    service: PromptService, gate: Gate, at: datetime, seconds: float
) -> dict[str, Any]:
    """run_once(at) stopped after ``seconds``; RSS sampled meanwhile."""
    peak = rss_mb()
    started = time.monotonic()
    task = asyncio.create_task(service.run_once(at))
    finished = False
    while time.monotonic() - started < seconds:
        await asyncio.sleep(0.25)
        peak = max(peak, rss_mb())
        if task.done():
            finished = True
            break
    gate.closed = True
    await asyncio.sleep(3)  # sends under way finish; claims under way reach the gate
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return {"peak_rss": peak, "wall": time.monotonic() - started, "finished": finished}


FAILURES: Counter[str] = Counter()


async def db_statuses(core: Core, platform: str, period_prefix: str) -> dict[str, Counter[str]]:
    """external id → Counter of delivery statuses, for this platform's week (failure details
    are tallied in ``FAILURES``)."""
    FAILURES.clear()
    async with core.db.transaction() as s:
        rows = await s.execute(
            select(User.external_id, Delivery.status, Delivery.detail)
            .join(Delivery, Delivery.user_id == User.id)
            .where(User.platform == platform, Delivery.period.startswith(period_prefix))
        )
        out: dict[str, Counter[str]] = {}
        for ext, status, detail in rows.all():
            out.setdefault(ext, Counter())[status] += 1
            if status == "failed":
                FAILURES[re.sub(r"\d{6,}", "<id>", detail)[:70]] += 1
        return out


def analyse(
    name: str,
    stats: dict[str, Any],
    statuses: dict[str, Counter[str]],
    run: dict[str, Any],
    allowed: float | None,
) -> tuple[dict[str, Any], str]:
    log = stats["log"]
    ok = [t for t, _, status, _ in log if 200 <= status < 300]
    limited = [t for t, _, status, _ in log if status == 429]
    first = min((t for t, *_ in log), default=0.0)
    last = max((t for t, *_ in log), default=first)
    window = max(last - first, 1e-9)
    # The steady window: from the end of the first burst to the last request.
    steady_ok = [t for t in ok if t >= first + BURST_SECONDS]
    steady_rate = len(steady_ok) / max(last - first - BURST_SECONDS, 1e-9)
    late_429 = sum(1 for t in limited if t >= first + BURST_SECONDS)
    received = stats["messages_per_user"]
    dup = sum(1 for n in received.values() if n > 1)
    sent = {u for u, c in statuses.items() if c["sent"]}
    in_flight = {u for u, c in statuses.items() if c["sending"]}
    lost = sorted(u for u in sent if received.get(u, 0) == 0)
    unrecorded = sorted(u for u in received if u not in sent and u not in in_flight)
    failed = sum(c["failed"] for c in statuses.values())
    messages = sum(received.values())
    row = {
        "requests_ok": len(ok),
        "rate_ok": len(ok) / window,
        "steady_rate": steady_rate,
        "messages": messages,
        "msg_rate": messages / window,
        "429": len(limited),
        "late_429": late_429,
        "dup": dup,
        "lost": len(lost),
        "unrecorded": len(unrecorded),
        "in_flight": len(in_flight),
        "failed": failed,
        "claimed": len(statuses),
        "window": window,
        "peak_rss": run["peak_rss"],
        "finished": run["finished"],
    }
    share = (
        f" = {row['steady_rate'] / allowed:.0%} of the allowed {allowed:.0f}/s" if allowed else ""
    )
    line = (
        f"{name}: {messages} messages in {window:.0f} s ({row['msg_rate']:.1f} msg/s); "
        f"{len(ok)} successful requests = {row['rate_ok']:.1f} req/s overall, "
        f"{steady_rate:.1f} req/s after the first {BURST_SECONDS:.0f} s{share}; "
        f"429s {len(limited)} ({late_429} after the first burst); duplicates {dup}, "
        f"lost {len(lost)}, delivered-but-unrecorded {len(unrecorded)}, in flight at the cut "
        f"{len(in_flight)} ('sending' claims), failed {failed}"
        + (f" ({', '.join(f'{n}× {d}' for d, n in FAILURES.most_common(2))})" if failed else "")
        + "; "
        f"peak RSS during the phase {run['peak_rss']:.0f} MB"
    )
    print("  " + line)
    return row, line


async def bench_backend(backend: str, seconds: float, fakes: Fakes) -> list[str]:
    curriculum = load_curriculum()
    print(f"\n[{backend}] seeding {2 * PER_PLATFORM} people with reminders due {DUE} …")
    bdb = await BenchDb.create(backend)
    lines: list[str] = []
    try:
        t0 = time.perf_counter()
        for base, platform, workspace, numeric in (
            (0, "discord", GUILD_ID, True),
            (PER_PLATFORM, "slack", TEAM, False),
        ):
            await seed(
                bdb.db,
                curriculum,
                random.Random(SEED + base),
                people=PER_PLATFORM,
                channels=500,
                now=DUE - timedelta(hours=1),
                platform=platform,
                workspace=workspace,
                due_at=DUE,
                id_base=base,
                numeric_ids=numeric,
                reminders=True,
            )
        print(f"  seeded in {time.perf_counter() - t0:.0f} s; RSS now {rss_mb():.0f} MB")
        core = Core(commands=COMMANDS, curriculum=curriculum, db=bdb.db, clock=FixedClock(DUE))
        settle_heap()  # as `skilltree run` does once started

        # 1. Discord, week 1
        http = await discord_http(fakes.ports["discord"])
        await fakes.stats("discord")  # drop the login request from the log
        service, gate = gated(core, DiscordNotifier(http, getattr(core, "directory", bdb.db)))
        run = await timeboxed(service, gate, DUE, seconds)
        stats = await fakes.stats("discord")
        w1 = await db_statuses(core, "discord", "2027-W10")
        row1, line = analyse(f"{backend} Discord week 1", stats, w1, run, DISCORD_RATE)
        lines.append(line)
        opens = sum(1 for _, kind, status, _ in stats["log"] if kind == "open" and status == 200)
        await http.close()

        # 2. Discord, week 2, after a restart (new HTTP client, new notifier)
        week2 = DUE + timedelta(days=7)
        async with bdb.db.transaction() as s:
            ids = select(User.id).where(User.platform == "discord")
            await s.execute(
                update(ReminderPref).where(ReminderPref.user_id.in_(ids)).values(next_due_at=week2)
            )
        core.clock.set(week2)  # type: ignore[attr-defined]
        http = await discord_http(fakes.ports["discord"])
        await fakes.stats("discord")
        service, gate = gated(core, DiscordNotifier(http, getattr(core, "directory", bdb.db)))
        run = await timeboxed(service, gate, week2, seconds)
        stats2 = await fakes.stats("discord")
        w2 = await db_statuses(core, "discord", "2027-W11")
        row2, line = analyse(f"{backend} Discord week 2", stats2, w2, run, DISCORD_RATE)
        lines.append(line)
        reached_w1 = {u for u, c in w1.items() if c["sent"]}
        req_by_user: Counter[str] = Counter()
        for _, kind, status, who in stats2["log"]:
            if status != 200:
                continue
            if kind == "open":
                req_by_user[who] += 1
        # posts are by channel; map each week-2 DM back through week-2 deliveries
        week2_sent = {u for u, c in w2.items() if c["sent"]}
        again = week2_sent & reached_w1
        reopened = sum(req_by_user[u] for u in again)
        per_dm = (len(again) + reopened) / len(again) if again else float("nan")
        new_people = week2_sent - reached_w1
        week1_per_dm = (opens + row1["messages"]) / max(row1["messages"], 1)
        lines.append(
            f"{backend} Discord successful requests per delivered DM: week 1 {week1_per_dm:.2f} "
            "(open + post, and opens for people whose post then failed); "
            f"week 2, after a restart, for the {len(again)} people reached in week 1: "
            f"{per_dm:.2f} (DM channels re-opened: {reopened}; target 1); "
            f"{len(new_people)} people first reached in week 2"
        )
        print("  " + lines[-1])
        await http.close()

        # 3. Slack
        core.clock.set(DUE)  # type: ignore[attr-defined]
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=BOT_TOKEN,
            slack_api_url=f"http://127.0.0.1:{fakes.ports['slack']}/api/",
        )
        client = make_web_client(settings)
        service, gate = gated(core, SlackNotifier(client))
        await fakes.stats("slack")
        run = await timeboxed(service, gate, DUE, seconds)
        stats3 = await fakes.stats("slack")
        w3 = await db_statuses(core, "slack", "2027-W10")
        row3, line = analyse(f"{backend} Slack", stats3, w3, run, None)
        lines.append(line + " (no aggregate cap: each DM is its own channel)")
        if stats3.get("violations"):
            lines.append(f"{backend} Slack: API/Block Kit violations {stats3['violations'][:3]}")
        async with bdb.db.transaction() as s:
            total = (await s.execute(select(func.count()).select_from(Delivery))).scalar_one()
        lines.append(f"{backend}: {total} delivery rows claimed across the three phases")
        rows = (row1, row2, row3)
        useful = min(row1["messages"] / row1["window"], row2["messages"] / row2["window"])
        met = (
            row1["steady_rate"] >= 0.9 * DISCORD_RATE
            and row2["steady_rate"] >= 0.9 * DISCORD_RATE
            and sum(r["late_429"] for r in rows) == 0
            and sum(r["dup"] + r["lost"] + r["failed"] for r in rows) == 0
            and max(r["peak_rss"] for r in rows) <= 300
            and per_dm <= 1.0
        )
        lines.append(
            f"{backend}: targets (≥90% of Discord's 50 req/s, no 429 after the first burst, 0 "
            f"duplicates, 0 lost or failed, 1 request per DM after week 1, RSS ≤ 300 MB) "
            + ("MET" if met else "NOT MET")
            + f"; Discord DMs actually delivered: {useful:.1f}/s at worst"
        )
    finally:
        await bdb.close()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    # discord.py logs every 429 it waits out; the fakes count them instead.
    logging.basicConfig(level=logging.ERROR)
    lines = [
        f"workload: {PER_PLATFORM} Discord + {PER_PLATFORM} Slack reminders due at once, "
        f"PromptService defaults (concurrency 8), fakes in their own process enforcing "
        f"Discord 50 req/s global and Slack 1 msg/s per channel; each phase time-boxed to "
        f"{args.seconds:.0f} s (the full Discord half would need ≥ "
        f"{PER_PLATFORM / DISCORD_RATE:.0f} s at 50/s with cached DM channels, "
        f"{2 * PER_PLATFORM / DISCORD_RATE:.0f} s without): "
        f"rates are measured on the sample, counts cover the recipients it reached"
    ]
    async for backend in reachable(args.backends, lines):
        # Fresh fakes per backend: both backends use the same ids, and Discord's nonce
        # de-duplication would otherwise swallow the second backend's messages.
        fakes = Fakes()
        try:
            lines += await bench_backend(backend, args.seconds, fakes)
        finally:
            fakes.close()
    lines.append(f"process peak RSS (VmHWM, seeding included) {peak_rss_mb():.0f} MB")
    if not args.no_results:
        append_results("bench/fanout.py", lines)
    else:  # the same lines, not appended to RESULTS.md
        print("\n" + "\n".join(f"- {line}" for line in lines))


if __name__ == "__main__":
    asyncio.run(main())
