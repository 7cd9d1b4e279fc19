"""Rankings of big study groups, kept between commands.

Ranking a group means reading every member's chapters: seconds for ten thousand, and for a
group of twenty still two reads and a few milliseconds of CPU -- on every ``/progress``, whose
rank field ranks the caller's group (most of that command's time before small groups were kept
too). So a group with at least ``min_members`` members (default: every group) has its three
boards (week, month, all) computed together from one read, then kept; each later call re-reads
only the members whose standing changed since the last read (``users.board_changed_at``, set
by every write to chapters, path, plan, privacy or display name) and re-ranks just them. A call
costs what changed since the previous one, not the size of the group, and the board is exact,
not a cached approximation: someone who chose ``hidden`` is gone at the next call, on every
replica. Kept boards are bounded by group count and by members in all (least recently used
dropped first).

What a kept board does not learn from that column, and how it is covered:

* people who left (deleted their data): the group's member count is checked on every call
  (one indexed count); when it is not what the kept boards expect, the missing people are
  found and dropped;
* a new week or month, a new channel timezone or a leaderboard reset: the boards are computed
  afresh (and the periods that closed are frozen as snapshots). Streaks only change when a
  week does, so they stay right too.

Rows edited behind the bot's back (by hand in SQL) are not noticed until one of those fresh
computations or a restart; ``forget`` drops a group's boards for tools that do such edits.

The "changed since" read looks back ``margin`` seconds more than needed, to cover a unit of
work that was still open during the previous read and replicas whose clocks differ a little.
The cache is per process; several replicas each keep their own.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel
from bot.services import leaderboard as lb
from curriculum import Curriculum

KINDS: tuple[lb.PeriodKind, ...] = ("week", "month", "all")
Boards = dict[lb.PeriodKind, tuple[lb.Period, list[lb.Entry]]]


@dataclass(frozen=True, slots=True)
class GroupBoards:
    """One group's three boards as of ``read_at`` (hidden people left out, anonymous ones
    labelled with the English template; ``lb.renumber`` relabels them)."""

    channel_id: int
    timezone: str | None
    reset_at: datetime | None
    member_ids: frozenset[int]
    read_at: datetime  # the clock's time at the read: later calls re-read what changed since
    boards: Boards
    frozen: bool = False  # the periods closed before these boards are saved as snapshots

    def board(self, kind: lb.PeriodKind) -> tuple[lb.Period, list[lb.Entry]]:
        return self.boards[kind]

    def matches(self, channel: Channel, now: datetime) -> bool:
        """Still the right boards for ``channel`` at ``now``: same timezone and reset, and the
        same week and month (a board of last week is not this week's, however fresh)."""
        if (channel.timezone, channel.leaderboard_reset_at) != (self.timezone, self.reset_at):
            return False
        return all(
            lb.period_of(kind, now, channel.timezone).key == period.key
            for kind, (period, _) in self.boards.items()
        )

    @property
    def members(self) -> int:
        return len(self.member_ids)

    def updated(
        self,
        curriculum: Curriculum,
        changed: Sequence[int],
        members: Sequence[lb.MemberData],
        now: datetime,
    ) -> GroupBoards:
        """These boards with the ``changed`` people re-ranked from ``members`` (their rows as
        they are now; a changed person missing from ``members`` left the group)."""
        stale = set(changed)
        periods = [period for period, _ in self.boards.values()]
        fresh = lb.rank_boards(curriculum, members, periods, now, since=self.reset_at)
        boards: Boards = {}
        for (kind, (period, entries)), more in zip(self.boards.items(), fresh, strict=True):
            boards[kind] = (period, lb.merged([e for e in entries if e.user_id not in stale], more))
        ids = (self.member_ids - stale) | {m.user_id for m in members}
        return GroupBoards(
            channel_id=self.channel_id,
            timezone=self.timezone,
            reset_at=self.reset_at,
            member_ids=frozenset(ids),
            read_at=now,
            boards=boards,
            frozen=self.frozen,
        )


async def compute(
    session: AsyncSession,
    curriculum: Curriculum,
    channel: Channel,
    now: datetime,
    *,
    members: list[lb.MemberData] | None = None,
) -> GroupBoards:
    """All three boards of ``channel`` from one read of its members.

    A big group's ranking (seconds of CPU for ten thousand people) runs in a worker thread,
    so the event loop keeps answering other commands meanwhile."""
    if members is None:
        members = await lb.load_members(session, channel)
    periods = [lb.period_of(kind, now, channel.timezone) for kind in KINDS]
    ranked = await lb.off_loop(
        len(members),
        lb.rank_boards,
        curriculum,
        members,
        periods,
        now,
        since=channel.leaderboard_reset_at,
    )
    return GroupBoards(
        channel_id=channel.id,
        timezone=channel.timezone,
        reset_at=channel.leaderboard_reset_at,
        member_ids=frozenset(m.user_id for m in members),
        read_at=now,
        boards=dict(zip(KINDS, zip(periods, ranked, strict=True), strict=True)),
    )


class BoardCache:
    def __init__(
        self,
        curriculum: Curriculum,
        *,
        min_members: int = 1,
        margin: timedelta = timedelta(seconds=60),
        max_groups: int = 4096,
        max_members: int = 200_000,
    ) -> None:
        self.curriculum = curriculum
        self.min_members = min_members
        self.margin = margin
        self.max_groups = max_groups
        # A kept member is at most three board lines, a few hundred bytes each.
        self.max_members = max_members
        self._members = 0  # members of all kept groups
        self._kept: OrderedDict[int, GroupBoards] = OrderedDict()
        self._plans: dict[int, lb.SnapshotPlan] = {}  # ranked winners awaiting a writer's turn
        self.computed = 0  # full computations, for benchmarks and tests

    async def get(
        self,
        session: AsyncSession,
        channel: Channel,
        now: datetime,
        *,
        freeze: bool = True,
    ) -> tuple[GroupBoards, bool]:
        """The group's boards as of now, and whether they were kept from an earlier call
        (True: brought up to date with the people who changed since) or computed now in the
        caller's unit of work (False).

        ``freeze``: first save the winners of the periods that closed (snapshots), so history
        is complete whenever it is read; a caller that only needs a rank (``/progress``)
        leaves that to the next ``/leaderboard`` or the scheduler."""
        kept = self._kept.get(channel.id)
        if kept is not None and kept.matches(channel, now):
            count, changed = await lb.changed_members(
                session, channel.id, kept.read_at - self.margin
            )
            if count != len(kept.member_ids) + sum(c not in kept.member_ids for c in changed):
                # Someone left (deleted their data): find who, and drop them like a change.
                now_ids = set(await lb.member_ids(session, channel.id))
                changed = [*changed, *(kept.member_ids - now_ids)]
            if changed:
                fresh = await lb.load_members(session, channel, changed)
                kept = kept.updated(self.curriculum, changed, fresh, now)
                self._keep(kept)
            if freeze and not kept.frozen:
                await self._freeze(session, channel, now)
                kept = replace(kept, frozen=True)
                self._keep(kept)
            self._kept.move_to_end(channel.id)
            return kept, True
        members = await lb.load_members(session, channel)
        boards = await compute(session, self.curriculum, channel, now, members=members)
        self.computed += 1
        self._keep(boards)
        if freeze:
            await self._freeze(session, channel, now, members)
            boards = replace(boards, frozen=True)
            self._keep(boards)
        return boards, False

    async def _freeze(
        self,
        session: AsyncSession,
        channel: Channel,
        now: datetime,
        members: list[lb.MemberData] | None = None,
    ) -> None:
        """Save the winners of the periods that closed. In a unit of work that only reads
        (``Database.reading``) the save stops it (``WriteNeeded``) and the command is redone
        as a writing one; the boards and the ranked winners are kept for that redo, so the
        writer's turn only saves them instead of ranking the whole group again."""
        plan = self._plans.pop(channel.id, None)
        if plan is None or not plan.fits(channel, now):
            plan = await lb.plan_snapshots(session, self.curriculum, channel, now, members=members)
        if plan.winners and session.info.get("reading"):
            self._plans[channel.id] = plan
        await lb.save_snapshots(session, plan, now)
        self._plans.pop(channel.id, None)

    def forget(self, channel_id: int | None = None) -> None:
        """Drop a group's kept boards (every group's when None): the next call computes
        afresh, as after a restart."""
        if channel_id is None:
            self._kept.clear()
            self._plans.clear()
            self._members = 0
        else:
            self._drop(channel_id)
            self._plans.pop(channel_id, None)

    def _drop(self, channel_id: int) -> None:
        gone = self._kept.pop(channel_id, None)
        if gone is not None:
            self._members -= gone.members

    def _keep(self, boards: GroupBoards) -> None:
        self._drop(boards.channel_id)
        if boards.members < self.min_members or boards.members > self.max_members:
            return
        self._kept[boards.channel_id] = boards
        self._members += boards.members
        while len(self._kept) > self.max_groups or self._members > self.max_members:
            _, oldest = self._kept.popitem(last=False)
            self._members -= oldest.members
