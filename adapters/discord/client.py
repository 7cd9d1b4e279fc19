"""The Discord client: interactions in, core calls, rendered replies out.

Interactions are handled raw in ``on_interaction`` rather than through ``app_commands``: the
commands are data (``bot.features``), buttons are routed by ``custom_id`` prefix, and nothing
lives only in memory, so a restart loses nothing.

Answering: the core gets ``answer_budget`` seconds (default 2 s of Discord's 3 s). A reply
ready in time is sent directly as the interaction response (one request); a slower one is
deferred ("thinking", ephemeral) and then delivered by editing the deferred message, or as a
public follow-up when the reply is public.

Sharding: the client is a ``discord.AutoShardedClient``. With no ``ShardPlan`` it asks Discord
how many shards to run (``GET /gateway/bot``) and runs them all; a plan with ids runs only
those, so several replicas split the gateway (see ``adapters.discord.sharding``). Interactions
need nothing per shard: they arrive on the guild's shard (DMs on shard 0) and are answered over
REST. Only the process that runs shard 0 syncs the commands, so replicas starting together do
not all overwrite them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import discord

from adapters.discord.commands import USER, autocomplete_source, sync_commands
from adapters.discord.render import decode_custom_id, render
from adapters.discord.sharding import ShardPlan
from bot.core import INTERNAL_ERROR, Core
from bot.db import DatabaseUnavailable
from bot.directory import Directory
from bot.i18n import tr
from bot.types import Actor, Place, Reply, UserRef, normalize_locale

log = logging.getLogger(__name__)

PLATFORM = "discord"
DM_WORKSPACE = "dm"
DEFAULT_ANSWER_BUDGET = 2.0
ADMIN_ROLE_TTL = 30.0  # seconds a channel's admin role is remembered (other processes' edits)
IDENTIFY_INTERVAL = 5.0  # Discord: one IDENTIFY per rate-limit bucket per 5 seconds
_ROLE_MENTION = re.compile(r"<@&(\d+)>|(\d+)")


def actor_for(interaction: discord.Interaction, workspace: str | None = None) -> Actor:
    """Who is asking. Admin means Manage Server (or Administrator) in this guild; in a DM
    nobody is an admin, whatever guild a button came from. (The client also grants admin to
    holders of the channel's ``/admin role``: see ``SkilltreeClient._actor``.)"""
    user = interaction.user
    perms = interaction.permissions
    in_guild = interaction.guild_id is not None
    return Actor(
        PLATFORM,
        workspace or (str(interaction.guild_id) if in_guild else DM_WORKSPACE),
        str(user.id),
        display_name=user.display_name,
        locale=normalize_locale(str(interaction.locale.value)),
        is_admin=in_guild and (perms.manage_guild or perms.administrator),
    )


def has_role(member: discord.Member, setting: str) -> bool:
    """Whether ``member`` holds the role ``setting`` names: a role id, a role mention
    (``<@&id>``), or a role name (``Mentors`` or ``@Mentors``, any case). Ids come straight
    from the interaction's member data; names need the guild's roles, which the GUILDS intent
    caches. ``@everyone`` never counts: it would make every member an admin."""
    wanted = setting.strip()
    if not wanted:
        return False
    by_id = _ROLE_MENTION.fullmatch(wanted)
    if by_id is not None:
        role_id = int(by_id.group(1) or by_id.group(2))
        # ``_roles``: the ids as sent (never @everyone), known to the guild cache or not.
        if member._roles.has(role_id):
            return True
    name = wanted.removeprefix("@").casefold()
    return any(r.name.casefold() == name for r in member.roles if not r.is_default())


class AdminRoles:
    """``Channel.admin_role`` by (guild, channel), remembered for ``ttl`` seconds: at most one
    small indexed query per channel per ``ttl``. ``forget`` drops an entry when this process
    has just run ``/admin`` there, so a new role applies at once; another process's change
    applies within ``ttl``."""

    MAX_ENTRIES = 4096

    def __init__(
        self,
        directory: Directory,
        *,
        ttl: float = ADMIN_ROLE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, str | None]] = {}

    async def role_for(self, guild_id: str, channel_id: str) -> str | None:
        key = (guild_id, channel_id)
        now = self.clock()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            role = await self.directory.channel_admin_role(PLATFORM, guild_id, channel_id)
        except DatabaseUnavailable as exc:
            # Not an admin by role, this once; the command itself reports the database.
            log.warning("could not read the admin role of channel %s: %s", channel_id, exc)
            return None
        if len(self._cache) >= self.MAX_ENTRIES:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            if len(self._cache) >= self.MAX_ENTRIES:
                self._cache.clear()
        self._cache[key] = (now + self.ttl, role)
        return role

    def forget(self, guild_id: str, channel_id: str) -> None:
        self._cache.pop((guild_id, channel_id), None)


def place_for(interaction: discord.Interaction, workspace: str | None = None) -> Place:
    """Where: a guild channel is a study group; a DM has no channel."""
    if interaction.guild_id is None:
        return Place(PLATFORM, workspace or DM_WORKSPACE, None)
    channel = interaction.channel
    if isinstance(channel, discord.Thread) and channel.parent_id:
        # A command in a thread (the weekly prompt's, say) belongs to the study channel the
        # thread hangs from: that channel's group, schedule and leaderboard.
        parent = getattr(channel.parent, "name", None) or ""
        return Place(PLATFORM, str(interaction.guild_id), str(channel.parent_id), parent)
    name = getattr(channel, "name", None) or ""
    return Place(
        PLATFORM, str(interaction.guild_id), str(interaction.channel_id), channel_name=name
    )


def options_from(data: Mapping[str, Any]) -> dict[str, Any]:
    """Option values by name as Discord sent them. Users arrive resolved (an id plus a name,
    so the core can match either); integers as ints; everything else as the raw string."""
    resolved = data.get("resolved") or {}
    users = resolved.get("users") or {}
    members = resolved.get("members") or {}
    out: dict[str, Any] = {}
    for option in data.get("options") or ():
        value = option.get("value")
        if option.get("type") == USER and value is not None:
            user = users.get(str(value)) or {}
            member = members.get(str(value)) or {}
            name = member.get("nick") or user.get("global_name") or user.get("username")
            out[option["name"]] = UserRef(user_id=str(value), name=name)
        elif "value" in option:
            out[option["name"]] = value
    return out


def focused_option(data: Mapping[str, Any]) -> tuple[str, str] | None:
    for option in data.get("options") or ():
        if option.get("focused"):
            return str(option["name"]), str(option.get("value") or "")
    return None


class SkilltreeClient(discord.AutoShardedClient):
    def __init__(
        self,
        core: Core,
        *,
        guild_ids: Sequence[int] = (),
        state_file: Path | None = None,
        answer_budget: float = DEFAULT_ANSWER_BUDGET,
        shards: ShardPlan | None = None,
        sync_commands: bool | None = None,
        **options: Any,
    ) -> None:
        """``shards``: which shards to run (default: Discord's recommended count, all here).
        ``sync_commands``: whether to sync at start (default: when running shard 0)."""
        shards = shards or ShardPlan()
        # Interactions need no privileged intents; GUILDS keeps channel names for Place.
        options.setdefault("intents", discord.Intents(guilds=True))
        options.update(shards.client_options())
        super().__init__(**options)
        self.core = core
        self.plan = shards
        self.guild_ids = tuple(guild_ids)
        self.state_file = state_file
        self.answer_budget = answer_budget
        self.admin_roles = AdminRoles(core.directory)
        self.syncs_commands = shards.runs_shard_zero if sync_commands is None else sync_commands
        self.identify_interval = IDENTIFY_INTERVAL
        self.max_concurrency = 1  # from GET /gateway/bot in setup_hook
        self._identify_at: dict[int, float] = {}  # rate-limit bucket → its last IDENTIFY

    async def setup_hook(self) -> None:
        """Runs after login, before the gateway: learn how many shards may IDENTIFY at once,
        and sync commands if they changed (only where shard 0 runs). A failed sync is logged,
        not fatal: the commands Discord already has keep working."""
        try:
            limits = await self.fetch_session_start_limits()
        except (discord.HTTPException, discord.GatewayNotFound, AttributeError) as exc:
            # AttributeError: discord.py before 2.5 has no fetch_session_start_limits.
            log.warning("could not read Discord's session start limits: %s", exc)
        else:
            self.max_concurrency = max(1, limits.max_concurrency)
            if limits.remaining < limits.total // 10:
                log.warning(
                    "only %d of %d Discord sessions may still start today",
                    limits.remaining,
                    limits.total,
                )
        log.info("Discord: running %s", self.plan.describe())
        if not self.syncs_commands:
            log.info("not syncing Discord commands: the replica running shard 0 does")
            return
        if self.application_id is None:
            log.error("no application id after login; cannot sync commands")
            return
        try:
            await sync_commands(
                self.http, self.application_id, self.guild_ids, state_file=self.state_file
            )
        except discord.HTTPException as exc:
            log.error("syncing Discord commands failed: %s %s", exc.status, exc.text)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord lets ``max_concurrency`` shards IDENTIFY per 5 seconds, one per bucket
        (``shard_id % max_concurrency``). discord.py's default waits 5 s before every shard but
        the first; this waits only as long as the shard's own bucket needs."""
        bucket = (shard_id or 0) % self.max_concurrency
        now = time.monotonic()
        start = max(now, self._identify_at.get(bucket, -math.inf) + self.identify_interval)
        self._identify_at[bucket] = start  # reserved before sleeping: no two share a slot
        if start > now:
            log.debug("shard %s waits %.1f s to IDENTIFY", shard_id, start - now)
            await asyncio.sleep(start - now)

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("Discord shard %d of %s ready", shard_id, self.shard_count)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                await self._autocomplete(interaction)
            elif interaction.type is discord.InteractionType.application_command:
                await self._slash(interaction)
            elif interaction.type is discord.InteractionType.component:
                await self._component(interaction)
        except Exception:
            # Never a traceback in chat: log it, and say sorry if we still can.
            log.exception("interaction %s failed", interaction.id)
            await self._apologise(interaction)

    async def _actor(self, interaction: discord.Interaction, workspace: str | None = None) -> Actor:
        """``actor_for``, plus admin for a guild member holding the channel's admin role.
        Members who are admins already, or hold no role at all, cost no lookup."""
        actor = actor_for(interaction, workspace)
        member = interaction.user
        if (
            actor.is_admin
            or interaction.guild_id is None
            or interaction.channel_id is None
            or not isinstance(member, discord.Member)
            or not member._roles
        ):
            return actor
        place = place_for(interaction)  # a thread's parent: the study channel's role
        role = await self.admin_roles.role_for(str(interaction.guild_id), str(place.channel_id))
        if role and has_role(member, role):
            return dataclasses.replace(actor, is_admin=True)
        return actor

    async def _home_workspace(self, user_id: str) -> str | None:
        try:
            return await self.core.directory.home_workspace(PLATFORM, user_id, not_=DM_WORKSPACE)
        except DatabaseUnavailable:
            return None  # the command itself will report the database

    # --- kinds of interaction ---------------------------------------------------------------

    async def _slash(self, interaction: discord.Interaction) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        place = place_for(interaction)
        command = str(data.get("name", ""))

        async def work() -> Reply:  # lookups count against the answer budget
            nonlocal place
            workspace = None
            if interaction.guild_id is None:
                # A DM belongs to no server: act on the person's record where they study.
                workspace = await self._home_workspace(str(interaction.user.id))
                place = place_for(interaction, workspace)
            actor = await self._actor(interaction, workspace)
            return await self.core.invoke(actor, place, command, options_from(data), "slash")

        try:
            await self._answer(interaction, work())
        finally:
            if command == "admin" and place.channel_id is not None:
                self.admin_roles.forget(place.workspace, place.channel_id)

    async def _component(self, interaction: discord.Interaction) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        action = decode_custom_id(str(data.get("custom_id", "")))
        if action is None:
            log.debug("ignoring component %r: not ours", data.get("custom_id"))
            return
        workspace = action.workspace if interaction.guild_id is None else None

        async def work() -> Reply:
            nonlocal workspace
            if interaction.guild_id is None and workspace is None:
                # A button under a DM answer: act where the person studies, as its command did.
                workspace = await self._home_workspace(str(interaction.user.id))
            place = place_for(interaction, workspace)
            actor = await self._actor(interaction, workspace)
            return await self.core.handle_text(actor, place, action.line, source="button")

        await self._answer(interaction, work())

    async def _autocomplete(self, interaction: discord.Interaction) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        focused = focused_option(data)
        spec = self.core.commands.get(str(data.get("name", "")))
        option = spec.option(focused[0]) if spec and focused else None
        source = autocomplete_source(option) if option else None
        pairs: list[tuple[str, str]] = []
        if source and focused:
            locale = normalize_locale(str(interaction.locale.value))
            pairs = await self.core.autocomplete(source, focused[1], locale)
        choices = [
            discord.app_commands.Choice(name=label[:100] or value[:100], value=value[:100])
            for value, label in pairs[:25]
        ]
        await interaction.response.autocomplete(choices)

    # --- answering ---------------------------------------------------------------------------

    async def _answer(self, interaction: discord.Interaction, work: Any) -> None:
        task: asyncio.Task[Reply] = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.answer_budget)
        if task in done:
            reply = task.result()
            out = render(reply)
            await interaction.response.send_message(**out.kwargs(), ephemeral=out.ephemeral)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await task
        out = render(reply)
        if out.ephemeral:
            await interaction.edit_original_response(
                content=out.content,
                embed=out.embed,
                view=out.view,
                attachments=out.files,
            )
        else:
            # The first follow-up after a "thinking" defer would replace the deferred message
            # and stay ephemeral; settle the deferred message first, post publicly, tidy up.
            await interaction.edit_original_response(content="✅")
            await interaction.followup.send(**out.kwargs(), ephemeral=False)
            await interaction.delete_original_response()

    async def _apologise(self, interaction: discord.Interaction) -> None:
        locale = normalize_locale(str(interaction.locale.value))
        text = tr(locale, INTERNAL_ERROR)
        with contextlib.suppress(discord.HTTPException, discord.InteractionResponded):
            if interaction.type is discord.InteractionType.autocomplete:
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])
            elif not interaction.response.is_done():
                await interaction.response.send_message(text, ephemeral=True)
            else:
                await interaction.followup.send(text, ephemeral=True)
