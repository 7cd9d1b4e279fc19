"""Slack's lifecycle: HTTP mode, or Socket Mode with an app token.

HTTP mode (bot token + signing secret) serves ``POST /slack/events`` — the URL every command,
interaction and event in ``manifest.yml`` points to. Socket Mode (``SLACK_APP_TOKEN`` also set)
needs no public URL: Slack hands out a WebSocket URL through ``apps.connections.open`` and
slack-sdk reconnects by itself. One workspace (the bot token's), or, with
``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``, every workspace that installs the app through
``GET /slack/install`` (see ``oauth.py``), in either mode.

``SlackAdapter`` is what ``skilltree run`` starts beside the other platforms, its routes on the
bot's one HTTP server; ``serve_slack`` runs it alone on a server of its own.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_slack_app
from adapters.slack.client import make_web_client
from adapters.slack.identity import PLATFORM
from adapters.slack.notifier import SlackNotifier
from adapters.slack.oauth import oauth_enabled
from adapters.slack.web import add_slack_routes, health_app
from bot.config import Settings
from bot.core import Core

log = logging.getLogger(__name__)


class SlackNotConfigured(ValueError):
    pass


class SlackAdapter:
    """Slack's lifecycle (``bot.ports.Adapter``): the Bolt app, its Web API client and the
    notifier are built at once, the routes added to ``http``; ``start`` connects Socket Mode
    when an app token is set (HTTP mode has nothing to connect)."""

    name = PLATFORM

    @classmethod
    def validate(cls, settings: Settings) -> None:
        """Settings that cannot work raise ``SlackNotConfigured`` (a ValueError), one line."""
        if settings.slack_bot_token is None and not oauth_enabled(settings):
            raise SlackNotConfigured(
                "SLACK_BOT_TOKEN is not set (nor SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
            )
        if settings.slack_app_token is None and settings.slack_signing_secret is None:
            raise SlackNotConfigured(
                "Slack's HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN)"
            )

    def __init__(
        self,
        core: Core,
        settings: Settings,
        http: web.Application,
        *,
        client: AsyncWebClient | None = None,
    ) -> None:
        self.validate(settings)
        client = client or make_web_client(settings)
        self.app = build_slack_app(core, settings, client=client)
        # With OAuth installs each workspace has its own token, found in the installation
        # store; with one SLACK_BOT_TOKEN the store is None and the client's token is used.
        self._notifier = SlackNotifier(client, installation_store=self.app.installation_store)
        self._client = client
        self._app_token: SecretStr | None = settings.slack_app_token
        secret = settings.slack_signing_secret
        # Socket Mode: /slack/events answers 404; the OAuth install routes are served either way.
        http_secret = None if self._app_token or secret is None else secret.get_secret_value()
        add_slack_routes(http, self.app, http_secret)
        self._socket: AsyncSocketModeHandler | None = None
        self._stopped = asyncio.Event()

    def notifier(self) -> SlackNotifier:
        return self._notifier

    async def start(self) -> None:
        if self._app_token is None:
            log.info("slack: HTTP mode, at /slack/events")
            return
        self._socket = AsyncSocketModeHandler(
            self.app, self._app_token.get_secret_value(), web_client=self._client
        )
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: Socket Mode connected")

    async def wait_stopped(self) -> None:
        """Slack never stops by itself: slack-sdk reconnects Socket Mode on its own."""
        await self._stopped.wait()

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        self._stopped.set()
        log.info("slack: stopped")


async def serve_slack(
    core: Core,
    settings: Settings,
    stop: asyncio.Event,
    *,
    client: AsyncWebClient | None = None,
) -> None:
    """``SlackAdapter`` alone, with ``GET /healthz``, until ``stop`` is set."""
    web_app = health_app()
    adapter = SlackAdapter(core, settings, web_app, client=client)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        await adapter.start()
        log.info("slack: serving on %s:%s", settings.host, settings.port)
        await stop.wait()
    finally:
        await adapter.stop()
        await runner.cleanup()
