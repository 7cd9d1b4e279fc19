"""The notifier paces its own requests under Discord's global limit, so the platform never has
to refuse one: against a loopback Discord that enforces a global token bucket (the bench's
fake, scaled down), a burst of DMs to new people (open + post each) meets no 429 at all.

Nothing here asserts how long anything took: the fake's own log (arrival times, statuses)
says whether the limit was kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import discord.http
import pytest

from adapters.discord.notifier import DiscordNotifier
from bench.fakes import LimitedDiscord
from bot.ports import DeliveryError, UserTarget
from bot.types import Reply
from tests.discord.fake_discord import GUILD_ID

RATE = 100.0  # the fake's global limit, requests per second (Discord's is 50)
BURST = 20.0  # the fake's bucket
PEOPLE = 60  # new people: 2 requests each


@pytest.fixture(autouse=True)
def _restore_discord_base() -> Iterator[None]:
    base = discord.http.Route.BASE
    yield
    discord.http.Route.BASE = base


async def limited_discord(rate: float, burst: float) -> LimitedDiscord:
    fake = LimitedDiscord(rate=rate, burst=burst)
    await fake.start()
    return fake


async def http_for(fake: LimitedDiscord) -> discord.http.HTTPClient:
    discord.http.Route.BASE = fake.api_url
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    await http.static_login("fake-token")
    fake.log.clear()  # the login request is not the notifier's
    return http


def target(n: int) -> UserTarget:
    return UserTarget("discord", GUILD_ID, str(2_300_000_000_000_000_000 + n))


async def send_all(notifier: DiscordNotifier, people: int, *, at_once: int = 16) -> None:
    """DMs to ``people`` new people, ``at_once`` of them in flight, as the scheduler sends."""
    gate = asyncio.Semaphore(at_once)

    async def one(n: int) -> None:
        async with gate:
            await notifier.send_to_user(target(n), Reply(text=f"hello {n}"), key=f"k{n}")

    await asyncio.gather(*(one(n) for n in range(people)))


def most_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_paced_dms_meet_no_429_and_stay_under_the_rate() -> None:
    fake = await limited_discord(RATE, BURST)
    try:
        http = await http_for(fake)
        try:
            notifier = DiscordNotifier(http, requests_per_second=RATE)
            await send_all(notifier, PEOPLE)
        finally:
            await http.close()
        statuses = [status for _, _, status, _ in fake.log]
        assert statuses.count(429) == 0, "the fake had to refuse a request"
        assert len(statuses) == 2 * PEOPLE  # an open and a post per person, nothing retried
        assert len(fake.dm_channels) == PEOPLE
        assert all(len(m) == 1 for m in fake.channel_messages.values())
        # The notifier's own bucket: RATE a second plus a tenth of a second's burst.
        assert most_in_any_second([t for t, *_ in fake.log]) <= RATE + RATE * 0.1 + 1
    finally:
        await fake.close()


async def test_unpaced_the_same_burst_is_refused() -> None:
    """The control: without pacing the fake refuses (so the test above has teeth). discord.py
    waits each 429 out, but under a sustained overload it gives up after a few tries; what
    reaches the caller then is a transient error (the scheduler retries it later)."""
    fake = await limited_discord(20.0, 5.0)
    try:
        http = await http_for(fake)
        try:
            notifier = DiscordNotifier(http, requests_per_second=None)
            gate = asyncio.Semaphore(16)

            async def one(n: int) -> None:
                async with gate:
                    await notifier.send_to_user(target(n), Reply(text="hi"), key=f"k{n}")

            outcomes = await asyncio.gather(*(one(n) for n in range(20)), return_exceptions=True)
        finally:
            await http.close()
        assert [status for _, _, status, _ in fake.log].count(429) > 0
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert all(isinstance(e, DeliveryError) and not e.permanent for e in errors), errors
    finally:
        await fake.close()


async def test_a_known_dm_channel_is_one_request() -> None:
    """The scheduler hands over the DM channel id it read with the person's row: the DM is a
    post alone, without opening the channel or reading the directory."""
    fake = await limited_discord(RATE, BURST)
    try:
        http = await http_for(fake)
        try:
            notifier = DiscordNotifier(http, requests_per_second=RATE)
            await notifier.send_to_user(target(0), Reply(text="week 1"), key="w1")
            channel_id = fake.dm_channels[target(0).user_id]
            restarted = DiscordNotifier(http, requests_per_second=RATE)  # nothing remembered
            fake.log.clear()
            restarted.remember_dm_channel(target(0), channel_id)
            await restarted.send_to_user(target(0), Reply(text="week 2"), key="w2")
        finally:
            await http.close()
        assert [kind for _, kind, _, _ in fake.log] == ["post"]
        assert len(fake.channel_messages[channel_id]) == 2
    finally:
        await fake.close()


def test_pacing_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        DiscordNotifier(None, requests_per_second=0)  # type: ignore[arg-type]
