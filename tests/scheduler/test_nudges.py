"""Issue 6's nudge: ``/admin nudge`` queues, the next tick DMs each member behind pace once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.core import Core
from bot.db.models import NudgeRequest, ReminderPref
from bot.features import COMMANDS
from bot.ports import UserTarget
from scheduler.service import PromptService
from tests.conftest import flat
from tests.scheduler.fakes import FakeNotifier, Sent
from tests.scheduler.helpers import deliveries, recipient, tick, utc
from tests.scheduler.test_concurrency import second_database

# Everyone enrols on Monday 1 March (START); mlops step 1 is 7 days, so on Friday the 12th
# (day 11) whoever has not finished it is 4 days behind. No weekly prompt is due then.
FRI = utc(2027, 3, 12, 12, 0)


async def group(person, clock) -> dict[str, object]:
    """alice, bob (behind), dave (behind, reads Chinese), carol (on track), boss (admin)."""
    clock.set(utc(2027, 3, 1, 12, 0))
    people = {
        "alice": person("alice"),
        "bob": person("bob"),
        "carol": person("carol"),
        "dave": person("dave", locale="zh"),
        "boss": person("boss", admin=True),
    }
    for name in ("alice", "bob", "carol", "dave"):
        reply = await people[name]("/path mlops")
        assert not reply.is_error, reply.text
    clock.set(utc(2027, 3, 5, 10, 0))
    assert not (await people["carol"]("/done step:1")).is_error
    return people


async def nudge(clock, boss) -> str:
    clock.set(FRI)
    reply = await boss("/admin nudge")
    assert reply.kind == "success", reply.text
    return reply.text


async def nudge_rows(core: Core) -> list[NudgeRequest]:
    async with core.db.transaction() as s:
        return list((await s.execute(select(NudgeRequest))).scalars().all())


def nudges_in(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if ":nudge:" in s.key]


async def test_admin_nudge_sends_one_friendly_dm_per_member_behind(
    core, clock, person, service, notifier
):
    p = await group(person, clock)
    assert "3 nudges queued" in await nudge(clock, p["boss"])

    report = await tick(service, FRI + timedelta(seconds=30))
    sent = nudges_in(notifier.sent)
    assert sorted(s.to for s in sent) == ["user:alice", "user:bob", "user:dave"]  # not carol
    assert len(report.sent) == 3 and report.failed == []

    alice = next(s for s in sent if s.to == "user:alice")
    text = flat(alice.reply)
    assert alice.reply.title == "A friendly nudge 👋"
    assert "4 days behind on the MLOps & Infrastructure Path" in text
    assert "step 1 of 10" in text and "Chapters: 1.1 " in text
    assert [(b.command, b.args) for b in alice.reply.buttons] == [("done", "step:1"), ("next", "")]
    assert "boss" not in text  # who asked is never named
    assert not alice.reply.ephemeral
    # A DM, with the study channel to fall back on when DMs are closed.
    assert isinstance(alice.target, UserTarget) and alice.target.fallback_channel == "study"

    dave = next(s for s in sent if s.to == "user:dave")
    assert dave.reply.title == "友好提醒 👋" and "落后 4 天" in flat(dave.reply)
    assert [b.label for b in dave.reply.buttons] == ["完成", "下一步"]

    # None twice: later ticks find the queue empty; the rows say what happened.
    for minutes in (1, 2, 30):
        again = await tick(service, FRI + timedelta(minutes=minutes))
        assert again.sent == []
    assert len(nudges_in(notifier.sent)) == 3
    assert all(n.delivered_at is not None for n in await nudge_rows(core))
    rows = [d for d in await deliveries(core) if d.kind == "nudge"]
    assert len(rows) == 3 and {(d.status, d.attempts) for d in rows} == {("sent", 1)}
    assert {d.period for d in rows} == {f"nudge:{n.id}" for n in await nudge_rows(core)}


async def test_the_dry_run_lists_pending_nudges_and_sends_nothing(
    core, clock, person, service, notifier
):
    p = await group(person, clock)
    await nudge(clock, p["boss"])
    due = [x for x in await service.due(FRI) if x.kind == "nudge"]
    assert sorted(x.recipient for x in due) == sorted(
        [await recipient(core, n) for n in ("alice", "bob", "dave")]
    )
    assert notifier.sent == [] and await deliveries(core) == []
    await tick(service, FRI)
    # What the dry run showed is exactly what went out.
    assert sorted(flat(x.reply) for x in due) == sorted(
        flat(s.reply) for s in nudges_in(notifier.sent)
    )
    assert [x for x in await service.due(FRI) if x.kind == "nudge"] == []


async def test_a_nudge_next_day_goes_out_again_once(core, clock, person, service, notifier):
    p = await group(person, clock)
    await nudge(clock, p["boss"])
    await tick(service, FRI)
    assert "0 nudges queued" in (await p["boss"]("/admin nudge")).text  # the admin cooldown
    clock.set(FRI + timedelta(days=1))
    assert "3 nudges queued" in (await p["boss"]("/admin nudge")).text
    await tick(service, FRI + timedelta(days=1, minutes=1))
    await tick(service, FRI + timedelta(days=1, minutes=2))
    counts = Counter(s.to for s in nudges_in(notifier.sent))
    assert counts == {"user:alice": 2, "user:bob": 2, "user:dave": 2}


async def test_someone_who_caught_up_meanwhile_gets_nothing(core, clock, person, service, notifier):
    p = await group(person, clock)
    await nudge(clock, p["boss"])
    clock.set(FRI + timedelta(seconds=10))
    assert not (await p["bob"]("/done step:1")).is_error  # bob catches up before the tick
    report = await tick(service, FRI + timedelta(seconds=20))
    assert sorted(s.to for s in nudges_in(notifier.sent)) == ["user:alice", "user:dave"]
    assert report.not_sent >= 1
    assert all(n.delivered_at is not None for n in await nudge_rows(core))  # off the queue


async def test_two_groups_nudging_the_same_person_send_one_dm(
    core, clock, person, service, notifier
):
    p = await group(person, clock)
    other_alice = person("alice", channel="evening")  # alice studies in a second group too
    assert not (await other_alice("/path mlops")).is_error  # same path: joins, keeps pace
    other_boss = person("boss2", admin=True, channel="evening")
    await nudge(clock, p["boss"])
    assert "1 nudge queued" in (await other_boss("/admin nudge")).text
    await tick(service, FRI)
    assert Counter(s.to for s in nudges_in(notifier.sent))["user:alice"] == 1
    assert all(n.delivered_at is not None for n in await nudge_rows(core))


async def test_a_failed_nudge_is_not_retried_and_does_not_suspend_reminders(
    core, clock, person, service, notifier
):
    p = await group(person, clock)
    await nudge(clock, p["boss"])
    notifier.fail_for("alice")  # permanent: DMs closed and no way to reach her
    report = await tick(service, FRI)
    assert len(report.failed) == 1 and len(report.sent) == 2
    await tick(service, FRI + timedelta(minutes=1))
    assert notifier.calls == 3  # alice's nudge was tried once and not again
    failed = [d for d in await deliveries(core) if d.status == "failed"]
    assert [d.kind for d in failed] == ["nudge"]
    assert all(n.delivered_at is not None for n in await nudge_rows(core))
    async with core.db.transaction() as s:
        prefs = (await s.execute(select(ReminderPref))).scalars().all()
    assert prefs and all(pref.enabled for pref in prefs)


async def test_a_nudge_left_pending_while_the_bot_was_down_is_dropped(
    core, clock, person, service, notifier
):
    p = await group(person, clock)
    await nudge(clock, p["boss"])
    report = await tick(service, FRI + timedelta(days=1))  # more than the 6 h grace later
    assert nudges_in(notifier.sent) == [] and report.stale >= 3
    assert all(n.delivered_at is not None for n in await nudge_rows(core))


async def test_two_schedulers_at_once_send_each_nudge_once(core, db, clock, person):
    p = await group(person, clock)
    clock.set(utc(2027, 3, 1, 12, 0))
    for i in range(12):
        assert not (await person(f"m{i:02d}")("/path mlops")).is_error
    await nudge(clock, p["boss"])
    other_db = await second_database(db)
    try:
        other_core = Core(commands=COMMANDS, curriculum=core.curriculum, db=other_db, clock=clock)
        logs: tuple[list[Sent], list[Sent]] = ([], [])
        services = [
            PromptService(c, {"test": FakeNotifier("test", clock=clock, log=log)}, concurrency=4)
            for c, log in zip((core, other_core), logs, strict=True)
        ]
        for seconds in (0, 0, 30):
            at = FRI + timedelta(seconds=seconds)
            await asyncio.gather(*(s.run_once(at) for s in services))
    finally:
        await other_db.close()
    counts = Counter(s.to for s in nudges_in(logs[0] + logs[1]))
    assert len(counts) == 3 + 12 and set(counts.values()) == {1}
    assert all(n.delivered_at is not None for n in await nudge_rows(core))
