"""Which weekly prompts are due, and sending each of them at most once.

One tick (``run_once``) asks the database what is due, and for each prompt:

1. **claims** it in one short transaction: lock the row (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL; SQLite has a single writer), re-check that it is still due, insert the
   ``Delivery`` row (status ``sending``; unique per recipient, kind and local ISO week) and move
   ``next_due_at`` to the following week — all or nothing;
2. **sends** it through the platform's ``Notifier``, retrying transient errors with backoff;
3. **records** the outcome (``sent`` / ``failed``), suspending a recipient after several
   failed weeks in a row.

The claim commits before the send, so a second scheduler, a restart or a crash never sends a
prompt twice: the price is that a process killed *during* a send leaves that one claim in
doubt (``sending``); it is marked ``unknown`` after ``lease`` and not resent (at most once).

``PromptService`` only composes the parts: ``due`` (what is due), ``kinds.personal`` /
``kinds.channel`` / ``kinds.nudge`` (whether each goes out, and what it says), ``ledger`` (the
Delivery rows), ``sender`` (the notifiers, retries) and ``snapshots`` (leaderboard history,
taken by each tick).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.db.models import Enrollment, User
from bot.ports import Notifier
from scheduler import due as due_queries
from scheduler import forecast, ledger
from scheduler.kinds import buddies as buddies_kind
from scheduler.kinds import channel as channel_kind
from scheduler.kinds import nudge as nudge_kind
from scheduler.kinds import personal
from scheduler.kinds.channel import last_weekly
from scheduler.model import Kind, Prompt, Rules, RunReport
from scheduler.sender import Sender
from scheduler.snapshots import LeaderboardHistory

__all__ = ["Kind", "Prompt", "PromptService", "RunReport", "TickObserver", "last_weekly"]

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]  # one unit of run_once's work: a person, channel or nudges
# A kind's decide-and-claim, in the transaction it is given: the prompt and its claim's id
Claim = Callable[[AsyncSession], Awaitable[tuple[Prompt, int] | None]]


class TickObserver(Protocol):
    """Told when each ``run_once`` (one tick) starts and ends: metrics, without subclassing."""

    def tick_started(self) -> None: ...

    def tick_finished(self, report: RunReport | None) -> None:
        """``report`` is None when the tick raised."""


async def _aclose(work: AsyncIterator[Job]) -> None:
    close = getattr(work, "aclose", None)
    if close is not None:
        await close()


class PromptService:
    def __init__(
        self,
        core: Core,
        notifiers: dict[str, Notifier],
        *,
        grace: timedelta = timedelta(hours=6),
        concurrency: int = 8,
        max_attempts: int = 3,
        backoff_seconds: float = 2.0,
        suspend_after: int = 3,
        lease: timedelta = timedelta(minutes=15),
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        observer: TickObserver | None = None,
    ) -> None:
        self.core = core
        self.observer = observer
        self.notifiers = notifiers
        self.grace = grace
        self.lease = lease
        self._rules = Rules(core.curriculum, grace)
        self.concurrency = max(1, concurrency)
        self._semaphore = asyncio.Semaphore(self.concurrency)
        # SQLite has one writer, and the Database queues every transaction of the process on
        # it (first come, first served). The fan-out takes one place in that queue at a time,
        # so a person's command waits behind at most one of its transactions, not one per
        # worker; its throughput is the same (the writer serialises them anyway).
        self._db_turn = asyncio.Lock() if core.db.is_sqlite else None
        self._stopping = False
        recorder = ledger.Recorder(self._transaction, suspend_after=suspend_after)
        self._sender = Sender(
            notifiers,
            recorder,
            self._transaction,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            sleep=sleep,
        )
        self._history = LeaderboardHistory(core, self._transaction)

    # --- public ---------------------------------------------------------------------------

    async def due(self, at: datetime, *, all_platforms: bool = False) -> list[Prompt]:
        """Every prompt ``run_once(at)`` would send, rendered; writes and sends nothing.

        ``all_platforms``: include platforms without a notifier (the CLI has none).
        """
        platforms = None if all_platforms else set(self.notifiers)
        rules = self._rules
        prompts: list[Prompt] = []
        async with self.core.db.transaction() as session:
            prefs = await due_queries.due_prefs(session, at, platforms)
            defaults = await due_queries.default_prefs(session, at, platforms)
            prefs += [p for p in defaults if p.next_due_at is not None and p.next_due_at <= at]
            for pref in prefs:
                user = await session.get(User, pref.user_id)
                enrollment = await session.get(Enrollment, pref.user_id)
                if user is None or enrollment is None:
                    continue
                decision = await personal.decide_reminder(
                    session, rules, pref, user, enrollment, at
                )
                if decision.prompt is not None:
                    prompts.append(decision.prompt)
            weekly = {p.recipient for p in prompts}
            for pref, user, enrollment in await due_queries.snoozed(session, at, platforms):
                decision = await personal.decide_snooze(session, rules, pref, user, enrollment, at)
                # run_once sends a person's weekly reminder first, and that replaces the snooze.
                if decision.prompt is not None and decision.prompt.recipient not in weekly:
                    prompts.append(decision.prompt)
            for channel in await due_queries.channels(session, platforms):
                prompt = await channel_kind.decide_channel(session, rules, channel, at)
                if prompt is not None:
                    prompts.append(prompt)
            nudged: set[str] = set()
            for nudge in await due_queries.pending_nudges(session, platforms):
                _, prompt = await nudge_kind.decide_nudge(session, rules, nudge, at)
                # run_once sends a person one nudge at a time; the next one finds the cooldown.
                if prompt is not None and prompt.recipient not in nudged:
                    nudged.add(prompt.recipient)
                    prompts.append(prompt)
        return sorted(prompts, key=lambda p: (p.due_at, p.kind, p.recipient))

    async def forecast(
        self, at: datetime, *, now: datetime, interval: timedelta, all_platforms: bool = False
    ) -> list[Prompt]:
        """What this bot, ticking every ``interval`` from ``now`` on, sends at its tick at
        ``at`` (any future instant; ``scheduler.forecast``); writes and sends nothing."""
        platforms = None if all_platforms else set(self.notifiers)
        return await forecast.forecast(
            self.core.db, self._rules, at, now=now, interval=interval, platforms=platforms
        )

    async def run_once(self, at: datetime) -> RunReport:
        """Claim, send and record every prompt due at ``at``. Safe to run concurrently.

        The ``observer``, if any, is told when the tick starts and how it ended (its report,
        or None if it raised).
        """
        if self.observer is None:
            return await self._tick(at)
        self.observer.tick_started()
        report: RunReport | None = None
        try:
            report = await self._tick(at)
            return report
        finally:
            self.observer.tick_finished(report)

    async def _tick(self, at: datetime) -> RunReport:
        """One tick's work.

        A fixed pool of ``concurrency`` workers takes the work from a short queue, which a
        reader fills page by page (``DUE_PAGE`` due reminders per query, only their ids): a
        fan-out of 100,000 costs the same memory as one of 100, and the event loop (which
        also answers people) never materialises the whole due list at once.
        """
        report = RunReport()
        platforms = set(self.notifiers)
        if not platforms or self._stopping:
            return report
        async with self._transaction() as session:
            report.in_doubt = await ledger.sweep_stale_claims(session, at, self.lease)
            await due_queries.create_default_prefs(session, at, platforms)
            snoozed = set(await due_queries.snoozed_ids(session, at, platforms))
            channel_ids = [c.id for c in await due_queries.channels(session, platforms)]
            nudges: dict[int, list[int]] = {}
            for nudge in await due_queries.pending_nudges(session, platforms):
                nudges.setdefault(nudge.user_id, []).append(nudge.id)

        async def work() -> AsyncIterator[Job]:
            # The few first: a group's prompt (one message for everyone in it, at its hour)
            # and the nudges an admin asked for must not wait behind a fan-out of thousands.
            for cid in channel_ids:
                yield partial(self._channel_guarded, cid, at, report)
            for ids in nudges.values():
                yield partial(self._nudges, ids, at, report)
            async for page in self._due_user_ids(at, platforms):
                for uid in page:
                    snooze_too = uid in snoozed
                    snoozed.discard(uid)
                    yield partial(self._person, uid, True, snooze_too, at, report)
            for uid in sorted(snoozed):  # snoozed people whose weekly one is not due
                yield partial(self._person, uid, False, True, at, report)

        await self._drain(work(), report)
        if not self._stopping:
            await self._guard(
                self._history.take(at, platforms, report), report, "leaderboard snapshot"
            )
        if report.stale:
            log.warning(
                "skipped %d reminder(s) missed by more than the %s grace window",
                report.stale,
                self.grace,
            )
        if report.sent or report.failed:
            log.info(
                "weekly prompts: %d sent, %d failed, %d paused, %d busy",
                len(report.sent),
                len(report.failed),
                report.paused,
                report.busy,
            )
        return report

    def stop(self) -> None:
        """Start no new prompt (a shutdown): a ``run_once`` under way finishes the prompts it
        has claimed (sent and recorded, none left in doubt) and returns; later ones do nothing."""
        self._stopping = True

    async def _drain(self, work: AsyncIterator[Job], report: RunReport) -> None:
        """Run ``work`` on ``concurrency`` workers; at most that many are ever in flight (plus
        as many waiting in the queue). A failure to read more work ends the run after the
        prompts in flight: what was not reached stays due for the next tick."""
        workers = self.concurrency
        queue: asyncio.Queue[Job | None] = asyncio.Queue(maxsize=workers)

        async def feed() -> None:
            try:
                async for item in work:
                    if self._stopping:
                        break
                    await queue.put(item)
            except Exception:
                report.errors += 1
                log.exception("reading the due prompts failed; the rest wait for the next tick")
            finally:
                await _aclose(work)
            for _ in range(workers):  # not on cancellation: then the workers are cancelled too
                await queue.put(None)

        async def worker() -> None:
            while (item := await queue.get()) is not None:
                if not self._stopping:  # else queued but not started: it stays due
                    await item()

        async with asyncio.TaskGroup() as group:
            group.create_task(feed())
            for _ in range(workers):
                group.create_task(worker())

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """``core.db.transaction()``, taking the fan-out's turn first on SQLite."""
        async with self._db_turn or contextlib.nullcontext(), self.core.db.transaction() as s:
            yield s

    # --- one reminder ---------------------------------------------------------------------

    async def _guard(self, work: Awaitable[None], report: RunReport, what: str) -> None:
        """One prompt's bug must not stop the others (cancellation still propagates)."""
        try:
            await work
        except Exception:
            report.errors += 1
            log.exception("weekly %s failed; it stays due for the next tick", what)

    async def _person(
        self, user_id: int, weekly: bool, snoozed: bool, at: datetime, report: RunReport
    ) -> None:
        """One person's weekly reminder, then their snooze: one after the other, so the two
        never contend for the person's row (and a weekly one due now supersedes the snooze)."""
        if weekly:
            work = self._reminder(user_id, at, report)
            await self._guard(work, report, f"reminder for user:{user_id}")
        if snoozed:
            work = self._snooze(user_id, at, report)
            await self._guard(work, report, f"snoozed reminder for user:{user_id}")

    async def _claimed(self, claim: Claim, at: datetime, report: RunReport) -> None:
        """Decide and claim in one short transaction, then send once it has committed (the
        worker's place is held throughout: at most ``concurrency`` prompts in flight)."""
        async with self._semaphore:
            async with self._transaction() as session:
                claimed = await claim(session)
            if claimed is not None:
                await self._sender.deliver(*claimed, at, report)

    async def _reminder(self, user_id: int, at: datetime, report: RunReport) -> None:
        await self._personal(user_id, at, report, snooze=False)

    async def _snooze(self, user_id: int, at: datetime, report: RunReport) -> None:
        await self._personal(user_id, at, report, snooze=True)

    async def _personal(
        self, user_id: int, at: datetime, report: RunReport, *, snooze: bool
    ) -> None:
        claim = personal.claim_personal
        rules = self._rules
        await self._claimed(
            lambda s: claim(s, rules, user_id, at, report, snooze=snooze), at, report
        )

    # --- one channel ----------------------------------------------------------------------

    async def _channel_guarded(self, channel_id: int, at: datetime, report: RunReport) -> None:
        """The group's prompt, then (at the same moment, never contending for the same
        channel) its study buddies' pairing and introductions."""
        work = self._channel(channel_id, at, report)
        await self._guard(work, report, f"prompt for channel:{channel_id}")
        work = self._buddies(channel_id, at, report)
        await self._guard(work, report, f"study buddies for channel:{channel_id}")

    async def _buddies(self, channel_id: int, at: datetime, report: RunReport) -> None:
        claim, rules = buddies_kind.claim_buddies, self._rules
        async with self._semaphore:
            async with self._transaction() as session:
                claimed = await claim(session, rules, channel_id, at, report)
            for prompt, delivery_id in claimed:
                await self._sender.deliver(prompt, delivery_id, at, report)

    async def _channel(self, channel_id: int, at: datetime, report: RunReport) -> None:
        claim, rules = channel_kind.claim_channel, self._rules
        await self._claimed(lambda s: claim(s, rules, channel_id, at, report), at, report)

    # --- nudges ---------------------------------------------------------------------------

    async def _nudges(self, nudge_ids: list[int], at: datetime, report: RunReport) -> None:
        """One person's pending nudges, one after the other: the first one sent makes the
        others fall within the cooldown (two groups nudging the same person the same day)."""
        for nudge_id in nudge_ids:
            await self._guard(self._nudge(nudge_id, at, report), report, f"nudge {nudge_id}")

    async def _nudge(self, nudge_id: int, at: datetime, report: RunReport) -> None:
        claim, rules = nudge_kind.claim_nudge, self._rules
        await self._claimed(lambda s: claim(s, rules, nudge_id, at, report), at, report)

    def _due_user_ids(self, at: datetime, platforms: set[str]) -> AsyncIterator[list[int]]:
        return due_queries.due_user_ids(self._transaction, at, platforms)
