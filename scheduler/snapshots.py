"""Leaderboard history, kept by the scheduler's tick: the winners of finished weeks and months
are frozen for every study group whose week or month changed since this process last did so
(ranked beside the writer by ``plan_snapshots``, saved by ``save_snapshots``), so
``/leaderboard history`` is complete even if nobody asked for a board."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Channel, Membership
from bot.services.leaderboard import period_of, plan_snapshots, save_snapshots
from scheduler.ledger import Transaction
from scheduler.model import RunReport

log = logging.getLogger(__name__)

# Snapshots are taken a little after a period closes, so that a ``/done`` committed just
# after midnight (timestamped just before it) is still counted in the week it belongs to.
SNAPSHOT_SETTLE = timedelta(minutes=1)


class LeaderboardHistory:
    """Remembers, per study group, the week and month it was last snapshotted in by this
    process, so that a tick only ranks groups whose period turned over."""

    def __init__(self, core: Core, transaction: Transaction) -> None:
        self.core = core
        self._transaction = transaction
        # channel id -> (week key, month key) it was last snapshotted in, by this process
        self._marks: dict[int, tuple[str, str]] = {}

    async def take(self, at: datetime, platforms: set[str], report: RunReport) -> None:
        """Freeze finished periods' winners for study groups whose week or month turned over
        since this process last looked (every group on the first tick). Idempotent: another
        replica, ``/leaderboard`` or a reset may have saved them already."""
        settled = at - SNAPSHOT_SETTLE
        async with self._transaction() as session:
            has_members = select(Membership.channel_id).where(Membership.channel_id == Channel.id)
            rows = (
                await session.execute(
                    select(Channel.id, Channel.timezone)
                    .where(Channel.platform.in_(platforms), has_members.exists())
                    .order_by(Channel.id)
                )
            ).all()
        for channel_id, tz in rows:
            mark = (period_of("week", settled, tz).key, period_of("month", settled, tz).key)
            if self._marks.get(channel_id) == mark:
                continue
            # Ranking a big group takes seconds and only reads: it is done beside SQLite's
            # writer, and only the saving of the winners takes a writer's turn.
            async with self.core.db.reading() as session:
                channel = await session.get(Channel, channel_id)
                if channel is None:
                    continue
                plan = await plan_snapshots(session, self.core.curriculum, channel, settled)
            saved: list[tuple[str, str]] = []
            if plan.winners:
                async with self._transaction() as session:
                    saved = await save_snapshots(session, plan, settled)
            self._marks[channel_id] = mark
            report.snapshots += [f"channel:{channel_id}:{kind}:{key}" for kind, key in saved]
        if report.snapshots:
            log.info("leaderboard history: saved %s", ", ".join(report.snapshots))
