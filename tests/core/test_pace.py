"""Pace with a fixed clock, counted in each person's own calendar days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.pace import Pace, path_status
from tests.conftest import START
from tests.core.support import (  # noqa: F401  (SQLite unless BOTH)
    BOTH,
    fast_db,
    sqlite_backend,
)


def field(reply, name: str) -> str:
    return next(f.value for f in reply.fields if f.name == name)


async def pace_of(who) -> str:
    return field(await who("/progress"), "Pace")


@pytest.mark.parametrize(
    "tz", [None, "UTC", "Asia/Shanghai", "America/Los_Angeles", "Europe/Berlin"]
)
async def test_mid_step_is_on_track_in_any_timezone(person, clock, tz):
    alice = person("alice", tz=tz)
    await alice("/path mlops")
    clock.advance(days=4)  # day 4 of a 7-day first step
    assert await pace_of(alice) == "on track"


async def test_last_day_of_a_step_is_still_on_track(person, clock):
    alice = person("alice")
    await alice("/path mlops")
    clock.advance(days=7)
    assert await pace_of(alice) == "on track"
    clock.advance(days=1)
    assert await pace_of(alice) == "1 day behind"


@pytest.mark.parametrize("tz", ["UTC", "Asia/Shanghai", "America/Los_Angeles"])
async def test_three_days_past_the_step_deadline_is_three_days_behind(person, clock, tz):
    alice = person("alice", tz=tz)
    await alice("/path mlops")
    clock.advance(days=10)
    assert await pace_of(alice) == "3 days behind"


async def test_behind_on_a_later_step(person, clock):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")  # step 1; step 2 (5 days) is due on day 12
    clock.advance(days=14)
    assert await pace_of(alice) == "2 days behind"


async def test_finishing_early_is_ahead(person, clock):
    alice = person("alice")
    await alice("/path mlops")
    clock.advance(days=2)
    reply = await alice("/done")
    assert field(reply, "Pace") == "5 days ahead"  # step 2 starts on day 7
    clock.advance(days=4)
    assert await pace_of(alice) == "1 day ahead"
    clock.advance(days=1)
    assert await pace_of(alice) == "on track"


async def test_projected_finish_moves_with_today_and_the_work_left(person, clock):
    alice = person("alice")
    await alice("/path mlops")
    clock.advance(days=10)
    reply = await alice("/progress")
    # 2027-03-11 + 62 days; planned stays 2027-03-01 + 62.
    assert field(reply, "Projected finish") == "May 12, 2027 · planned May 2, 2027"
    await alice("/done")
    reply = await alice("/progress")
    assert field(reply, "Projected finish") == "May 5, 2027 · planned May 2, 2027"


@BOTH
async def test_the_local_day_boundary_differs_between_shanghai_and_los_angeles(person, clock):
    """Enrolled at the same instant, each person's days turn over at their own midnight."""
    clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))  # 20:00 in Shanghai, 04:00 in LA
    shanghai = person("mei", tz="Asia/Shanghai")
    la = person("sam", tz="America/Los_Angeles")
    await shanghai("/path mlops")
    await la("/path mlops")

    # 15:59 UTC on 03-08: Shanghai 23:59 (day 7), LA 07:59 (day 7).
    clock.set(datetime(2027, 3, 8, 15, 59, tzinfo=UTC))
    assert await pace_of(shanghai) == "on track"
    assert await pace_of(la) == "on track"

    # 16:00 UTC: midnight in Shanghai (day 8, one day past step 1); LA still day 7.
    clock.set(datetime(2027, 3, 8, 16, 0, tzinfo=UTC))
    assert await pace_of(shanghai) == "1 day behind"
    assert await pace_of(la) == "on track"
    assert field(await shanghai("/progress"), "Projected finish").startswith("May 10, 2027 ")
    assert field(await la("/progress"), "Projected finish").startswith("May 9, 2027 ")

    # 07:59 UTC on 03-09 is 23:59 on 03-08 in LA (PST, UTC-8): still on track.
    clock.set(datetime(2027, 3, 9, 7, 59, tzinfo=UTC))
    assert await pace_of(la) == "on track"
    # 08:00 UTC: midnight in LA.
    clock.set(datetime(2027, 3, 9, 8, 0, tzinfo=UTC))
    assert await pace_of(la) == "1 day behind"
    assert await pace_of(shanghai) == "1 day behind"


async def test_enrolling_just_before_local_midnight_counts_that_day(person, clock):
    # 15:30 UTC is 23:30 in Shanghai: enrolment day is 03-01; an hour later is day 1.
    clock.set(datetime(2027, 3, 1, 15, 30, tzinfo=UTC))
    mei = person("mei", tz="Asia/Shanghai")
    await mei("/path mlops")
    reply = await mei("/progress")
    assert field(reply, "Projected finish") == "May 2, 2027 · planned May 2, 2027"
    clock.advance(hours=1)
    reply = await mei("/progress")
    assert field(reply, "Projected finish") == "May 3, 2027 · planned May 2, 2027"


@BOTH
async def test_the_reminder_timezone_overrides_the_platform_timezone_for_pace(person, clock):
    clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    sam = person("sam", tz="America/Los_Angeles")
    await sam("/path mlops")
    await sam("/reminders tz:Asia/Shanghai")
    clock.set(datetime(2027, 3, 8, 16, 0, tzinfo=UTC))  # day 8 in Shanghai, day 7 in LA
    assert await pace_of(sam) == "1 day behind"


def test_path_status_is_pure_and_counts_local_days(curriculum):
    mlops = curriculum.path_by_id["mlops"]
    now = datetime(2027, 3, 8, 16, 0, tzinfo=UTC)
    sh = path_status(mlops, {}, START, now, "Asia/Shanghai")
    la = path_status(mlops, {}, START, now, "America/Los_Angeles")
    utc = path_status(mlops, {}, START, now, None)
    assert (sh.elapsed_days, la.elapsed_days, utc.elapsed_days) == (8, 7, 7)
    assert sh.pace == Pace("behind", 1)
    assert la.pace == Pace("on_track")


def test_path_status_before_enrolment_is_day_zero(curriculum):
    mlops = curriculum.path_by_id["mlops"]
    status = path_status(mlops, {}, START, datetime(2027, 2, 1, tzinfo=UTC))
    assert status.elapsed_days == 0
    assert status.pace == Pace("on_track")


def test_path_status_finished(curriculum):
    app = curriculum.path_by_id["app"]
    states = {c: "done" for c in app.chapter_ids}
    status = path_status(app, states, START, START)
    assert status.pace == Pace("finished")
    assert status.days_done == status.total_days == 43
    assert status.projected_finish == START.date()
