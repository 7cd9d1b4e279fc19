"""Study buddies at the weekly prompt: paired once, introduced once, hidden and forgotten
people left out, threads under the channel prompt."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select, update

from bot.core import Core
from bot.db.models import BuddyGroup, Channel
from bot.features import COMMANDS
from scheduler.service import PromptService
from tests.scheduler.fakes import FakeNotifier, Sent
from tests.scheduler.helpers import deliveries, enrol, tick, utc
from tests.scheduler.test_concurrency import second_database

MON = utc(2027, 3, 8, 9, 0)  # the channel's default prompt moment (Monday 09:00 UTC)


async def opted(person, *names: str, path: str = "mlops") -> None:
    for name in names:
        p = await enrol(person, name, channel="study", path=path, when=None)
        reply = await p("/buddy on")
        assert not reply.is_error, reply.text


def intros(sent: list[Sent]) -> list[tuple[str, ...]]:
    return sorted(s.members for s in sent if s.members)


async def groups(core: Core) -> list[BuddyGroup]:
    async with core.db.transaction() as s:
        return list((await s.execute(select(BuddyGroup).order_by(BuddyGroup.id))).scalars())


async def test_buddies_are_paired_and_introduced_at_the_weekly_prompt_once(
    service, notifier, person, core
):
    await opted(person, "ann", "bob", "cy", "dee")
    await tick(service, MON - utc(2027, 3, 8, 8, 0).resolution)  # a moment before: nothing
    assert intros(notifier.sent) == []
    for minute in (0, 1, 30):
        await tick(service, MON.replace(minute=minute))
    found = intros(notifier.sent)
    assert len(found) == 2 and sorted(u for g in found for u in g) == ["ann", "bob", "cy", "dee"]
    rows = await groups(core)
    assert {g.week for g in rows} == {"2027-W10"}
    assert all(g.introduced_at == MON and g.conversation_id for g in rows)
    intro = next(s for s in notifier.sent if s.members)
    assert intro.to.startswith("group:") and "mlops" not in intro.reply.text
    assert any("step 1" in f.value for f in intro.reply.fields)


async def test_an_odd_group_on_one_step_gets_a_trio(service, notifier, person):
    await opted(person, "ann", "bob", "cy")
    await tick(service, MON)
    assert intros(notifier.sent) == [("ann", "bob", "cy")]


async def test_hidden_people_and_people_who_left_are_never_paired(service, notifier, person):
    await opted(person, "ann", "bob", "cy")
    assert not (await person("cy", channel="study")("/privacy hidden")).is_error
    assert not (await person("bob", channel="study")("/forget-me confirm")).is_error
    await opted(person, "dee")
    await tick(service, MON)
    assert intros(notifier.sent) == [("ann", "dee")]


async def test_next_week_pairs_change_when_they_can(service, notifier, person):
    await opted(person, "ann", "bob", "cy", "dee")
    await tick(service, MON)
    week1 = {frozenset(g) for g in intros(notifier.sent)}
    notifier.sent.clear()
    await tick(service, utc(2027, 3, 15, 9, 0))
    week2 = {frozenset(g) for g in intros(notifier.sent)}
    assert len(week2) == 2 and not week1 & week2


async def test_turned_off_channel_or_one_person_pairs_nobody_and_writes_nothing(
    service, notifier, person, core
):
    await opted(person, "ann")
    await tick(service, MON)
    assert intros(notifier.sent) == [] and await groups(core) == []
    assert "buddies" not in {d.kind for d in await deliveries(core)}
    await opted(person, "bob")
    async with core.db.transaction() as s:
        await s.execute(update(Channel).values(buddies_enabled=False))
    await tick(service, utc(2027, 3, 15, 9, 0))
    assert intros(notifier.sent) == []


async def test_a_failed_introduction_is_retried_then_recorded(service, notifier, person, core):
    await opted(person, "ann", "bob")
    notifier.fail_for("group:ann+bob", permanent=False)
    await tick(service, MON)
    buddies_rows = [d for d in await deliveries(core) if d.recipient.startswith("buddies:")]
    assert [d.status for d in buddies_rows] == ["failed"] and buddies_rows[0].attempts == 3
    assert (await groups(core))[0].introduced_at is None
    # a failed introduction never suspends the channel's prompts
    async with core.db.transaction() as s:
        assert (await s.execute(select(Channel.prompts_enabled))).scalar_one() is True


async def test_two_schedulers_introduce_each_group_once(core, db, clock, person):
    await opted(person, *(f"p{i:02d}" for i in range(9)))
    other_db = await second_database(db)
    try:
        other = Core(commands=COMMANDS, curriculum=core.curriculum, db=other_db, clock=clock)
        logs: tuple[list[Sent], list[Sent]] = ([], [])
        services = [
            PromptService(c, {"test": FakeNotifier("test", clock=clock, log=log)}, concurrency=4)
            for c, log in zip((core, other), logs, strict=True)
        ]
        for _ in range(2):
            clock.set(MON)
            await asyncio.gather(*(s.run_once(MON) for s in services))
    finally:
        await other_db.close()
    found = intros(logs[0] + logs[1])
    members = Counter(u for g in found for u in g)
    assert len(found) == 4 and set(members.values()) == {1} and len(members) == 9
    assert len(await groups(core)) == 4


async def test_the_channel_prompt_opens_a_thread_for_the_weeks_questions(
    service, notifier, person, core
):
    await enrol(person, "ann", channel="study", when=None)
    await tick(service, MON)
    [prompt] = [s for s in notifier.sent if not s.to.startswith("user:")]
    [thread] = notifier.threads
    assert prompt.to == "channel:study" and thread.to == "thread:study"
    assert thread.thread == "Questions for 2027-W10" and "/done" in thread.reply.text
    async with core.db.transaction() as s:
        await s.execute(update(Channel).values(threads_enabled=False))
    notifier.sent.clear()
    await tick(service, utc(2027, 3, 15, 9, 0))
    assert [s.to for s in notifier.sent if not s.to.startswith("user:")] == ["channel:study"]
    assert len(notifier.threads) == 1


async def test_a_thread_that_cannot_be_opened_leaves_the_prompt_sent(
    service, notifier, person, core
):
    await enrol(person, "ann", channel="study", when=None)
    notifier.fail_for("thread:study")
    await tick(service, MON)
    assert [s.to for s in notifier.sent if not s.to.startswith("user:")] == ["channel:study"]
    assert notifier.threads == []
    assert {d.status for d in await deliveries(core)} == {"sent"}
