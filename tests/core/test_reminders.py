"""``/reminders``: defaults, setting by position or by name, the next instant, pause/resume."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db.models import ReminderPref
from tests.core.support import (
    SQLITE_ONLY,
    count,
    fast_db,  # noqa: F401  (the ``db`` fixture)
    reminder,
    user_id,
)


def field(reply, name: str) -> str:
    return next(f.value for f in reply.fields if f.name == name)


async def pref(db, name="alice"):
    return await reminder(db, await user_id(db, name))


async def test_default_reminder_is_monday_0900_utc(person, db):
    reply = await person("alice")("/reminders")
    assert not reply.is_error
    assert reply.title == "Weekly reminder"
    assert field(reply, "Status") == "on"
    assert field(reply, "When") == "Monday 09:00 (UTC)"
    # 2027-03-01 is a Monday and 12:00 is past 09:00: next week.
    assert field(reply, "Next reminder") == "Monday, March 8, 09:00 (UTC)"


async def test_turning_the_default_on_stores_the_next_instant(person, db):
    await person("alice")("/reminders on")
    row = await pref(db)
    assert row is not None
    assert (row.enabled, row.weekday, row.local_time) == (True, 0, "09:00")
    assert row.next_due_at == datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


async def test_looking_at_reminders_for_the_first_time_does_not_say_saved(person):
    reply = await person("alice")("/reminders")
    assert "Saved." not in reply.text
    assert reply.kind == "info"


async def test_default_reminder_uses_the_platform_timezone(person, db):
    reply = await person("alice", tz="Asia/Tokyo")("/reminders on")
    assert field(reply, "When") == "Monday 09:00 (Asia/Tokyo)"
    # 12:00 UTC Monday is 21:00 in Tokyo: next Monday 09:00 JST = 00:00 UTC.
    assert (await pref(db)).next_due_at == datetime(2027, 3, 8, 0, 0, tzinfo=UTC)


async def test_set_day_time_zone_positionally(person, db):
    reply = await person("alice")("/reminders wed 19:30 Asia/Shanghai")
    assert reply.kind == "success"
    assert "Saved." in reply.text
    assert field(reply, "When") == "Wednesday 19:30 (Asia/Shanghai)"
    assert field(reply, "Next reminder") == "Wednesday, March 3, 19:30 (Asia/Shanghai)"
    row = await pref(db)
    assert (row.weekday, row.local_time, row.timezone) == (2, "19:30", "Asia/Shanghai")
    assert row.next_due_at == datetime(2027, 3, 3, 11, 30, tzinfo=UTC)


async def test_set_day_time_zone_by_name(person, db):
    reply = await person("alice")("/reminders day:fri time:7pm tz:Europe/Berlin")
    assert reply.kind == "success"
    assert field(reply, "When") == "Friday 19:00 (Europe/Berlin)"
    assert field(reply, "Next reminder") == "Friday, March 5, 19:00 (Europe/Berlin)"
    row = await pref(db)
    assert (row.weekday, row.local_time, row.timezone) == (4, "19:00", "Europe/Berlin")
    assert row.next_due_at == datetime(2027, 3, 5, 18, 0, tzinfo=UTC)  # CET = UTC+1


async def test_reminder_keeps_local_time_across_a_dst_change(person, db, clock):
    # Berlin switches to CEST on 2027-03-28: 19:00 local becomes 17:00 UTC.
    clock.set(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    await person("alice")("/reminders day:sun time:19:00 tz:Europe/Berlin")
    assert (await pref(db)).next_due_at == datetime(2027, 3, 28, 17, 0, tzinfo=UTC)


async def test_reminder_later_today_is_due_today(person, db):
    reply = await person("alice")("/reminders mon 13:00")
    assert field(reply, "Next reminder") == "Monday, March 1, 13:00 (UTC)"


async def test_changing_only_the_time_keeps_day_and_zone(person, db):
    alice = person("alice")
    await alice("/reminders wed 19:30 Asia/Shanghai")
    reply = await alice("/reminders time:08:15")
    assert field(reply, "When") == "Wednesday 08:15 (Asia/Shanghai)"


@SQLITE_ONLY  # parsing only
@pytest.mark.parametrize(
    ("typed", "day"),
    [("周三", 2), ("Wednesday", 2), ("3", 2), ("sun", 6), ("星期天", 6)],
)
async def test_weekday_spellings(person, db, typed, day):
    await person("alice")(f"/reminders day:{typed}")
    assert (await pref(db)).weekday == day


async def test_misspelt_timezone_suggests_the_right_one(person, db):
    reply = await person("alice")("/reminders tz:Asia/Shangai")
    assert reply.is_error
    assert "`Asia/Shangai` is not a timezone I know." in reply.text
    assert "Did you mean `Asia/Shanghai`" in reply.text
    assert "Usage: `/reminders" in reply.text
    assert await count(db, ReminderPref) == 0


async def test_timezone_aliases_resolve(person, db):
    await person("alice")("/reminders tz:beijing")
    assert (await pref(db)).timezone == "Asia/Shanghai"


async def test_bad_time_by_name_is_explained(person, db):
    reply = await person("alice")("/reminders time:25:00")
    assert reply.is_error
    assert "`25:00` is not a time of day" in reply.text
    assert await count(db, ReminderPref) == 0


@SQLITE_ONLY  # parsing only
async def test_bad_time_typed_positionally_is_explained_as_a_time(person):
    reply = await person("alice")("/reminders 25:00")
    assert reply.is_error
    assert "is not a time of day" in reply.text


async def test_bad_day_is_explained(person):
    reply = await person("alice")("/reminders day:someday")
    assert reply.is_error
    assert "`someday` is not a day of the week" in reply.text


async def test_pause_until_a_date(person, db):
    reply = await person("alice")("/reminders pause 2027-03-20")
    assert reply.kind == "success"
    assert "Reminders paused until Mar 20, 2027." in reply.text
    assert field(reply, "Status") == "paused until Mar 20, 2027"
    # The first Monday 09:00 on or after the pause ends.
    assert field(reply, "Next reminder") == "Monday, March 22, 09:00 (UTC)"
    row = await pref(db)
    assert row.paused_until == date(2027, 3, 20)
    assert row.next_due_at == datetime(2027, 3, 22, 9, 0, tzinfo=UTC)


async def test_pause_without_a_date_is_one_week(person, db):
    reply = await person("alice")("/reminders pause")
    assert "paused until Mar 8, 2027" in reply.text
    assert (await pref(db)).next_due_at == datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("when", "shown"), [("2027-02-01", "Feb 1"), ("2027-03-01", "Mar 1")])
async def test_pause_with_a_past_or_todays_date_is_refused(person, db, when, shown):
    alice = person("alice")
    await alice("/reminders on")
    reply = await alice(f"/reminders pause {when}")
    assert reply.is_error
    assert f"{shown}, 2027 is not in the future" in reply.text
    assert (await pref(db)).paused_until is None


async def test_pause_with_a_malformed_date_is_explained(person):
    reply = await person("alice")("/reminders pause until:2027-13-01")
    assert reply.is_error
    assert "`2027-13-01` is not a date" in reply.text


async def test_resume_clears_the_pause(person, db):
    alice = person("alice")
    await alice("/reminders pause 2027-04-01")
    reply = await alice("/reminders resume")
    assert "Reminders resumed." in reply.text
    assert field(reply, "Status") == "on"
    row = await pref(db)
    assert row.paused_until is None
    assert row.next_due_at == datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


async def test_off_then_on(person, db):
    alice = person("alice")
    off = await alice("/reminders off")
    assert "Reminders are off." in off.text
    assert field(off, "Status") == "off"
    assert field(off, "Next reminder") == "none while it is off"
    row = await pref(db)
    assert (row.enabled, row.next_due_at) == (False, None)
    on = await alice("/reminders on")
    assert "Reminders are on." in on.text
    row = await pref(db)
    assert (row.enabled, row.next_due_at) == (True, datetime(2027, 3, 8, 9, 0, tzinfo=UTC))


async def test_on_clears_a_pause(person, db):
    alice = person("alice")
    await alice("/reminders pause 2027-04-01")
    await alice("/reminders on")
    assert (await pref(db)).paused_until is None


async def test_an_expired_pause_is_shown_as_on(person, db, clock):
    alice = person("alice")
    await alice("/reminders pause 2027-03-05")
    clock.set(datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
    reply = await alice("/reminders")
    assert field(reply, "Status") == "on"


async def test_bad_action_lists_the_choices(person):
    reply = await person("alice")("/reminders action:dance")
    assert reply.is_error
    assert "`dance` is not a valid action; choose one of: `show`, `on`, `off`, `pause`" in (
        reply.text
    )


async def test_reminders_in_chinese(person):
    reply = await person("li", locale="zh")("/reminders 周三 19:30 Asia/Shanghai")
    assert reply.title == "每周提醒"
    assert field(reply, "时间") == "星期三 19:30（Asia/Shanghai）"
    assert field(reply, "状态") == "开启"


async def test_pausing_reminders_that_are_off_brings_them_back_after_the_pause(person, db):
    alice = person("alice")
    await alice("/reminders off")
    reply = await alice("/reminders pause 2027-03-20")
    assert field(reply, "Status") == "paused until Mar 20, 2027"
    assert (await pref(db)).next_due_at == datetime(2027, 3, 22, 9, 0, tzinfo=UTC)


async def test_a_skipped_week_stays_skipped_when_the_time_is_changed_later(person, db, clock):
    clock.set(datetime(2027, 3, 8, 7, 0, tzinfo=UTC))  # Monday, before the 09:00 reminder
    alice = person("alice")
    await alice("/path mlops")
    await alice("/reminders skip")
    assert (await pref(db)).next_due_at == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
    reply = await alice("/reminders time:09:30")
    assert (await pref(db)).next_due_at == datetime(2027, 3, 15, 9, 30, tzinfo=UTC)
    assert "Monday, March 15, 09:30" in field(reply, "Next reminder")
