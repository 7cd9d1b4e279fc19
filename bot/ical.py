"""A person's remaining plan as an iCalendar document (RFC 5545), built with ``icalendar``.

One event per unfinished step, on the day the pace model says it is due (``bot.pace``: the
day its cumulative estimate ends, counted in the person's own calendar days from the start
of their plan). The events are **all-day** (``DTSTART;VALUE=DATE``): a due date is a day in
the person's zone, not an instant, and a DATE value is the same day in every calendar app
whatever zone the app is set to, so no VTIMEZONE is needed and nothing slides to the day
before when the person travels. A timed event at their reminder hour would only repeat the
reminder, which already arrives in chat.

Each event's UID names the person, the path and the step, so a calendar app that re-reads the
subscription (or a re-imported file) moves the event when the plan moves (a skipped week)
instead of adding a second one; switching paths gives the new path's events new UIDs and the
old ones drop out of the subscription.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from bot.i18n import ntr, tr
from bot.labels import chapter_label, path_title
from bot.pace import PathStatus, StepStatus
from curriculum import Curriculum

PRODID = "-//skilltree-bot//study plan//EN"
REFRESH = timedelta(hours=12)  # how often subscribers are asked to re-read the plan


def due_date(status: PathStatus, step: StepStatus) -> date:
    """The pace model's due day of ``step``: on time through this day, behind after it."""
    return status.enrolled_on + timedelta(days=step.end_day)


def remaining_steps(status: PathStatus) -> list[StepStatus]:
    return [s for s in status.steps if not s.complete]


def plan_calendar(
    curriculum: Curriculum,
    status: PathStatus,
    *,
    locale: str,
    tz: str,
    person: str,
    now: datetime,
) -> bytes:
    """The calendar as bytes (CRLF lines, UTF-8); ``person`` is a stable id for the UIDs."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    title = path_title(status.path, locale)
    cal.add("x-wr-calname", tr(locale, "Study plan: {path}", path=title))
    cal.add("x-wr-timezone", tz)  # informational: the zone the due days were counted in
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")  # the same, in the older Microsoft spelling
    steps = len(status.steps)
    for s in remaining_steps(status):
        due = due_date(status, s)
        chapters = "; ".join(chapter_label(curriculum.chapters[c], locale) for c in s.step.chapters)
        event = Event()
        event.add("uid", f"skilltree-{person}-{status.path.id}-step{s.index + 1}@skilltree-bot")
        event.add("dtstamp", now)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add(
            "summary",
            tr(
                locale,
                "Step {n}/{steps} due: {chapters}",
                n=s.index + 1,
                steps=steps,
                chapters=chapters,
            ),
        )
        lines = [
            title,
            tr(locale, "Focus: {focus}", focus=s.step.focus.get(locale)),
            ntr(locale, "Estimate: {n} day", "Estimate: {n} days", s.step.days),
            tr(locale, "When it is done: /done step:{n}", n=s.index + 1),
        ]
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")  # a due date, not a meeting: never shows as busy
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
