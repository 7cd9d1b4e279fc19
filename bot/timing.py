"""When a weekly prompt falls due, in the recipient's own zone.

A weekly slot is a wall-clock time on a weekday in an IANA zone, resolved the way PEP 495's
``fold=0`` does it, which is what people expect of a weekly reminder across DST changes:

* Monday 09:00 stays 09:00 local whatever the offset that week;
* a wall time that happens twice (the fall-back hour) fires once, at its first pass;
* a wall time that does not exist (the spring-forward gap) fires once, shifted forward by the
  gap (02:30 becomes 03:30 in New York, 02:15 becomes 02:45 on Lord Howe Island), as cron does.

Why not APScheduler's ``CronTrigger`` (as before): in 3.11 it fires a repeated wall time
twice, can return the very instant it was given from inside the repeated hour (so "next"
never advances), and skips a whole week for Monday 00:00 when DST starts that week. The
property test in ``tests/scheduler/test_timing.py`` found those; zoneinfo alone has none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


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
    # From the day before: a slot late on the previous local date can be shifted past
    # midnight by a DST gap.
    day = after.astimezone(zone).date() - timedelta(days=1)
    if not_before is not None and not_before > day:
        day = not_before
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while (fire := _slot(day, hour, minute, zone)) <= after:
        day += timedelta(days=7)
    return fire


def _slot(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """``day`` at ``hour:minute`` in ``zone`` as a UTC instant (fold=0: see the module doc)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def quiet_end_at(
    instant: datetime, start: str | None, end: str | None, tz: str | None
) -> datetime | None:
    """If ``instant`` falls inside the daily quiet window [start, end) in ``tz`` (the window
    may wrap midnight, e.g. 22:00-07:00), the instant it ends (UTC); None otherwise."""
    if not start or not end or start == end:
        return None
    zone = ZoneInfo(tz or "UTC")
    local = instant.astimezone(zone)
    s, e = time.fromisoformat(start), time.fromisoformat(end)
    now = local.time().replace(tzinfo=None)
    if s < e:
        inside, end_day = s <= now < e, local.date()
    else:  # wraps midnight
        inside = now >= s or now < e
        end_day = local.date() + timedelta(days=1) if now >= s else local.date()
    if not inside:
        return None
    # A wall time that does not exist (DST gap) resolves forward, like next_weekly's.
    return datetime.combine(end_day, e, tzinfo=zone).astimezone(UTC)


def iso_period(instant: datetime, tz: str) -> str:
    """The local ISO week of ``instant``, e.g. ``2027-W11``: the Delivery key's period."""
    year, week, _ = instant.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"
