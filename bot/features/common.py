"""Lookups and phrasing that several handlers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import AdminLog, Channel, User
from bot.errors import UserError
from bot.i18n import N_
from bot.labels import chapter_ids_label, path_names
from bot.pace import PathStatus, path_status, person_zone
from bot.services import store
from bot.suggest import closest
from bot.types import Button
from curriculum import Chapter, Curriculum, Path, Step

# A chapter's state as people read it (/chapter, /share).
STATE_NAMES = {
    "todo": N_("to do"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "skipped": N_("skipped"),
}

_CHAPTER_ID = re.compile(
    r"^\s*(?:p(?:art)?\s*)?(\d{1,2})\s*"
    r"(?:[.\-/,。．、 ]\s*(?:c(?:h(?:apter)?)?\s*)?|c(?:h(?:apter)?)?\s*)"
    r"(\d{1,2})\s*$",
    re.IGNORECASE,
)


def resolve_path(curriculum: Curriculum, raw: str) -> Path:
    """A path by id, alias or title, case-insensitively; a unique prefix works too."""
    key = raw.strip().casefold()
    for path in curriculum.paths:
        if key in (n.casefold() for n in path_names(path)):
            return path
    if len(key) >= 3:
        hits = {
            p.id for p in curriculum.paths for n in path_names(p) if n.casefold().startswith(key)
        }
        if len(hits) == 1:
            return curriculum.path_by_id[hits.pop()]
    names = {n: p.id for p in curriculum.paths for n in path_names(p)}
    suggestions = list(dict.fromkeys(names[n] for n in closest(raw, names, n=3, cutoff=0.5)))
    raise UserError(
        N_("There is no path called `{value}`."),
        suggestions,
        hint=N_("The paths are: {paths}."),
        value=raw,
        paths=", ".join(f"`{p.id}`" for p in curriculum.paths),
    )


def resolve_chapter(curriculum: Curriculum, raw: str) -> Chapter:
    """A chapter by id (``4.2``, ``4-2``, ``p4c2``) or by a word unique to its title."""
    m = _CHAPTER_ID.match(raw)
    if m:
        part, number = int(m.group(1)), int(m.group(2))
        cid = f"{part}.{number}"
        if cid in curriculum.chapters:
            return curriculum.chapters[cid]
        # A well-formed id that does not exist: ids that look alike (44.2 → 4.2), else the
        # chapters of the nearest part (9.9 → 7.1 … 7.6).
        nearest = min(curriculum.parts, key=lambda p: abs(p.id - part))
        suggestions = closest(cid, curriculum.chapters, n=3, cutoff=0.6) or [
            c.id for c in nearest.chapters
        ]
        raise UserError(
            N_("There is no chapter `{value}`."),
            suggestions,
            hint=N_("Chapters are numbered part.chapter, e.g. `4.2`; `/path` lists the paths."),
            value=raw,
        )
    key = raw.strip().casefold()
    if len(key) >= 2:
        hits = [
            c
            for c in curriculum.chapters.values()
            if key in c.title.en.casefold() or key in c.title.zh.casefold()
        ]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise UserError(
                N_("There is no chapter `{value}`."),
                [c.id for c in hits[:5]],
                hint=N_("Chapters are numbered part.chapter, e.g. `4.2`; `/path` lists the paths."),
                value=raw,
            )
    by_label = {c.id: c.id for c in curriculum.chapters.values()}
    by_label.update({c.title.en: c.id for c in curriculum.chapters.values()})
    by_label.update({c.title.zh: c.id for c in curriculum.chapters.values()})
    suggestions = list(dict.fromkeys(by_label[n] for n in closest(raw, by_label, n=3, cutoff=0.5)))
    raise UserError(
        N_("There is no chapter `{value}`."),
        suggestions,
        hint=N_("Chapters are numbered part.chapter, e.g. `4.2`; `/path` lists the paths."),
        value=raw,
    )


def step_line(ctx: Ctx, step: Step, index: int) -> str:
    return ctx.t(
        "Step {n}: {chapters} — {focus} ({days})",
        n=index + 1,
        chapters=chapter_ids_label(step.chapters),
        focus=step.focus.get(ctx.locale),
        days=ctx.nt("{n} day", "{n} days", step.days),
    )


def chapter_url(ctx: Ctx, ch: Chapter) -> str | None:
    base = ctx.chapter_base_url
    return f"{base.rstrip('/')}/{quote(ch.link)}" if base else None


async def user_timezone(ctx: Ctx) -> str:
    """The person's zone: their own setting, else the platform's, else their study group's,
    else UTC — the same order the scheduler uses, so /reminders shows the real next time."""
    return await zone_of(ctx, ctx.user)


async def zone_of(ctx: Ctx, user: User) -> str:
    return await zone_in(ctx.session, user)


async def zone_in(session: AsyncSession, user: User) -> str:
    """``zone_of`` outside a command (the calendar subscription reads it too)."""
    pref = await store.get_reminder(session, user.id)
    own = pref.timezone if pref else None
    if own or user.timezone:
        return person_zone(own, user.timezone)
    groups = [
        c.timezone
        for c in await store.user_channels(session, user.id)
        if c.platform == user.platform and c.workspace == user.workspace
    ]
    return person_zone(own, user.timezone, groups)


@dataclass(frozen=True, slots=True)
class Standing:
    """What a person's path status is worked out from, read once per command: a command that
    marks chapters applies its change here instead of reading everything again."""

    path: Path
    states: dict[str, str]
    plan_start: datetime
    tz: str

    def status(self, now: datetime) -> PathStatus:
        return path_status(self.path, self.states, self.plan_start, now, self.tz)

    def marked(self, chapters: list[str], state: str) -> Standing:
        return replace(self, states={**self.states, **dict.fromkeys(chapters, state)})

    def cleared(self, chapter: str) -> Standing:
        return replace(self, states={c: s for c, s in self.states.items() if c != chapter})


async def standing(ctx: Ctx) -> Standing | None:
    """The caller's standing on their path; None when they follow none."""
    enrollment = await store.get_enrollment(ctx.session, ctx.user.id)
    if enrollment is None or enrollment.path_id not in ctx.curriculum.path_by_id:
        return None
    return Standing(
        ctx.curriculum.path_by_id[enrollment.path_id],
        await store.chapter_states(ctx.session, ctx.user.id),
        enrollment.plan_start,
        await user_timezone(ctx),
    )


async def current_status(ctx: Ctx) -> PathStatus | None:
    found = await standing(ctx)
    return found.status(ctx.now) if found else None


def step_buttons(ctx: Ctx, status: PathStatus) -> tuple[Button, ...]:
    cur = status.current
    buttons = [Button(ctx.t("Progress"), "progress")]
    if cur is not None:
        buttons = [
            Button(ctx.t("Done"), "done", f"step:{cur.index + 1}", style="primary"),
            Button(ctx.t("Next"), "next"),
            *buttons,
        ]
    return tuple(buttons)


def log_admin_action(ctx: Ctx, channel: Channel, action: str, detail: str = "") -> None:
    """An admin action in ``admin_log``, in the unit of work of the change itself, so the log
    never claims a change that was rolled back."""
    ctx.session.add(
        AdminLog(
            channel_id=channel.id,
            actor=ctx.inv.actor.user_id,
            action=action,
            detail=detail[:2000],
            at=ctx.now,
        )
    )
