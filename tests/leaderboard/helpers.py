"""Shared set-up for the leaderboard tests: a seeded study group with completions at known
instants (the clock is moved for each ``/done``, never slept)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.clock import FixedClock
from bot.core import Core
from bot.db.models import Channel
from bot.types import Reply
from tests.conftest import START


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def at(clock: FixedClock, when: datetime, who: Any, line: str) -> Reply:
    clock.set(when)
    reply = await who(line)
    assert not reply.is_error, reply.text
    return reply


async def seed_group(clock: FixedClock, person: Any) -> dict[str, Any]:
    """Four members and an admin in #study.

    Week 2027-W09 (Mon 1 – Sun 7 March, UTC): carol 5 days (5.1 on mlops), bob 3 (4.1, Wed),
    dave 3 (2.2 on research, Thu: same total as bob, reached later), alice 7/3 (1.1).
    Week 2027-W10: alice finishes 1.2 and 1.3 (her step 1) → 14/3 days, 1 step.
    March in total: alice 7, carol 5, bob 3, dave 3.
    """
    people = {
        "alice": person("alice"),
        "bob": person("bob"),
        "carol": person("carol"),
        "dave": person("dave"),
        "boss": person("boss", admin=True),
    }
    clock.set(START)
    await at(clock, START, people["alice"], "/path app")
    await at(clock, START, people["bob"], "/path app")
    await at(clock, START, people["carol"], "/path mlops")
    await at(clock, START, people["dave"], "/path research")
    await at(clock, utc(2027, 3, 2, 9), people["alice"], "/done 1.1")
    await at(clock, utc(2027, 3, 3, 9), people["bob"], "/done 4.1")
    await at(clock, utc(2027, 3, 4, 9), people["carol"], "/done 5.1")
    await at(clock, utc(2027, 3, 4, 10), people["dave"], "/done 2.2")
    await at(clock, utc(2027, 3, 9, 9), people["alice"], "/done 1.2")
    await at(clock, utc(2027, 3, 10, 9), people["alice"], "/done 1.3")
    return people


async def channel_row(core: Core, name: str = "study") -> Channel:
    async with core.db.transaction() as s:
        return (await s.execute(select(Channel).where(Channel.external_id == name))).scalar_one()


def board_names(reply: Reply) -> list[str]:
    """Names in the order the board lists them (``**name**`` in each line)."""
    out = []
    for line in reply.text.splitlines():
        if "**" in line:
            out.append(line.split("**")[1])
    return out
