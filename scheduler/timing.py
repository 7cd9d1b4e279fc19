"""When a weekly prompt falls due, in the recipient's own zone.

APScheduler's ``CronTrigger`` does the calendar maths (DST gaps and overlaps included) so we
keep none of our own: a Monday 09:00 reminder stays 09:00 local across a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]


def next_weekly(
    after: datetime,
    weekday: int,
    local_time: str,
    tz: str | None,
    *,
    not_before: date | None = None,
) -> datetime:
    """The first instant strictly after ``after`` that is ``weekday`` at ``local_time`` in ``tz``.

    ``not_before`` (a local date, e.g. the day a pause ends) pushes the answer to that date or
    later. The result is in UTC.
    """
    zone = ZoneInfo(tz or "UTC")
    hour, minute = (int(x) for x in local_time.split(":"))
    trigger = CronTrigger(day_of_week=weekday, hour=hour, minute=minute, timezone=zone)
    start = after.astimezone(zone)
    if not_before is not None:
        floor = datetime.combine(not_before, time(0, 0), tzinfo=zone) - timedelta(microseconds=1)
        start = max(start, floor)
    fire: datetime | None = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    assert fire is not None  # a weekly cron always fires again
    return fire.astimezone(UTC)
