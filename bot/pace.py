"""Where a person stands on their path: steps, study days, pace and projected finish.

Pure functions over the curriculum and a person's chapter states, so they are easy to test
with a fixed clock in any timezone.

Pace works on step deadlines: step *i* is due on day ``end_i`` (the sum of the estimates up
to and including it), counted in the person's own calendar days from enrolment. A person is
behind when the first unfinished step is past its due day, ahead when they have already
finished steps not yet due, and on track otherwise — so being mid-way through a one-week step
on day 4 is "on track", not "4 days behind".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.i18n import ntr, tr
from curriculum import Path, Step

COVERED = frozenset({"done", "skipped"})
PaceKind = Literal["on_track", "behind", "ahead", "finished"]


@dataclass(frozen=True, slots=True)
class StepStatus:
    index: int  # 0-based
    step: Step
    start_day: int
    end_day: int
    covered: int  # chapters done or skipped
    done: int  # chapters done

    @property
    def complete(self) -> bool:
        return self.covered == len(self.step.chapters)

    @property
    def days_per_chapter(self) -> float:
        return self.step.days / len(self.step.chapters)


@dataclass(frozen=True, slots=True)
class Pace:
    kind: PaceKind
    days: int = 0


@dataclass(frozen=True, slots=True)
class PathStatus:
    path: Path
    steps: tuple[StepStatus, ...]
    elapsed_days: int
    today: date
    enrolled_on: date

    @property
    def total_days(self) -> int:
        return self.path.total_days

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.complete)

    @property
    def days_done(self) -> float:
        """Study days earned by chapters actually done (skips don't count as study)."""
        return sum(s.done * s.days_per_chapter for s in self.steps)

    @property
    def days_covered(self) -> float:
        return sum(s.covered * s.days_per_chapter for s in self.steps)

    @property
    def current(self) -> StepStatus | None:
        return next((s for s in self.steps if not s.complete), None)

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def pace(self) -> Pace:
        cur = self.current
        if cur is None:
            return Pace("finished")
        if self.elapsed_days > cur.end_day:
            return Pace("behind", self.elapsed_days - cur.end_day)
        if cur.start_day > self.elapsed_days:
            return Pace("ahead", cur.start_day - self.elapsed_days)
        return Pace("on_track")

    @property
    def projected_finish(self) -> date:
        remaining = math.ceil(self.total_days - self.days_covered - 1e-9)
        return self.today + timedelta(days=max(0, remaining))

    @property
    def planned_finish(self) -> date:
        return self.enrolled_on + timedelta(days=self.total_days)


def person_zone(own: str | None, platform: str | None, groups: Iterable[str | None] = ()) -> str:
    """A person's timezone: the one they chose, else the one their platform reports (Slack's
    ``tz``), else their study group's, else UTC. One rule everywhere, so ``/progress``, the
    leaderboard, the cohort view and the scheduler agree on their pace."""
    for tz in (own, platform, *groups):
        if tz:
            return tz
    return "UTC"


def study_days(locale: str, days: float) -> str:
    """ "1 study day" / "12 study days" / "2.5 study days": a fraction takes the plural form
    gettext gives for 2 (English's and Chinese's "other")."""
    whole = round(days)
    n = whole if abs(days - whole) < 0.05 else 2
    return ntr(locale, "{days} study day", "{days} study days", n, days=fmt_days(days))


def fmt_days(days: float) -> str:
    """Study days as people read them: ``7``, ``2.3``."""
    return str(int(days)) if abs(days - round(days)) < 0.05 else f"{days:.1f}"


def pace_phrase(locale: str, pace: Pace) -> str:
    """ "on track" / "4 days behind" / "1 day ahead", in the person's language."""
    if pace.kind == "behind":
        return ntr(locale, "{n} day behind", "{n} days behind", pace.days)
    if pace.kind == "ahead":
        return ntr(locale, "{n} day ahead", "{n} days ahead", pace.days)
    if pace.kind == "finished":
        return tr(locale, "finished")
    return tr(locale, "on track")


def tree_caption(locale: str, status: PathStatus) -> str:
    """The line under a skill-tree picture: study days, steps and pace."""
    return tr(
        locale,
        "{days}/{total} study days · {steps}/{step_total} steps · {pace}",
        days=fmt_days(status.days_done),
        total=status.total_days,
        steps=status.steps_done,
        step_total=len(status.steps),
        pace=pace_phrase(locale, status.pace),
    )


def local_date(instant: datetime, tz: str | None) -> date:
    return instant.astimezone(ZoneInfo(tz or "UTC")).date()


def path_status(
    path: Path,
    states: dict[str, str],
    enrolled_at: datetime,
    now: datetime,
    tz: str | None = None,
) -> PathStatus:
    steps: list[StepStatus] = []
    day = 0
    for i, step in enumerate(path.steps):
        covered = sum(1 for c in step.chapters if states.get(c) in COVERED)
        done = sum(1 for c in step.chapters if states.get(c) == "done")
        steps.append(StepStatus(i, step, day, day + step.days, covered, done))
        day += step.days
    enrolled_on = local_date(enrolled_at, tz)
    today = local_date(now, tz)
    return PathStatus(
        path=path,
        steps=tuple(steps),
        elapsed_days=max(0, (today - enrolled_on).days),
        today=today,
        enrolled_on=enrolled_on,
    )
