"""Nudges: ``/admin nudge`` queues a ``NudgeRequest`` per member behind pace, sent on the next
tick through the same claim as every prompt (kind ``nudge``, period ``nudge:<id>``), so at
most once across replicas; the request then leaves the queue whatever the outcome. A person
who caught up meanwhile, or was nudged by another group within the cooldown, gets nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel, Delivery, Enrollment, NudgeRequest, ReminderPref, User
from bot.labels import NUDGE_COOLDOWN
from bot.pace import path_status
from bot.ports import UserTarget
from bot.services import store
from bot.services.leaderboard import mark_nudges_delivered
from scheduler import ledger
from scheduler.kinds.personal import user_channels, user_zone
from scheduler.model import Prompt, Rules, RunReport
from scheduler.render import render_nudge


async def decide_nudge(
    session: AsyncSession, rules: Rules, nudge: NudgeRequest, at: datetime
) -> tuple[Literal["send", "stale", "skip"], Prompt | None]:
    """The nudge as the person would read it now; reads only."""
    if at - nudge.requested_at > rules.grace:
        return "stale", None  # the scheduler was down: a day-old "now" is not friendly
    user = await session.get(User, nudge.user_id)
    enrollment = await session.get(Enrollment, nudge.user_id)
    channel = await session.get(Channel, nudge.channel_id)
    if user is None or enrollment is None or channel is None:
        return "skip", None
    path = rules.curriculum.path_by_id.get(enrollment.path_id)
    if path is None:
        return "skip", None
    recipient = f"user:{user.id}"
    recent = await session.execute(
        select(Delivery.id).where(
            Delivery.recipient == recipient,
            Delivery.kind == "nudge",
            Delivery.period != f"nudge:{nudge.id}",
            Delivery.created_at > at - NUDGE_COOLDOWN,
        )
    )
    if recent.first() is not None:
        return "skip", None  # nudged by another group (or earlier) within the cooldown
    pref = await session.get(ReminderPref, user.id)
    channels = await user_channels(session, user)
    tz = user_zone(pref, user, channels)
    states = await store.chapter_states(session, user.id)
    status = path_status(path, states, enrollment.plan_start, at, tz)
    reply = render_nudge(rules.curriculum, status, user.locale, channel.name or channel.external_id)
    if reply is None:
        return "skip", None  # caught up (or finished) since the nudge was queued
    target = UserTarget(
        user.platform, user.workspace, user.external_id, fallback_channel=channel.external_id
    )
    prompt = Prompt(
        "nudge",
        recipient,
        user.platform,
        target,
        nudge.requested_at,
        tz,
        f"nudge:{nudge.id}",
        reply,
        user.id,
        user.dm_channel_id,
    )
    return "send", prompt


async def claim_nudge(
    session: AsyncSession, rules: Rules, nudge_id: int, at: datetime, report: RunReport
) -> tuple[Prompt, int] | None:
    """One queued nudge: lock the request, decide, claim (or take it off the queue)."""
    nudge = (
        await session.execute(
            select(NudgeRequest)
            .where(NudgeRequest.id == nudge_id, NudgeRequest.delivered_at.is_(None))
            .with_for_update(skip_locked=True)
        )
    ).scalar_one_or_none()
    if nudge is None:
        report.busy += 1  # another scheduler has it, or it was handled meanwhile
        return None
    action, prompt = await decide_nudge(session, rules, nudge, at)
    if prompt is None:
        if action == "stale":
            report.stale += 1
        else:
            report.not_sent += 1
        await mark_nudges_delivered(session, [nudge.id], at)
        return None
    delivery_id = await ledger.claim(session, prompt, at)
    if delivery_id is None:
        # Claimed before: by a scheduler that is sending it now (leave it), or one
        # that finished or died without taking it off the queue (take it off).
        if await ledger.claim_status(session, prompt) != "sending":
            await mark_nudges_delivered(session, [nudge.id], at)
        report.busy += 1
        return None
    return prompt, delivery_id
