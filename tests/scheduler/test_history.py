"""Leaderboard history is saved by the scheduler when a week or month closes, even if nobody
ever runs ``/leaderboard``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import LeaderboardSnapshot
from scheduler import snapshots as snapshots_module
from tests.leaderboard.helpers import seed_group
from tests.scheduler.helpers import tick, utc

SUNDAY_NIGHT = utc(2027, 3, 14, 23, 59)  # the last minute of 2027-W10 (the channel is UTC)
MONDAY = utc(2027, 3, 15, 0, 0)


async def winners(core) -> dict[str, list[str]]:
    async with core.db.transaction() as s:
        rows = (
            (
                await s.execute(
                    select(LeaderboardSnapshot).order_by(
                        LeaderboardSnapshot.period_key, LeaderboardSnapshot.rank
                    )
                )
            )
            .scalars()
            .all()
        )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(f"{r.period_kind} {r.period_key}", []).append(r.label)
    return out


@pytest.fixture
def reading() -> list[bool]:
    """For each ranking of closed periods: whether it ran in a unit of work that only reads."""
    return []


@pytest.fixture
def snapshot_calls(monkeypatch: pytest.MonkeyPatch, reading: list[bool]) -> list[str]:
    calls: list[str] = []
    real = snapshots_module.plan_snapshots

    async def counting(session, curriculum, channel, now, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(channel.external_id)
        reading.append(bool(session.info.get("reading")))
        return await real(session, curriculum, channel, now, **kwargs)

    monkeypatch.setattr(snapshots_module, "plan_snapshots", counting)
    return calls


async def test_closed_weeks_are_saved_by_the_tick_without_anyone_asking(
    core, clock, person, make_service, snapshot_calls
):
    await seed_group(clock, person)  # completions in W09 and W10; nobody runs /leaderboard
    service = make_service()
    await tick(service, utc(2027, 3, 14, 20, 0))
    assert await winners(core) == {"week 2027-W09": ["carol", "bob", "dave"]}  # W10 still open

    # Within the same week the tick does not recompute anything.
    calls = len(snapshot_calls)
    for at in (utc(2027, 3, 14, 21, 0), utc(2027, 3, 14, 22, 0), SUNDAY_NIGHT):
        assert (await tick(service, at)).snapshots == []
    assert len(snapshot_calls) == calls

    # Just after midnight a /done may still be committing: the week is closed a minute on.
    assert (await tick(service, MONDAY + timedelta(seconds=30))).snapshots == []
    report = await tick(service, MONDAY + timedelta(minutes=1, seconds=30))
    assert [s.split(":", 2)[2] for s in report.snapshots] == ["week:2027-W10"]
    assert (await winners(core))["week 2027-W10"] == ["alice"]
    assert len(snapshot_calls) == calls + 1

    # Idempotent: a restarted scheduler (it snapshots every group once) adds nothing.
    again = await tick(make_service(), MONDAY + timedelta(minutes=5))
    assert again.snapshots == [] and len(snapshot_calls) == calls + 2
    assert len(await winners(core)) == 2

    # At the end of the month, March is saved too, and /leaderboard history shows it all.
    report = await tick(service, utc(2027, 4, 1, 0, 5))
    assert "month:2027-03" in [s.split(":", 2)[2] for s in report.snapshots]
    assert (await winners(core))["month 2027-03"] == ["alice", "carol", "bob"]


async def test_the_tick_ranks_closed_weeks_beside_the_writer(
    core, clock, person, make_service, snapshot_calls, reading
):
    """Ranking a big group takes seconds: the tick does it in a unit of work that only reads,
    and takes a writer's turn just to save the winners."""
    await seed_group(clock, person)
    await tick(make_service(), utc(2027, 3, 14, 20, 0))
    assert await winners(core) == {"week 2027-W09": ["carol", "bob", "dave"]}
    assert snapshot_calls and reading == [core.db.concurrent_reads] * len(snapshot_calls)
