"""Installs to many workspaces: Bolt's OAuth flow, with installations kept in our database.

When ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are set, ``GET /slack/install`` sends the
installer to Slack's authorize page (with a one-time ``state``, also set as a cookie) and
``GET /slack/oauth_redirect`` exchanges the code (``oauth.v2.access``) and stores the workspace's
bot token. slack_sdk's SQLAlchemy stores do the reading and writing on the bot's own
``AsyncEngine``; their tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``)
are created by our migration 0004 (see ``bot/db/models.py``), never by ``create_tables()``.

Each request is then authorised by Bolt with the team's bot token (``context.client``), and
``TeamTokens`` gives the same token to work done outside a request (the notifier).
"""

from __future__ import annotations

import logging

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.manifest import BOT_SCOPES
from bot.config import Settings

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # how long an install link's state stays valid


def oauth_enabled(settings: Settings) -> bool:
    """Many workspaces (OAuth installs) when both the client id and secret are set."""
    return settings.has_slack_oauth


def oauth_settings(settings: Settings, engine: AsyncEngine) -> AsyncOAuthSettings:
    """Bolt's OAuth settings: our bot scopes, the stores on ``engine``, our two paths."""
    if not oauth_enabled(settings):
        raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are both needed for OAuth")
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    client_id = settings.slack_client_id
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine),
        installation_store_bot_only=True,  # no user tokens are asked for
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine),
        state_expiration_seconds=STATE_SECONDS,
    )


def cached_authorize(
    oauth: AsyncOAuthSettings, client: AsyncWebClient
) -> AsyncInstallationStoreAuthorize:
    """Bolt's authorize for every request, before any listener can ack: the team's bot token
    from the store, checked once per token with ``auth.test`` (Bolt's default checks on every
    request, a Slack round trip inside the 3 seconds). An uninstalled team's rows are gone,
    so a cached check never outlives its installation."""
    return AsyncInstallationStoreAuthorize(
        logger=logging.getLogger("slack_bolt.AsyncApp"),
        installation_store=oauth.installation_store,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )


class TeamTokens:
    """A workspace's bot token, from the installation store (None: not installed there)."""

    def __init__(self, store: AsyncInstallationStore) -> None:
        self.store = store

    async def bot_token(self, team_id: str) -> str | None:
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None
