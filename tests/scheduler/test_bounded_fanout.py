"""A big tick: run_once reads the due reminders page by page and hands them to a fixed pool
of workers, so however many are due, at most ``concurrency`` are in flight and no task is
made per prompt; a stop (SIGTERM) finishes what is in flight and starts nothing new."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import update

import scheduler.due as due_module
from bench.seed import seed
from bot.core import Core
from bot.db.models import ReminderPref
from bot.ports import UserTarget
from bot.types import Reply
from scheduler.service import PromptService
from tests.scheduler.fakes import FakeNotifier
from tests.scheduler.helpers import deliveries, utc

DUE = utc(2027, 3, 8, 9, 0)  # a Monday
PEOPLE = 90
PAGE = 7  # small pages, so a tick reads many (and the last one is short)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(due_module, "DUE_PAGE", PAGE)


@pytest.fixture
async def crowd(core: Core) -> None:
    """PEOPLE enrolled people whose weekly reminder is due at DUE (a third of them earlier
    that morning: pages cross due instants, and many share one)."""
    await seed(
        core.db,
        core.curriculum,
        random.Random(7),
        people=PEOPLE,
        channels=3,
        now=DUE - timedelta(hours=2),
        platform="test",
        workspace="W1",
        due_at=DUE,
        reminders=True,
    )
    async with core.db.transaction() as s:
        await s.execute(
            update(ReminderPref)
            .where(ReminderPref.user_id % 3 == 0)
            .values(next_due_at=DUE - timedelta(minutes=30))
        )


class Watching(FakeNotifier):
    """Counts sends in flight, and the event loop's tasks, at every send."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.started = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.most_tasks = 0
        self.on_send: Callable[[int], None] | None = None

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        self.started += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.most_tasks = max(self.most_tasks, len(asyncio.all_tasks()))
        try:
            if self.on_send is not None:
                self.on_send(self.started)
            for _ in range(3):  # a real send takes a while: let the others pile up if they can
                await asyncio.sleep(0)
            await super().send_to_user(target, reply, key=key)
        finally:
            self.in_flight -= 1


def user_sends(notifier: FakeNotifier) -> Counter[str]:
    return Counter(s.to for s in notifier.sent if s.to.startswith("user:"))


async def test_many_due_prompts_keep_at_most_concurrency_in_flight(
    core: Core, crowd: None, clock, make_service: Callable[..., PromptService]
) -> None:
    notifier = Watching("test", clock=clock)
    service = make_service(notifiers={"test": notifier}, concurrency=4)
    clock.set(DUE)
    before = len(asyncio.all_tasks())
    report = await service.run_once(DUE)

    sends = user_sends(notifier)
    assert len(sends) == PEOPLE and set(sends.values()) == {1}  # everyone, once
    assert report.failed == [] and report.errors == 0
    assert notifier.most_in_flight <= 4
    # The feeder, the workers, the recorder and the driver's own: never a task per prompt.
    assert notifier.most_tasks - before <= 4 + 6 < PEOPLE
    rows = await deliveries(core)
    assert Counter(r.status for r in rows if r.kind == "reminder") == {"sent": PEOPLE}

    again = await service.run_once(DUE + timedelta(minutes=1))
    assert again.sent == []


async def test_a_stop_finishes_the_sends_in_flight_and_starts_no_more(
    core: Core, crowd: None, clock, make_service: Callable[..., PromptService]
) -> None:
    notifier = Watching("test", clock=clock)
    service = make_service(notifiers={"test": notifier}, concurrency=4)

    def stop_at_the_tenth(started: int) -> None:
        if started == 10:
            service.stop()  # what PromptScheduler.shutdown does on SIGTERM

    notifier.on_send = stop_at_the_tenth
    clock.set(DUE)
    report = await service.run_once(DUE)

    first = user_sends(notifier)
    # Those under way when it stopped (the other three workers' prompts) were finished.
    assert 10 <= len(first) <= 10 + 3
    assert len(report.sent) == len(first)
    rows = await deliveries(core)
    assert {r.status for r in rows} == {"sent"}  # nothing claimed and left "sending"
    assert len(rows) == len(first)
    assert (await service.run_once(DUE)).sent == []  # a stopped service starts nothing

    # The next process sends the rest, once each.
    notifier.on_send = None
    later = make_service(notifiers={"test": notifier}, concurrency=4)
    await later.run_once(DUE + timedelta(minutes=1))
    sends = user_sends(notifier)
    assert len(sends) == PEOPLE and set(sends.values()) == {1}


async def test_a_failed_read_ends_the_tick_after_the_work_in_flight(
    core: Core,
    crowd: None,
    clock,
    make_service: Callable[..., PromptService],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notifier = FakeNotifier("test", clock=clock)
    service = make_service(notifiers={"test": notifier}, concurrency=4)
    real = service._due_user_ids

    async def one_page_then_fail(*args: object) -> AsyncIterator[list[int]]:
        async for page in real(*args):  # type: ignore[arg-type]
            yield page
            raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_due_user_ids", one_page_then_fail)
    clock.set(DUE)
    report = await service.run_once(DUE)
    assert report.errors == 1
    assert len(report.sent) == PAGE  # the first page went out, recorded
    assert {r.status for r in await deliveries(core)} == {"sent"}

    later = make_service(notifiers={"test": notifier}, concurrency=4)
    await later.run_once(DUE + timedelta(minutes=1))
    sends = user_sends(notifier)
    assert len(sends) == PEOPLE and set(sends.values()) == {1}


async def test_outcomes_recorded_together_keep_their_own_status(
    core: Core, crowd: None, clock, make_service: Callable[..., PromptService]
) -> None:
    """Send outcomes are written in batches (group commit): each keeps its own status, attempts
    and error, and the report counts each once."""
    notifier = FakeNotifier("test", clock=clock)
    # Three people's first attempts fail (transient) and are retried. Distinct people: a
    # retry can come before others' first attempts, and must not take a failure meant for them.
    notifier.fail_next(3, distinct=True)
    service = make_service(notifiers={"test": notifier}, concurrency=8, max_attempts=2)
    clock.set(DUE)
    report = await service.run_once(DUE)
    rows = [r for r in await deliveries(core) if r.kind == "reminder"]
    assert len(rows) == PEOPLE and {r.status for r in rows} == {"sent"}
    assert Counter(r.attempts for r in rows) == {1: PEOPLE - 3, 2: 3}
    assert all(r.detail == "" for r in rows)
    assert len(report.sent) == len(set(report.sent)) >= PEOPLE and report.failed == []


async def test_the_dm_channel_read_with_the_claim_is_handed_to_the_notifier(
    core: Core, crowd: None, clock, make_service: Callable[..., PromptService]
) -> None:
    """The claim reads the person's row anyway: a notifier that keeps DM channels (Discord's)
    is told the stored one, and needs no directory read of its own."""
    from bot.db.models import User

    remembered: dict[str, str] = {}

    class Remembering(FakeNotifier):
        def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
            remembered[target.user_id] = channel_id

    async with core.db.transaction() as s:
        await s.execute(
            update(User).where(User.id % 2 == 0).values(dm_channel_id="D" + User.external_id)
        )
    notifier = Remembering("test", clock=clock)
    service = make_service(notifiers={"test": notifier})
    clock.set(DUE)
    await service.run_once(DUE)
    assert len(user_sends(notifier)) == PEOPLE
    assert len(remembered) == PEOPLE // 2
    assert all(channel == "D" + user for user, channel in remembered.items())
