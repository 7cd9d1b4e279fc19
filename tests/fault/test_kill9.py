"""kill -9 in the middle of a fan-out, then a restart: at most the in-flight prompts are lost
(their claims stay ``sending`` and become ``unknown`` after the lease), none is sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot.core import Core
from bot.db.models import Delivery, User
from bot.types import Actor, Place
from tests.slack.fake_slack import TEAM, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 60
DUE = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # Monday 09:00 after START (conftest)
CONCURRENCY = 8  # PromptService's default: the most claims that can be in flight


class SlowSlack(FakeSlack):
    """Every chat.postMessage takes a while, so a kill lands mid-fan-out; deliveries are
    counted per recipient."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.delivered: Counter[str] = Counter()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage":
            await asyncio.sleep(0.15)
        response = await super()._api(request)
        if request.match_info["method"] == "chat.postMessage" and response.status == 200:
            self.delivered[self.calls[-1].params["channel"]] += 1
        return response


def spawn(db_url: str, api_url: str, at: datetime) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault.fanout_child", db_url, api_url, at.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def statuses(core: Core) -> dict[str, str]:
    async with core.db.transaction() as s:
        rows = await s.execute(
            select(User.external_id, Delivery.status).join(Delivery, Delivery.user_id == User.id)
        )
        return dict(rows.tuples().all())


async def test_kill_minus_nine_mid_fanout_then_restart(core: Core, tmp_path: Path) -> Any:
    for i in range(PEOPLE):
        actor = Actor("slack", TEAM, f"U{i:04d}", display_name=f"p{i}")
        dm = Place("slack", TEAM, None)
        assert not (await core.handle_text(actor, dm, "/path mlops")).is_error
        reply = await core.handle_text(actor, dm, "/reminders day:mon time:09:00 tz:UTC")
        assert not reply.is_error, reply.text
    fake = SlowSlack()
    await fake.start()
    db_url = str(core.db.url)
    try:
        child = spawn(db_url, fake.api_url, DUE + timedelta(minutes=1))
        await fake.wait_for(lambda: sum(fake.delivered.values()) >= 15, within=30)
        child.send_signal(signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
        await asyncio.sleep(0.3)  # requests the child had on the wire reach the fake
        before = await statuses(core)
        in_flight = [u for u, s in before.items() if s == "sending"]
        assert 0 < len(before) < PEOPLE, "the kill should land mid-fan-out"
        assert len(in_flight) <= CONCURRENCY

        # Restart after the lease (15 min): stale claims become "unknown", the rest goes out.
        child = spawn(db_url, fake.api_url, DUE + timedelta(minutes=20))
        _out, err = await asyncio.to_thread(child.communicate, timeout=60)
        assert child.returncode == 0, err
        after = await statuses(core)
    finally:
        await fake.stop()

    assert fake.violations == []
    assert len(after) == PEOPLE  # every reminder was claimed exactly once (unique key)
    twice = {u: n for u, n in fake.delivered.items() if n > 1}
    assert twice == {}, f"sent twice: {twice}"
    counts = Counter(after.values())
    assert set(counts) <= {"sent", "unknown"}, counts
    unknown = {u for u, s in after.items() if s == "unknown"}
    assert unknown == set(in_flight)  # only the claims in flight at the kill are in doubt
    never = {f"U{i:04d}" for i in range(PEOPLE)} - set(fake.delivered)
    assert never <= unknown  # nothing lost but (some of) the in-flight ones
    assert {u for u, s in after.items() if s == "sent"} <= set(fake.delivered)
    print(f"in flight at the kill: {len(in_flight)}; never delivered: {len(never)}; {counts}")
