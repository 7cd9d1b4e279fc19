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
from bot.i18n import L
from bot.labels import chapter_label, path_title
from bot.options import CommandSpec, OptionSpec, always
from bot.options import OptionType as T
from bot.pace import PathStatus, StepStatus, fmt_days, pace_phrase, path_status
from bot.services import store
from bot.types import Field, ProgressBar, Reply, UserRef


async def progress(ctx: Ctx) -> Reply:
    ref = ctx.opts.get("user")
    if isinstance(ref, UserRef):
        other = await store.lookup_user(ctx.session, ctx.inv.actor, ref)
        if other is None:
            raise UserError("progress.other_not_found", value=ref.name or ref.user_id)
        if other.id != ctx.user.id:
            return await _other_progress(ctx, other)
    found = await standing(ctx)
    if found is None:
        return Reply(text=ctx.t("path.not_enrolled"), kind="error")
    status = found.status(ctx.now)
    reply = _progress_reply(ctx, ctx.user.display_name, status)
    rank = await rank_field(ctx)
    picture = await progress_picture(ctx, status, states=found.states)
    return replace(reply, fields=reply.fields + ((rank,) if rank else ()), renders=(picture,))


async def _other_progress(ctx: Ctx, other: User) -> Reply:
    name = other.display_name or other.external_id
    if other.privacy != "shown" and not ctx.inv.actor.is_admin:
        return Reply(text=ctx.t("progress.other_private", name=name))
    enrollment = await store.get_enrollment(ctx.session, other.id)
    if enrollment is None or enrollment.path_id not in ctx.curriculum.path_by_id:
        return Reply(text=ctx.t("progress.other_not_enrolled", name=name))
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
        Field(ctx.t("progress.steps"), f"{status.steps_done}/{len(status.steps)}"),
        Field(ctx.t("progress.days"), f"{fmt_days(status.days_done)}/{total}"),
        Field(ctx.t("progress.pace"), pace_phrase(ctx.locale, status.pace)),
    ]
    cur = status.current
    if cur is not None:
        titles = "\n".join(
            chapter_label(ctx.curriculum.chapters[c], ctx.locale) for c in cur.step.chapters
        )
        fields.append(
            Field(
                ctx.t("progress.current"),
                f"{step_line(ctx, cur.step, cur.index)}\n{titles}",
                inline=False,
            )
        )
        fields.append(
            Field(
                ctx.t("progress.finish"),
                f"{status.projected_finish.isoformat()} · "
                + ctx.t("progress.planned", date=status.planned_finish.isoformat()),
            )
        )
        text = ""
    else:
        text = ctx.t("progress.all_done")
    return Reply(
        title=ctx.t("progress.title", name=name, path=path_title(status.path, ctx.locale)),
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
        raise UserError("done.need_path")
    status = found.status(ctx.now)
    step_no = ctx.opts.get("step")
    if isinstance(step_no, int):
        # A Done button names its step, so a double click or a retried delivery is a no-op.
        if step_no > len(status.steps):
            raise UserError("done.no_step", n=step_no, steps=len(status.steps))
        cur: StepStatus | None = status.steps[step_no - 1]
        if cur is not None and cur.complete:
            return Reply(text=ctx.t("done.step_already", n=step_no))
    else:
        cur = status.current
    if cur is None:
        return Reply(text=ctx.t("progress.all_done"))
    todo = [c for c in cur.step.chapters if found.states.get(c) not in ("done", "skipped")]
    await store.set_chapter_states(ctx.session, ctx.user.id, todo, "done", ctx.now)
    after = found.marked(todo, "done").status(ctx.now)
    return _after_marking(
        ctx,
        after,
        ctx.t(
            "done.step",
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
            lines.append(ctx.t("done.path_complete", path=path_title(status.path, ctx.locale)))
        else:
            fields.append(
                Field(ctx.t("done.next"), step_line(ctx, cur.step, cur.index), inline=False)
            )
            fields.append(Field(ctx.t("progress.pace"), pace_phrase(ctx.locale, status.pace)))
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
        same = {"done": "done.already", "skipped": "skip.already", "in_progress": "start.already"}
        return Reply(text=ctx.t(same[state], chapter=label))
    if state == "in_progress" and previous == "done":
        return Reply(text=ctx.t("start.is_done", chapter=label, id=chapter.id))
    await store.set_chapter_states(ctx.session, ctx.user.id, [chapter.id], state, ctx.now)
    status = found.marked([chapter.id], state).status(ctx.now) if found else None
    key = {"done": "done.chapter", "skipped": "skip.done", "in_progress": "start.done"}[state]
    message = ctx.t(key, chapter=label)
    if status is not None and chapter.id not in status.path.chapter_ids:
        message += "\n" + ctx.t("done.not_in_path")
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
        return Reply(text=ctx.t("undo.nothing", chapter=label))
    status = found.cleared(chapter.id).status(ctx.now) if found else None
    return _after_marking(ctx, status, ctx.t("undo.done", chapter=label))


_CHAPTER = OptionSpec(
    "chapter",
    T.CHAPTER,
    L("Chapter id such as 4.2, or a word from its title", "章节编号（如 4.2）或标题中的词"),
    required=True,
    autocomplete="chapters",
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "progress",
        L("Your progress, pace and current step", "你的进度、节奏和当前步骤"),
        progress,
        options=(
            OptionSpec("user", T.USER, L("Someone else in this workspace", "本工作区的其他成员")),
        ),
        examples=("/progress", "/progress @alice"),
        reads=always,
    ),
    CommandSpec(
        "done",
        L("Mark your current step, or one chapter, as done", "将当前步骤或某一章标记为完成"),
        done,
        options=(
            OptionSpec(
                "chapter",
                T.CHAPTER,
                L(
                    "Chapter id such as 4.2 (default: your current step)",
                    "章节编号，如 4.2（默认：当前步骤）",
                ),
                autocomplete="chapters",
            ),
            OptionSpec(
                "step",
                T.INTEGER,
                L("Step number of your path", "你的路线中的步骤序号"),
                positional=False,
                min_value=1,
                max_value=99,
            ),
        ),
        examples=("/done", "/done 4.2", "/done step:3"),
    ),
    CommandSpec(
        "undo",
        L("Set a chapter back to to-do", "将某一章恢复为未开始"),
        undo,
        options=(_CHAPTER,),
        examples=("/undo 4.2",),
    ),
    CommandSpec(
        "skip",
        L("Skip a chapter you already know", "跳过已经掌握的章节"),
        skip,
        options=(_CHAPTER,),
        examples=("/skip 1.2",),
    ),
    CommandSpec(
        "start",
        L("Mark a chapter as in progress", "将某一章标记为学习中"),
        start,
        options=(_CHAPTER,),
        examples=("/start 5.4",),
    ),
)


async def _export_chapters(session: AsyncSession, user: User) -> dict[str, Any]:
    return {"chapters": [store.plain_row(p) for p in await store.progress_rows(session, user.id)]}


async def _forget_chapters(session: AsyncSession, user: User) -> None:
    await store.forget_rows(session, ChapterProgress, user.id)


CHAPTERS = PersonalData("chapters", (ChapterProgress,), _export_chapters, _forget_chapters)
PERSONAL_DATA: tuple[PersonalData, ...] = (CHAPTERS,)
