"""A Monday 09:00 reminder goes out once a week at 09:00 local, across DST changes.

The clock steps every 6 hours and, for each zone, to one minute before, exactly at, and a
few minutes after each expected Monday 09:00, so an early, late, missing or doubled send
shows up. No sleeping: each tick is a direct ``run_once``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.models import Channel
from tests.scheduler.helpers import enrol, tick

ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # DST moves the clock by 30 minutes
    "Asia/Kolkata",  # +05:30, no DST
    "Asia/Shanghai",  # no DST
)
BER = "Europe/Berlin"
NY = "America/New_York"
LH = "Australia/Lord_Howe"
WEEKS = 8
WINDOWS = {
    # New York 14 Mar, Berlin 28 Mar, Lord Howe 4 Apr (back, -30 min).
    "spring-2027": date(2027, 3, 1),
    # Lord Howe 3 Oct (forward, +30 min), Berlin 31 Oct, New York 7 Nov.
    "autumn-2027": date(2027, 9, 20),
}


def mondays_0900(zone: str, start: datetime, end: datetime) -> list[datetime]:
    """Independent of the code under test: wall-clock Monday 09:00 via zoneinfo."""
    tz = ZoneInfo(zone)
    out = []
    day = start.astimezone(tz).date() - timedelta(days=7)
    while day <= end.astimezone(tz).date() + timedelta(days=7):
        if day.weekday() == 0:
            instant = datetime.combine(day, time(9, 0), tzinfo=tz).astimezone(UTC)
            if start < instant <= end:
                out.append(instant)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize("window", sorted(WINDOWS))
async def test_monday_0900_local_exactly_once_a_week_across_dst(
    window, core, clock, person, service, notifier
):
    start = datetime.combine(WINDOWS[window], time(12, 0), tzinfo=UTC)
    end = start + timedelta(weeks=WEEKS)
    clock.set(start)
    for i, zone in enumerate(ZONES):
        await enrol(person, f"u{i}", tz=zone, channel="study")
    async with core.db.transaction() as s:  # the study group's prompt: Monday 09:00 Berlin
        (await s.execute(select(Channel))).scalar_one().timezone = "Europe/Berlin"

    expected = {f"user:u{i}": mondays_0900(zone, start, end) for i, zone in enumerate(ZONES)}
    expected["channel:study"] = mondays_0900("Europe/Berlin", start, end)
    for i, zone in enumerate(ZONES):  # the window really crosses a change (or a zone has none)
        offsets = {t.astimezone(ZoneInfo(zone)).utcoffset() for t in expected[f"user:u{i}"]}
        assert len(offsets) == (1 if zone.startswith("Asia/") else 2), zone

    ticks = {start + timedelta(hours=6 * k) for k in range(1, WEEKS * 4 + 1)}
    for instants in expected.values():
        for due in instants:
            ticks |= {due - timedelta(minutes=1), due, due + timedelta(minutes=7)}
    for at in sorted(t for t in ticks if start < t <= end):
        await tick(service, at)

    for to, zone in [*((f"user:u{i}", z) for i, z in enumerate(ZONES)), ("channel:study", BER)]:
        got = [s.at for s in notifier.sent if s.to == to]
        assert got == expected[to], zone
        assert len(got) == WEEKS
        for at in got:
            assert at is not None
            local = at.astimezone(ZoneInfo(zone))
            assert (local.weekday(), local.hour, local.minute) == (0, 9, 0), (zone, local)


@pytest.mark.parametrize(
    ("tz", "when", "night", "expected"),
    [
        # The repeated hour: 01:30 happens twice; one reminder, at the first pass (EDT).
        (NY, "day:sun time:01:30", datetime(2027, 11, 7, tzinfo=UTC), "2027-11-07 01:30-0400"),
        # The missing hour: 02:30 does not exist; one reminder, an hour later by the wall.
        (NY, "day:sun time:02:30", datetime(2027, 3, 14, tzinfo=UTC), "2027-03-14 03:30-0400"),
        (LH, "day:sun time:01:45", datetime(2027, 4, 3, 12, tzinfo=UTC), "2027-04-04 01:45+1100"),
        (LH, "day:sun time:02:15", datetime(2027, 10, 2, 12, tzinfo=UTC), "2027-10-03 02:45+1100"),
    ],
)
async def test_reminder_inside_the_changing_hour_goes_out_once(
    tz, when, night, expected, core, clock, person, service, notifier
):
    clock.set(night - timedelta(days=3))
    await enrol(person, "owl", tz=tz, when=when)
    at = night - timedelta(hours=12)
    while at <= night + timedelta(hours=24):  # every 15 minutes through the night
        await tick(service, at)
        at += timedelta(minutes=15)
    assert [f"{s.at.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M%z}" for s in notifier.sent] == [
        expected
    ]
