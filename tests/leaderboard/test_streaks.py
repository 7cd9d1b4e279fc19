"""Weekly streaks are counted in each person's own local week, ending this week or last week."""

from __future__ import annotations

import pytest

from bot.services import leaderboard as lb
from tests.leaderboard.helpers import at, utc

# Sunday 7 March 20:00 UTC and Monday 15 March 03:00 UTC, seen on Tuesday 16 March.
X1 = utc(2027, 3, 7, 20)
X2 = utc(2027, 3, 15, 3)
NOW = utc(2027, 3, 16, 12)


@pytest.mark.parametrize(
    ("tz", "streak"),
    [
        ("UTC", 1),  # weeks W09 and W11: W10 is missing
        ("Asia/Tokyo", 2),  # Mon 8 Mar 05:00 and Mon 15 Mar 12:00: W10, W11
        ("America/Los_Angeles", 2),  # Sun 7 Mar and Sun 14 Mar (PDT since that day): W09, W10
    ],
)
def test_streak_depends_on_the_local_week(tz, streak):
    assert lb.weekly_streak([X1, X2], tz, NOW) == streak


def test_streak_ends_this_week_or_last_week_only():
    assert lb.weekly_streak([utc(2027, 3, 2)], "UTC", utc(2027, 3, 9)) == 1  # last week
    assert lb.weekly_streak([utc(2027, 3, 2)], "UTC", utc(2027, 3, 16)) == 0  # two weeks ago
    weeks = [utc(2027, 3, d) for d in (1, 8, 15, 22)]
    assert lb.weekly_streak(weeks, "UTC", utc(2027, 3, 23)) == 4
    assert lb.weekly_streak([], "UTC", NOW) == 0


async def test_streaks_on_the_board_use_each_members_zone(core, clock, person):
    boss = person("boss", admin=True)
    people = {
        "utc": person("uma", tz="UTC"),
        "tokyo": person("taro", tz="Asia/Tokyo"),
        "la": person("lena", tz="America/Los_Angeles"),
    }
    for who in people.values():
        await at(clock, utc(2027, 3, 1, 12), who, "/path app")
    for who in people.values():
        await at(clock, X1, who, "/done 1.1")
        await at(clock, X2, who, "/done 1.2")
    clock.set(NOW)
    board = await boss("/leaderboard all")
    lines = {line.split("**")[1]: line for line in board.text.splitlines()}
    assert "1-week streak" in lines["uma"]
    assert "2-week streak" in lines["taro"]
    assert "2-week streak" in lines["lena"]
    # A personal reminder timezone wins over the platform's.
    await people["utc"]("/reminders tz:Asia/Tokyo")
    board = await boss("/leaderboard all")
    lines = {line.split("**")[1]: line for line in board.text.splitlines()}
    assert "2-week streak" in lines["uma"]
