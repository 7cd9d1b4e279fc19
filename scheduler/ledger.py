"""The delivery ledger: the ``Delivery`` row that makes each prompt go out at most once.

A prompt is **claimed** (its row inserted, status ``sending``) in the same transaction that
decided it, before anything is sent; the send's outcome is **recorded** afterwards (``sent`` /
``failed``), several outcomes to a transaction. A claim left ``sending`` by a process that died
mid-send is swept to ``unknown`` after the lease, never resent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BuddyGroup, Channel, Delivery, ReminderPref
from bot.services import deliveries
from bot.services.leaderboard import mark_nudges_delivered
from scheduler.model import Prompt, RunReport

log = logging.getLogger(__name__)

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


async def claim(session: AsyncSession, prompt: Prompt, at: datetime) -> int | None:
    """Insert the Delivery row before sending; ``None`` if someone else already has it."""
    stmt = deliveries.insert_delivery(
        session,
        recipient=prompt.recipient,
        user_id=prompt.user_id,
        kind=prompt.kind,
        period=prompt.period,
        status="sending",
        now=at,
    ).returning(Delivery.id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_or_busy(
    session: AsyncSession, prompt: Prompt | None, at: datetime, report: RunReport
) -> tuple[Prompt, int] | None:
    """The prompt with its claim's id, to send; None when there is nothing to send or another
    scheduler claimed it first (counted as busy)."""
    if prompt is None:
        return None
    delivery_id = await claim(session, prompt, at)
    if delivery_id is None:
        report.busy += 1
        return None
    return prompt, delivery_id


async def claim_status(session: AsyncSession, prompt: Prompt) -> str | None:
    """The status of the claim already made for ``prompt``, if any."""
    return (
        await session.execute(
            select(Delivery.status).where(
                Delivery.recipient == prompt.recipient,
                Delivery.kind == prompt.kind,
                Delivery.period == prompt.period,
            )
        )
    ).scalar_one_or_none()


async def delivered(
    session: AsyncSession, recipient: str, kind: str | tuple[str, ...], period: str
) -> bool:
    """Whether a record of ``kind`` (any of them, given several) exists for the period."""
    if isinstance(kind, str):
        return await deliveries.has_record(session, recipient, kind, period)
    found = await session.execute(
        select(Delivery.id)
        .where(
            Delivery.recipient == recipient,
            Delivery.kind.in_(kind),
            Delivery.period == period,
        )
        .limit(1)
    )
    return found.first() is not None


async def reminded_since(session: AsyncSession, recipient: str, since: datetime) -> bool:
    """Whether a weekly reminder was claimed for ``recipient`` after ``since``."""
    found = await session.execute(
        select(Delivery.id).where(
            Delivery.recipient == recipient,
            Delivery.kind == "reminder",
            Delivery.created_at > since,
        )
    )
    return found.first() is not None


async def still_claimed(transaction: Transaction, delivery_id: int) -> bool:
    """``/forget-me`` deletes the claim with the person: then never send (nor retry)."""
    async with transaction() as session:
        found = await session.execute(select(Delivery.id).where(Delivery.id == delivery_id))
        return found.first() is not None


async def sweep_stale_claims(session: AsyncSession, at: datetime, lease: timedelta) -> int:
    """Claims left ``sending`` by a process that died mid-send: in doubt, so never resent."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.status == "sending", Delivery.updated_at < at - lease)
        .values(status="unknown", detail="in doubt: the sender stopped mid-send", updated_at=at)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.warning("%d weekly prompt(s) were in doubt after a restart; not resending", count)
    return count


async def suspend_if_failing(session: AsyncSession, prompt: Prompt, suspend_after: int) -> bool:
    """After ``suspend_after`` failed weeks in a row, stop trying (and say so in the log)."""
    if suspend_after <= 0 or prompt.kind in ("snooze", "nudge", "buddies"):
        return False  # a failed snooze, nudge or introduction is not a failed week
    statuses = (
        (
            await session.execute(
                select(Delivery.status)
                .where(Delivery.recipient == prompt.recipient, Delivery.kind == prompt.kind)
                .order_by(Delivery.period.desc())
                .limit(suspend_after)
            )
        )
        .scalars()
        .all()
    )
    if len(statuses) < suspend_after or any(s != "failed" for s in statuses):
        return False
    if prompt.kind == "reminder":
        await session.execute(
            update(ReminderPref).where(ReminderPref.user_id == prompt.user_id).values(enabled=False)
        )
    else:
        channel_id = int(prompt.recipient.split(":", 1)[1])
        await session.execute(
            update(Channel).where(Channel.id == channel_id).values(prompts_enabled=False)
        )
    log.warning(
        "suspended weekly %s prompts for %s after %d failed weeks in a row",
        prompt.kind,
        prompt.recipient,
        suspend_after,
    )
    return True


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one claimed prompt's send went, waiting to be recorded."""

    prompt: Prompt
    delivery_id: int
    ok: bool
    attempts: int
    error: str
    at: datetime
    report: RunReport
    conversation: str | None = None  # study buddies: where they were introduced


class Recorder:
    """Writes send outcomes to the ledger, those that come in together in one transaction."""

    def __init__(self, transaction: Transaction, *, suspend_after: int) -> None:
        self._transaction = transaction
        self.suspend_after = suspend_after
        self._outcomes: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, outcome: Outcome) -> None:
        """Write a send's outcome and wait until it is committed. Outcomes that come in while
        a write is under way go together in the next one (group commit): on SQLite, where each
        transaction waits its turn on the one writer, a fan-out spends one turn per batch
        instead of one per message."""
        done = asyncio.get_running_loop().create_future()
        self._outcomes.append((outcome, done))
        if self._writer is None or self._writer.done():
            # Its own task: a cancelled worker (a shutdown) does not cut a write in half.
            self._writer = asyncio.create_task(self._write_outcomes())
        await asyncio.shield(done)

    async def _write_outcomes(self) -> None:
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            try:
                recorded = await self._write_batch([o for o, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for outcome, done in batch:
                if outcome.delivery_id in recorded:  # else the person deleted their data
                    report = outcome.report
                    (report.sent if outcome.ok else report.failed).append(outcome.prompt.key)
                if not done.done():
                    done.set_result(None)

    async def _write_batch(self, batch: list[Outcome]) -> set[int]:
        """One transaction for the batch; the ids of the Delivery rows still there."""
        recorded: set[int] = set()
        async with self._transaction() as session:
            nudge_ids: dict[datetime, list[int]] = {}
            for o in batch:
                if o.prompt.kind == "nudge":
                    nudge_ids.setdefault(o.at, []).append(int(o.prompt.period.split(":", 1)[1]))
            for at, ids in nudge_ids.items():
                # Off the queue (the Delivery row says how it went). Nudge rows are locked
                # before Delivery rows, in the order a nudge's claim takes them: no deadlock.
                await mark_nudges_delivered(session, ids, at)
            sent: dict[tuple[int, datetime], list[int]] = {}
            for o in batch:
                if o.ok:
                    sent.setdefault((o.attempts, o.at), []).append(o.delivery_id)
            for o in batch:
                if o.ok and o.prompt.kind == "buddies":
                    await session.execute(
                        update(BuddyGroup)
                        .where(BuddyGroup.id == int(o.prompt.recipient.split(":", 1)[1]))
                        .values(introduced_at=o.at, conversation_id=o.conversation)
                    )
            for (attempts, at), ids in sent.items():
                rows = await session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(ids))
                    .values(status="sent", attempts=attempts, detail="", updated_at=at)
                    .returning(Delivery.id)
                )
                recorded.update(rows.scalars().all())
            for o in batch:
                if o.ok:
                    continue
                rows = await session.execute(
                    update(Delivery)
                    .where(Delivery.id == o.delivery_id)
                    .values(status="failed", attempts=o.attempts, detail=o.error, updated_at=o.at)
                    .returning(Delivery.id)
                )
                if rows.first() is None:
                    continue
                recorded.add(o.delivery_id)
                if await suspend_if_failing(session, o.prompt, self.suspend_after):
                    o.report.suspended += 1
        return recorded
