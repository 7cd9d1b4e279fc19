"""The Notifier port for Slack: weekly prompts and nudges outside any interaction.

``chat.postMessage`` with ``channel=<user id>`` posts in the app's DM with that person (Slack
opens it). When that is impossible — the person left, DMs with apps are off — the message goes
to their study channel instead. Rate limits (429 + Retry-After), 5xx and dropped connections are
retried by the client's retry handlers (see ``client.py``); what still fails becomes a
``DeliveryError`` whose ``permanent`` flag tells the scheduler whether to try again later.

Slack has no idempotency key for chat.postMessage, so ``key`` is only logged: duplicates are
prevented by the scheduler's delivery log, not here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.identity import PLATFORM
from adapters.slack.oauth import TeamTokens
from adapters.slack.render import fallback_text, render_blocks
from bot.ports import ChannelTarget, DeliveryError, UserTarget
from bot.types import Reply

log = logging.getLogger(__name__)

# A DM to this person cannot work; their study channel might.
DM_FALLBACK_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_found",
        "account_inactive",
        "cannot_dm_bot",
        "user_disabled",
        "messages_tab_disabled",
        "restricted_action",
    }
)
# Retrying later will not help.
PERMANENT_ERRORS = DM_FALLBACK_ERRORS | frozenset(
    {
        "is_archived",
        "channel_is_archived",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "account_inactive",
        "missing_scope",
        "invalid_blocks",
        "msg_too_long",
        "team_access_not_granted",
        "no_permission",
    }
)


def _error_code(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or f"http_{exc.response.status_code}")


class NotInstalled(DeliveryError):
    """The app has no installation (so no bot token) in the target's workspace."""


class SlackNotifier:
    """``installation_store`` (OAuth installs to many workspaces): each post uses the bot token
    stored for the target's workspace. Without it, the client's own token (one workspace)."""

    platform = PLATFORM

    def __init__(
        self, client: AsyncWebClient, *, installation_store: AsyncInstallationStore | None = None
    ) -> None:
        self.client = client
        self.tokens = TeamTokens(installation_store) if installation_store is not None else None

    async def _token(self, workspace: str, what: str) -> str | None:
        if self.tokens is None:
            return None  # the client's own
        try:
            token = await self.tokens.bot_token(workspace)
        except Exception as exc:  # the database: try again later
            raise DeliveryError(f"{what}: token lookup failed: {type(exc).__name__}") from exc
        if token is None:
            log.warning("slack: %s: the app is not installed in workspace %s", what, workspace)
            raise NotInstalled(f"{what}: not installed in {workspace}", permanent=True)
        return token

    async def _post(
        self, channel: str, reply: Reply, token: str | None, thread_ts: str | None = None
    ) -> dict[str, Any]:
        # No token=None: slack-sdk would then send no token at all, not the client's.
        extra: dict[str, Any] = {"token": token} if token is not None else {}
        if thread_ts is not None:
            extra["thread_ts"] = thread_ts
        resp = await self.client.chat_postMessage(
            channel=channel,
            blocks=render_blocks(reply),
            text=fallback_text(reply),
            **extra,
        )
        return dict(resp.data) if isinstance(resp.data, dict) else {}

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        token = await self._token(target.workspace, f"DM to {target.user_id}")
        try:
            await self._post(target.user_id, reply, token)
            return
        except SlackApiError as exc:
            code = _error_code(exc)
            if code not in DM_FALLBACK_ERRORS or not target.fallback_channel:
                raise self._delivery_error(exc, f"DM to {target.user_id}", key) from exc
            log.info("slack: DM to %s failed (%s); using their channel", target.user_id, code)
        except SlackClientError as exc:
            raise DeliveryError(f"DM to {target.user_id}: {type(exc).__name__}") from exc
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"DM to {target.user_id}: {type(exc).__name__}") from exc
        await self.send_to_channel(
            ChannelTarget(target.platform, target.workspace, target.fallback_channel),
            reply,
            key=key,
        )

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        """Slack posts a DM to the user id itself: no DM channel to keep."""

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> str | None:
        """The message's ``ts``: a thread under it is posted with ``thread_ts`` set to it."""
        return await self._send(target, target.channel_id, reply, key)

    async def open_thread(
        self, target: ChannelTarget, message_id: str, name: str, reply: Reply, *, key: str
    ) -> str:
        """A Slack thread is a reply under the message; its id is the parent's ``ts``."""
        await self._send(target, target.channel_id, reply, key, thread_ts=message_id)
        return message_id

    async def introduce(
        self, channel: ChannelTarget, users: Sequence[UserTarget], reply: Reply, *, key: str
    ) -> str:
        """A group DM of the buddies and the app (``conversations.open`` with several users)."""
        what = f"group DM in {channel.workspace}"
        token = await self._token(channel.workspace, what)
        workspace_token: dict[str, Any] = {"token": token} if token is not None else {}
        try:
            resp = await self.client.conversations_open(
                users=",".join(u.user_id for u in users), **workspace_token
            )
        except SlackApiError as exc:
            raise self._delivery_error(exc, what, key) from exc
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"{what}: {type(exc).__name__}") from exc
        conversation = str((resp.get("channel") or {}).get("id") or "")
        if not conversation:
            raise DeliveryError(f"{what}: conversations.open returned no channel")
        await self._send(channel, conversation, reply, key)
        return conversation

    async def _send(
        self,
        target: ChannelTarget,
        channel: str,
        reply: Reply,
        key: str,
        thread_ts: str | None = None,
    ) -> str | None:
        token = await self._token(target.workspace, f"post to {channel}")
        try:
            data = await self._post(channel, reply, token, thread_ts)
        except SlackApiError as exc:
            raise self._delivery_error(exc, f"post to {channel}", key) from exc
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"post to {channel}: {type(exc).__name__}") from exc
        ts = data.get("ts")
        return str(ts) if ts else None

    @staticmethod
    def _delivery_error(exc: SlackApiError, what: str, key: str) -> DeliveryError:
        code = _error_code(exc)
        permanent = code in PERMANENT_ERRORS
        log.warning("slack: %s failed (%s, key %s, permanent=%s)", what, code, key, permanent)
        return DeliveryError(f"{what}: {code}", permanent=permanent)
