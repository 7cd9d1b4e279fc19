"""Study buddies: at a channel's weekly prompt, pair its opted-in members and introduce them.

Exactly once, like prompts: the week's pairing is claimed by a ``Delivery`` row
(``channel:<id>``, ``buddies``, ISO week) inserted in the transaction that pairs and stores the
groups (``BuddyGroup``, unique per channel, week and members), together with one ``Delivery``
row per group (``buddies:<group id>``) that the sender records its introduction on. A second
scheduler, or a restart, finds the week's claim and pairs nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BuddyGroup, BuddyGroupMember, BuddyOptIn, Channel
from bot.i18n import tr
from bot.labels import chapter_ids_label, path_title
from bot.ports import ChannelTarget, UserTarget
from bot.services import buddies, deliveries
from bot.timing import iso_period
from bot.types import Field, Reply
from scheduler import ledger
from scheduler.kinds.channel import last_weekly
from scheduler.model import Prompt, Rules, RunReport
from scheduler.pairing import Candidate, member_key, pair
from scheduler.render import group_locale

RECENT_WEEKS = 4  # pairs from this many earlier weeks are avoided when possible


def _recent_weeks(due: datetime, tz: str) -> list[str]:
    return [iso_period(due - timedelta(weeks=k), tz) for k in range(1, RECENT_WEEKS + 1)]


async def _due_week(
    session: AsyncSession, rules: Rules, channel_id: int, at: datetime
) -> tuple[Channel, datetime, str, str] | None:
    """The channel, its weekly moment, zone and ISO week when its buddies are paired at
    ``at``: on, the moment come (within the grace), two people asking, not yet paired."""
    channel = await session.get(Channel, channel_id)
    if channel is None or not channel.buddies_enabled:
        return None
    tz = channel.timezone or "UTC"
    due = last_weekly(at, channel.prompt_weekday, channel.prompt_time, tz)
    if at - due > rules.grace or due < channel.created_at:
        return None
    asking = await session.scalar(
        select(func.count()).select_from(BuddyOptIn).where(BuddyOptIn.channel_id == channel_id)
    )
    if (asking or 0) < 2:
        return None
    week = iso_period(due, tz)
    if await ledger.delivered(session, f"channel:{channel_id}", "buddies", week):
        return None
    return channel, due, tz, week


async def _pairs(
    session: AsyncSession, rules: Rules, channel_id: int, due: datetime, tz: str, at: datetime
) -> tuple[list[tuple[int, ...]], dict[int, buddies.Studying]]:
    """The week's groups (user ids) and where each member studies; reads only."""
    people = {}
    for user in await buddies.opted_in_users(session, channel_id):
        where = await buddies.studying(session, rules.curriculum, user, at)
        if where is not None:
            people[user.id] = where
    recent = await buddies.recent_pairs(session, channel_id, _recent_weeks(due, tz))
    groups = pair(
        (Candidate(w.path.id, w.index, uid) for uid, w in people.items()),
        recent,
        seed=f"{channel_id}:{iso_period(due, tz)}",
    )
    return [tuple(ids) for ids in groups], people


async def claim_buddies(
    session: AsyncSession, rules: Rules, channel_id: int, at: datetime, report: RunReport
) -> list[tuple[Prompt, int]]:
    """Pair the channel's week once: the introductions to send, each with its claim's id.

    Writes nothing unless the week's moment has come and two people asked for a buddy, so a
    channel that never uses buddies keeps its ledger as it was.
    """
    found = await _due_week(session, rules, channel_id, at)
    if found is None:
        return []
    channel, due, tz, week = found
    claimed = await session.execute(
        deliveries.insert_delivery(
            session,
            recipient=f"channel:{channel_id}",
            user_id=None,
            kind="buddies",
            period=week,
            status="sent",
            now=at,
        )
    )
    if not getattr(claimed, "rowcount", 0):
        report.busy += 1  # another scheduler paired this week just now
        return []
    groups, people = await _pairs(session, rules, channel_id, due, tz, at)
    out: list[tuple[Prompt, int]] = []
    for ids in groups:
        key = member_key(ids)
        group = BuddyGroup(channel_id=channel_id, week=week, member_key=key, created_at=at)
        session.add(group)
        await session.flush()
        session.add_all(BuddyGroupMember(group_id=group.id, user_id=uid) for uid in ids)
        members = [people[uid] for uid in ids]
        prompt = _introduction(rules, channel, f"buddies:{group.id}", members, due, tz)
        delivery_id = await ledger.claim(session, prompt, at)
        assert delivery_id is not None  # a new group's key cannot be taken
        out.append((prompt, delivery_id))
    return out


async def preview_buddies(
    session: AsyncSession, rules: Rules, channel_id: int, at: datetime
) -> list[Prompt]:
    """The introductions ``claim_buddies`` would send at ``at``, for the dry run: the same
    decision and pairing, nothing stored. A group has no id yet, so its key names its
    members (``buddies:new:<user ids>``)."""
    found = await _due_week(session, rules, channel_id, at)
    if found is None:
        return []
    channel, due, tz, _ = found
    groups, people = await _pairs(session, rules, channel_id, due, tz, at)
    return [
        _introduction(
            rules, channel, f"buddies:new:{member_key(ids)}", [people[u] for u in ids], due, tz
        )
        for ids in groups
    ]


def _introduction(
    rules: Rules,
    channel: Channel,
    key: str,
    members: list[buddies.Studying],
    due: datetime,
    tz: str,
) -> Prompt:
    week = iso_period(due, tz)
    locale = group_locale([m.user.locale for m in members])
    fields = []
    for m in members:
        step = m.step
        value = (
            tr(locale, "Finished {path}", path=path_title(m.path, locale))
            if step is None
            else tr(
                locale,
                "{path}, step {n}: {chapters} — {focus}",
                path=path_title(m.path, locale),
                n=m.index + 1,
                chapters=chapter_ids_label(step.chapters),
                focus=step.focus.get(locale),
            )
        )
        fields.append(Field(m.user.display_name or m.user.external_id, value, inline=False))
    reply = Reply(
        title=tr(locale, "Your study buddies for {week}", week=week),
        text=tr(
            locale,
            "You asked for a study buddy in #{channel}: meet each other! "
            "Here is what each of you studies this week.",
            channel=channel.name or channel.external_id,
        ),
        fields=tuple(fields),
        footer=tr(locale, "Say hi and pick a time to study together. `/buddy off` to stop."),
        ephemeral=False,
    )
    target = ChannelTarget(channel.platform, channel.workspace, channel.external_id)
    users = tuple(
        UserTarget(m.user.platform, m.user.workspace, m.user.external_id) for m in members
    )
    return Prompt("buddies", key, channel.platform, target, due, tz, week, reply, members=users)
