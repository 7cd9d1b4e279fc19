"""``/buddy``: ask for a study buddy in this channel, stop, or see this week's buddy.

The pairing itself runs in the scheduler at the channel's weekly prompt (``scheduler/kinds/
buddies.py``); this handler only keeps the opt-in and reads the groups it made.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import BuddyGroup, BuddyGroupMember, BuddyOptIn, Channel, User
from bot.errors import UserError
from bot.features.base import PersonalData
from bot.i18n import N_, pN_
from bot.labels import chapter_ids_label, path_title
from bot.options import Choice, CommandSpec, OptionSpec
from bot.options import OptionType as T
from bot.services import buddies, store
from bot.timing import iso_period
from bot.types import Reply


async def _channel(ctx: Ctx) -> Channel:
    if ctx.inv.place.channel_id is None:
        raise UserError(N_("Study buddies are per study channel: use `/buddy` in one, not here."))
    return await store.ensure_channel(ctx.session, ctx.inv.place, ctx.now)


async def buddy(ctx: Ctx) -> Reply:
    channel = await _channel(ctx)
    mode = ctx.opts.get("mode")
    if mode == "off":  # always allowed, even once an admin turned buddies off
        if await buddies.opt_out(ctx.session, ctx.user.id, channel.id):
            text = ctx.t("You are out: no study buddy for you here from next week on.")
        else:
            text = ctx.t("You weren't asking for a study buddy here.")
        return Reply(text=text, kind="success")
    if not channel.buddies_enabled:
        raise UserError(N_("Study buddies are turned off in this channel."))
    if mode == "on":
        return await _on(ctx, channel)
    return await _status(ctx, channel)


async def _on(ctx: Ctx, channel: Channel) -> Reply:
    if await buddies.studying(ctx.session, ctx.curriculum, ctx.user, ctx.now) is None:
        raise UserError(
            N_("Buddies are paired by path and step: pick a path first with `/path NAME`.")
        )
    if ctx.user.privacy == "hidden":
        raise UserError(
            N_("You are hidden (`/privacy hidden`), and hidden people are never paired."),
            hint=N_("`/privacy shown` or `/privacy anonymous`, then `/buddy on`."),
        )
    await store.join_channel(ctx.session, ctx.user, channel, ctx.now)
    new = await buddies.opt_in(ctx.session, ctx.user.id, channel.id, ctx.now)
    text = (
        ctx.t("You're in: each week I pair you with someone on the same or next step.")
        if new
        else ctx.t("You are already asking for a study buddy here.")
    )
    return Reply(text=text, footer=ctx.t("`/buddy off` to stop anytime."), kind="success")


async def _status(ctx: Ctx, channel: Channel) -> Reply:
    opted = await buddies.is_opted_in(ctx.session, ctx.user.id, channel.id)
    lines = [
        ctx.t("You are asking for a study buddy here.")
        if opted
        else ctx.t("You are not asking for a study buddy here: `/buddy on` to start.")
    ]
    week = iso_period(ctx.now, channel.timezone or "UTC")
    found = await buddies.group_of(ctx.session, ctx.user.id, channel.id, week)
    if found is None:
        lines.append(ctx.t("No buddy this week yet: pairs are made at the weekly prompt."))
    else:
        lines.append(ctx.t("Your buddies this week:"))
        for other in found[1]:
            lines.append(f"• {await _describe(ctx, other)}")
    return Reply(title=ctx.t("Study buddies"), text="\n".join(lines))


async def _describe(ctx: Ctx, other: User) -> str:
    where = await buddies.studying(ctx.session, ctx.curriculum, other, ctx.now)
    name = other.display_name or other.external_id
    if where is None:
        return name
    step = where.step
    if step is None:
        return ctx.t("{name}: finished {path}", name=name, path=path_title(where.path, ctx.locale))
    return ctx.t(
        "{name}: {path}, step {n} ({chapters})",
        name=name,
        path=path_title(where.path, ctx.locale),
        n=where.index + 1,
        chapters=chapter_ids_label(step.chapters),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "buddy"),
        N_("A weekly study buddy in this channel: on, off, or who it is"),
        buddy,
        options=(
            OptionSpec(
                "mode",
                T.CHOICE,
                N_("Ask for a buddy, or stop"),
                choices=(
                    Choice("on", N_("Pair me each week")),
                    Choice("off", N_("Stop pairing me")),
                ),
            ),
        ),
        examples=("/buddy", "/buddy on", "/buddy off"),
        reads=lambda options: not options.get("mode"),
    ),
)


async def _export(session: AsyncSession, user: User) -> dict[str, Any]:
    optins = await session.execute(
        select(BuddyOptIn, Channel)
        .join(Channel, Channel.id == BuddyOptIn.channel_id)
        .where(BuddyOptIn.user_id == user.id)
        .order_by(Channel.id)
    )
    groups = await session.execute(
        select(BuddyGroup, Channel)
        .join(BuddyGroupMember, BuddyGroupMember.group_id == BuddyGroup.id)
        .join(Channel, Channel.id == BuddyGroup.channel_id)
        .where(BuddyGroupMember.user_id == user.id)
        .order_by(BuddyGroup.week, BuddyGroup.id)
    )
    return {
        "buddy_optins": [
            {"channel": ch.external_id, "opted_in_at": o.opted_in_at.isoformat()}
            for o, ch in optins.tuples()
        ],
        "buddy_groups": [
            {
                "channel": ch.external_id,
                "week": g.week,
                "introduced_at": g.introduced_at.isoformat() if g.introduced_at else None,
            }
            for g, ch in groups.tuples()
        ],
    }


async def _forget(session: AsyncSession, user: User) -> None:
    await session.execute(delete(BuddyOptIn).where(BuddyOptIn.user_id == user.id))
    await session.execute(delete(BuddyGroupMember).where(BuddyGroupMember.user_id == user.id))


# Opt-ins and the weekly groups a person was in; a group's other members keep their own rows.
BUDDIES = PersonalData("study buddies", (BuddyOptIn, BuddyGroupMember), _export, _forget)
PERSONAL_DATA: tuple[PersonalData, ...] = (BUDDIES,)
