"""The members of a study group as plain data, loaded once per board, and who changed since.

A board reads every member's path, timezone and chapter rows; they are loaded in two queries
as plain tuples (not ORM objects: a big group has hundreds of thousands of rows).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel, ChapterProgress, Enrollment, Membership, ReminderPref, User
from bot.pace import PathStatus, path_status, person_zone
from bot.services.leaderboard.privacy import shown_name
from curriculum import Curriculum

ROWS_PER_TURN = 5_000  # chapter rows converted between two turns of the event loop


@dataclass(frozen=True, slots=True)
class MemberData:
    """One member of a study group with everything the ranking reads, loaded once."""

    user_id: int
    external_id: str
    name: str
    privacy: str
    tz: str
    path_id: str | None
    enrolled_at: datetime | None
    # chapter id -> (state, completed_at, updated_at)
    chapters: dict[str, tuple[str, datetime | None, datetime]] = field(default_factory=dict)

    @property
    def states(self) -> dict[str, str]:
        return {c: s for c, (s, _, _) in self.chapters.items()}

    def status(self, curriculum: Curriculum, now: datetime) -> PathStatus | None:
        """Where they are on their path now; None without a path (or one no longer offered)."""
        if self.path_id not in curriculum.path_by_id or self.enrolled_at is None:
            return None
        return path_status(
            curriculum.path_by_id[self.path_id], self.states, self.enrolled_at, now, self.tz
        )

    @property
    def last_activity(self) -> datetime | None:
        return max((u for _, _, u in self.chapters.values()), default=None)


# Statements on the tables, not the ORM classes: the rows are plain tuples either way, and a
# Core statement skips the ORM's per-execution work (about a third of a small query's CPU).
_U, _R, _E = User.__table__, ReminderPref.__table__, Enrollment.__table__
_M, _P = Membership.__table__, ChapterProgress.__table__
_PEOPLE = (
    select(
        _U.c.id,
        _U.c.external_id,
        _U.c.display_name,
        _U.c.privacy,
        _U.c.timezone,
        _R.c.timezone,
        _E.c.path_id,
        _E.c.enrolled_at,
        _E.c.skipped_days,
    )
    .join(_M, _M.c.user_id == _U.c.id)
    .outerjoin(_E, _E.c.user_id == _U.c.id)
    .outerjoin(_R, _R.c.user_id == _U.c.id)
    .where(_M.c.channel_id == bindparam("channel_id"))
    .order_by(_U.c.id)
)
_PROGRESS = (
    select(
        _P.c.user_id,
        _P.c.chapter_id,
        _P.c.state,
        _P.c.completed_at,
        _P.c.updated_at,
    )
    .join(_M, _M.c.user_id == _P.c.user_id)
    .where(_M.c.channel_id == bindparam("channel_id"))
)
# The same for some members only: a kept board re-reading the people who changed.
_SOME_PEOPLE = _PEOPLE.where(_U.c.id.in_(bindparam("user_ids", expanding=True)))
_SOME_PROGRESS = _PROGRESS.where(_P.c.user_id.in_(bindparam("user_ids", expanding=True)))


async def load_members(
    session: AsyncSession, channel: Channel, user_ids: Sequence[int] | None = None
) -> list[MemberData]:
    """Every member of the group (or only ``user_ids`` among them) with path, timezone and
    chapter rows: two queries in all.

    Plain rows, not ORM objects: a big group has hundreds of thousands of them, and building
    an object for each was most of /leaderboard's time."""
    group_tz = channel.timezone
    people, progress = (_PEOPLE, _PROGRESS) if user_ids is None else (_SOME_PEOPLE, _SOME_PROGRESS)
    params: dict[str, Any] = {"channel_id": channel.id}
    if user_ids is not None:
        params["user_ids"] = list(user_ids)
    rows = (await session.execute(people, params)).tuples().all()
    chapters: dict[int, dict[str, tuple[str, datetime | None, datetime]]] = {
        row[0]: {} for row in rows
    }
    if chapters:
        result = (await session.execute(progress, params)).tuples()
        while batch := result.fetchmany(ROWS_PER_TURN):
            for uid, chapter, state, completed, updated in batch:
                chapters[uid][chapter] = (state, completed, updated)
            await asyncio.sleep(0)  # converting rows is CPU: let other commands in between
    members = []
    for uid, ext_id, display_name, privacy, user_tz, pref_tz, path_id, enrolled, skipped in rows:
        members.append(
            MemberData(
                user_id=uid,
                external_id=ext_id,
                name=shown_name(display_name, ext_id),
                privacy=privacy,
                tz=person_zone(pref_tz, user_tz, [group_tz]),
                path_id=path_id,
                # Enrollment.plan_start, from plain columns
                enrolled_at=None if enrolled is None else enrolled + timedelta(days=skipped or 0),
                chapters=chapters[uid],
            )
        )
    return members


_COUNT = (
    select(func.count())
    .select_from(_M)
    .where(_M.c.channel_id == bindparam("channel_id"))
    .scalar_subquery()
)
# A row with user id -1 (no real id is negative) carries the count.
_CHANGED = union_all(
    select(literal(-1), _COUNT),
    select(_M.c.user_id, literal(0))
    .join(_U, _U.c.id == _M.c.user_id)
    .where(
        _M.c.channel_id == bindparam("channel_id"),
        (_U.c.board_changed_at >= bindparam("since")) | (_M.c.joined_at >= bindparam("since")),
    ),
)


async def changed_members(
    session: AsyncSession, channel_id: int, since: datetime
) -> tuple[int, list[int]]:
    """The group's member count, and the members whose standing may have moved since
    ``since`` (``users.board_changed_at``: chapters, path, plan, privacy or name changed; or
    they joined): one round trip, since a kept board asks on every call."""
    rows = await session.execute(_CHANGED, {"channel_id": channel_id, "since": since})
    total, ids = 0, []
    for uid, n in rows.tuples():
        if uid == -1:
            total = int(n)
        else:
            ids.append(int(uid))
    return total, ids


async def member_ids(session: AsyncSession, channel_id: int) -> list[int]:
    """The user ids of a group's members."""
    rows = await session.execute(
        select(Membership.user_id).where(Membership.channel_id == channel_id)
    )
    return list(rows.scalars().all())


@dataclass(frozen=True, slots=True)
class CohortRow:
    """A member with their path status, for the admin's cohort view."""

    member: MemberData
    status: PathStatus | None

    @property
    def behind_days(self) -> int:
        """Days behind plan; 0 for people on or ahead of pace, or with no path."""
        if self.status is None:
            return 0
        pace = self.status.pace
        return pace.days if pace.kind == "behind" else 0


def cohort(curriculum: Curriculum, members: Sequence[MemberData], now: datetime) -> list[CohortRow]:
    """Every member with their status worked out once, for views that show pace."""
    return [CohortRow(m, m.status(curriculum, now)) for m in members]
