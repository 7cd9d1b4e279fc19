"""``next_weekly`` at the edges: the spring gap, the repeated autumn hour, and in general."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.timing import next_weekly
from scheduler.service import last_weekly

NY = "America/New_York"
LH = "Australia/Lord_Howe"
ZONES = [NY, "Europe/Berlin", LH, "Asia/Kolkata", "Asia/Shanghai", "UTC", "America/Sao_Paulo"]


def chain(tz: str, weekday: int, hhmm: str, start: datetime, n: int) -> list[datetime]:
    out, at = [], start
    for _ in range(n):
        at = next_weekly(at, weekday, hhmm, tz)
        out.append(at)
    return out


def local(instant: datetime, tz: str) -> str:
    return f"{instant.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M%z}"


@pytest.mark.parametrize(
    ("tz", "weekday", "hhmm", "start", "expected"),
    [
        # 02:30 does not exist on 14 March in New York: once, shifted to 03:30 EDT.
        (
            NY,
            6,
            "02:30",
            datetime(2027, 3, 1),
            ["03-07 02:30-0500", "03-14 03:30-0400", "03-21 02:30-0400"],
        ),
        # 01:30 happens twice on 7 November: once, at the first (EDT) pass.
        (
            NY,
            6,
            "01:30",
            datetime(2027, 10, 25),
            ["10-31 01:30-0400", "11-07 01:30-0400", "11-14 01:30-0500"],
        ),
        # Lord Howe moves by 30 minutes: 02:15 is skipped on 3 October...
        (
            LH,
            6,
            "02:15",
            datetime(2027, 9, 20),
            ["09-26 02:15+1030", "10-03 02:45+1100", "10-10 02:15+1100"],
        ),
        # ...and 01:45 happens twice on 4 April.
        (
            LH,
            6,
            "01:45",
            datetime(2027, 3, 22),
            ["03-28 01:45+1100", "04-04 01:45+1100", "04-11 01:45+1030"],
        ),
    ],
)
def test_dst_edges_fire_once_a_week(tz, weekday, hhmm, start, expected):
    got = chain(tz, weekday, hhmm, start.replace(tzinfo=UTC), len(expected))
    assert [local(g, tz)[5:] for g in got] == expected


def test_never_stuck_inside_the_repeated_hour():
    second_pass = datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST, the repeat
    assert next_weekly(second_pass, 6, "01:30", NY) == datetime(2027, 11, 14, 6, 30, tzinfo=UTC)
    between = datetime(2027, 11, 7, 5, 45, tzinfo=UTC)  # after the first pass
    assert next_weekly(between, 6, "01:30", NY) == datetime(2027, 11, 14, 6, 30, tzinfo=UTC)


def test_not_before_pushes_to_that_local_date():
    at = datetime(2027, 3, 1, 12, tzinfo=UTC)
    got = next_weekly(at, 0, "09:00", "Asia/Shanghai", not_before=date(2027, 3, 16))
    assert local(got, "Asia/Shanghai") == "2027-03-22 09:00+0800"


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    after=st.datetimes(datetime(2026, 1, 1), datetime(2029, 12, 31), timezones=st.just(UTC)),
)
def test_next_weekly_properties(tz, weekday, hour, minute, after):
    hhmm = f"{hour:02d}:{minute:02d}"
    first = next_weekly(after, weekday, hhmm, tz)
    second = next_weekly(first, weekday, hhmm, tz)
    for prev, got in ((after, first), (first, second)):
        assert prev < got <= prev + timedelta(days=7, hours=2)
        wall = got.astimezone(ZoneInfo(tz))
        assert wall.weekday() == weekday
        assert wall.fold == 0  # never the second pass of a repeated hour
        shifted = (wall.hour * 60 + wall.minute) - (hour * 60 + minute)
        assert shifted in (0, 30, 60)  # exact, or pushed forward by a DST gap
    assert timedelta(days=7) - timedelta(hours=2) <= second - first <= timedelta(days=7, hours=2)
    assert last_weekly(second, weekday, hhmm, tz) == second
    assert last_weekly(second - timedelta(microseconds=1), weekday, hhmm, tz) == first
