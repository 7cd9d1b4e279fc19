"""A person's weekly reminder and its snooze ("remind me tomorrow"): whether it goes out now,
and what it says. Both start from the same prologue (due instant, groups, zone, hold).

Snoozes ride on the reminder's machinery: a pref whose ``snooze_until`` has passed gets the
reminder's content once more (kind ``snooze``, period = the local date of ``snooze_until``),
and the claim clears ``snooze_until`` without touching ``next_due_at``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel, Enrollment, ReminderPref, User
from bot.labels import SNOOZE
from bot.pace import local_date, path_status, person_zone
from bot.ports import UserTarget
from bot.services import store
from bot.timing import iso_period, next_weekly, quiet_end_at
from curriculum import Curriculum
from scheduler import ledger
from scheduler.model import Decision, Hold, Kind, Prompt, Rules, RunReport
from scheduler.render import iso_week, render_reminder


async def user_channels(session: AsyncSession, user: User) -> list[Channel]:
    return [
        c
        for c in await store.user_channels(session, user.id)
        if c.platform == user.platform and c.workspace == user.workspace
    ]


def user_zone(pref: ReminderPref | None, user: User, channels: list[Channel]) -> str:
    return person_zone(
        pref.timezone if pref is not None else None,
        user.timezone,
        (c.timezone for c in channels),
    )


def _quiet_until(pref: ReminderPref, instant: datetime, tz: str) -> datetime | None:
    return quiet_end_at(instant, pref.quiet_start, pref.quiet_end, tz)


def hold(pref: ReminderPref, due: datetime, at: datetime, tz: str, grace: timedelta) -> Hold | None:
    """Why a personal prompt due at ``due`` must not go out at ``at``; None if it may."""
    if pref.paused_until is not None and pref.paused_until > local_date(at, tz):
        return "paused"
    if _quiet_until(pref, at, tz) is not None:
        return "quiet"
    # Lateness counts from when it could first be sent: after quiet hours, if due inside.
    if at - (_quiet_until(pref, due, tz) or due) > grace:
        return "stale"
    return None


def first_sent_at(pref: ReminderPref, due: datetime, tz: str) -> datetime | None:
    """When a bot ticking continuously first sends the personal prompt due at ``due``: then,
    or when quiet hours end if it falls inside them; None when the tick at ``due`` finds the
    person paused (a reminder then moves past the pause, a snooze is used up). ``hold`` at
    ``due`` itself decides, so the dry run and the tick cannot disagree."""
    if hold(pref, due, due, tz, timedelta(0)) == "paused":
        return None
    return _quiet_until(pref, due, tz) or due


async def _prologue(
    session: AsyncSession,
    rules: Rules,
    pref: ReminderPref,
    due: datetime | None,
    user: User,
    at: datetime,
) -> tuple[datetime, list[Channel], str, Hold | None]:
    """What the reminder and the snooze decisions both start from: the instant it is due,
    the person's study groups and zone, and why it must not go out now (if it must not)."""
    assert due is not None
    channels = await user_channels(session, user)
    tz = user_zone(pref, user, channels)
    return due, channels, tz, hold(pref, due, at, tz, rules.grace)


async def decide_reminder(
    session: AsyncSession,
    rules: Rules,
    pref: ReminderPref,
    user: User,
    enrollment: Enrollment,
    at: datetime,
) -> Decision:
    due, channels, tz, hold = await _prologue(session, rules, pref, pref.next_due_at, user, at)

    def following(after: datetime) -> datetime:
        return next_weekly(after, pref.weekday, pref.local_time, tz)

    if hold == "paused":
        resume = next_weekly(
            max(due, at), pref.weekday, pref.local_time, tz, not_before=pref.paused_until
        )
        return Decision("paused", resume)
    if hold == "quiet":
        return Decision("quiet")  # next_due_at stays: it goes out when quiet hours end
    if hold == "stale":
        return Decision("stale", following(at))
    advance = following(due)
    if advance <= at:
        advance = following(at)
    recipient = f"user:{user.id}"
    period = iso_period(due, tz)
    # Already reminded this week (e.g. the time was moved within the week), or they chose
    # to skip it: one query for both records.
    if await ledger.delivered(session, recipient, ("reminder", "skip"), period):
        return Decision("skip", advance)
    prompt = await reminder_prompt(
        session, rules.curriculum, "reminder", user, enrollment, channels, tz, due, period, at
    )
    if prompt is None:
        return Decision("skip", advance)  # finished, or a path no longer in the curriculum
    return Decision("send", advance, prompt)


async def reminder_prompt(
    session: AsyncSession,
    curriculum: Curriculum,
    kind: Kind,
    user: User,
    enrollment: Enrollment,
    channels: list[Channel],
    tz: str,
    due: datetime,
    period: str,
    at: datetime,
) -> Prompt | None:
    """The personal reminder as of ``at``; ``None`` when there is nothing to remind about."""
    path = curriculum.path_by_id.get(enrollment.path_id)
    if path is None:
        return None
    states = await store.chapter_states(session, user.id)
    status = path_status(path, states, enrollment.plan_start, at, tz)
    reply = render_reminder(curriculum, status, user.locale, iso_week(due, tz))
    if reply is None:
        return None
    target = UserTarget(
        user.platform,
        user.workspace,
        user.external_id,
        fallback_channel=channels[0].external_id if channels else None,
    )
    return Prompt(
        kind,
        f"user:{user.id}",
        user.platform,
        target,
        due,
        tz,
        period,
        reply,
        user.id,
        user.dm_channel_id,
    )


async def decide_snooze(
    session: AsyncSession,
    rules: Rules,
    pref: ReminderPref,
    user: User,
    enrollment: Enrollment,
    at: datetime,
) -> Decision:
    """The reminder once more at ``snooze_until``; reads only, the caller clears it."""
    due, channels, tz, hold = await _prologue(session, rules, pref, pref.snooze_until, user, at)
    if hold is not None:
        return Decision(hold)
    recipient = f"user:{user.id}"
    if await ledger.reminded_since(session, recipient, due - SNOOZE):
        return Decision("skip")  # a weekly reminder went out since the snooze: no twin
    period = local_date(due, tz).isoformat()
    if await ledger.delivered(session, recipient, "snooze", period):
        return Decision("skip")
    prompt = await reminder_prompt(
        session, rules.curriculum, "snooze", user, enrollment, channels, tz, due, period, at
    )
    if prompt is None:
        return Decision("skip")
    return Decision("send", prompt=prompt)


async def claim_personal(
    session: AsyncSession,
    rules: Rules,
    user_id: int,
    at: datetime,
    report: RunReport,
    *,
    snooze: bool,
) -> tuple[Prompt, int] | None:
    """A person's weekly reminder, or their snooze: lock the row, decide, claim. The prompt
    and its Delivery id when there is one to send (after the transaction commits)."""
    due_column = ReminderPref.snooze_until if snooze else ReminderPref.next_due_at
    # One query for the three rows; only the pref row is locked, as before.
    row = (
        await session.execute(
            select(ReminderPref, User, Enrollment)
            .join(User, User.id == ReminderPref.user_id)
            .join(Enrollment, Enrollment.user_id == ReminderPref.user_id)
            .where(
                ReminderPref.user_id == user_id,
                ReminderPref.enabled.is_(True),
                due_column <= at,
            )
            .with_for_update(of=ReminderPref, skip_locked=True)
        )
    ).first()
    if row is None:
        report.busy += 1  # locked by another scheduler, or changed since the query
        return None
    pref, user, enrollment = row._tuple()
    decide = decide_snooze if snooze else decide_reminder
    decision = await decide(session, rules, pref, user, enrollment, at)
    if snooze and decision.action != "quiet":
        # Used up whatever else was decided; a snooze never moves next_due_at.
        pref.snooze_until = None
        pref.updated_at = at
    elif decision.advance_to is not None:
        pref.next_due_at = decision.advance_to
        pref.updated_at = at
    report.count(decision.action)
    return await ledger.claim_or_busy(session, decision.prompt, at, report)
