"""Run the Slack adapter until ``stop`` is set: HTTP mode, or Socket Mode with an app token.

HTTP mode (bot token + signing secret) serves ``POST /slack/events`` — the URL every command,
interaction and event in ``manifest.yml`` points to — and ``GET /healthz``. Socket Mode
(``SLACK_APP_TOKEN`` also set) needs no public URL: Slack hands out a WebSocket URL through
``apps.connections.open`` and slack-sdk reconnects by itself; ``/healthz`` is still served.
One workspace (the bot token's), or, with ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``, every
workspace that installs the app through ``GET /slack/install`` (see ``oauth.py``).
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_slack_app
from adapters.slack.client import make_web_client
from adapters.slack.oauth import oauth_enabled
from adapters.slack.web import build_web_app
from bot.config import Settings
from bot.core import Core

log = logging.getLogger(__name__)


class SlackNotConfigured(RuntimeError):
    pass


async def serve_slack(
    core: Core,
    settings: Settings,
    stop: asyncio.Event,
    *,
    client: AsyncWebClient | None = None,
) -> None:
    if settings.slack_bot_token is None and not oauth_enabled(settings):
        raise SlackNotConfigured(
            "SLACK_BOT_TOKEN is not set (nor SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
        )
    socket_mode = settings.slack_app_token is not None
    if not socket_mode and settings.slack_signing_secret is None:
        raise SlackNotConfigured("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN)")
    client = client or make_web_client(settings)
    app = build_slack_app(core, settings, client=client)
    secret = settings.slack_signing_secret
    http_secret = None if socket_mode or secret is None else secret.get_secret_value()
    runner = web.AppRunner(build_web_app(app, http_secret), access_log=None)
    await runner.setup()
    handler: AsyncSocketModeHandler | None = None
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        if socket_mode:
            assert settings.slack_app_token is not None
            handler = AsyncSocketModeHandler(
                app, settings.slack_app_token.get_secret_value(), web_client=client
            )
            await handler.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack: Socket Mode connected; health on %s:%s", settings.host, settings.port)
        else:
            log.info("slack: HTTP mode on %s:%s/slack/events", settings.host, settings.port)
        await stop.wait()
    finally:
        if handler is not None:
            await handler.close_async()  # type: ignore[no-untyped-call]
        await runner.cleanup()
        log.info("slack: stopped")
