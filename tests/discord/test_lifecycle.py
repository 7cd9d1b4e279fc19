"""``skilltree run`` drives Discord through the generic adapter lifecycle: the notifier exists
from construction, so a prompt due when the bot starts goes out in the very first tick."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

from adapters.discord.client import DM_WORKSPACE
from adapters.discord.runner import DiscordAdapter
from bot.clock import FixedClock
from bot.config import Settings
from bot.main.app import run
from bot.main.bootstrap import build_core
from bot.types import Actor, Place
from tests.discord.fake_discord import FakeDiscord

MONDAY_0830 = datetime(2027, 3, 8, 8, 30, tzinfo=UTC)
MONDAY_0900 = datetime(2027, 3, 8, 9, 0, 20, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_notifier_exists_before_login(core, settings: Settings, fake: FakeDiscord) -> None:
    adapter = DiscordAdapter(core, settings)
    assert adapter.notifier().http is adapter.client.http
    assert fake.identifies == 0


async def test_run_sends_a_prompt_due_at_start_in_the_first_tick(
    settings: Settings, fake: FakeDiscord
) -> None:
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": _free_port()})
    core = await build_core(settings, clock=FixedClock(MONDAY_0830))
    alice = Actor("discord", DM_WORKSPACE, "4242", display_name="alice", timezone="UTC")
    dm = Place("discord", DM_WORKSPACE, None)
    for line in ("/path mlops", "/reminders day:mon time:09:00 tz:UTC"):
        assert not (await core.handle_text(alice, dm, line)).is_error
    await core.db.close()

    stop = asyncio.Event()
    running = asyncio.create_task(run(settings, stop=stop, clock=FixedClock(MONDAY_0900)))
    try:
        await fake.wait_for(lambda: running.done() or "4242" in fake.dm_channels)
        channel = fake.dm_channels["4242"]
        await fake.wait_for(lambda: fake.channel_messages.get(channel))
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
    (embed,) = fake.channel_messages[channel][0]["embeds"]
    assert embed["title"] == "Your weekly study reminder"
    assert "step 1 of 10 of the MLOps" in embed["description"]


async def test_a_rejected_token_stops_the_bot_with_one_line_and_closes_everything(
    settings: Settings, fake: FakeDiscord, caplog
) -> None:
    fake.accepted_token = "the-real-token"
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": _free_port()})
    await asyncio.wait_for(run(settings, stop=asyncio.Event()), 15)
    refusals = [r for r in caplog.records if "adapter could not start" in r.getMessage()]
    assert len(refusals) == 1 and "discord" in refusals[0].getMessage()
    assert "Traceback" not in caplog.text
    assert fake.identifies == 0  # never connected the gateway
    with socket.socket() as s:  # the HTTP server is gone: its port is free again
        s.bind(("127.0.0.1", settings.port))
