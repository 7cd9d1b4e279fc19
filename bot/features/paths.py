"""``/path``: list the paths, or enrol (switching keeps every finished chapter)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import Enrollment, Membership, User
from bot.features.base import PersonalData
from bot.features.common import current_status, resolve_path, step_buttons, step_line
from bot.i18n import N_, pN_
from bot.labels import chapter_label, path_title, weeks
from bot.options import CommandSpec, OptionSpec
from bot.options import OptionType as T
from bot.pace import COVERED
from bot.services import personal, store
from bot.types import Button, Field, Reply


async def path(ctx: Ctx) -> Reply:
    name = ctx.opts.get("name")
    if not name:
        return await _list(ctx)
    return await _enrol(ctx, str(name))


async def _list(ctx: Ctx) -> Reply:
    cur = ctx.curriculum
    status = await current_status(ctx)
    fields = tuple(
        Field(
            path_title(p, ctx.locale),
            f"{p.goal.get(ctx.locale)}\n"
            + ctx.t(
                "{steps} · {days} (~{weeks}) · `/path {id}`",
                steps=ctx.nt("{n} step", "{n} steps", len(p.steps)),
                days=ctx.nt("{n} day", "{n} days", p.total_days),
                weeks=ctx.nt("{n} week", "{n} weeks", weeks(p.total_days)),
                id=p.id,
            ),
            inline=False,
        )
        for p in cur.paths
    )
    if status is None:
        text = ctx.t("You haven't picked a path yet. Choose one with `/path NAME`.")
    else:
        text = ctx.t(
            "You are on **{path}**: {done}/{steps} steps done.",
            path=path_title(status.path, ctx.locale),
            done=status.steps_done,
            steps=len(status.steps),
        )
    buttons = tuple(
        Button(ctx.t("Join {path}", path=p.title.get(ctx.locale)), "path", p.id)
        for p in cur.paths
        if status is None or p.id != status.path.id
    )
    return Reply(text=text, title=ctx.t("Learning paths"), fields=fields, buttons=buttons)


async def _enrol(ctx: Ctx, name: str) -> Reply:
    target = resolve_path(ctx.curriculum, name)
    lines: list[str] = []
    before = await store.get_enrollment(ctx.session, ctx.user.id)
    already = before is not None and before.path_id == target.id
    if already:
        lines.append(ctx.t("You are already on the {path}.", path=path_title(target, ctx.locale)))
    else:
        await store.set_enrollment(ctx.session, ctx.user.id, target.id, ctx.now)
        if before is not None and before.path_id in ctx.curriculum.path_by_id:
            old = ctx.curriculum.path_by_id[before.path_id]
            states = await store.chapter_states(ctx.session, ctx.user.id)
            kept = sum(1 for s in states.values() if s in COVERED)
            lines.append(
                ctx.nt(
                    "Switched from {old} to **{new}**. Your {n} finished chapter carries over.",
                    "Switched from {old} to **{new}**. Your {n} finished chapters carry over.",
                    kept,
                    old=path_title(old, ctx.locale),
                    new=path_title(target, ctx.locale),
                )
                if kept
                else ctx.t(
                    "Switched from {old} to **{new}**.",
                    old=path_title(old, ctx.locale),
                    new=path_title(target, ctx.locale),
                )
            )
        lines.append(
            ctx.t(
                "{steps}, {days} of study (~{weeks}).",
                steps=ctx.nt("{n} step", "{n} steps", len(target.steps)),
                days=ctx.nt("{n} day", "{n} days", target.total_days),
                weeks=ctx.nt("{n} week", "{n} weeks", weeks(target.total_days)),
            )
        )
    place = ctx.inv.place
    if place.channel_id is not None:
        channel = await store.ensure_channel(ctx.session, place, ctx.now)
        if await store.join_channel(ctx.session, ctx.user, channel, ctx.now):
            lines.append(ctx.t("You joined this channel's study group."))

    status = await current_status(ctx)
    assert status is not None
    fields: list[Field] = []
    cur = status.current
    if cur is not None:
        chapters = "\n".join(
            chapter_label(ctx.curriculum.chapters[c], ctx.locale) for c in cur.step.chapters
        )
        fields.append(
            Field(
                ctx.t("Start here") if status.steps_done == 0 else ctx.t("Current step"),
                f"{step_line(ctx, cur.step, cur.index)}\n{chapters}",
                inline=False,
            )
        )
    title = path_title(target, ctx.locale)
    return Reply(
        title=title if already else ctx.t("Welcome to the {path}!", path=title),
        text="\n".join(lines),
        fields=tuple(fields),
        buttons=step_buttons(ctx, status),
        kind="success",
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "path"),
        N_("List the learning paths, or enrol in one"),
        path,
        options=(
            OptionSpec(
                "name",
                T.PATH,
                N_("Path to follow: app, research or mlops"),
                autocomplete="paths",
            ),
        ),
        examples=("/path", "/path mlops", "/path 应用开发"),
        reads=lambda options: not options.get("name"),
    ),
)


async def _export_enrolment(session: AsyncSession, user: User) -> dict[str, Any]:
    enrollment = await store.get_enrollment(session, user.id)
    return {"enrollment": personal.plain_row(enrollment) if enrollment else None}


async def _forget_enrolment(session: AsyncSession, user: User) -> None:
    await store.forget_rows(session, Enrollment, user.id)


async def _export_study_groups(session: AsyncSession, user: User) -> dict[str, Any]:
    return {
        "study_groups": [
            {"channel": ch.external_id, "name": ch.name, "joined_at": m.joined_at.isoformat()}
            for m, ch in await personal.membership_rows(session, user.id)
        ]
    }


async def _forget_study_groups(session: AsyncSession, user: User) -> None:
    await store.forget_rows(session, Membership, user.id)


# /path enrols a person and, in a channel, makes them a member of its study group.
ENROLMENT = PersonalData("enrolment", (Enrollment,), _export_enrolment, _forget_enrolment)
STUDY_GROUPS = PersonalData(
    "study groups", (Membership,), _export_study_groups, _forget_study_groups
)
PERSONAL_DATA: tuple[PersonalData, ...] = (ENROLMENT, STUDY_GROUPS)
