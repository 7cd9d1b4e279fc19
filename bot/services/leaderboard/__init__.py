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

The modules: ``periods`` (week and month maths), ``members`` (loading a group), ``ranking``
(scores, streaks, board order), ``privacy`` (shown, anonymous, hidden; export and delete),
``snapshots`` (closed periods' winners), ``nudges``. This module re-exports the public names
callers use; to replace one for a test, patch it where it is looked up.
"""

from __future__ import annotations

from bot.services.leaderboard.members import (
    CohortRow,
    MemberData,
    changed_members,
    cohort,
    load_members,
    member_ids,
)
from bot.services.leaderboard.nudges import (
    mark_nudges_delivered,
    pending_nudges,
)
from bot.services.leaderboard.periods import (
    Period,
    PeriodKind,
    month_key,
    period_of,
    previous_period,
    week_key,
)
from bot.services.leaderboard.privacy import (
    export_user,
    forget_user,
)
from bot.services.leaderboard.ranking import (
    Entry,
    chapter_share,
    merged,
    off_loop,
    rank_boards,
    rank_members,
    renumber,
    weekly_streak,
    with_member,
)
from bot.services.leaderboard.snapshots import (
    SNAPSHOT_KINDS,
    TOP,
    SnapshotPlan,
    history,
    plan_snapshots,
    save_snapshots,
    snapshot_closed_periods,
)

__all__ = [
    "SNAPSHOT_KINDS",
    "TOP",
    "CohortRow",
    "Entry",
    "MemberData",
    "Period",
    "PeriodKind",
    "SnapshotPlan",
    "changed_members",
    "chapter_share",
    "cohort",
    "export_user",
    "forget_user",
    "history",
    "load_members",
    "mark_nudges_delivered",
    "member_ids",
    "merged",
    "month_key",
    "off_loop",
    "pending_nudges",
    "period_of",
    "plan_snapshots",
    "previous_period",
    "rank_boards",
    "rank_members",
    "renumber",
    "save_snapshots",
    "snapshot_closed_periods",
    "week_key",
    "weekly_streak",
    "with_member",
]
