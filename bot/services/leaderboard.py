"""Ranking a study group: study days in a period, steps, weekly streaks, and saved winners.

The rules, in one place:

* **Who**: the channel's study group (``memberships``); people whose privacy is ``hidden`` are
  left out, ``anonymous`` people are ranked but shown as "anonymous #k" (k counts the anonymous
  entries of one board from the top).
* **Study days** in a period: for every chapter a person marked *done* with ``completed_at``
  inside the period (and after the channel's last leaderboard reset), the chapter's share of
  its step: ``step.days / len(step.chapters)``. The step is taken from the person's current
  path when it contains the chapter, else from the first path (curriculum order) that does —
  so a chapter is worth the same whether someone studies it on-path or as a detour. A chapter
  in no path is worth nothing. Skips earn nothing (they are not study).
* **Steps**: steps of the person's current path that are complete (every chapter done or
  skipped) and whose last chapter was covered inside the period.
* **Ties**: equal days → whoever reached the total first (the latest ``completed_at`` among the
  counted chapters, earlier wins), then the user id, so the order is always the same.
* **Streak**: consecutive weeks, in the person's own local week (reminder timezone, else the
  platform's, else UTC), with at least one chapter done, ending this week or last week (this
  week may still be in progress, so it does not break a streak yet).
* **Periods**: ``week`` is the ISO week and ``month`` the calendar month of the channel's
  timezone (``Channel.timezone`` or UTC); ``all`` is all time.
* **Snapshots**: a finished week or month keeps its top three in ``leaderboard_snapshots``. They
  are taken lazily (when ``/leaderboard`` runs) and by ``snapshot_closed_periods`` (for a
  scheduler), and before a reset, so history never changes afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.db.models import (
    Channel,
    ChapterProgress,
    Enrollment,
    LeaderboardSnapshot,
    Membership,
    NudgeRequest,
    ReminderPref,
    User,
)
from bot.pace import PathStatus, path_status, person_zone
from curriculum import Curriculum, Path

PeriodKind = Literal["week", "month", "all"]
SNAPSHOT_KINDS: tuple[PeriodKind, ...] = ("week", "month")
TOP = 3
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    key: str  # "2027-W09", "2027-02" or "all"
    start: datetime | None  # inclusive, UTC; None = since forever
    end: datetime | None  # exclusive, UTC; None = until forever

    def contains(self, instant: datetime) -> bool:
        return (self.start is None or instant >= self.start) and (
            self.end is None or instant < self.end
        )


def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ValueError, KeyError):  # a zone removed from tzdata: fall back rather than fail
        return ZoneInfo("UTC")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_of(kind: PeriodKind, instant: datetime, tz: str | None) -> Period:
    """The period of ``kind`` that contains ``instant``, in the channel's timezone."""
    if kind == "all":
        return Period("all", "all", None, None)
    zone = _zone(tz)
    day = instant.astimezone(zone).date()
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period(
            "week",
            week_key(monday),
            _local_midnight(monday, zone),
            _local_midnight(monday + timedelta(days=7), zone),
        )
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(
        "month", month_key(first), _local_midnight(first, zone), _local_midnight(following, zone)
    )


def previous_period(period: Period, tz: str | None) -> Period:
    assert period.start is not None and period.kind != "all"
    return period_of(period.kind, period.start - timedelta(seconds=1), tz)


# --- the data one board needs -------------------------------------------------------------


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
        if self.path_id not in curriculum.path_by_id or self.enrolled_at is None:
            return None
        return path_status(
            curriculum.path_by_id[self.path_id], self.states, self.enrolled_at, now, self.tz
        )

    @property
    def last_activity(self) -> datetime | None:
        return max((u for _, _, u in self.chapters.values()), default=None)


async def load_members(session: AsyncSession, channel_id: int) -> list[MemberData]:
    """Every member of the group with path, timezone and chapter rows: four queries in all."""
    group_tz = (
        await session.execute(select(Channel.timezone).where(Channel.id == channel_id))
    ).scalar_one_or_none()
    rows = (
        await session.execute(
            select(User, Enrollment, ReminderPref)
            .join(Membership, Membership.user_id == User.id)
            .outerjoin(Enrollment, Enrollment.user_id == User.id)
            .outerjoin(ReminderPref, ReminderPref.user_id == User.id)
            .where(Membership.channel_id == channel_id)
            .order_by(User.id)
        )
    ).all()
    ids = [u.id for u, _, _ in rows]
    chapters: dict[int, dict[str, tuple[str, datetime | None, datetime]]] = {i: {} for i in ids}
    if ids:
        # Plain rows, not ORM objects: a big group has hundreds of thousands of them, and
        # building an object for each was most of /leaderboard's time.
        progress = await session.execute(
            select(
                ChapterProgress.user_id,
                ChapterProgress.chapter_id,
                ChapterProgress.state,
                ChapterProgress.completed_at,
                ChapterProgress.updated_at,
            )
            .join(Membership, Membership.user_id == ChapterProgress.user_id)
            .where(Membership.channel_id == channel_id)
        )
        for uid, chapter, state, completed, updated in progress.tuples():
            chapters[uid][chapter] = (state, completed, updated)
    return [
        MemberData(
            user_id=u.id,
            external_id=u.external_id,
            name=u.display_name or u.external_id,
            privacy=u.privacy,
            tz=person_zone(pref.timezone if pref else None, u.timezone, [group_tz]),
            path_id=e.path_id if e else None,
            enrolled_at=e.plan_start if e else None,
            chapters=chapters[u.id],
        )
        for u, e, pref in rows
    ]


# --- ranking ------------------------------------------------------------------------------


def chapter_share(curriculum: Curriculum, chapter_id: str, path_id: str | None) -> float:
    """Study days one chapter is worth: its step's days split evenly over the step's chapters."""
    paths: list[Path] = []
    if path_id in curriculum.path_by_id:
        paths.append(curriculum.path_by_id[path_id])
    paths.extend(p for p in curriculum.paths if p.id != path_id)
    for path in paths:
        for step in path.steps:
            if chapter_id in step.chapters:
                return step.days / len(step.chapters)
    return 0.0


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a board. ``label`` is safe to show: a name, or "anonymous #k"."""

    rank: int
    user_id: int
    label: str
    anonymous: bool
    days: float
    steps: int
    streak: int
    reached_at: datetime
    path_id: str | None
    fraction: float  # path progress (covered days / total), for bars


def weekly_streak(completions: Iterable[datetime], tz: str, now: datetime) -> int:
    """Consecutive local weeks with a completion, ending this week or last week."""
    zone = _zone(tz)

    def monday(instant: datetime) -> date:
        day = instant.astimezone(zone).date()
        return day - timedelta(days=day.weekday())

    weeks = {monday(c) for c in completions}
    current = monday(now)
    if current not in weeks:
        current -= timedelta(days=7)
    streak = 0
    while current in weeks:
        streak += 1
        current -= timedelta(days=7)
    return streak


def _covered_at(state: str, completed: datetime | None, updated: datetime) -> datetime | None:
    if state == "done":
        return completed or updated
    if state == "skipped":
        return updated
    return None


def _member_score(
    curriculum: Curriculum, m: MemberData, period: Period, since: datetime | None, now: datetime
) -> tuple[float, int, datetime | None, int]:
    """(days, steps, reached_at, streak) of one member in one period."""

    def counts(instant: datetime | None) -> bool:
        return (
            instant is not None
            and period.contains(instant)
            and (since is None or instant >= since)
            and instant <= now
        )

    days = 0.0
    reached: datetime | None = None
    done_times: list[datetime] = []
    for chapter_id, (state, completed, _updated) in m.chapters.items():
        if state != "done" or completed is None:
            continue
        if since is None or completed >= since:
            done_times.append(completed)
        if counts(completed):
            days += chapter_share(curriculum, chapter_id, m.path_id)
            reached = completed if reached is None else max(reached, completed)
    steps = 0
    if m.path_id in curriculum.path_by_id:
        for step in curriculum.path_by_id[m.path_id].steps:
            times = [
                _covered_at(*m.chapters[c]) if c in m.chapters else None for c in step.chapters
            ]
            if all(t is not None for t in times):
                finished = max(t for t in times if t is not None)
                if counts(finished):
                    steps += 1
    streak = weekly_streak((t for t in done_times if t <= now), m.tz, now)
    return days, steps, reached, streak


def rank_members(
    curriculum: Curriculum,
    members: Sequence[MemberData],
    period: Period,
    now: datetime,
    *,
    since: datetime | None = None,
    anonymous_label: str = "anonymous #{k}",
    include_hidden: bool = False,
) -> list[Entry]:
    """The board for ``period``: people with study days or steps in it, best first."""
    scored: list[tuple[MemberData, float, int, datetime, int]] = []
    for m in members:
        if m.privacy == "hidden" and not include_hidden:
            continue
        days, steps, reached, streak = _member_score(curriculum, m, period, since, now)
        if days <= _EPS and steps == 0:
            continue
        scored.append((m, days, steps, reached or now, streak))
    scored.sort(key=lambda s: (-round(s[1], 6), s[3], s[0].user_id))
    out: list[Entry] = []
    anon = 0
    for i, (m, days, steps, reached, streak) in enumerate(scored, start=1):
        anonymous = m.privacy == "anonymous"
        if anonymous:
            anon += 1
        status = m.status(curriculum, now)
        fraction = 0.0
        if status is not None and status.total_days:
            fraction = min(1.0, status.days_covered / status.total_days)
        out.append(
            Entry(
                rank=i,
                user_id=m.user_id,
                label=anonymous_label.format(k=anon) if anonymous else m.name,
                anonymous=anonymous,
                days=days,
                steps=steps,
                streak=streak,
                reached_at=reached,
                path_id=m.path_id,
                fraction=fraction,
            )
        )
    return out


async def board(
    session: AsyncSession,
    curriculum: Curriculum,
    channel: Channel,
    kind: PeriodKind,
    now: datetime,
    *,
    anonymous_label: str = "anonymous #{k}",
    members: list[MemberData] | None = None,
) -> tuple[Period, list[Entry]]:
    """The channel's current board of ``kind``; ``members`` when the caller loaded them."""
    period = period_of(kind, now, channel.timezone)
    if members is None:
        members = await load_members(session, channel.id)
    entries = rank_members(
        curriculum,
        members,
        period,
        now,
        since=channel.leaderboard_reset_at,
        anonymous_label=anonymous_label,
    )
    return period, entries


# --- snapshots ----------------------------------------------------------------------------


async def snapshot_closed_periods(
    session: AsyncSession,
    curriculum: Curriculum,
    channel: Channel,
    now: datetime,
    *,
    anonymous_label: str = "anonymous #{k}",
    members: list[MemberData] | None = None,
) -> list[tuple[str, str]]:
    """Save the top three of every finished week and month that has none yet.

    Only periods in which someone completed a chapter can have winners, so those are the only
    candidates; that keeps the work proportional to the data, however long the bot was off.
    Safe to call concurrently (inserts skip rows another call already wrote). Returns the
    (kind, key) pairs it saved. ``members``: when the caller already loaded them.
    """
    if members is None:
        members = await load_members(session, channel.id)
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
    saved: list[tuple[str, str]] = []
    for kind in SNAPSHOT_KINDS:
        current = period_of(kind, now, channel.timezone)
        candidates: dict[str, Period] = {}
        for instant in instants:
            p = period_of(kind, instant, channel.timezone)
            if p.end is not None and p.end <= now and p.key != current.key:
                candidates[p.key] = p
        for key in sorted(candidates):
            if (kind, key) in existing:
                continue
            period = candidates[key]
            assert period.end is not None
            entries = rank_members(
                curriculum,
                members,
                period,
                period.end,  # streaks and progress as they stood when the period closed
                since=since,
                anonymous_label=anonymous_label,
            )[:TOP]
            if not entries:
                continue
            stmt = dialect_insert(session, LeaderboardSnapshot).values(
                [
                    {
                        "channel_id": channel.id,
                        "period_kind": kind,
                        "period_key": key,
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
            saved.append((kind, key))
    return saved


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


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """Part of "delete my data": drop pending nudges and unname past wins.

    The foreign keys would null ``user_id`` (snapshots) and delete nudges anyway, but the label
    holds the name that was shown, so it is blanked here explicitly.
    """
    await session.execute(
        update(LeaderboardSnapshot)
        .where(LeaderboardSnapshot.user_id == user_id)
        .values(user_id=None, label="", anonymous=True)
    )
    await session.execute(delete(NudgeRequest).where(NudgeRequest.user_id == user_id))


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """This feature's part of "export my data": past wins and nudges about the person."""
    wins = (
        await session.execute(
            select(LeaderboardSnapshot, Channel)
            .join(Channel, Channel.id == LeaderboardSnapshot.channel_id)
            .where(LeaderboardSnapshot.user_id == user_id)
            .order_by(LeaderboardSnapshot.period_key)
        )
    ).all()
    nudges = (
        (
            await session.execute(
                select(NudgeRequest)
                .where(NudgeRequest.user_id == user_id)
                .order_by(NudgeRequest.requested_at)
            )
        )
        .scalars()
        .all()
    )
    return {
        "leaderboard_wins": [
            {
                "channel": ch.external_id,
                "period": f"{w.period_kind} {w.period_key}",
                "rank": w.rank,
                "shown_as": w.label,
                "days": w.days,
            }
            for w, ch in wins
        ],
        "nudges": [
            {
                "requested_at": n.requested_at.isoformat(),
                "behind_days": n.behind_days,
                "delivered_at": n.delivered_at.isoformat() if n.delivered_at else None,
            }
            for n in nudges
        ],
    }


async def pending_nudges(
    session: AsyncSession, platforms: set[str] | None = None, *, limit: int = 100
) -> list[NudgeRequest]:
    """Nudges not handled yet, oldest first, for people on ``platforms`` (all when None)."""
    stmt = (
        select(NudgeRequest)
        .join(User, User.id == NudgeRequest.user_id)
        .where(NudgeRequest.delivered_at.is_(None))
        .order_by(NudgeRequest.requested_at, NudgeRequest.id)
        .limit(limit)
    )
    if platforms is not None:
        stmt = stmt.where(User.platform.in_(platforms))
    return list((await session.execute(stmt)).scalars().all())


async def mark_nudges_delivered(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(NudgeRequest).where(NudgeRequest.id.in_(ids)).values(delivered_at=now)
        )


# --- cohort -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CohortRow:
    member: MemberData
    status: PathStatus | None

    @property
    def behind_days(self) -> int:
        if self.status is None:
            return 0
        pace = self.status.pace
        return pace.days if pace.kind == "behind" else 0


def cohort(curriculum: Curriculum, members: Sequence[MemberData], now: datetime) -> list[CohortRow]:
    return [CohortRow(m, m.status(curriculum, now)) for m in members]
