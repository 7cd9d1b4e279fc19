"""Messages outside any interaction (weekly prompts, nudges) over discord.py's HTTP client.

A DM needs a DM channel: we open it once per person and remember its id, in memory and (given
the core's ``Directory``) in the database, so after a restart a DM is still one request. A
remembered channel that Discord no longer accepts (10003 Unknown Channel, 50007) is forgotten,
reopened once and the message retried. When a person does not accept DMs from the bot (error
50007 on a freshly opened channel) the message goes to their study channel with a mention
instead. Every message carries a nonce derived from the caller's key with
``enforce_nonce``, so a retried send within Discord's dedupe window is not posted twice.

**Pacing.** Discord allows a bot 50 REST requests per second in all (the global limit;
interaction answers are exempt), and discord.py only learns of it from a 429, after which a
weekly fan-out keeps meeting 429s. So every request this notifier makes (opening a DM channel,
posting a message) first takes a token from one leaky bucket per notifier (``aiolimiter``):
``requests_per_second`` on average (default 50) with a small burst (a tenth of a second's
worth), so the platform's own bucket is never drained. A 429 that still comes (another process
on the same token, traffic outside this notifier) is waited out by discord.py as before, and
once it gives up, raised as a transient ``DeliveryError`` for the scheduler to retry.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from typing import Any, Literal

import aiohttp
import discord
from aiolimiter import AsyncLimiter
from discord.http import HTTPClient, handle_message_parameters

from adapters.discord.client import DM_WORKSPACE, PLATFORM
from adapters.discord.render import render
from bot.db import DatabaseUnavailable
from bot.directory import Directory
from bot.lru import Lru
from bot.ports import ChannelTarget, DeliveryError, UserTarget
from bot.types import Reply

log = logging.getLogger(__name__)

CANNOT_DM = 50007  # "Cannot send messages to this user"
UNKNOWN_CHANNEL = 10003
STALE_DM_CODES = (UNKNOWN_CHANNEL, CANNOT_DM)  # on a remembered channel: reopen once, retry
MAX_NONCE = 25
GLOBAL_RATE = 50.0  # requests per second: Discord's global limit per bot token
BURST_SECONDS = 0.1  # the bucket holds this many seconds' worth of requests


def nonce_for(key: str) -> str:
    """Discord nonces are at most 25 characters. A short key is used as is; a longer one is
    hashed, since two keys sharing a 25-character prefix must not silence each other."""
    if len(key) <= MAX_NONCE:
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:MAX_NONCE]


def _is_transient(exc: BaseException) -> bool:
    return isinstance(
        exc,
        discord.DiscordServerError
        | discord.RateLimited
        | aiohttp.ClientError
        | OSError
        | asyncio.TimeoutError,
    )


PRIVATE_THREAD: Literal[12] = 12
WEEK_MINUTES: Literal[10080] = 10080  # a thread left quiet for a week archives itself
REMEMBERED_THREADS = 1024  # buddies' threads kept by key, for retries within a tick


class _OnlyMention(discord.AllowedMentions):
    """Ping only the people a post is for (never @everyone or roles). discord.py would send
    user ids as integers; the API types snowflakes as strings."""

    def __init__(self, *user_ids: str | None) -> None:
        super().__init__(everyone=False, roles=False, users=False, replied_user=False)
        self.user_ids = [u for u in user_ids if u]

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return {"parse": [], "users": self.user_ids}


class DiscordNotifier:
    platform = PLATFORM

    def __init__(
        self,
        http: HTTPClient,
        directory: Directory | None = None,
        *,
        requests_per_second: float | None = GLOBAL_RATE,
        burst: int | None = None,
    ) -> None:
        """``requests_per_second``: the pace of this notifier's requests (``None``: unpaced);
        ``burst``: how many may go at once after a pause (default: 0.1 s worth, at least 1)."""
        self.http = http
        self.directory = directory  # None: DM channels are remembered for this process only
        self._dm_channels: dict[str, str] = {}
        # Buddies' threads by their introduction's key: a retried introduction (a member
        # could not be added, the post failed) goes on in the thread it already opened.
        self._buddy_threads: Lru[str, str] = Lru(REMEMBERED_THREADS)
        self._limiter: AsyncLimiter | None = None
        if requests_per_second is not None:
            if requests_per_second <= 0:
                raise ValueError("requests_per_second must be positive (or None: unpaced)")
            size = burst if burst is not None else round(requests_per_second * BURST_SECONDS)
            size = max(1, size)
            self._limiter = AsyncLimiter(size, size / requests_per_second)

    @classmethod
    def from_client(
        cls,
        client: discord.Client,
        directory: Directory | None = None,
        *,
        requests_per_second: float | None = GLOBAL_RATE,
    ) -> DiscordNotifier:
        return cls(client.http, directory, requests_per_second=requests_per_second)

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        workspace = None if target.workspace == DM_WORKSPACE else target.workspace
        try:
            await self._send_dm(target, reply, key=key, workspace=workspace)
            return
        except discord.Forbidden as exc:
            if exc.code != CANNOT_DM:
                raise self._failure(exc, f"DM to {target.user_id}") from exc
            if not target.fallback_channel:
                raise DeliveryError(
                    f"user {target.user_id} does not accept DMs and has no study channel",
                    permanent=True,
                ) from exc
            log.info("user %s does not accept DMs; posting in their channel", target.user_id)
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_CHANNEL:  # even a freshly opened DM channel: try later
                self._dm_channels.pop(target.user_id, None)
                raise DeliveryError(f"DM to {target.user_id}: stale DM channel") from exc
            raise self._failure(exc, f"DM to {target.user_id}") from exc
        except Exception as exc:
            if _is_transient(exc):
                raise DeliveryError(f"DM to {target.user_id}: {exc!r}") from exc
            raise
        await self._send_channel(
            target.fallback_channel, reply, key=key, mention=target.user_id, workspace=None
        )
        return

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        """A DM channel id the caller has just read from the directory (the scheduler reads the
        person's row anyway): the next DM needs no directory read. One opened or reopened by
        this process since is newer, and kept."""
        self._dm_channels.setdefault(target.user_id, channel_id)

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> str:
        return await self._send_channel(
            target.channel_id, reply, key=key, mention=None, workspace=None
        )

    async def open_thread(
        self, target: ChannelTarget, message_id: str, name: str, reply: Reply, *, key: str
    ) -> str:
        """A public thread from the prompt's message, with the invitation as its first post."""
        what = f"thread under {target.channel_id}/{message_id}"
        try:
            await self._pace()
            thread = await self.http.start_thread_with_message(
                target.channel_id, message_id, name=name[:100], auto_archive_duration=WEEK_MINUTES
            )
            thread_id = str(thread["id"])
            await self._post(thread_id, reply, key=key)
        except discord.HTTPException as exc:
            raise self._failure(exc, what) from exc
        return thread_id

    async def introduce(
        self, channel: ChannelTarget, users: Sequence[UserTarget], reply: Reply, *, key: str
    ) -> str:
        """A private thread in the study channel: only its members (and moderators) see it.
        Each is added, then the introduction mentions them all."""
        what = f"buddies thread in {channel.channel_id}"
        try:
            thread_id = self._buddy_threads.get(key)
            if thread_id is None:
                await self._pace()
                thread = await self.http.start_thread_without_message(
                    channel.channel_id,
                    name=reply.title[:100] if reply.title else "study buddies",
                    auto_archive_duration=WEEK_MINUTES,
                    type=PRIVATE_THREAD,
                    invitable=False,
                )
                thread_id = self._buddy_threads.put(key, str(thread["id"]))
            for user in users:  # adding a member twice is harmless (PUT)
                await self._pace()
                await self.http.add_user_to_thread(thread_id, user.user_id)
            await self._post(thread_id, reply, key=key, mentions=[u.user_id for u in users])
        except discord.HTTPException as exc:
            raise self._failure(exc, what) from exc
        except Exception as exc:
            if _is_transient(exc):
                raise DeliveryError(f"{what}: {exc!r}") from exc
            raise
        return thread_id

    # --- internals -------------------------------------------------------------------------

    async def _send_channel(
        self, channel_id: str, reply: Reply, *, key: str, mention: str | None, workspace: str | None
    ) -> str:
        try:
            mentions = [mention] if mention else []
            return await self._post(
                channel_id, reply, key=key, mentions=mentions, workspace=workspace
            )
        except discord.HTTPException as exc:
            raise self._failure(exc, f"channel {channel_id}") from exc
        except Exception as exc:
            if _is_transient(exc):
                raise DeliveryError(f"channel {channel_id}: {exc!r}") from exc
            raise

    async def _send_dm(
        self, target: UserTarget, reply: Reply, *, key: str, workspace: str | None
    ) -> None:
        """Post in the person's DM channel: a remembered one if we have it (one request), else
        a new one. A remembered channel Discord refuses is reopened once and the post retried;
        nothing was posted by the refused request, so the retry cannot duplicate it."""
        channel_id = await self._remembered_dm_channel(target)
        if channel_id is not None:
            try:
                await self._post(channel_id, reply, key=key, workspace=workspace)
                return
            except discord.HTTPException as exc:
                if exc.code not in STALE_DM_CODES:
                    raise
                log.info(
                    "DM channel %s of user %s refused (%s); opening it again",
                    channel_id,
                    target.user_id,
                    exc.code,
                )
                await self._forget_dm_channel(target, channel_id)
        channel_id = await self._open_dm_channel(target)
        await self._post(channel_id, reply, key=key, workspace=workspace)

    async def _remembered_dm_channel(self, target: UserTarget) -> str | None:
        cached = self._dm_channels.get(target.user_id)
        if cached is not None or self.directory is None:
            return cached
        try:
            stored = await self.directory.dm_channel(PLATFORM, target.workspace, target.user_id)
        except DatabaseUnavailable as exc:
            log.warning("could not read the DM channel of user %s: %s", target.user_id, exc)
            return None
        if stored:
            self._dm_channels[target.user_id] = stored
        return stored or None

    async def _open_dm_channel(self, target: UserTarget) -> str:
        # The id goes out as a string snowflake, as the API description types it.
        await self._pace()
        data = await self.http.start_private_message(target.user_id)
        channel_id = str(data["id"])
        self._dm_channels[target.user_id] = channel_id
        await self._store_dm_channel(target, channel_id)
        return channel_id

    async def _forget_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        if self._dm_channels.get(target.user_id) == channel_id:
            del self._dm_channels[target.user_id]
        await self._store_dm_channel(target, None, replacing=channel_id)

    async def _store_dm_channel(
        self, target: UserTarget, channel_id: str | None, *, replacing: str | None = None
    ) -> None:
        """Best effort: a cache the database cannot hold costs one request later, no more."""
        if self.directory is None:
            return
        try:
            await self.directory.set_dm_channel(
                PLATFORM, target.user_id, channel_id, replacing=replacing
            )
        except DatabaseUnavailable as exc:
            log.warning("could not save the DM channel of user %s: %s", target.user_id, exc)

    async def _post(
        self,
        channel_id: str,
        reply: Reply,
        *,
        key: str,
        mentions: Sequence[str] = (),
        workspace: str | None = None,
    ) -> str:
        """Post; the message's id."""
        out = render(reply, workspace=workspace)
        content = out.content
        if mentions:
            pings = " ".join(f"<@{m}>" for m in mentions)
            content = f"{pings} {content}" if content else pings
        params = handle_message_parameters(
            content=content,
            embed=out.embed if out.embed is not None else discord.utils.MISSING,
            view=out.view if out.view is not None else discord.utils.MISSING,
            files=out.files or discord.utils.MISSING,
            nonce=nonce_for(key),
            allowed_mentions=_OnlyMention(*mentions),
        )
        try:
            await self._pace()
            message = await self.http.send_message(int(channel_id), params=params)
            return str(message["id"])
        finally:
            for file in out.files:
                file.close()

    async def _pace(self) -> None:
        """Wait for this request's turn under the global limit (every REST request we make)."""
        if self._limiter is not None:
            await self._limiter.acquire()

    def _failure(self, exc: discord.HTTPException, what: str) -> DeliveryError:
        """4xx: this message will never go through as it is (gone, blocked, malformed).
        429 (discord.py gave up waiting) and 5xx (after its own retries): try again later."""
        permanent = exc.status < 500 and exc.status != 429
        return DeliveryError(f"{what}: {exc.status} {exc.code} {exc.text}", permanent=permanent)
