"""``/progress``, ``/done``, ``/undo``, ``/skip``, ``/start``: a person's chapter states."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import ChapterProgress, User
from bot.errors import UserError
from bot.features.base import PersonalData
from bot.features.common import resolve_chapter, standing, step_buttons, step_line, zone_of
from bot.features.leaderboard import progress_picture, rank_field
from bot.i18n import N_, format_date, pN_
from bot.labels import chapter_label, path_title
from bot.options import CommandSpec, OptionSpec, always
from bot.options import OptionType as T
from bot.pace import PathStatus, StepStatus, fmt_days, pace_phrase, path_status
from bot.services import personal, store
from bot.types import Field, ProgressBar, Reply, UserRef


async def progress(ctx: Ctx) -> Reply:
    ref = ctx.opts.get("user")
    if isinstance(ref, UserRef):
        other = await store.lookup_user(ctx.session, ctx.inv.actor, ref)
        if other is None:
            raise UserError(
                N_("I don't know `{value}` here yet; they need to use the bot first."),
                value=ref.name or ref.user_id,
            )
        if other.id != ctx.user.id:
            return await _other_progress(ctx, other)
    found = await standing(ctx)
    if found is None:
        return Reply(
            text=ctx.t("You haven't picked a path yet. Choose one with `/path NAME`."), kind="error"
        )
    status = found.status(ctx.now)
    reply = _progress_reply(ctx, ctx.user.display_name, status)
    rank = await rank_field(ctx)
    picture = await progress_picture(ctx, status, states=found.states)
    return replace(reply, fields=reply.fields + ((rank,) if rank else ()), renders=(picture,))


async def _other_progress(ctx: Ctx, other: User) -> Reply:
    name = other.display_name or other.external_id
    if other.privacy != "shown" and not ctx.inv.actor.is_admin:
        return Reply(text=ctx.t("{name} keeps their progress private.", name=name))
    enrollment = await store.get_enrollment(ctx.session, other.id)
    if enrollment is None or enrollment.path_id not in ctx.curriculum.path_by_id:
        return Reply(text=ctx.t("{name} hasn't picked a path yet.", name=name))
    tz = await zone_of(ctx, other)
    status = path_status(
        ctx.curriculum.path_by_id[enrollment.path_id],
        await store.chapter_states(ctx.session, other.id),
        enrollment.plan_start,
        ctx.now,
        tz,
    )
    reply = _progress_reply(ctx, name, status)
    picture = await progress_picture(ctx, status, user_id=other.id)
    # Someone else's progress: no buttons, they would act on the caller's own chapters.
    return replace(reply, buttons=(), renders=(picture,))


def _progress_reply(ctx: Ctx, name: str, status: PathStatus) -> Reply:
    total = status.total_days
    fields = [
        Field(ctx.t("Steps"), f"{status.steps_done}/{len(status.steps)}"),
        Field(ctx.t("Study days"), f"{fmt_days(status.days_done)}/{total}"),
        Field(ctx.t("Pace"), pace_phrase(ctx.locale, status.pace)),
    ]
    cur = status.current
    if cur is not None:
        titles = "\n".join(
            chapter_label(ctx.curriculum.chapters[c], ctx.locale) for c in cur.step.chapters
        )
        fields.append(
            Field(
                ctx.t("Current step"),
                f"{step_line(ctx, cur.step, cur.index)}\n{titles}",
                inline=False,
            )
        )
        fields.append(
            Field(
                ctx.t("Projected finish"),
                f"{format_date(ctx.locale, status.projected_finish)} · "
                + ctx.t("planned {date}", date=format_date(ctx.locale, status.planned_finish)),
            )
        )
        text = ""
    else:
        text = ctx.t("Every step is done. Congratulations!")
    return Reply(
        title=ctx.t("{name} — {path}", name=name, path=path_title(status.path, ctx.locale)),
        text=text,
        fields=tuple(fields),
        progress=ProgressBar(status.days_covered, total),
        buttons=step_buttons(ctx, status),
    )


async def done(ctx: Ctx) -> Reply:
    raw = ctx.opts.get("chapter")
    if raw:
        return await _mark(ctx, str(raw), "done")
    found = await standing(ctx)
    if found is None:
        raise UserError(N_("Pick a path first with `/path NAME`, or name a chapter: `/done 4.2`."))
    status = found.status(ctx.now)
    step_no = ctx.opts.get("step")
    if isinstance(step_no, int):
        # A Done button names its step, so a double click or a retried delivery is a no-op.
        if step_no > len(status.steps):
            raise UserError(
                N_("There is no step {n}: your path's steps are 1–{steps}."),
                n=step_no,
                steps=len(status.steps),
            )
        cur: StepStatus | None = status.steps[step_no - 1]
        if cur is not None and cur.complete:
            return Reply(text=ctx.t("Step {n} was already done; nothing changed.", n=step_no))
    else:
        cur = status.current
    if cur is None:
        return Reply(text=ctx.t("Every step is done. Congratulations!"))
    todo = [c for c in cur.step.chapters if found.states.get(c) not in ("done", "skipped")]
    await store.set_chapter_states(ctx.session, ctx.user.id, todo, "done", ctx.now)
    after = found.marked(todo, "done").status(ctx.now)
    return _after_marking(
        ctx,
        after,
        ctx.t(
            "Step {n} done: {chapters}. {days_done}/{total} study days.",
            n=cur.index + 1,
            chapters=", ".join(cur.step.chapters),
            days_done=fmt_days(after.days_done),
            total=after.total_days,
        ),
    )


def _after_marking(ctx: Ctx, status: PathStatus | None, message: str) -> Reply:
    fields: list[Field] = []
    lines = [message]
    if status is not None:
        cur = status.current
        if cur is None:
            lines.append(
                ctx.t(
                    "That was the last step of the {path}. Congratulations!",
                    path=path_title(status.path, ctx.locale),
                )
            )
        else:
            fields.append(
                Field(ctx.t("Up next"), step_line(ctx, cur.step, cur.index), inline=False)
            )
            fields.append(Field(ctx.t("Pace"), pace_phrase(ctx.locale, status.pace)))
    return Reply(
        text="\n".join(lines),
        fields=tuple(fields),
        progress=ProgressBar(status.days_covered, status.total_days) if status else None,
        buttons=step_buttons(ctx, status) if status else (),
        kind="success",
    )


async def _mark(ctx: Ctx, raw: str, state: str) -> Reply:
    chapter = resolve_chapter(ctx.curriculum, raw)
    label = chapter_label(chapter, ctx.locale)
    found = await standing(ctx)
    states = found.states if found else await store.chapter_states(ctx.session, ctx.user.id)
    previous = states.get(chapter.id)
    if previous == state:
        same = {
            "done": N_("{chapter} was already done; nothing changed."),
            "skipped": N_("{chapter} was already skipped."),
            "in_progress": N_("{chapter} is already in progress."),
        }
        return Reply(text=ctx.t(same[state], chapter=label))
    if state == "in_progress" and previous == "done":
        return Reply(
            text=ctx.t(
                "{chapter} is already done. Use `/undo {id}` to reopen it.",
                chapter=label,
                id=chapter.id,
            )
        )
    await store.set_chapter_states(ctx.session, ctx.user.id, [chapter.id], state, ctx.now)
    status = found.marked([chapter.id], state).status(ctx.now) if found else None
    key = {
        "done": N_("Marked {chapter} as done."),
        "skipped": N_("Skipped {chapter}. It no longer holds up your path."),
        "in_progress": N_("{chapter} is now in progress. Good luck!"),
    }[state]
    message = ctx.t(key, chapter=label)
    if status is not None and chapter.id not in status.path.chapter_ids:
        message += "\n" + ctx.t("(Not part of your path, but it counts toward your skill tree.)")
    return _after_marking(ctx, status, message)


async def skip(ctx: Ctx) -> Reply:
    return await _mark(ctx, str(ctx.opts["chapter"]), "skipped")


async def start(ctx: Ctx) -> Reply:
    return await _mark(ctx, str(ctx.opts["chapter"]), "in_progress")


async def undo(ctx: Ctx) -> Reply:
    chapter = resolve_chapter(ctx.curriculum, str(ctx.opts["chapter"]))
    label = chapter_label(chapter, ctx.locale)
    found = await standing(ctx)
    if not await store.clear_chapter(ctx.session, ctx.user.id, chapter.id, ctx.now):
        return Reply(text=ctx.t("{chapter} had no progress to undo.", chapter=label))
    status = found.cleared(chapter.id).status(ctx.now) if found else None
    return _after_marking(ctx, status, ctx.t("{chapter} is back to to-do.", chapter=label))


_CHAPTER = OptionSpec(
    "chapter",
    T.CHAPTER,
    N_("Chapter id such as 4.2, or a word from its title"),
    required=True,
    autocomplete="chapters",
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "progress"),
        N_("Your progress, pace and current step"),
        progress,
        options=(OptionSpec("user", T.USER, N_("Someone else in this workspace")),),
        examples=("/progress", "/progress @alice"),
        reads=always,
    ),
    CommandSpec(
        pN_("command name", "done"),
        N_("Mark your current step, or one chapter, as done"),
        done,
        options=(
            OptionSpec(
                "chapter",
                T.CHAPTER,
                N_("Chapter id such as 4.2 (default: your current step)"),
                autocomplete="chapters",
            ),
            OptionSpec(
                "step",
                T.INTEGER,
                N_("Step number of your path"),
                positional=False,
                min_value=1,
                max_value=99,
            ),
        ),
        examples=("/done", "/done 4.2", "/done step:3"),
    ),
    CommandSpec(
        pN_("command name", "undo"),
        N_("Set a chapter back to to-do"),
        undo,
        options=(_CHAPTER,),
        examples=("/undo 4.2",),
    ),
    CommandSpec(
        pN_("command name", "skip"),
        N_("Skip a chapter you already know"),
        skip,
        options=(_CHAPTER,),
        examples=("/skip 1.2",),
    ),
    CommandSpec(
        pN_("command name", "start"),
        N_("Mark a chapter as in progress"),
        start,
        options=(_CHAPTER,),
        examples=("/start 5.4",),
    ),
)


async def _export_chapters(session: AsyncSession, user: User) -> dict[str, Any]:
    return {
        "chapters": [personal.plain_row(p) for p in await personal.progress_rows(session, user.id)]
    }


async def _forget_chapters(session: AsyncSession, user: User) -> None:
    await store.forget_rows(session, ChapterProgress, user.id)


CHAPTERS = PersonalData("chapters", (ChapterProgress,), _export_chapters, _forget_chapters)
PERSONAL_DATA: tuple[PersonalData, ...] = (CHAPTERS,)
