"""What a weekly prompt says, built from the curriculum and stored progress.

Pure functions (no database, no clock): the service gathers the rows, these turn them into a
``Reply``. Keeping them pure is what lets the dry run show exactly what would be sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.i18n import N_, ntr, tr
from bot.labels import chapter_ids_label
from bot.pace import PathStatus, pace_phrase
from bot.types import Button, Field, Reply
from curriculum import Curriculum, Path
from curriculum.models import Text

TOP_ACTIVE = 3
T = TypeVar("T")


def iso_week(instant: datetime, tz: str) -> int:
    return instant.astimezone(ZoneInfo(tz)).isocalendar().week


def _rotate(items: list[T], n: int) -> T | None:
    return items[n % len(items)] if items else None


def tip_of_week(cur: Curriculum, week: int) -> tuple[str, Text] | None:
    """One tip or pitfall from the seed (label key, text); a new one each ISO week."""
    items = [(N_("Tip"), t.text) for t in cur.tips] + [
        (N_("Pitfall to avoid"), p) for p in cur.pitfalls
    ]
    return _rotate(items, week)


def seed_item_of_week(cur: Curriculum, paths: list[Path], week: int) -> tuple[str, Text] | None:
    """A tip, pitfall, paper or project for a study group; rotating through all of them."""
    items = [(N_("Tip"), t.text) for t in cur.tips] + [
        (N_("Pitfall to avoid"), p) for p in cur.pitfalls
    ]
    for path in paths:
        items += [(N_("Paper to read"), p) for p in path.papers]
        items += [(N_("Project idea"), p) for p in path.projects]
    return _rotate(items, week)


PAUSE_WEEKS = 2


def render_reminder(cur: Curriculum, status: PathStatus, locale: str, week: int) -> Reply | None:
    """The personal weekly reminder; ``None`` when the path is finished (nothing to nag about).

    Buttons: Done (the current step), Snooze 1 day, Skip this week, Pause 2 weeks; each one
    is an ordinary command, so the core handles a press like a typed ``/done`` or ``/reminders``.

    "Pause" pauses until a date two weeks on: ``/reminders pause`` alone (7 days) would end
    exactly when the next weekly reminder is due, and so skip nothing.
    """
    step = status.current
    if step is None:
        return None
    path = status.path
    chapters = "\n".join(
        f"{c} {cur.chapters[c].title.get(locale)}" if c in cur.chapters else c
        for c in step.step.chapters
    )
    fields = [
        Field(tr(locale, "Chapters"), chapters, inline=False),
        Field(tr(locale, "Focus"), step.step.focus.get(locale)),
        Field(tr(locale, "Time"), ntr(locale, "{n} day", "{n} days", step.step.days)),
        Field(tr(locale, "Pace"), pace_phrase(locale, status.pace)),
    ]
    tip = tip_of_week(cur, week)
    if tip is not None:
        fields.append(Field(tr(locale, tip[0]), tip[1].get(locale), inline=False))
    n = step.index + 1
    return Reply(
        title=tr(locale, "Your weekly study reminder"),
        text=tr(
            locale,
            "This week: step {n} of {steps} of the {path}.",
            n=n,
            steps=len(status.steps),
            path=path.title.get(locale),
        ),
        fields=tuple(fields),
        buttons=(
            Button(tr(locale, "Done"), "done", f"step:{n}", style="primary"),
            Button(tr(locale, "Snooze 1 day"), "reminders", "snooze"),
            Button(tr(locale, "Skip this week"), "reminders", "skip"),
            Button(
                tr(locale, "Pause 2 weeks"),
                "reminders",
                f"pause {status.today + timedelta(weeks=PAUSE_WEEKS):%Y-%m-%d}",
            ),
        ),
        footer=tr(locale, "Change the day or time, or pause: `/reminders`."),
        ephemeral=False,
    )


def render_nudge(
    cur: Curriculum, status: PathStatus, locale: str, channel_name: str
) -> Reply | None:
    """An admin's "nudge" as the person reads it: friendly, and never naming who asked.

    ``None`` unless the person is still behind pace (they may have caught up since the nudge
    was queued, or finished): then there is nothing to nudge about.
    """
    step = status.current
    if step is None or status.pace.kind != "behind":
        return None
    chapters = "\n".join(
        f"{c} {cur.chapters[c].title.get(locale)}" if c in cur.chapters else c
        for c in step.step.chapters
    )
    n = step.index + 1
    return Reply(
        title=tr(locale, "A friendly nudge 👋"),
        text=tr(
            locale,
            "Your study group in {channel} is cheering you on! You're "
            "{behind} on the {path}: you're at step {n} of {steps}. Even "
            "one chapter today gets you closer.",
            channel=f"#{_safe_name(channel_name)}",
            behind=pace_phrase(locale, status.pace),
            path=status.path.title.get(locale),
            n=n,
            steps=len(status.steps),
        ),
        fields=(
            Field(tr(locale, "Chapters"), chapters, inline=False),
            Field(tr(locale, "Focus"), step.step.focus.get(locale)),
        ),
        buttons=(
            Button(tr(locale, "Done"), "done", f"step:{n}", style="primary"),
            Button(tr(locale, "Next"), "next"),
        ),
        footer=tr(
            locale, "Press Done when you finish a step; `/reminders` changes your weekly reminder."
        ),
        ephemeral=False,
    )


@dataclass(frozen=True, slots=True)
class Member:
    """One person in a study group, as the channel prompt needs them."""

    name: str
    privacy: str  # shown | anonymous | hidden
    status: PathStatus | None  # None: not enrolled (or on a path no longer in the curriculum)
    completed_last_week: int


def render_channel(
    cur: Curriculum, channel_name: str, members: list[Member], locale: str, week: int
) -> Reply | None:
    """The study group's weekly prompt; ``None`` when nobody there follows a path."""
    enrolled = [m for m in members if m.status is not None]
    if not enrolled:
        return None
    fields: list[Field] = []
    behind_total = 0
    paths = [p for p in cur.paths if any(m.status and m.status.path.id == p.id for m in enrolled)]
    for path in paths:
        group = [m.status for m in enrolled if m.status and m.status.path.id == path.id]
        at_step: Counter[int] = Counter()
        finished = behind = 0
        for st in group:
            if st.current is None:
                finished += 1
                continue
            at_step[st.current.index] += 1
            if st.pace.kind == "behind":
                behind += 1
        behind_total += behind
        lines = [
            tr(
                locale,
                "Step {n} ({chapters}, {focus}): {count} studying",
                n=i + 1,
                chapters=chapter_ids_label(path.steps[i].chapters),
                focus=path.steps[i].focus.get(locale),
                count=count,
            )
            for i, count in sorted(at_step.items())
        ]
        if finished:
            lines.append(tr(locale, "Finished: {count}", count=finished))
        lines.append(
            tr(locale, "Behind pace: {behind} of {total}", behind=behind, total=len(group))
        )
        fields.append(
            Field(f"{path.icon} {path.title.get(locale)}".strip(), "\n".join(lines), False)
        )

    active = sorted(
        (m for m in members if m.privacy != "hidden" and m.completed_last_week > 0),
        key=lambda m: (-m.completed_last_week, m.name.casefold()),
    )[:TOP_ACTIVE]
    if active:
        value = "\n".join(
            ntr(
                locale,
                "{name}: {n} chapter",
                "{name}: {n} chapters",
                m.completed_last_week,
                name=_safe_name(m.name) if m.privacy == "shown" else tr(locale, "someone"),
            )
            for m in active
        )
    else:
        value = tr(locale, "No chapters finished last week; this week is a fresh start.")
    fields.append(Field(tr(locale, "Most active last week"), value, inline=False))
    item = seed_item_of_week(cur, paths, week)
    if item is not None:
        fields.append(Field(tr(locale, item[0]), item[1].get(locale), inline=False))
    return Reply(
        title=tr(locale, "This week in {channel}", channel=f"#{channel_name}"),
        text=tr(
            locale,
            "{members}; {behind}.",
            members=ntr(locale, "{n} person studies here", "{n} people study here", len(enrolled)),
            behind=ntr(
                locale, "{n} of them is behind pace", "{n} of them are behind pace", behind_total
            ),
        ),
        fields=tuple(fields),
        footer=tr(locale, "Join in: `/path` · what to study now: `/next`."),
        ephemeral=False,
    )


def _safe_name(name: str) -> str:
    """A display name goes into a channel post: no pings (@everyone) and no markdown."""
    cleaned = "".join(ch for ch in name if ch not in "*_~`|<>")
    return cleaned.replace("@", "@\u200b").strip()[:80] or "?"


def group_locale(locales: list[str]) -> str:
    """A channel has no language of its own: use its members' most common one (ties: en)."""
    counts = Counter("zh" if loc == "zh" else "en" for loc in locales)
    return "zh" if counts["zh"] > counts["en"] else "en"
