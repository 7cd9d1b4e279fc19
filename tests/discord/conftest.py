"""Fixtures for the Discord adapter: a loopback fake Discord and the real bot talking to it.

These tests pin SQLite: they exercise the adapter and the wire, not the storage backend (the
core's own tests cover PostgreSQL).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from adapters.discord.notifier import DiscordNotifier
from adapters.discord.runner import DiscordAdapter
from bot.config import Settings
from bot.core import Core
from tests.discord.fake_discord import FakeDiscord, SpecValidator, find_spec

SPEC_PATH = find_spec()


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def spec() -> SpecValidator | None:
    """Discord's OpenAPI description, or None (with every spec-only test skipped) when the
    ``shared/specs`` directory is not beside the repository."""
    if SPEC_PATH is None:
        return None
    pytest.importorskip("jsonschema", reason="request validation needs jsonschema (test extra)")
    return SpecValidator(SPEC_PATH)


@pytest.fixture
def require_spec(spec: SpecValidator | None) -> SpecValidator:
    if spec is None:
        pytest.skip("shared/specs/discord-openapi.json not found in any parent directory")
    return spec


@pytest.fixture(autouse=True)
def _restore_endpoints() -> Iterator[None]:
    """``DiscordAdapter`` points discord.py's class-level URLs at the fake; put them back."""
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
async def fake(spec: SpecValidator | None) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(spec)
    await server.start()
    try:
        yield server
    finally:
        await server.close()
    assert server.spec_errors == [], "bodies that do not match Discord's OpenAPI description"


@pytest.fixture
def settings(fake: FakeDiscord, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token="fake-token-never-logged",
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
        discord_guild_ids=[],
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        output_dir=tmp_path / "out",
    )


class RunningBot:
    """``DiscordAdapter`` started as ``skilltree run`` starts it; ``restart()`` makes a new
    client. Its notifier exists before login, as the scheduler gets it."""

    def __init__(self, core: Core, settings: Settings, fake: FakeDiscord) -> None:
        self.core = core
        self.settings = settings
        self.fake = fake
        self.answer_budget = 2.0
        self.notifier: DiscordNotifier | None = None
        self._adapter: DiscordAdapter | None = None

    async def start(self) -> None:
        connected = self.fake.identifies + self.fake.resumes
        adapter = DiscordAdapter(self.core, self.settings, answer_budget=self.answer_budget)
        self._adapter = adapter
        self.notifier = adapter.notifier()
        await adapter.start()
        running = asyncio.create_task(adapter.wait_stopped())
        await self.fake.wait_for(
            lambda: running.done() or self.fake.identifies + self.fake.resumes > connected
        )
        if running.done():
            running.result()
        running.cancel()

    async def stop(self) -> None:
        if self._adapter is None:
            return
        await asyncio.wait_for(self._adapter.stop(), 10)
        self._adapter = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture
async def bot(core: Core, settings: Settings, fake: FakeDiscord) -> AsyncIterator[RunningBot]:
    running = RunningBot(core, settings, fake)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
