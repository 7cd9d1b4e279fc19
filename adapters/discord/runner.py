"""Run the Discord adapter until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

from adapters.discord.client import DEFAULT_ANSWER_BUDGET, PLATFORM, SkilltreeClient
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


class DiscordAdapter:
    """Discord's lifecycle for ``skilltree run`` (``bot.ports.Adapter``).

    The client and its notifier are built at once: discord.py's HTTP client exists before
    login, so the scheduler holds a working notifier from its first tick instead of waiting
    for a callback after login. ``start`` logs in (a rejected token raises) and connects the
    gateway in the background; discord.py retries network trouble with backoff by itself.
    """

    name = PLATFORM

    @classmethod
    def validate(cls, settings: Settings) -> None:
        """Settings that cannot work raise ``ValueError`` (``ShardSettingsError``) with one line,
        before anything connects."""
        if settings.discord_token is None:
            raise ValueError("DISCORD_TOKEN is not set")
        ShardPlan.parse(settings.discord_shard_count, settings.discord_shard_ids)

    def __init__(
        self,
        core: Core,
        settings: Settings,
        http: web.Application | None = None,
        *,
        answer_budget: float = DEFAULT_ANSWER_BUDGET,
    ) -> None:
        """``http``: the bot's shared HTTP server; Discord serves nothing on it (the gateway
        is a WebSocket we dial out on)."""
        self.validate(settings)
        assert settings.discord_token is not None
        self._token = settings.discord_token
        self._settings = settings
        self.client = SkilltreeClient(
            core,
            guild_ids=settings.discord_guild_ids,
            state_file=sync_state_path(settings),
            answer_budget=answer_budget,
            shards=ShardPlan.parse(settings.discord_shard_count, settings.discord_shard_ids),
        )
        self._notifier = DiscordNotifier.from_client(
            self.client,
            core.directory,
            requests_per_second=settings.discord_requests_per_second,
        )
        self._gateway: asyncio.Task[None] | None = None

    def notifier(self) -> DiscordNotifier:
        return self._notifier

    async def start(self) -> None:
        configure_endpoints(self._settings)
        await self.client.login(self._token.get_secret_value())
        self._gateway = asyncio.create_task(
            self.client.connect(reconnect=True), name="discord-gateway"
        )

    async def wait_stopped(self) -> None:
        """Returns (or raises) when the gateway connection ends by itself."""
        if self._gateway is not None:
            await asyncio.shield(self._gateway)

    async def stop(self) -> None:
        if not self.client.is_closed():
            await self.client.close()
        if self._gateway is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._gateway
        log.info("Discord adapter stopped")


async def serve_discord(
    core: Core,
    settings: Settings,
    stop: asyncio.Event,
    *,
    answer_budget: float = DEFAULT_ANSWER_BUDGET,
) -> None:
    """``DiscordAdapter`` alone until ``stop`` is set or the gateway ends (its error raised).
    Settings that cannot work raise before anything connects."""
    adapter = DiscordAdapter(core, settings, answer_budget=answer_budget)
    try:
        await adapter.start()
        stopping = asyncio.create_task(stop.wait(), name="discord-stop")
        running = asyncio.create_task(adapter.wait_stopped(), name="discord-running")
        try:
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if running.done():
            running.result()
        else:
            running.cancel()
    finally:
        await adapter.stop()


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
