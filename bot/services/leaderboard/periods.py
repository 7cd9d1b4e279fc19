"""Period maths: the ISO week and calendar month of a group's timezone, as UTC intervals.

A group's week or month starts at local midnight, so a period is worked out in the group's
zone and kept as UTC instants that every completion time can be compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodKind = Literal["week", "month", "all"]


@dataclass(frozen=True, slots=True)
class Period:
    """A week, a month or all time, as the half-open UTC interval a board counts."""

    kind: PeriodKind
    key: str  # "2027-W09", "2027-02" or "all"
    start: datetime | None  # inclusive, UTC; None = since forever
    end: datetime | None  # exclusive, UTC; None = until forever

    def contains(self, instant: datetime) -> bool:
        return (self.start is None or instant >= self.start) and (
            self.end is None or instant < self.end
        )


def zone_of(tz: str | None) -> ZoneInfo:
    """``tz`` as a zone; UTC when it is unset or unknown."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ValueError, KeyError):  # a zone removed from tzdata: fall back rather than fail
        return ZoneInfo("UTC")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Where ``day`` begins in ``zone``, as a UTC instant (periods are kept in UTC)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_of(kind: PeriodKind, instant: datetime, tz: str | None) -> Period:
    """The period of ``kind`` that contains ``instant``, in the channel's timezone."""
    if kind == "all":
        return Period("all", "all", None, None)
    zone = zone_of(tz)
    day = instant.astimezone(zone).date()
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period(
            "week",
            week_key(monday),
            _local_midnight(monday, zone),
            _local_midnight(monday + timedelta(days=7), zone),
        )
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(
        "month", month_key(first), _local_midnight(first, zone), _local_midnight(following, zone)
    )


def previous_period(period: Period, tz: str | None) -> Period:
    """The week or month just before ``period``."""
    assert period.start is not None and period.kind != "all"
    return period_of(period.kind, period.start - timedelta(seconds=1), tz)
