"""The reminder's Snooze and Skip buttons, end to end: through the core, then the scheduler."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import delete, select

from bot.core import Core
from bot.db.models import Enrollment, User
from bot.features import COMMANDS
from bot.types import Reply
from scheduler.service import PromptService
from tests.conftest import flat
from tests.scheduler.fakes import FakeNotifier, Sent
from tests.scheduler.helpers import deliveries, edit_pref, enrol, pref_of, recipient, tick, utc
from tests.scheduler.test_concurrency import second_database

MON = utc(2027, 3, 8, 9, 0)  # alice's first weekly reminder (Monday 09:00 UTC)
PRESSED = MON + timedelta(minutes=5)  # when she presses a button on it
SNOOZED = PRESSED + timedelta(days=1)  # when the snooze falls due


def pace_days(reply: Reply) -> int:
    """The Pace field of ``/progress`` as a number: behind < 0 < ahead."""
    (value,) = [f.value for f in reply.fields if f.name == "Pace"]
    if value == "on track":
        return 0
    m = re.fullmatch(r"(\d+) days? (behind|ahead)", value)
    assert m is not None, value
    return int(m[1]) * (-1 if m[2] == "behind" else 1)


async def press(core: Core, who, line: str, at=PRESSED) -> Reply:
    core.clock.set(at)
    reply = await who(line)
    assert not reply.is_error, reply.text
    return reply


async def kinds(core: Core) -> list[tuple[str, str, str]]:
    return [(d.kind, d.period, d.status) for d in await deliveries(core)]


# --- snooze ---------------------------------------------------------------------------------


async def test_snooze_sends_the_reminder_once_more_a_day_later(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    reply = await press(core, alice, "/reminders snooze")
    assert "Tuesday, March 9, 09:05 (UTC)" in flat(reply)
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.snooze_until == SNOOZED
    assert pref.next_due_at == MON + timedelta(days=7)  # the weekly slot is untouched

    assert (await tick(service, SNOOZED - timedelta(minutes=1))).sent == []
    report = await tick(service, SNOOZED)
    me = await recipient(core, "alice")
    assert report.sent == [f"{me}:snooze:2027-03-09"]
    weekly, again = notifier.sent
    assert again.to == "user:alice" and again.at == SNOOZED
    assert again.reply.title == weekly.reply.title == "Your weekly study reminder"
    assert again.reply.text == weekly.reply.text
    assert again.reply.buttons[:3] == weekly.reply.buttons[:3]  # "pause" counts from today
    assert again.reply.buttons[3].args == "pause 2027-03-23"

    assert (await tick(service, SNOOZED + timedelta(minutes=1))).sent == []
    assert (await tick(service, SNOOZED + timedelta(hours=5))).sent == []
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.snooze_until is None
    assert pref.next_due_at == MON + timedelta(days=7)

    await tick(service, MON + timedelta(days=7))  # next week's arrives at its normal slot
    assert [(s.to, s.at) for s in notifier.sent] == [
        ("user:alice", MON),
        ("user:alice", SNOOZED),
        ("user:alice", MON + timedelta(days=7)),
    ]
    assert await kinds(core) == [
        ("reminder", "2027-W10", "sent"),
        ("snooze", "2027-03-09", "sent"),
        ("reminder", "2027-W11", "sent"),
    ]


async def test_snooze_period_is_the_local_date_in_the_persons_zone(core, person, service, notifier):
    bo = await enrol(person, "bo", tz="Asia/Shanghai")
    await tick(service, utc(2027, 3, 8, 1, 0))  # Monday 09:00 in Shanghai
    # 17:00 UTC on the 8th is 01:00 on the 9th in Shanghai; the snooze: 01:00 on the 10th.
    await press(core, bo, "/reminders snooze", at=utc(2027, 3, 8, 17, 0))
    planned = await service.due(utc(2027, 3, 9, 17, 0))
    assert [(p.kind, p.period, p.timezone) for p in planned] == [
        ("snooze", "2027-03-10", "Asia/Shanghai")
    ]
    report = await tick(service, utc(2027, 3, 9, 17, 0))
    assert report.sent == [p.key for p in planned]
    assert [s.reply for s in notifier.sent[1:]] == [planned[0].reply]


async def test_dry_run_lists_the_snooze_and_writes_nothing(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await enrol(person, "bob", when="day:tue time:09:05")  # bob's weekly is due at that moment
    await tick(service, MON)
    await press(core, alice, "/reminders snooze")
    core.clock.set(SNOOZED)
    planned = await service.due(SNOOZED)
    assert sorted((p.kind, p.period) for p in planned) == [
        ("reminder", "2027-W10"),
        ("snooze", "2027-03-09"),
    ]
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.snooze_until == SNOOZED  # the dry run cleared nothing
    assert len(await deliveries(core)) == 1
    await service.run_once(SNOOZED)
    assert sorted((s.key, s.reply) for s in notifier.sent[1:]) == sorted(
        (p.key, p.reply) for p in planned
    )
    assert await service.due(SNOOZED) == []


async def test_snooze_is_retried_like_the_weekly_reminder(core, person, service, notifier, sleeps):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    await press(core, alice, "/reminders snooze")
    notifier.fail_next(2)
    report = await tick(service, SNOOZED)
    assert len(report.sent) == 1 and sleeps == [1.0, 2.0]
    assert [(d.kind, d.status, d.attempts) for d in await deliveries(core)][-1] == (
        "snooze",
        "sent",
        3,
    )


async def test_a_failed_snooze_is_not_retried_later_nor_suspends(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    for day in range(3):  # three failed snoozes in a row
        await press(core, alice, "/reminders snooze", at=PRESSED + timedelta(days=day))
        notifier.fail_next(1, permanent=True)
        report = await tick(service, SNOOZED + timedelta(days=day))
        assert len(report.failed) == 1 and report.suspended == 0
        assert (await tick(service, SNOOZED + timedelta(days=day, minutes=1))).failed == []
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.enabled and pref.snooze_until is None


async def test_snooze_missed_beyond_the_grace_window_is_dropped(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    await press(core, alice, "/reminders snooze")
    report = await tick(service, SNOOZED + timedelta(hours=7))  # grace is 6 hours
    assert report.stale == 1 and report.sent == [] and len(notifier.sent) == 1
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.snooze_until is None
    assert pref.next_due_at == MON + timedelta(days=7)


async def test_snooze_within_the_grace_window_goes_out_late_once(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    await press(core, alice, "/reminders snooze")
    await tick(service, SNOOZED + timedelta(hours=2))
    await tick(service, SNOOZED + timedelta(hours=3))
    assert [s.at for s in notifier.sent] == [MON, SNOOZED + timedelta(hours=2)]


async def test_a_weekly_reminder_in_the_snoozed_day_replaces_the_snooze(
    core, person, service, notifier
):
    alice = await enrol(person, "alice")
    sunday = MON - timedelta(days=1)
    await press(core, alice, "/reminders snooze", at=sunday)  # due Monday 09:00: the weekly slot
    core.clock.set(MON)
    assert [p.kind for p in await service.due(MON)] == ["reminder"]
    report = await tick(service, MON)
    assert len(report.sent) == 1 and report.not_sent == 1
    assert [(s.to, s.at) for s in notifier.sent] == [("user:alice", MON)]
    assert await kinds(core) == [("reminder", "2027-W10", "sent")]
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.snooze_until is None


async def test_a_snooze_due_just_before_the_weekly_slot_goes_out_and_so_does_the_weekly(
    core, person, service, notifier
):
    alice = await enrol(person, "alice")
    sunday = MON - timedelta(days=1, minutes=30)  # the snooze is due at 08:30 on Monday
    await press(core, alice, "/reminders snooze", at=sunday)
    await tick(service, MON - timedelta(minutes=30))
    await tick(service, MON)
    assert [s.at for s in notifier.sent] == [MON - timedelta(minutes=30), MON]
    assert [k for k, _, _ in await kinds(core)] == ["snooze", "reminder"]


async def test_snooze_while_paused_or_disabled_sends_nothing(core, person, service, notifier):
    alice = await enrol(person, "alice")  # paused through the core: the pause drops the snooze
    bob = await enrol(person, "bob")  # paused behind the scheduler's back
    carol = await enrol(person, "carol")  # turned off through the core
    dave = await enrol(person, "dave")  # disabled behind the scheduler's back (a suspension)
    erin = await enrol(person, "erin")  # not on a path any more
    await tick(service, MON)
    for who in (alice, bob, carol, dave, erin):
        await press(core, who, "/reminders snooze")
    await press(core, alice, "/reminders pause 2027-03-20")
    await edit_pref(core, "bob", paused_until=date(2027, 3, 20))
    await press(core, carol, "/reminders off")
    await edit_pref(core, "dave", enabled=False)
    async with core.db.transaction() as s:  # no command leaves a path: drop the row
        uid = (await s.execute(select(User.id).where(User.external_id == "erin"))).scalar_one()
        await s.execute(delete(Enrollment).where(Enrollment.user_id == uid))
    assert await service.due(SNOOZED) == []
    report = await tick(service, SNOOZED)
    assert report.sent == [] and report.paused == 1  # bob: found, paused, snooze dropped
    assert len(notifier.sent) == 5  # only the five weekly reminders of Monday
    assert [k for k, _, _ in await kinds(core)].count("snooze") == 0
    for name in ("alice", "bob", "carol"):
        pref = await pref_of(core, name)
        assert pref is not None and pref.snooze_until is None, name
    reply = await carol("/reminders snooze")
    assert reply.is_error and "Reminders are off" in reply.text


async def test_two_schedulers_send_a_snooze_once(core, db, clock, person):
    people = [await enrol(person, f"p{i}") for i in range(6)]
    core.clock.set(MON)
    for who in people:
        await press(core, who, "/reminders snooze")
    other_db = await second_database(db)
    try:
        other_core = Core(commands=COMMANDS, curriculum=core.curriculum, db=other_db, clock=clock)
        logs: tuple[list[Sent], list[Sent]] = ([], [])
        services = [
            PromptService(c, {"test": FakeNotifier("test", clock=clock, log=log)}, concurrency=3)
            for c, log in zip((core, other_core), logs, strict=True)
        ]
        for minute in (0, 0, 1):
            at = SNOOZED + timedelta(minutes=minute)
            clock.set(at)
            await asyncio.gather(*(s.run_once(at) for s in services))
    finally:
        await other_db.close()
    snoozes = [s for s in logs[0] + logs[1] if ":snooze:" in s.key]
    assert Counter(s.to for s in snoozes) == {f"user:p{i}": 1 for i in range(6)}


# --- skip -----------------------------------------------------------------------------------


async def test_skip_after_this_weeks_reminder_moves_the_plan_on_a_week(
    core, person, service, notifier
):
    alice = await enrol(person, "alice")
    third = MON + timedelta(days=14)  # Monday 22 March: day 21, nothing done yet
    for week in range(3):
        await tick(service, MON + timedelta(days=7 * week))
    after = third + timedelta(minutes=5)
    before = pace_days(await press(core, alice, "/progress", at=after))
    assert before < -7  # well behind
    await press(core, alice, "/reminders snooze", at=after)  # skip drops this too
    reply = await press(core, alice, "/reminders skip", at=after)
    assert "Skipping this week" in reply.text
    assert pace_days(await press(core, alice, "/progress", at=after)) == before + 7

    for hours in range(6, 24 * 7, 6):  # nothing more this week (nor the snooze)
        await tick(service, third + timedelta(hours=hours))
    assert len(notifier.sent) == 3
    await tick(service, third + timedelta(days=7))
    assert [s.at for s in notifier.sent][-1] == third + timedelta(days=7)
    assert len(notifier.sent) == 4
    assert [k for k, _, _ in await kinds(core)] == ["reminder"] * 3 + ["skip", "reminder"]


async def test_skip_before_this_weeks_reminder_cancels_it(core, person, service, notifier):
    alice = await enrol(person, "alice", when="day:fri time:18:00")
    await press(core, alice, "/reminders skip", at=MON)  # Monday: Friday's is not wanted
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.next_due_at == utc(2027, 3, 19, 18, 0)
    await tick(service, utc(2027, 3, 12, 18, 0))
    assert notifier.sent == []
    await tick(service, utc(2027, 3, 19, 18, 0))
    assert [s.at for s in notifier.sent] == [utc(2027, 3, 19, 18, 0)]


async def test_skip_twice_in_a_week_shifts_once(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    await tick(service, MON + timedelta(days=7))
    at = MON + timedelta(days=7, hours=1)
    before = pace_days(await press(core, alice, "/progress", at=at))
    await press(core, alice, "/reminders skip", at=at)
    again = await press(core, alice, "/reminders skip", at=at + timedelta(days=2))
    assert "already skipped" in again.text
    assert pace_days(await press(core, alice, "/progress", at=at)) == before + 7
    assert [k for k, _, _ in await kinds(core)].count("skip") == 1
    # A new week may be skipped again.
    await tick(service, MON + timedelta(days=14))
    later = MON + timedelta(days=14, hours=1)
    middle = pace_days(await press(core, alice, "/progress", at=later))
    await press(core, alice, "/reminders skip", at=later)
    assert pace_days(await press(core, alice, "/progress", at=later)) == middle + 7
    assert [k for k, _, _ in await kinds(core)].count("skip") == 2


# --- the buttons ----------------------------------------------------------------------------


async def test_the_reminder_has_done_snooze_skip_and_pause_buttons(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    (sent,) = notifier.sent
    buttons = sent.reply.buttons
    assert [(b.label, b.command, b.args) for b in buttons] == [
        ("Done", "done", "step:1"),
        ("Snooze 1 day", "reminders", "snooze"),
        ("Skip this week", "reminders", "skip"),
        ("Pause 2 weeks", "reminders", "pause 2027-03-22"),
    ]
    _, snooze, skip, _ = buttons
    # Pressing them is the same as typing the command.
    await press(core, alice, f"/{snooze.command} {snooze.args}")
    await tick(service, SNOOZED)
    assert [s.at for s in notifier.sent] == [MON, SNOOZED]
    reply = await press(core, alice, f"/{skip.command} {skip.args}", at=SNOOZED)
    assert "Skipping this week" in reply.text
