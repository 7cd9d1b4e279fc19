"""Scoring and ranking: study days and steps per period, weekly streaks, board order.

The rules (who, study days, steps, ties, streaks) are in this package's docstring. Ranking is
pure CPU over ``MemberData``; ``off_loop`` moves it to a worker thread for big groups.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.services.leaderboard.members import MemberData
from bot.services.leaderboard.periods import Period, zone_of
from bot.services.leaderboard.privacy import (
    ANONYMOUS_LABEL,
    board_labels,
    is_anonymous,
    on_board,
)
from curriculum import Curriculum, Path

_EPS = 1e-6


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
    name: str = ""  # the person's name, shown when they are not anonymous


def weekly_streak(completions: Iterable[datetime], tz: str, now: datetime) -> int:
    """Consecutive local weeks with a completion, ending this week or last week."""
    zone = zone_of(tz)

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


def _shares(curriculum: Curriculum, path_id: str | None) -> dict[str, float]:
    """``chapter_share`` of every chapter for a person on ``path_id``, worked out once."""
    key = (id(curriculum), path_id)
    found = _SHARES.get(key)
    if found is None or found[0] is not curriculum:
        table = {c: chapter_share(curriculum, c, path_id) for c in curriculum.chapters}
        found = _SHARES[key] = (curriculum, table)
    return found[1]


_SHARES: dict[tuple[int, str | None], tuple[Curriculum, dict[str, float]]] = {}


def _member_scores(
    curriculum: Curriculum,
    m: MemberData,
    periods: Sequence[Period],
    since: datetime | None,
    now: datetime,
) -> tuple[list[tuple[float, int, datetime | None]], int]:
    """(days, steps, reached_at) of one member in each of ``periods``, and their streak (which
    does not depend on the period), from one pass over their chapters."""
    n = len(periods)
    days = [0.0] * n
    steps = [0] * n
    reached: list[datetime | None] = [None] * n
    shares = _shares(curriculum, m.path_id)
    done_times: list[datetime] = []
    for chapter_id, (state, completed, _updated) in m.chapters.items():
        if state != "done" or completed is None or (since is not None and completed < since):
            continue
        done_times.append(completed)
        if completed > now:
            continue
        share = shares.get(chapter_id, 0.0)
        for i, period in enumerate(periods):
            if period.contains(completed):
                days[i] += share
                r = reached[i]
                reached[i] = completed if r is None or completed > r else r
    if m.path_id in curriculum.path_by_id:
        for step in curriculum.path_by_id[m.path_id].steps:
            times = [
                _covered_at(*m.chapters[c]) if c in m.chapters else None for c in step.chapters
            ]
            if not all(t is not None for t in times):
                continue
            finished = max(t for t in times if t is not None)
            if finished > now or (since is not None and finished < since):
                continue
            for i, period in enumerate(periods):
                if period.contains(finished):
                    steps[i] += 1
    streak = weekly_streak((t for t in done_times if t <= now), m.tz, now)
    return list(zip(days, steps, reached, strict=True)), streak


def rank_boards(
    curriculum: Curriculum,
    members: Sequence[MemberData],
    periods: Sequence[Period],
    now: datetime,
    *,
    since: datetime | None = None,
    anonymous_label: str = ANONYMOUS_LABEL,
    include_hidden: bool = False,
) -> list[list[Entry]]:
    """The boards of ``periods`` (people with study days or steps in each, best first) from
    one pass over the members: streaks and path progress are worked out once per person."""
    boards: list[list[Entry]] = [[] for _ in periods]
    for m in members:
        if not on_board(m.privacy, include_hidden):
            continue
        scores, streak = _member_scores(curriculum, m, periods, since, now)
        fraction: float | None = None
        for board_, (days, steps, reached) in zip(boards, scores, strict=True):
            if days <= _EPS and steps == 0:
                continue
            if fraction is None:
                status = m.status(curriculum, now)
                fraction = 0.0
                if status is not None and status.total_days:
                    fraction = min(1.0, status.days_covered / status.total_days)
            board_.append(
                Entry(
                    rank=0,
                    user_id=m.user_id,
                    label=m.name,
                    anonymous=is_anonymous(m.privacy),
                    days=days,
                    steps=steps,
                    streak=streak,
                    reached_at=reached or now,
                    path_id=m.path_id,
                    fraction=fraction,
                    name=m.name,
                )
            )
    return [renumber(entries, anonymous_label) for entries in boards]


def rank_members(
    curriculum: Curriculum,
    members: Sequence[MemberData],
    period: Period,
    now: datetime,
    *,
    since: datetime | None = None,
    anonymous_label: str = ANONYMOUS_LABEL,
    include_hidden: bool = False,
) -> list[Entry]:
    """The board for ``period``: people with study days or steps in it, best first."""
    return rank_boards(
        curriculum,
        members,
        [period],
        now,
        since=since,
        anonymous_label=anonymous_label,
        include_hidden=include_hidden,
    )[0]


OFF_LOOP_MEMBERS = 500  # ranking more people than this runs in a worker thread


async def off_loop(
    people: int, fn: Callable[..., list[list[Entry]]], *args: Any, **kwargs: Any
) -> list[list[Entry]]:
    """Rank in a worker thread when ``people`` is many (seconds of CPU the event loop should
    not wait for); a small group is quicker ranked in place than handed to a thread."""
    if people > OFF_LOOP_MEMBERS:
        return await asyncio.to_thread(fn, *args, **kwargs)
    return fn(*args, **kwargs)


def _order(e: Entry) -> tuple[float, datetime, int]:
    return (-round(e.days, 6), e.reached_at, e.user_id)


def renumber(entries: Iterable[Entry], anonymous_label: str = ANONYMOUS_LABEL) -> list[Entry]:
    """Entries sorted into board order, ranked 1…n, anonymous ones labelled "anonymous #k"
    (k counting the anonymous entries of this board from the top)."""
    out: list[Entry] = []
    ordered = sorted(entries, key=_order)
    labels = board_labels(ordered, anonymous_label)
    for i, (e, label) in enumerate(zip(ordered, labels, strict=True), start=1):
        out.append(e if (e.rank, e.label) == (i, label) else replace(e, rank=i, label=label))
    return out


def with_member(
    curriculum: Curriculum,
    entries: Sequence[Entry],
    user_id: int,
    member: MemberData | None,
    period: Period,
    now: datetime,
    *,
    since: datetime | None = None,
    anonymous_label: str = ANONYMOUS_LABEL,
    include_hidden: bool = False,
) -> list[Entry]:
    """``entries`` (a board computed a little earlier, in board order) with one person's line
    recomputed from ``member``, their data as it is now (None: no longer in the group): a
    person always sees their own latest ``/done`` on a board otherwise served from a cache.

    The result is in board order but only ranked where ``renumber`` is applied: a big board
    is re-ranked only as far as it is shown."""
    if member is None:
        return [e for e in entries if e.user_id != user_id]
    mine = rank_members(
        curriculum, [member], period, now, since=since, include_hidden=include_hidden
    )
    return merged([e for e in entries if e.user_id != user_id], mine)


def merged(entries: Sequence[Entry], more: Iterable[Entry]) -> list[Entry]:
    """``entries`` (in board order) with ``more`` put in their places; nobody is renumbered."""
    out = list(entries)
    for e in more:
        bisect.insort(out, e, key=_order)
    return out
