"""Quiet hours: nothing goes out inside them; a prompt due then is held until they end, once,
and is not dropped as "missed" however long the quiet window is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.timing import quiet_end_at
from tests.conftest import flat
from tests.scheduler.helpers import enrol, pref_of, tick, utc

MON = utc(2027, 3, 8, 9, 0)  # Monday 09:00 UTC


def test_quiet_end_at_within_one_day_and_across_midnight():
    shanghai = "Asia/Shanghai"  # UTC+8
    # 23:30 local, window 22:00-07:00 → ends 07:00 local the next day (23:00 UTC).
    assert quiet_end_at(utc(2027, 3, 8, 15, 30), "22:00", "07:00", shanghai) == utc(2027, 3, 8, 23)
    # 06:00 local, same window → ends 07:00 local the same day.
    assert quiet_end_at(utc(2027, 3, 8, 22), "22:00", "07:00", shanghai) == utc(2027, 3, 8, 23)
    assert quiet_end_at(utc(2027, 3, 8, 2), "22:00", "07:00", shanghai) is None  # 10:00
    assert quiet_end_at(utc(2027, 3, 8, 9), "08:00", "12:00", "UTC") == utc(2027, 3, 8, 12)
    assert quiet_end_at(utc(2027, 3, 8, 12), "08:00", "12:00", "UTC") is None  # end excluded
    assert quiet_end_at(utc(2027, 3, 8, 9), None, None, "UTC") is None


def test_quiet_hours_ending_on_a_dst_night_end_at_local_time():
    # Europe/Berlin springs forward on 2027-03-28 (02:00 → 03:00): a window ending 07:00
    # local ends at 05:00 UTC that morning, not 06:00.
    end = quiet_end_at(datetime(2027, 3, 27, 23, 0, tzinfo=UTC), "22:00", "07:00", "Europe/Berlin")
    assert end == utc(2027, 3, 28, 5, 0)


async def test_a_reminder_due_in_quiet_hours_waits_for_them_to_end(core, person, service, notifier):
    alice = await enrol(person, "alice")
    reply = await alice("/reminders quiet:08:00-10:00")
    assert "Quiet hours: 08:00–10:00 (UTC)" in flat(reply)
    assert "Monday, March 8, 10:00" in flat(reply)  # the 09:00 slot arrives when quiet hours end

    assert (await tick(service, MON)).quiet == 1
    assert (await tick(service, MON + timedelta(minutes=59))).sent == []
    report = await tick(service, MON + timedelta(hours=1))  # 10:00: quiet hours are over
    assert len(report.sent) == 1
    assert (await tick(service, MON + timedelta(hours=2))).sent == []
    assert [s.at for s in notifier.sent] == [MON + timedelta(hours=1)]
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.next_due_at == MON + timedelta(days=7)  # slot unchanged


async def test_a_long_quiet_night_does_not_make_the_reminder_count_as_missed(
    core, person, service, notifier
):
    # Sunday 23:00 reminder; quiet 22:00-10:00 lasts 11 hours, longer than the 6 h grace.
    sunday = utc(2027, 3, 7, 23, 0)
    await enrol(person, "bob", when="day:sun time:23:00 quiet:22:00-10:00")
    for hour in range(12):
        await tick(service, sunday + timedelta(hours=hour))
    assert [s.at for s in notifier.sent] == [utc(2027, 3, 8, 10, 0)]


async def test_a_snooze_that_falls_in_quiet_hours_is_held_not_lost(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)  # the weekly reminder
    core.clock.set(MON + timedelta(hours=14))  # Monday 23:00: snooze until Tuesday 23:00
    assert not (await alice("/reminders snooze quiet:22:00-07:00")).is_error
    snoozed = MON + timedelta(days=1, hours=14)
    assert (await tick(service, snoozed)).quiet == 1
    pref = await pref_of(core, "alice")
    assert pref is not None and pref.snooze_until == snoozed  # kept for later
    await tick(service, utc(2027, 3, 10, 7, 0))  # Wednesday 07:00: quiet hours over
    assert [s.at for s in notifier.sent] == [MON, utc(2027, 3, 10, 7, 0)]
    assert ":snooze:" in notifier.sent[1].key


async def test_quiet_hours_can_be_turned_off_and_bad_windows_are_explained(person):
    alice = await enrol(person, "alice")
    bad = await alice("/reminders quiet:late")
    assert bad.is_error and "22:00-07:00" in bad.text
    same = await alice("/reminders quiet:08:00-08:00")
    assert same.is_error
    await alice("/reminders quiet:22:00-07:00")
    off = await alice("/reminders quiet:off")
    assert "Quiet hours" not in flat(off)
