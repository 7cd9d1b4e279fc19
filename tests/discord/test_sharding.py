"""Gateway sharding: the real discord.py ``AutoShardedClient`` against the loopback fake.

The fake routes like Discord: a guild's events go to shard ``(guild_id >> 22) % count`` and DMs
to shard 0, so an interaction is answered only if the process running that shard handles it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import adapters.discord.client as client_module
from adapters.discord.runner import serve_discord
from adapters.discord.sharding import ShardPlan, ShardSettingsError, shard_for
from bot.config import Settings
from bot.core import Core
from tests.discord.conftest import RunningBot
from tests.discord.fake_discord import (
    GUILD_ID,
    SECOND_CHANNEL_ID,
    SECOND_GUILD_ID,
    FakeDiscord,
    button_press,
    interaction_payload,
    slash,
)
from tests.discord.fake_discord import shard_for as fake_shard_for

REPO = Path(__file__).resolve().parents[2]


def sharded(settings: Settings, count: int | None = None, ids: str | None = None) -> Settings:
    return settings.model_copy(
        update={
            "discord_shard_count": None if count is None else str(count),
            "discord_shard_ids": ids,
        }
    )


@pytest.fixture
def two_guilds(fake: FakeDiscord) -> FakeDiscord:
    """The bot is in two guilds, one on each shard of two; /gateway/bot recommends two shards
    and lets both IDENTIFY at once (max_concurrency 2)."""
    assert shard_for(int(GUILD_ID), 2) == 1 and shard_for(int(SECOND_GUILD_ID), 2) == 0
    fake.guild_ids = [GUILD_ID, SECOND_GUILD_ID]
    fake.shards = 2
    fake.max_concurrency = 2
    return fake


@pytest.fixture
async def replicas(core: Core, fake: FakeDiscord) -> AsyncIterator[list[RunningBot]]:
    """Bots started by a test; all stopped at the end."""
    running: list[RunningBot] = []
    yield running
    for bot in running:
        await bot.stop()


async def start(
    replicas: list[RunningBot], core: Core, settings: Settings, fake: FakeDiscord, shards: int
) -> RunningBot:
    """Start one replica and wait until ``shards`` connections are live in all."""
    bot = RunningBot(core, settings, fake)
    replicas.append(bot)
    await bot.start()
    await fake.wait_for(lambda: len(fake.live_shards()) >= shards)
    return bot


async def answered(fake: FakeDiscord, payload: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    record = await fake.interact(payload)
    message = await fake.wait_for(lambda: fake._final_message(record))
    return message, record.shards


def puts(fake: FakeDiscord) -> int:
    return sum(1 for r in fake.requests if r.method == "PUT")


# --- the plan from the settings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "ids", "plan"),
    [
        (None, None, ShardPlan(None, None)),
        ("", "", ShardPlan(None, None)),
        ("4", None, ShardPlan(4, None)),
        (" 4 ", "0,1", ShardPlan(4, (0, 1))),
        ("8", "4-7", ShardPlan(8, (4, 5, 6, 7))),
        ("8", "0, 2-3,", ShardPlan(8, (0, 2, 3))),
        (2, "1", ShardPlan(2, (1,))),
    ],
)
def test_shard_settings_parse(count: Any, ids: Any, plan: ShardPlan) -> None:
    assert ShardPlan.parse(count, ids) == plan


@pytest.mark.parametrize(
    ("count", "ids", "says"),
    [
        (None, "0,1", "DISCORD_SHARD_IDS is set but DISCORD_SHARD_COUNT is not"),
        ("2", "1,2", "DISCORD_SHARD_IDS has shard 2, but with DISCORD_SHARD_COUNT=2 shard ids"),
        ("4", "2-9", "has shard 9"),
        ("2", "1,1", "lists shard 1 more than once"),
        ("4", "0-2,2", "lists shard 2 more than once"),
        ("two", None, "DISCORD_SHARD_COUNT must be a whole number of shards, 1 or more"),
        ("0", None, "1 or more (it is '0')"),
        ("-3", "0", "1 or more"),
        ("2", "a", "like 0,1 or ranges like 4-7 (got 'a')"),
        ("2", "-1", "got '-1'"),
        ("4", "3-1", "got '3-1'"),
        ("2", " , ", "names no shard"),
    ],
)
def test_bad_shard_settings_say_what_is_wrong(count: Any, ids: Any, says: str) -> None:
    with pytest.raises(ShardSettingsError) as caught:
        ShardPlan.parse(count, ids)
    assert says in str(caught.value)


def test_only_a_replica_running_shard_zero_gets_dms_and_syncs() -> None:
    assert ShardPlan().runs_shard_zero and ShardPlan(4).runs_shard_zero
    assert ShardPlan(4, (3, 0)).runs_shard_zero
    assert not ShardPlan(4, (1, 2)).runs_shard_zero
    assert shard_for(None, 4) == 0 == fake_shard_for(None, 4)
    assert shard_for(int(GUILD_ID), 3) == fake_shard_for(GUILD_ID, 3) == (int(GUILD_ID) >> 22) % 3


# --- one process, Discord's recommended count ----------------------------------------------------


async def test_by_default_the_bot_asks_discord_and_runs_every_shard(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    fake = two_guilds
    await start(replicas, core, settings, fake, shards=2)
    assert any(r.method == "GET" and r.path == "/gateway/bot" for r in fake.requests)
    assert sorted(fake.identified) == [[0, 2], [1, 2]]  # type: ignore[type-var]
    assert fake.live_shards() == [(0, 2), (1, 2)]
    assert puts(fake) == 1, "commands synced once"

    # A slash command in each guild, each arriving on its own shard, and a DM (shard 0).
    message, shards = await answered(fake, interaction_payload(2, slash("path", name="mlops")))
    assert shards == [1] and "MLOps" in message["embeds"][0]["title"]
    second = interaction_payload(2, slash("path", name="app"), guild_id=SECOND_GUILD_ID)
    message, shards = await answered(fake, second)
    assert shards == [0] and "Application" in message["embeds"][0]["title"]
    assert second["channel_id"] == SECOND_CHANNEL_ID
    message, shards = await answered(fake, interaction_payload(2, slash("help"), dm=True))
    assert shards == [0] and message.get("embeds")

    # A button on shard 1.
    press = interaction_payload(3, button_press({}, "st:done:step:1"))
    message, shards = await answered(fake, press)
    assert shards == [1] and "Step 1 done" in (message.get("content") or str(message["embeds"]))


async def test_a_single_shard_bot_identifies_as_shard_0_of_1(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    assert fake.identified == [[0, 1]]
    message, shards = await answered(fake, interaction_payload(2, slash("help")))
    assert shards == [0] and message.get("embeds")


async def test_shards_wait_for_their_identify_bucket(
    core: Core,
    settings: Settings,
    two_guilds: FakeDiscord,
    replicas: list[RunningBot],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """max_concurrency 1: one IDENTIFY per interval (Discord's is 5 s; shortened here)."""
    monkeypatch.setattr(client_module, "IDENTIFY_INTERVAL", 0.4)
    two_guilds.max_concurrency = 1
    await start(replicas, core, settings, two_guilds, shards=2)
    first, second = two_guilds.identified_at
    assert second - first >= 0.35


async def test_shards_in_different_buckets_identify_together(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    """max_concurrency 2: shards 0 and 1 are in different buckets; neither waits the 5 s
    discord.py would wait by default."""
    await start(replicas, core, settings, two_guilds, shards=2)
    first, second = two_guilds.identified_at
    assert second - first < 2.5


async def test_a_dropped_shard_resumes_and_keeps_answering(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    fake = two_guilds
    await start(replicas, core, settings, fake, shards=2)
    await fake.drop_gateway(shard_id=1)
    await fake.wait_for(lambda: fake.resumes == 1)
    assert fake.identifies == 2 and fake.live_shards() == [(0, 2), (1, 2)]
    message, shards = await answered(fake, interaction_payload(2, slash("help")))
    assert shards == [1] and message.get("embeds")


# --- several replicas --------------------------------------------------------------------------


async def test_a_replica_runs_only_its_shards_and_does_not_sync(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    fake = two_guilds
    await start(replicas, core, sharded(settings, 2, "1"), fake, shards=1)
    await asyncio.sleep(0.3)  # time for a wrong second shard to show up
    assert fake.identified == [[1, 2]]
    assert puts(fake) == 0, "only the replica running shard 0 syncs commands"
    message, shards = await answered(fake, interaction_payload(2, slash("path", name="mlops")))
    assert shards == [1] and "MLOps" in message["embeds"][0]["title"]


async def test_two_replicas_split_the_shards_and_answer_everything_once(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    fake = two_guilds
    await start(replicas, core, sharded(settings, 2, "1"), fake, shards=1)
    await start(replicas, core, sharded(settings, 2, "0"), fake, shards=2)
    assert sorted(fake.identified) == [[0, 2], [1, 2]]  # type: ignore[type-var]
    assert fake.live_shards() == [(0, 2), (1, 2)]
    assert puts(fake) == 1, "synced by the replica running shard 0 only"

    for payload, shard in [
        (interaction_payload(2, slash("path", name="mlops")), 1),
        (interaction_payload(2, slash("path", name="app"), guild_id=SECOND_GUILD_ID), 0),
        (interaction_payload(2, slash("help"), dm=True), 0),
    ]:
        message, shards = await answered(fake, payload)
        assert shards == [shard] and message.get("embeds"), (shard, message)
        record = fake.interactions[payload["id"]]
        await asyncio.sleep(0.05)
        assert len(record.callbacks) == 1, "answered by exactly one replica"


async def test_with_a_count_only_every_shard_runs_here(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    two_guilds.shards = 1  # what Discord recommends does not matter once a count is set
    await start(replicas, core, sharded(settings, 2), two_guilds, shards=2)
    assert sorted(two_guilds.identified) == [[0, 2], [1, 2]]  # type: ignore[type-var]
    assert two_guilds.live_shards() == [(0, 2), (1, 2)]


# --- bad settings --------------------------------------------------------------------------------


async def test_serve_discord_refuses_bad_shards_before_connecting(
    core: Core, settings: Settings, fake: FakeDiscord
) -> None:
    with pytest.raises(ShardSettingsError, match="run from 0 to 1"):
        await serve_discord(core, sharded(settings, 2, "0,2"), asyncio.Event())
    assert fake.requests == [] and fake.identified == []


async def test_run_stops_with_one_clear_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.main.app import run

    caplog.set_level(logging.ERROR, logger="bot.main.app")
    with pytest.raises(SystemExit) as caught:
        await run(sharded(settings, None, "0,1"), stop=asyncio.Event())
    assert caught.value.code == 2
    assert "not starting: DISCORD_SHARD_IDS is set but DISCORD_SHARD_COUNT is not" in caplog.text


def test_the_cli_prints_the_error_not_a_traceback(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "SLACK_", "SKILLTREE_"))
    }
    env.update(
        DISCORD_TOKEN="fake-token-never-logged",
        DISCORD_SHARD_COUNT="2",
        DISCORD_SHARD_IDS="2",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        PORT="0",
        PYTHONPATH=str(REPO),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from bot.main.cli import main; sys.exit(main(['run']))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "DISCORD_SHARD_IDS has shard 2, but with DISCORD_SHARD_COUNT=2" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bot.db").exists(), "stopped before touching the database"


# --- the fake keeps Discord's rules ------------------------------------------------------------


@pytest.mark.parametrize(("shard", "code"), [([2, 2], 4010), ([0, 1], 4011)])
async def test_the_fake_closes_bad_shards_like_discord(
    fake: FakeDiscord, shard: list[int], code: int
) -> None:
    import aiohttp

    fake.min_shards = 2
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        assert (await ws.receive_json())["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": "t", "intents": 1, "shard": shard}})
        closed = await ws.receive()
        assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == code
    assert fake.identifies == 0 and fake.live_shards() == []


async def test_the_fake_sends_a_guild_only_to_its_shard(
    core: Core, settings: Settings, two_guilds: FakeDiscord, replicas: list[RunningBot]
) -> None:
    fake = two_guilds
    await start(replicas, core, sharded(settings, 2, "0"), fake, shards=1)
    with pytest.raises(TimeoutError):  # nobody runs shard 1: Discord would not deliver it
        await asyncio.wait_for(fake.interact(interaction_payload(2, slash("help"))), 0.5)
    message, shards = await answered(fake, interaction_payload(2, slash("help"), dm=True))
    assert shards == [0] and message.get("embeds")
