"""Delivery guarantees: once per week, retries, failures, grace window, who never gets one."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Delivery, User
from bot.ports import UserTarget
from tests.scheduler.helpers import (
    deliveries,
    edit_pref,
    enrol,
    pref_of,
    recipient,
    tick,
    utc,
)

MON = utc(2027, 3, 8, 9, 0)  # the Monday after the fixtures' START (2027-03-01 12:00 UTC)


async def test_due_reminder_is_sent_once_and_moves_to_next_week(core, person, service, notifier):
    await enrol(person, "alice")
    assert (await tick(service, MON - timedelta(minutes=1))).sent == []
    report = await tick(service, MON)
    assert [s.to for s in notifier.sent] == ["user:alice"]
    assert report.sent == [notifier.sent[0].key]
    again = await tick(service, MON + timedelta(minutes=1))
    assert again.sent == [] and len(notifier.sent) == 1
    (row,) = await deliveries(core)
    assert (row.kind, row.period, row.status, row.attempts) == ("reminder", "2027-W10", "sent", 1)
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.next_due_at == MON + timedelta(days=7)


async def test_restart_mid_fan_out_sends_the_rest_and_none_twice(
    core, person, make_service, notifier
):
    names = [f"p{i}" for i in range(6)]
    for n in names:
        await enrol(person, n)
    first = make_service(concurrency=1)
    core.clock.set(MON)
    task = asyncio.create_task(first.run_once(MON))
    notifier.hang_after(2, task)  # two sends done, the third never completes: "crash"
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(notifier.sent) == 2

    notifier.hang_after(10**6, task)  # the new process's notifier does not hang
    second = make_service(concurrency=3)
    report = await tick(second, MON + timedelta(minutes=2))
    assert len(report.sent) == 3
    recipients = [s.to for s in notifier.sent]
    assert len(recipients) == len(set(recipients)) == 5  # nobody twice
    statuses = sorted(d.status for d in await deliveries(core))
    assert statuses == ["sending"] + ["sent"] * 5  # the one cut off mid-send is in doubt

    # After the lease the in-doubt claim is marked, and still not resent (at most once).
    later = await tick(second, MON + timedelta(minutes=20))
    assert later.in_doubt == 1 and later.sent == []
    assert sorted(d.status for d in await deliveries(core)) == ["sent"] * 5 + ["unknown"]
    assert len(notifier.sent) == 5


async def test_paused_disabled_and_forgotten_people_get_nothing(core, person, service, notifier):
    await enrol(person, "alice")
    bob = await enrol(person, "bob")
    carol = await enrol(person, "carol")
    dave = await enrol(person, "dave")
    assert not (await bob("/reminders pause 2027-03-20")).is_error
    assert not (await carol("/reminders off")).is_error
    assert not (await dave("/forget-me confirm")).is_error
    for week in range(3):
        at = MON + timedelta(days=7 * week)
        await tick(service, at)
    got = [(s.to, s.at) for s in notifier.sent]
    assert ("user:bob", MON + timedelta(days=14)) in got  # first Monday after the pause
    assert {to for to, _ in got} == {"user:alice", "user:bob"}
    assert sum(1 for to, _ in got if to == "user:bob") == 1
    assert sum(1 for to, _ in got if to == "user:alice") == 3


async def test_a_pause_set_behind_the_schedulers_back_is_honoured(core, person, service, notifier):
    await enrol(person, "bob")
    # next_due_at still says this Monday; the pause (until Thursday the 18th) says no.
    await edit_pref(core, "bob", paused_until=date(2027, 3, 18))
    report = await tick(service, MON)
    assert report.paused == 1 and notifier.sent == []
    pref = await pref_of(core, "bob")
    assert pref is not None and pref.next_due_at == utc(2027, 3, 22, 9, 0)
    await tick(service, MON + timedelta(days=7))
    assert notifier.sent == []
    await tick(service, utc(2027, 3, 22, 9, 0))
    assert [s.to for s in notifier.sent] == ["user:bob"]


async def test_transient_errors_are_retried_with_backoff(core, person, service, notifier, sleeps):
    await enrol(person, "alice")
    notifier.fail_next(2)
    report = await tick(service, MON)
    assert len(report.sent) == 1 and [s.to for s in notifier.sent] == ["user:alice"]
    assert sleeps == [1.0, 2.0]
    (row,) = await deliveries(core)
    assert (row.status, row.attempts) == ("sent", 3)


async def test_unexpected_adapter_exception_is_retried_too(core, person, service, notifier):
    await enrol(person, "alice")
    notifier.fail_next(1, exc=ConnectionResetError("peer reset"))
    assert len((await tick(service, MON)).sent) == 1


async def test_repeated_transient_failure_marks_failed_after_bounded_attempts(
    core, person, service, notifier, sleeps
):
    await enrol(person, "alice")
    notifier.fail_for("alice", permanent=False)
    report = await tick(service, MON)
    assert len(report.failed) == 1 and notifier.sent == []
    (row,) = await deliveries(core)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "HTTP 502" in row.detail
    assert len(sleeps) == 2
    # Failed is final for that week: the next tick does not try again.
    calls = notifier.calls
    await tick(service, MON + timedelta(minutes=1))
    assert notifier.calls == calls


async def test_permanent_failure_fails_at_once_and_suspends_after_three_weeks(
    core, person, service, notifier, caplog
):
    await enrol(person, "alice")
    await enrol(person, "bob")
    notifier.fail_for("alice", permanent=True)
    caplog.set_level(logging.WARNING, logger="scheduler.ledger")  # the suspension is logged there
    suspended = 0
    for week in range(4):
        report = await tick(service, MON + timedelta(days=7 * week))
        suspended += report.suspended
    alice = await recipient(core, "alice")
    alice_rows = [d for d in await deliveries(core) if d.recipient == alice]
    assert [(d.status, d.attempts) for d in alice_rows] == [("failed", 1)] * 3
    assert suspended == 1
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.enabled is False
    assert f"suspended weekly reminder prompts for {alice} after 3 failed weeks" in caplog.text
    assert sum(1 for s in notifier.sent if s.to == "user:bob") == 4  # others unaffected


async def test_missed_by_two_hours_goes_out_once_after_restart(core, person, service, notifier):
    await enrol(person, "alice")
    await tick(service, MON + timedelta(hours=2))
    await tick(service, MON + timedelta(hours=3))
    assert [(s.to, s.at) for s in notifier.sent] == [("user:alice", MON + timedelta(hours=2))]
    (row,) = await deliveries(core)
    assert row.period == "2027-W10"


async def test_missed_by_two_days_is_skipped_and_logged(core, person, service, notifier, caplog):
    await enrol(person, "alice")
    await enrol(person, "bob")
    caplog.set_level(logging.WARNING, logger="scheduler.service")
    report = await tick(service, MON + timedelta(days=2))
    assert report.stale == 2 and notifier.sent == []
    assert "skipped 2 reminder(s) missed by more than the 6:00:00 grace window" in caplog.text
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.next_due_at == MON + timedelta(days=7)
    await tick(service, MON + timedelta(days=7))
    assert sorted(s.to for s in notifier.sent) == ["user:alice", "user:bob"]


async def test_enrolled_without_a_reminder_row_gets_the_default_in_the_groups_zone(
    core, person, service, notifier
):
    from bot.db.models import Channel

    await enrol(person, "alice", channel="study", when=None)
    async with core.db.transaction() as s:
        ch = (await s.execute(select(Channel))).scalar_one()
        ch.timezone = "Asia/Shanghai"
        ch.prompts_enabled = False  # only the personal reminder here
    due = utc(2027, 3, 8, 1, 0)  # Monday 09:00 in Shanghai
    assert (await service.due(due - timedelta(minutes=1))) == []
    assert [p.recipient for p in await service.due(due)] == [await recipient(core, "alice")]
    await tick(service, due)
    assert [(s.to, s.at) for s in notifier.sent] == [("user:alice", due)]
    assert notifier.sent[0].target == UserTarget("test", "W1", "alice", fallback_channel="study")
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.timezone is None and pref.enabled
    assert pref.next_due_at == due + timedelta(days=7)


async def test_no_notifier_for_a_platform_means_nothing_is_claimed(core, person, make_service):
    await enrol(person, "alice")
    other = make_service(notifiers={"discord": object()})
    report = await tick(other, MON)
    assert report.sent == [] and await deliveries(core) == []


async def test_a_reminder_moved_later_in_the_same_week_is_not_sent_twice(
    core, person, service, notifier
):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    core.clock.set(MON + timedelta(hours=1))
    assert not (await alice("/reminders day:wed time:18:00 tz:UTC")).is_error
    await tick(service, utc(2027, 3, 10, 18, 0))  # same ISO week: already had one
    await tick(service, utc(2027, 3, 17, 18, 0))
    assert [s.at for s in notifier.sent] == [MON, utc(2027, 3, 17, 18, 0)]


async def test_user_rows_are_found_by_platform_identity(core, person):
    await enrol(person, "alice")
    async with core.db.transaction() as s:
        assert (await s.execute(select(User.external_id))).scalars().all() == ["alice"]
        assert (await s.execute(select(Delivery))).first() is None


async def test_forgetting_oneself_during_a_retry_stops_the_retries(
    core, person, make_service, notifier
):
    alice = await enrol(person, "alice")

    async def forget_during_backoff(seconds: float) -> None:
        assert not (await alice("/forget-me confirm")).is_error

    service = make_service(sleep=forget_during_backoff)
    notifier.fail_next(1)
    report = await tick(service, MON)
    assert notifier.calls == 1 and notifier.sent == []
    assert report.sent == [] and report.failed == []
    assert await deliveries(core) == []


def test_error_details_are_scrubbed_of_anything_token_shaped():
    from scheduler.sender import _safe

    text = _safe("invalid_auth for xoxb-123-456-abcDEF and header Bearer abc.def.ghi")
    assert "xoxb" not in text and "abc.def" not in text
    assert text.count("[redacted]") == 2


async def test_channel_prompt_within_grace_goes_out_once_older_is_skipped(
    core, person, service, notifier
):
    await enrol(person, "ann", channel="study", when="day:sun")
    await tick(service, MON + timedelta(hours=5))  # restarted 5 h late: still this week's
    await tick(service, MON + timedelta(hours=5, minutes=30))
    await tick(service, MON + timedelta(days=9))  # down from Monday to Wednesday: skipped
    await tick(service, MON + timedelta(days=14))
    assert [(s.to, s.at) for s in notifier.sent if s.to.startswith("channel")] == [
        ("channel:study", MON + timedelta(hours=5)),
        ("channel:study", MON + timedelta(days=14)),
    ]


async def test_one_broken_row_does_not_stop_the_others(core, person, service, notifier, caplog):
    await enrol(person, "alice")
    await enrol(person, "bob")
    await edit_pref(core, "alice", timezone="Mars/Olympus_Mons")  # written behind our back
    report = await tick(service, MON)
    assert [s.to for s in notifier.sent] == ["user:bob"]
    assert report.errors == 1
    assert "stays due for the next tick" in caplog.text


async def test_the_group_prompt_does_not_wait_behind_the_personal_reminders(
    person, make_service, notifier
):
    """A channel's prompt is one message to the whole group at its hour; in a fan-out of
    thousands of reminders it goes out first, not minutes later after all of them."""
    for i in range(12):
        await enrol(person, f"p{i}", channel="study")
    await tick(make_service(concurrency=1), MON)
    sent = [s.to for s in notifier.sent]
    assert sent[0] == "channel:study", " ".join(sent)
    assert sorted(sent[1:]) == sorted(f"user:p{i}" for i in range(12))
