"""The ticking part: one APScheduler 3.11 ``AsyncIOScheduler`` with one short interval job.

The job holds no schedule of its own; each tick asks the database what is due
(``PromptService.run_once``), so restarts, several replicas and DST need nothing here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from bot.clock import Clock
from scheduler.service import PromptService, RunReport

log = logging.getLogger(__name__)

JOB_ID = "weekly-prompts"


class PromptScheduler:
    """Start it inside the running event loop; ``await shutdown()`` before closing the database."""

    def __init__(
        self,
        service: PromptService,
        clock: Clock,
        *,
        interval_seconds: float = 30.0,
        shutdown_timeout: float = 30.0,
    ) -> None:
        self.service = service
        self.clock = clock
        self.interval_seconds = interval_seconds
        self.shutdown_timeout = shutdown_timeout
        self._scheduler: AsyncIOScheduler | None = None
        self._in_flight: set[asyncio.Task[RunReport | None]] = set()

    @property
    def running(self) -> bool:
        return self._scheduler is not None and bool(self._scheduler.running)

    def start(self) -> Any:
        """Add the interval job (returned: an APScheduler ``Job``) and start ticking.

        The first tick runs right away, so prompts missed while the bot was down (within the
        grace window) go out at start-up rather than one interval later."""
        if self._scheduler is not None:
            raise RuntimeError("PromptScheduler already started")
        scheduler = AsyncIOScheduler(timezone=UTC)
        job = scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.interval_seconds,
            id=JOB_ID,
            name="weekly reminders and channel prompts",
            # One tick at a time: a slow tick (many sends, platform rate limits) must not
            # overlap the next one; the next tick simply finds less work.
            max_instances=1,
            # Ticks that fell behind (event loop busy, machine suspended) collapse into one.
            coalesce=True,
            # APScheduler's default is 1 s: a tick more than a second late would be dropped.
            # A late tick is never harmful here (it asks the database what is due and the
            # grace window decides what is too old), so run it however late it is.
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("weekly prompt scheduler started (every %ss)", self.interval_seconds)
        return job

    async def tick(self) -> RunReport | None:
        """One run at the injected clock's "now"; never raises.

        The run is a task of our own, shielded: APScheduler's executor cancels running jobs
        on shutdown, and a send cut off midway would leave its claim in doubt.
        """
        run = asyncio.create_task(self._run())
        self._in_flight.add(run)
        run.add_done_callback(self._in_flight.discard)
        try:
            return await asyncio.shield(run)
        except asyncio.CancelledError:
            # APScheduler cancelled its job (shutdown); the shielded run goes on, and
            # shutdown() waits for it. Ending quietly keeps a traceback out of the log.
            return None

    async def _run(self) -> RunReport | None:
        try:
            return await self.service.run_once(self.clock.now())
        except Exception:
            log.exception("weekly prompt tick failed; the next tick will try again")
            return None

    async def shutdown(self) -> None:
        """Stop ticking and let an in-flight tick finish the sends it has started, so no claim
        is left in doubt (it starts no new one: a big fan-out's remaining prompts stay due for
        the next process); after ``shutdown_timeout`` it is cancelled."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        self.service.stop()
        with contextlib.suppress(Exception):
            scheduler.shutdown(wait=False)
        pending = [t for t in self._in_flight if not t.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=self.shutdown_timeout)
            for task in late:
                log.warning("a weekly prompt tick did not finish in time; cancelling it")
                task.cancel()
            if late:
                await asyncio.wait(late)
        await asyncio.sleep(0)  # let the scheduler's own shutdown (call_soon) run
        log.info("weekly prompt scheduler stopped")
