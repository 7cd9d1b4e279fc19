"""A study group's weekly prompt: one message for everyone in it, at the group's hour.

Channel prompts keep no due instant of their own: the last scheduled instant of the
channel's weekday/time is recomputed each tick, and the Delivery row says whether it went out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel, ChapterProgress, Enrollment, Membership, ReminderPref, User
from bot.i18n import tr
from bot.pace import path_status, person_zone
from bot.ports import ChannelTarget
from bot.services import store
from bot.timing import iso_period, next_weekly
from bot.types import Reply
from scheduler import ledger
from scheduler.model import Prompt, Rules, RunReport, Thread
from scheduler.render import Member, group_locale, iso_week, render_channel


def last_weekly(at: datetime, weekday: int, local_time: str, tz: str) -> datetime:
    """The latest scheduled instant at or before ``at`` (UTC)."""
    fire = next_weekly(at - timedelta(days=8), weekday, local_time, tz)
    while True:
        following = next_weekly(fire, weekday, local_time, tz)
        if following > at:
            return fire
        fire = following


async def decide_channel(
    session: AsyncSession, rules: Rules, channel: Channel, at: datetime
) -> Prompt | None:
    tz = channel.timezone or "UTC"
    due = last_weekly(at, channel.prompt_weekday, channel.prompt_time, tz)
    if at - due > rules.grace or due < channel.created_at:
        return None  # not this week's moment, missed too long ago, or before the group
    recipient, period = f"channel:{channel.id}", iso_period(due, tz)
    if await ledger.delivered(session, recipient, "channel", period):
        return None
    rows = (
        await session.execute(
            select(User, Enrollment, ReminderPref.timezone)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(Enrollment, Enrollment.user_id == User.id)
            .outerjoin(ReminderPref, ReminderPref.user_id == User.id)
            .where(Membership.channel_id == channel.id)
            .order_by(User.id)
        )
    ).all()
    week_ago = at - timedelta(days=7)
    done_counts = dict(
        (
            await session.execute(
                select(ChapterProgress.user_id, func.count())
                .join(Membership, Membership.user_id == ChapterProgress.user_id)
                .where(
                    Membership.channel_id == channel.id,
                    ChapterProgress.state == "done",
                    ChapterProgress.completed_at > week_ago,
                    ChapterProgress.completed_at <= at,
                )
                .group_by(ChapterProgress.user_id)
            )
        )
        .tuples()
        .all()
    )
    members: list[Member] = []
    for user, enrollment, own_tz in rows:
        path = rules.curriculum.path_by_id.get(enrollment.path_id) if enrollment else None
        status = None
        if enrollment is not None and path is not None:
            states = await store.chapter_states(session, user.id)
            zone = person_zone(own_tz, user.timezone, [tz])
            status = path_status(path, states, enrollment.plan_start, at, zone)
        members.append(Member(user.display_name, user.privacy, status, done_counts.get(user.id, 0)))
    locale = group_locale([u.locale for u, _, _ in rows])
    name = channel.name or channel.external_id
    reply = render_channel(rules.curriculum, name, members, locale, iso_week(due, tz))
    if reply is None:
        return None
    target = ChannelTarget(channel.platform, channel.workspace, channel.external_id)
    thread = _thread(locale, period) if channel.threads_enabled else None
    return Prompt(
        "channel", recipient, channel.platform, target, due, tz, period, reply, thread=thread
    )


def _thread(locale: str, period: str) -> Thread:
    """The week's thread under the prompt, where its members ask their questions."""
    return Thread(
        tr(locale, "Questions for {week}", week=period),
        Reply(
            text=tr(
                locale,
                "Stuck on this week's chapters? Ask here: this thread is for the week's "
                "questions. `/done` works here as anywhere in the channel.",
            ),
            ephemeral=False,
        ),
    )


async def claim_channel(
    session: AsyncSession, rules: Rules, channel_id: int, at: datetime, report: RunReport
) -> tuple[Prompt, int] | None:
    """A study group's weekly prompt: lock the row, decide, claim."""
    channel = (
        await session.execute(
            select(Channel)
            .where(Channel.id == channel_id, Channel.prompts_enabled.is_(True))
            .with_for_update(skip_locked=True)
        )
    ).scalar_one_or_none()
    if channel is None:
        report.busy += 1
        return None
    prompt = await decide_channel(session, rules, channel, at)
    return await ledger.claim_or_busy(session, prompt, at, report)
