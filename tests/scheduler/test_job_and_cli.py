"""The APScheduler wrapper's configuration and lifecycle, and the dry-run command."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.main.dryrun import due_command, parse_at
from scheduler.job import JOB_ID, PromptScheduler
from scheduler.service import RunReport
from tests.scheduler.helpers import enrol, utc

MON = utc(2027, 3, 8, 9, 0)


class FakeService:
    """Stands in for PromptService: records the instants it was asked about."""

    def __init__(self, *, gate: asyncio.Event | None = None, fail: bool = False) -> None:
        self.calls: list[datetime] = []
        self.called = asyncio.Event()
        self.finished = False
        self.stopped = False
        self.gate = gate
        self.fail = fail

    def stop(self) -> None:
        self.stopped = True

    async def run_once(self, at: datetime) -> RunReport:
        self.calls.append(at)
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("database on fire")
        self.finished = True
        return RunReport()


async def test_job_is_configured_on_purpose_and_ticks_at_once_on_start():
    service = FakeService()
    clock = FixedClock(MON)
    sched = PromptScheduler(service, clock, interval_seconds=30)  # type: ignore[arg-type]
    job = sched.start()
    try:
        assert job.id == JOB_ID
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time is None  # a late tick is still useful; never dropped
        assert job.trigger.interval.total_seconds() == 30
        await asyncio.wait_for(service.called.wait(), 5)  # first tick right away, not in 30 s
        assert service.calls == [MON]  # "now" comes from the injected clock
        assert sched.running
        with pytest.raises(RuntimeError):
            sched.start()
    finally:
        await sched.shutdown()
    assert not sched.running
    await sched.shutdown()  # twice is harmless


async def test_shutdown_lets_an_in_flight_tick_finish():
    gate = asyncio.Event()
    service = FakeService(gate=gate)
    sched = PromptScheduler(service, FixedClock(MON), interval_seconds=3600)  # type: ignore[arg-type]
    sched.start()
    await asyncio.wait_for(service.called.wait(), 5)
    stopping = asyncio.create_task(sched.shutdown())
    await asyncio.sleep(0)
    assert not stopping.done()
    assert service.stopped  # told to start nothing new
    gate.set()
    await asyncio.wait_for(stopping, 5)
    assert service.finished


async def test_a_failing_tick_is_logged_not_raised(caplog):
    sched = PromptScheduler(FakeService(fail=True), FixedClock(MON))  # type: ignore[arg-type]
    assert await sched.tick() is None
    assert "weekly prompt tick failed" in caplog.text


def test_parse_at_reads_offsets_and_treats_naive_as_utc():
    assert parse_at("2027-03-08T10:00+01:00") == MON
    assert parse_at("2027-03-08T09:00Z") == MON
    assert parse_at("2027-03-08 09:00") == MON


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_due_command_prints_the_dry_run(backend, core, person, db, capsys):
    await enrol(person, "alice", channel="study")
    settings = Settings(_env_file=None, database_url=db.url.render_as_string(False))
    code = await asyncio.to_thread(due_command, settings, MON, True)
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted((p["kind"], p["target"]) for p in out) == [
        ("channel", "study"),
        ("reminder", "alice"),
    ]
    mine = next(p for p in out if p["kind"] == "reminder")
    assert mine["target"] == "alice" and mine["local_time"] == "2027-03-08T09:00:00+00:00"
    assert mine["period"] == "2027-W10" and "Your weekly study reminder" in mine["text"]
    assert {"command": "done", "label": "Done", "args": "step:1"} in mine["buttons"]

    assert await asyncio.to_thread(due_command, settings, MON.replace(hour=8), False) == 0
    assert capsys.readouterr().out.startswith("nothing due at 2027-03-08T08:00:00+00:00")
    assert await asyncio.to_thread(due_command, settings, MON, False) == 0
    text = capsys.readouterr().out
    assert "2 prompt(s) due" in text and "reminder to test:W1:alice" in text


def test_due_command_on_a_missing_schema_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    settings = Settings(_env_file=None, database_url=url)
    assert due_command(settings, datetime(2027, 3, 8, tzinfo=UTC), False) == 1
    assert "skilltree: cannot reach" in capsys.readouterr().err
