"""Snapshots: the saved top three of each finished week and month, so history never changes.

They are taken lazily (when ``/leaderboard`` runs), by ``snapshot_closed_periods`` (for a
scheduler), and before a reset. Planning (ranking, reads only) is apart from saving (a short
write), so a big group is ranked outside the writer's turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.db.models import Channel, LeaderboardSnapshot
from bot.services.leaderboard.members import MemberData, load_members
from bot.services.leaderboard.periods import Period, PeriodKind, period_of
from bot.services.leaderboard.privacy import ANONYMOUS_LABEL
from bot.services.leaderboard.ranking import Entry, off_loop, rank_boards
from curriculum import Curriculum

SNAPSHOT_KINDS: tuple[PeriodKind, ...] = ("week", "month")
TOP = 3


@dataclass(frozen=True, slots=True)
class SnapshotPlan:
    """The top three of each finished period a group has no snapshot of yet, ranked but not
    saved: ranking a big group is seconds of work that needs only reads, so it can be done
    outside the writer's turn and saved in a short one (``save_snapshots``)."""

    channel_id: int
    winners: tuple[tuple[Period, tuple[Entry, ...]], ...]
    # What the plan was made for: the group's zone and last reset, and the periods current
    # then (a plan is only good while none of these changed).
    basis: tuple[str | None, datetime | None, str, str]

    def fits(self, channel: Channel, now: datetime) -> bool:
        return self.basis == _snapshot_basis(channel, now)


def _snapshot_basis(
    channel: Channel, now: datetime
) -> tuple[str | None, datetime | None, str, str]:
    """What makes a plan stale when it changes: zone, last reset and the current periods."""
    return (
        channel.timezone,
        channel.leaderboard_reset_at,
        period_of("week", now, channel.timezone).key,
        period_of("month", now, channel.timezone).key,
    )


async def plan_snapshots(
    session: AsyncSession,
    curriculum: Curriculum,
    channel: Channel,
    now: datetime,
    *,
    anonymous_label: str = ANONYMOUS_LABEL,
    members: list[MemberData] | None = None,
) -> SnapshotPlan:
    """Rank every finished week and month of ``channel`` that has no snapshot yet; reads only.

    Only periods in which someone completed a chapter can have winners, so those are the only
    candidates; that keeps the work proportional to the data, however long the bot was off.
    ``members``: when the caller already loaded them."""
    if members is None:
        members = await load_members(session, channel)
    since = channel.leaderboard_reset_at
    # Which periods had completions: every UTC offset is a multiple of 15 minutes, so period
    # boundaries (local midnights) fall on quarter hours and a quarter hour's instants share a
    # period. Working per quarter hour, not per completion, keeps big groups cheap.
    instants = {
        completed.replace(minute=completed.minute - completed.minute % 15, second=0, microsecond=0)
        for m in members
        for state, completed, _ in m.chapters.values()
        if state == "done" and completed is not None and (since is None or completed >= since)
    }
    existing = {
        (k, key)
        for k, key in (
            await session.execute(
                select(LeaderboardSnapshot.period_kind, LeaderboardSnapshot.period_key)
                .where(LeaderboardSnapshot.channel_id == channel.id)
                .distinct()
            )
        ).all()
    }
    todo: list[Period] = []
    for kind in SNAPSHOT_KINDS:
        current = period_of(kind, now, channel.timezone)
        candidates: dict[str, Period] = {}
        for instant in instants:
            p = period_of(kind, instant, channel.timezone)
            if p.end is not None and p.end <= now and p.key != current.key:
                candidates[p.key] = p
        todo += [candidates[k] for k in sorted(candidates) if (kind, k) not in existing]
    # One pass over the members ranks every missing period: only days and the time they were
    # reached are saved, and neither depends on when the ranking runs once a period is over.
    boards = await off_loop(
        len(members),
        rank_boards,
        curriculum,
        members,
        todo,
        now,
        since=since,
        anonymous_label=anonymous_label,
    )
    winners = tuple(
        (period, tuple(ranked[:TOP])) for period, ranked in zip(todo, boards, strict=True) if ranked
    )
    return SnapshotPlan(channel.id, winners, _snapshot_basis(channel, now))


async def save_snapshots(
    session: AsyncSession, plan: SnapshotPlan, now: datetime
) -> list[tuple[str, str]]:
    """Save a plan's winners. Safe to call concurrently, and again (inserts skip the rows
    another call already wrote). Returns the (kind, key) pairs it saved."""
    saved: list[tuple[str, str]] = []
    for period, entries in plan.winners:
        stmt = dialect_insert(session, LeaderboardSnapshot).values(
            [
                {
                    "channel_id": plan.channel_id,
                    "period_kind": period.kind,
                    "period_key": period.key,
                    "rank": e.rank,
                    "user_id": e.user_id,
                    "label": e.label,
                    "anonymous": e.anonymous,
                    "days": round(e.days, 3),
                    "created_at": now,
                }
                for e in entries
            ]
        )
        await session.execute(
            stmt.on_conflict_do_nothing(
                index_elements=["channel_id", "period_kind", "period_key", "rank"]
            )
        )
        saved.append((period.kind, period.key))
    return saved


async def snapshot_closed_periods(
    session: AsyncSession,
    curriculum: Curriculum,
    channel: Channel,
    now: datetime,
    *,
    anonymous_label: str = ANONYMOUS_LABEL,
    members: list[MemberData] | None = None,
) -> list[tuple[str, str]]:
    """Save the top three of every finished week and month that has none yet, in the
    caller's unit of work (``plan_snapshots`` then ``save_snapshots``)."""
    plan = await plan_snapshots(
        session, curriculum, channel, now, anonymous_label=anonymous_label, members=members
    )
    return await save_snapshots(session, plan, now)


async def history(
    session: AsyncSession, channel_id: int, kind: PeriodKind, limit: int = 8
) -> list[tuple[str, list[LeaderboardSnapshot]]]:
    """The latest ``limit`` finished periods of ``kind`` with their winners, newest first."""
    keys = [
        k
        for (k,) in (
            await session.execute(
                select(LeaderboardSnapshot.period_key)
                .where(
                    LeaderboardSnapshot.channel_id == channel_id,
                    LeaderboardSnapshot.period_kind == kind,
                )
                .distinct()
                .order_by(LeaderboardSnapshot.period_key.desc())
                .limit(limit)
            )
        ).all()
    ]
    if not keys:
        return []
    rows = (
        (
            await session.execute(
                select(LeaderboardSnapshot)
                .where(
                    LeaderboardSnapshot.channel_id == channel_id,
                    LeaderboardSnapshot.period_kind == kind,
                    LeaderboardSnapshot.period_key.in_(keys),
                )
                .order_by(LeaderboardSnapshot.period_key.desc(), LeaderboardSnapshot.rank)
            )
        )
        .scalars()
        .all()
    )
    grouped: dict[str, list[LeaderboardSnapshot]] = {k: [] for k in keys}
    for row in rows:
        grouped[row.period_key].append(row)
    return list(grouped.items())
