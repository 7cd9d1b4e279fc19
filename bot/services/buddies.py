"""Study buddies in the database: opt-ins, a person's step, a week's groups.

Shared by ``/buddy`` (the core) and the scheduler's weekly pairing, so both read "who studies
what" and "who is whose buddy" the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.db.models import BuddyGroup, BuddyGroupMember, BuddyOptIn, Enrollment, User
from bot.pace import path_status
from bot.services import store
from curriculum import Curriculum, Path, Step


@dataclass(frozen=True, slots=True)
class Studying:
    """Where a person is on their path now: ``index`` is the path's length once finished."""

    user: User
    path: Path
    index: int

    @property
    def step(self) -> Step | None:
        return self.path.steps[self.index] if self.index < len(self.path.steps) else None


async def studying(
    session: AsyncSession, curriculum: Curriculum, user: User, now: datetime
) -> Studying | None:
    enrollment = await session.get(Enrollment, user.id)
    if enrollment is None or enrollment.path_id not in curriculum.path_by_id:
        return None
    path = curriculum.path_by_id[enrollment.path_id]
    states = await store.chapter_states(session, user.id)
    current = path_status(path, states, enrollment.plan_start, now).current
    return Studying(user, path, current.index if current is not None else len(path.steps))


async def is_opted_in(session: AsyncSession, user_id: int, channel_id: int) -> bool:
    return await session.get(BuddyOptIn, (user_id, channel_id)) is not None


async def opt_in(session: AsyncSession, user_id: int, channel_id: int, now: datetime) -> bool:
    """True when this is new (opting in twice changes nothing)."""
    stmt = dialect_insert(session, BuddyOptIn).values(
        user_id=user_id, channel_id=channel_id, opted_in_at=now
    )
    result = await session.execute(
        stmt.on_conflict_do_nothing(index_elements=["user_id", "channel_id"])
    )
    return bool(getattr(result, "rowcount", 0))


async def opt_out(session: AsyncSession, user_id: int, channel_id: int) -> bool:
    result = await session.execute(
        delete(BuddyOptIn).where(BuddyOptIn.user_id == user_id, BuddyOptIn.channel_id == channel_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def opted_in_users(session: AsyncSession, channel_id: int) -> list[User]:
    """Everyone opted in, hidden people left out (``/privacy hidden`` is never paired)."""
    rows = await session.execute(
        select(User)
        .join(BuddyOptIn, BuddyOptIn.user_id == User.id)
        .where(BuddyOptIn.channel_id == channel_id, User.privacy != "hidden")
        .order_by(User.id)
    )
    return list(rows.scalars().all())


async def group_of(
    session: AsyncSession, user_id: int, channel_id: int, week: str
) -> tuple[BuddyGroup, list[User]] | None:
    """The person's group in the channel that week, and its other members."""
    group = (
        await session.execute(
            select(BuddyGroup)
            .join(BuddyGroupMember, BuddyGroupMember.group_id == BuddyGroup.id)
            .where(
                BuddyGroup.channel_id == channel_id,
                BuddyGroup.week == week,
                BuddyGroupMember.user_id == user_id,
            )
        )
    ).scalar_one_or_none()
    if group is None:
        return None
    others = await session.execute(
        select(User)
        .join(BuddyGroupMember, BuddyGroupMember.user_id == User.id)
        .where(BuddyGroupMember.group_id == group.id, User.id != user_id)
        .order_by(User.id)
    )
    return group, list(others.scalars().all())


async def recent_pairs(
    session: AsyncSession, channel_id: int, weeks: list[str]
) -> list[frozenset[int]]:
    """Every two people who shared a group in the channel in ``weeks``."""
    rows = await session.execute(
        select(BuddyGroupMember.group_id, BuddyGroupMember.user_id)
        .join(BuddyGroup, BuddyGroup.id == BuddyGroupMember.group_id)
        .where(BuddyGroup.channel_id == channel_id, BuddyGroup.week.in_(weeks))
        .order_by(BuddyGroupMember.group_id, BuddyGroupMember.user_id)
    )
    members: dict[int, list[int]] = {}
    for gid, uid in rows.tuples():
        members.setdefault(gid, []).append(uid)
    return [frozenset((a, b)) for ids in members.values() for a in ids for b in ids if a < b]
