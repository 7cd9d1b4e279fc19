"""What is due: the read-only queries a tick (and the dry run) starts from. Nothing is
locked here: each prompt is locked and claimed on its own by its kind's ``claim_*``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.db.models import Channel, Enrollment, Membership, NudgeRequest, ReminderPref, User
from bot.services import leaderboard, store
from scheduler.kinds.personal import user_zone
from scheduler.ledger import Transaction

NUDGE_BATCH = 200  # pending nudges taken per tick; the rest wait for the next one
DUE_PAGE = 1000  # due reminders read per query in run_once (ids only)


def reminders_on(*columns: Any, platforms: Collection[str] | None) -> Select[Any]:
    """``columns`` of the reminders that are on, of people enrolled in a path, on
    ``platforms`` (all when None): what every due and snooze query starts from."""
    stmt = (
        select(*columns)
        .join(User, User.id == ReminderPref.user_id)
        .join(Enrollment, Enrollment.user_id == ReminderPref.user_id)
        .where(ReminderPref.enabled.is_(True))
    )
    return stmt if platforms is None else stmt.where(User.platform.in_(platforms))


async def due_prefs(
    session: AsyncSession, at: datetime, platforms: set[str] | None
) -> list[ReminderPref]:
    stmt = (
        reminders_on(ReminderPref, platforms=platforms)
        .where(ReminderPref.next_due_at <= at)
        .order_by(ReminderPref.next_due_at, ReminderPref.user_id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def due_user_ids(
    transaction: Transaction, at: datetime, platforms: set[str]
) -> AsyncIterator[list[int]]:
    """The people whose weekly reminder is due, in due order, ``DUE_PAGE`` ids per short
    read (keyset pagination on ``(next_due_at, user_id)``). Claimed ones move to next week
    meanwhile, which is behind the cursor anyway; nothing is locked here."""
    after: tuple[datetime, int] | None = None
    while True:
        stmt = (
            reminders_on(ReminderPref.next_due_at, ReminderPref.user_id, platforms=platforms)
            .where(ReminderPref.next_due_at <= at)
            .order_by(ReminderPref.next_due_at, ReminderPref.user_id)
            .limit(DUE_PAGE)
        )
        if after is not None:
            due, uid = after
            stmt = stmt.where(
                or_(
                    ReminderPref.next_due_at > due,
                    and_(ReminderPref.next_due_at == due, ReminderPref.user_id > uid),
                )
            )
        async with transaction() as session:
            rows = (await session.execute(stmt)).tuples().all()
        if rows:
            yield [uid for _, uid in rows]
        if len(rows) < DUE_PAGE:
            return
        last_due, last_uid = rows[-1]
        assert last_due is not None
        after = (last_due, last_uid)


async def snoozed_ids(session: AsyncSession, at: datetime, platforms: set[str]) -> list[int]:
    stmt = (
        reminders_on(ReminderPref.user_id, platforms=platforms)
        .where(ReminderPref.snooze_until <= at)
        .order_by(ReminderPref.user_id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def snoozed(
    session: AsyncSession, at: datetime, platforms: set[str] | None
) -> list[tuple[ReminderPref, User, Enrollment]]:
    """Enabled prefs of enrolled people whose snooze has come (pauses are checked later:
    they depend on the person's zone)."""
    stmt = (
        select(ReminderPref, User, Enrollment)
        .join(User, User.id == ReminderPref.user_id)
        .join(Enrollment, Enrollment.user_id == ReminderPref.user_id)
        .where(ReminderPref.enabled.is_(True), ReminderPref.snooze_until <= at)
        .order_by(ReminderPref.snooze_until, ReminderPref.user_id)
    )
    if platforms is not None:
        stmt = stmt.where(User.platform.in_(platforms))
    return list((await session.execute(stmt)).tuples().all())


async def default_rows(
    session: AsyncSession, at: datetime, platforms: set[str] | None
) -> list[dict[str, Any]]:
    """The default reminder row (``store.default_reminder``) of every enrolled person
    without one."""
    stmt = (
        select(User, Enrollment)
        .join(Enrollment, Enrollment.user_id == User.id)
        .outerjoin(ReminderPref, ReminderPref.user_id == User.id)
        .where(ReminderPref.user_id.is_(None))
        .order_by(User.id)
    )
    if platforms is not None:
        stmt = stmt.where(User.platform.in_(platforms))
    rows: list[dict[str, Any]] = []
    for user, enrollment in (await session.execute(stmt)).tuples().all():
        channels = await store.user_channels(session, user.id)
        tz = user_zone(None, user, channels)
        rows.append(store.default_reminder(user.id, enrollment.enrolled_at, tz, at))
    return rows


async def default_prefs(
    session: AsyncSession, at: datetime, platforms: set[str] | None
) -> list[ReminderPref]:
    """The default reminder rows, unsaved: the dry run only reads."""
    return [ReminderPref(**row) for row in await default_rows(session, at, platforms)]


async def create_default_prefs(session: AsyncSession, at: datetime, platforms: set[str]) -> None:
    for row in await default_rows(session, at, platforms):
        await session.execute(
            dialect_insert(session, ReminderPref)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )


async def channels(session: AsyncSession, platforms: set[str] | None) -> list[Channel]:
    has_members = select(Membership.channel_id).where(Membership.channel_id == Channel.id)
    stmt = (
        select(Channel)
        .where(Channel.prompts_enabled.is_(True), has_members.exists())
        .order_by(Channel.id)
    )
    if platforms is not None:
        stmt = stmt.where(Channel.platform.in_(platforms))
    return list((await session.execute(stmt)).scalars().all())


async def pending_nudges(session: AsyncSession, platforms: set[str] | None) -> list[NudgeRequest]:
    """Nothing is locked here: each nudge is locked and claimed on its own in ``_nudge``."""
    return await leaderboard.pending_nudges(session, platforms, limit=NUDGE_BATCH)
