"""Run the Discord adapter until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.client import DEFAULT_ANSWER_BUDGET, SkilltreeClient
from adapters.discord.commands import sync_commands, sync_state_path
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.sharding import ShardPlan
from bot.config import Settings
from bot.core import Core

log = logging.getLogger(__name__)


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at ``settings`` (real Discord, or a loopback fake in tests).

    discord.py reads REST URLs from ``Route.BASE`` (also for interaction callbacks and
    webhooks). Its sharded client connects to the URL that ``GET /gateway/bot`` returns when
    it asks for the shard count, else (``DISCORD_SHARD_COUNT`` set) to
    ``DiscordWebSocket.DEFAULT_GATEWAY``; on reconnect it uses READY's ``resume_gateway_url``.
    """
    discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def serve_discord(
    core: Core,
    settings: Settings,
    stop: asyncio.Event,
    *,
    on_notifier: Callable[[DiscordNotifier], None] | None = None,
    answer_budget: float = DEFAULT_ANSWER_BUDGET,
) -> None:
    """Log in, sync commands if they changed, answer interactions until ``stop`` is set.

    ``on_notifier`` receives a ``DiscordNotifier`` bound to this client (and to the core's
    database, where it keeps DM channel ids) once logged in, for the scheduler. Login failures
    (a bad token) raise; network trouble is retried by discord.py with backoff. Shard settings
    that cannot work raise ``ShardSettingsError`` (a ValueError) before anything connects.
    """
    if settings.discord_token is None:
        raise ValueError("DISCORD_TOKEN is not set")
    shards = ShardPlan.parse(settings.discord_shard_count, settings.discord_shard_ids)
    token = settings.discord_token.get_secret_value()
    configure_endpoints(settings)
    client = SkilltreeClient(
        core,
        guild_ids=settings.discord_guild_ids,
        state_file=sync_state_path(settings),
        answer_budget=answer_budget,
        shards=shards,
    )
    async with client:
        await client.login(token)
        if on_notifier is not None:
            on_notifier(
                DiscordNotifier.from_client(
                    client,
                    core.directory,
                    requests_per_second=settings.discord_requests_per_second,
                )
            )
        running = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        stopping = asyncio.create_task(stop.wait(), name="discord-stop")
        try:
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not running.done():
                await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        log.info("Discord adapter stopped")


async def sync_now(settings: Settings) -> int:
    """``skilltree discord sync``: overwrite the commands now, whatever the fingerprint says
    (for an operator who changed or deleted them by hand). Returns a process exit code."""
    if settings.discord_token is None:
        print("skilltree: DISCORD_TOKEN is not set", file=sys.stderr)
        return 2
    configure_endpoints(settings)
    async with discord.Client(intents=discord.Intents.none()) as client:
        try:
            await client.login(settings.discord_token.get_secret_value())
        except discord.LoginFailure:
            print("skilltree: Discord rejected the token", file=sys.stderr)
            return 1
        assert client.application_id is not None  # set by login
        await sync_commands(
            client.http,
            client.application_id,
            settings.discord_guild_ids,
            state_file=sync_state_path(settings),
            force=True,
        )
    where = ", ".join(map(str, settings.discord_guild_ids)) or "all guilds (global)"
    print(f"synced Discord commands for {where}")
    return 0
