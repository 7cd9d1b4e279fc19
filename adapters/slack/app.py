"""The Bolt app: one slash command listener per core command, one button listener, App Home
(its dashboard is drawn in ``home.py``).

Every listener acks first: Slack gives 3 s, and the database may be slower than that. The
answer then goes through the interaction's ``response_url`` (valid 30 minutes), so it can
take as long as it needs. Nothing here does I/O until a request arrives.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.client import make_web_client
from adapters.slack.home import home_blocks, safely
from adapters.slack.identity import PLATFORM, UserDirectory, is_dm, place_for
from adapters.slack.manifest import UNINSTALL_EVENTS
from adapters.slack.modal import (
    CALLBACK_ID,
    OPEN_ACTION,
    TZ_ACTION,
    open_button,
    reminders_view,
    submitted,
    timezone_options,
)
from adapters.slack.oauth import cached_authorize, oauth_enabled, oauth_settings
from adapters.slack.render import (
    MAX_BLOCKS,
    Block,
    context_block,
    fallback_text,
    parse_action_value,
    render_blocks,
)
from adapters.slack.surface import slash_command_names
from bot.config import Settings
from bot.core import Core
from bot.db import DatabaseUnavailable
from bot.i18n import tr
from bot.types import Actor, Attachment, Locale, Place, Reply, normalize_locale

log = logging.getLogger(__name__)

ACTION_PATTERN = re.compile(r"^st:")
Respond = Callable[..., Awaitable[Any]]


# The forms a reply may offer (``Reply.form``), each a button that opens its modal.
FORMS: dict[str, Callable[[Locale], Block]] = {"reminders": open_button}


class SlackBot:
    """What the listeners share: the core, the Web API client and the user directory."""

    def __init__(self, core: Core, settings: Settings, client: AsyncWebClient) -> None:
        self.core = core
        self.client = client
        self.directory = UserDirectory(
            client,
            admin_user_ids=settings.slack_admin_user_ids,
            default_locale=normalize_locale(settings.default_locale),
        )

    # --- listeners ------------------------------------------------------------------------

    def command_listener(self, name: str) -> Callable[..., Awaitable[None]]:
        async def on_command(
            ack: Any,
            command: dict[str, Any],
            respond: Respond,
            client: AsyncWebClient | None = None,
        ) -> None:
            await ack()  # before any database work: Slack waits 3 s at most
            team = str(command.get("team_id") or "")
            actor = await self.directory.actor(
                team,
                str(command.get("user_id") or ""),
                str(command.get("user_name") or ""),
                client,
            )
            place = place_for(team, command.get("channel_id"), command.get("channel_name"))
            text = str(command.get("text") or "")
            reply = await safely(
                actor, self.core.handle_command_text(actor, place, name, text, "slash")
            )
            # Slack users change settings in a form: offer it under the text answer.
            form = FORMS.get(reply.form or "")
            extra = [form(actor.locale)] if form is not None and not reply.is_error else []
            await self.deliver(reply, actor, place, respond, client, extra=extra)

        on_command.__name__ = f"on_{name.replace('-', '_')}"
        return on_command

    async def on_action(
        self,
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Respond,
        client: AsyncWebClient | None = None,
    ) -> None:
        await ack()
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        actor = await self.directory.actor(
            team,
            str(user.get("id") or ""),
            str(user.get("username") or user.get("name") or ""),
            client,
        )
        from_home = (body.get("view") or {}).get("type") == "home"
        if from_home:
            place = Place(PLATFORM, team, None)  # the Home tab is no channel
        else:
            place = place_for(team, (body.get("channel") or {}).get("id"))
        value = parse_action_value(action.get("value"))
        if value is None:
            reply = Reply(
                text=tr(
                    actor.locale, "That button no longer works. Type `/help` to see every command."
                ),
                kind="error",
            )
        else:
            reply = await safely(
                actor, self.core.handle_text(actor, place, "/" + value, source="button")
            )
        if from_home:
            await self.publish_home(actor, last=reply, client=client)
        else:
            await self.deliver(reply, actor, place, respond, client)

    async def on_home_opened(
        self,
        ack: Any,
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient | None = None,
    ) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        team = str(body.get("team_id") or event.get("view", {}).get("team_id") or "")
        actor = await self.directory.actor(team, str(event.get("user") or ""), client=client)
        await self.publish_home(actor, client=client)

    async def on_open_reminders(
        self, ack: Any, body: dict[str, Any], client: AsyncWebClient | None = None
    ) -> None:
        await ack()
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        actor = await self.directory.actor(team, str(user.get("id") or ""), client=client)
        try:
            weekday, local_time, chosen = await self.core.directory.reminder_settings(
                PLATFORM, team, actor.user_id
            )
        except DatabaseUnavailable:
            weekday, local_time, chosen = 0, "09:00", None
        channel = (body.get("channel") or {}).get("id")
        view = reminders_view(
            actor.locale,
            weekday=weekday,
            local_time=local_time,
            timezone=chosen or actor.timezone or "UTC",
            channel=None if is_dm(channel) else channel,
        )
        try:
            await (client or self.client).views_open(trigger_id=body.get("trigger_id"), view=view)
        except Exception:
            log.exception("slack: opening the reminder settings failed")

    async def on_timezone_options(self, ack: Any, payload: dict[str, Any]) -> None:
        await ack(options=timezone_options(str(payload.get("value") or "")))

    async def on_reminders_saved(
        self,
        ack: Any,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient | None = None,
    ) -> None:
        await ack()  # closes the form; the answer follows as a message
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        actor = await self.directory.actor(team, str(user.get("id") or ""), client=client)
        channel = str(view.get("private_metadata") or "") or None
        place = place_for(team, channel)
        reply = await safely(
            actor, self.core.invoke(actor, place, "reminders", submitted(view), "button")
        )
        web = client or self.client
        try:
            blocks = render_blocks(reply)
            if channel:
                await web.chat_postEphemeral(
                    channel=channel, user=actor.user_id, blocks=blocks, text=fallback_text(reply)
                )
            else:
                await web.chat_postMessage(
                    channel=actor.user_id, blocks=blocks, text=fallback_text(reply)
                )
        except Exception:
            log.exception("slack: answering a saved reminder form failed")
        await self.publish_home(actor, client=client)

    # --- output ---------------------------------------------------------------------------

    async def deliver(
        self,
        reply: Reply,
        actor: Actor,
        place: Place,
        respond: Respond,
        client: AsyncWebClient | None = None,
        *,
        extra: list[Block] | None = None,
    ) -> None:
        """Answer through response_url: ephemeral unless the core says everyone may see it.

        Files follow the answer: a public answer's files (the leaderboard picture) are posted
        in its channel after it; a private answer's files (the data export, an admin's CSV)
        go to the person's DM with the bot, never to a channel others can read. ``client`` is
        the request's (its workspace's token); the bot's own client when None.
        """
        public = not reply.ephemeral and place.channel_id is not None
        notes: list[str] = []
        if not public:
            notes = [await self._send_file(actor, None, att, client) for att in reply.attachments]
        blocks = render_blocks(reply)
        if extra:
            blocks = [*blocks[: MAX_BLOCKS - len(extra)], *extra]
        if notes:
            blocks = [*blocks[: MAX_BLOCKS - 1], context_block(*notes)]
        await self._respond(
            respond,
            response_type="ephemeral" if reply.ephemeral else "in_channel",
            blocks=blocks,
            text=fallback_text(reply),
        )
        if public:
            for att in reply.attachments:
                if not await self._upload(actor, place.channel_id, att, client):
                    note = tr(
                        actor.locale,
                        "I could not upload `{name}`; please try again later.",
                        name=att.filename,
                    )
                    await self._respond(respond, response_type="ephemeral", text=note)

    async def _respond(self, respond: Respond, **kwargs: Any) -> None:
        try:
            await respond(replace_original=False, **kwargs)
        except Exception as exc:  # the URL itself is a credential: do not log it
            log.warning("slack: answering via response_url failed: %s", type(exc).__name__)

    async def _send_file(
        self, actor: Actor, channel: str | None, att: Attachment, client: AsyncWebClient | None
    ) -> str:
        ok = await self._upload(actor, channel, att, client)
        if ok:
            return tr(actor.locale, "I sent `{name}` to our direct messages.", name=att.filename)
        return tr(
            actor.locale,
            "I could not upload `{name}`; please try again later.",
            name=att.filename,
        )

    async def _upload(
        self,
        actor: Actor,
        channel: str | None,
        att: Attachment,
        client: AsyncWebClient | None = None,
    ) -> bool:
        """files_upload_v2 into ``channel``, or into the person's DM with the bot when None."""
        client = client or self.client
        try:
            if channel is None:
                opened = await client.conversations_open(users=actor.user_id)
                channel = str((opened.get("channel") or {}).get("id") or "")
            await client.files_upload_v2(
                channel=channel,
                filename=att.filename,
                content=att.data,
                title=att.filename,
                alt_txt=(att.alt or None) if att.is_image else None,
            )
        except (SlackApiError, SlackRequestError, OSError, TimeoutError, ValueError) as exc:
            log.warning("slack: uploading %s failed: %s", att.filename, type(exc).__name__)
            return False
        return True

    async def publish_home(
        self, actor: Actor, last: Reply | None = None, client: AsyncWebClient | None = None
    ) -> None:
        try:
            blocks = await home_blocks(self.core, actor, last)
            await (client or self.client).views_publish(
                user_id=actor.user_id, view={"type": "home", "blocks": blocks}
            )
        except Exception:
            log.exception("slack: publishing the Home tab failed")


async def require_identity(
    body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse:
    """Refuse (400) a command or click that names no person or has nowhere to answer, before
    any listener acks it: there is no one to answer and nothing to store."""
    if "command" in body:
        needed = (body.get("team_id"), body.get("user_id"), body.get("response_url"))
        if not all(isinstance(v, str) and v for v in needed):
            return BoltResponse(status=400, body="incomplete slash command")
    elif body.get("type") == "block_actions":
        user = body.get("user")
        if not isinstance(user, dict) or not user.get("id") or not body.get("actions"):
            return BoltResponse(status=400, body="incomplete interaction")
    return await next()


async def _ack_only(ack: Any) -> None:
    await ack()


def build_slack_app(
    core: Core, settings: Settings, *, client: AsyncWebClient | None = None
) -> AsyncApp:
    """The Bolt app for ``core``. It checks no signatures itself: ``add_slack_routes`` does, once
    per request, in HTTP mode.

    With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set the app installs to many
    workspaces (see ``oauth.py``): no fixed token, each request runs with its workspace's bot
    token from the installations in ``core.db``, and ``app.installation_store`` is what the
    notifier needs (``SlackNotifier(client, installation_store=app.installation_store)``).
    Otherwise one workspace, the bot token's (``SLACK_BOT_TOKEN``).
    """
    client = client or make_web_client(settings)
    secret = settings.slack_signing_secret
    multi = oauth_enabled(settings)
    if multi and client.token is not None:
        # The app-wide client carries no token: every call uses its workspace's.
        client = make_web_client(settings.model_copy(update={"slack_bot_token": None}))
    oauth = oauth_settings(settings, core.db.engine) if multi else None
    app = AsyncApp(
        client=client,
        signing_secret=secret.get_secret_value() if secret else None,
        # Checked once, by our endpoint (web.py), which also refuses replays before dispatch;
        # Socket Mode requests come over our own authenticated WebSocket and carry none.
        request_verification_enabled=False,
        # Ack first, answer later: the HTTP response goes out as soon as ack() is called.
        process_before_response=False,
        oauth_settings=oauth,
        # Bolt takes an AsyncAuthorize instance here too (its type hint says a callable).
        authorize=cached_authorize(oauth, client) if oauth is not None else None,  # type: ignore[arg-type]
    )
    bot = SlackBot(core, settings, client)
    app.middleware(require_identity)
    for name in slash_command_names():
        app.command(f"/{name}")(bot.command_listener(name))
    app.action(ACTION_PATTERN)(bot.on_action)
    app.event("app_home_opened")(bot.on_home_opened)
    app.action(OPEN_ACTION)(bot.on_open_reminders)
    app.options(TZ_ACTION)(bot.on_timezone_options)
    app.view(CALLBACK_ID)(bot.on_reminders_saved)
    if multi:
        # app_uninstalled / tokens_revoked: delete that workspace's stored tokens.
        app.enable_token_revocation_listeners()
    else:
        for name in UNINSTALL_EVENTS:  # subscribed in the manifest; nothing to forget here
            app.event(name)(_ack_only)
    return app
