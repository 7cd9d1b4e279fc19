"""``/next`` and ``/chapter``: what to study, drawn from the seed's own advice."""

from __future__ import annotations

from typing import TypeVar

from bot.context import Ctx
from bot.features.common import STATE_NAMES, chapter_url, current_status, resolve_chapter
from bot.features.share import recent_work
from bot.i18n import N_, pN_
from bot.labels import chapter_label, path_title
from bot.options import CommandSpec, OptionSpec, always
from bot.options import OptionType as T
from bot.services import store
from bot.types import Button, Field, Reply
from curriculum import Path

Item = TypeVar("Item")


def _rotate(items: list[Item], n: int) -> Item | None:
    return items[n % len(items)] if items else None


def study_extras(ctx: Ctx, path: Path, step_index: int, week: int) -> list[Field]:
    """The stack line, a project (or a paper, on the research path) and a tip for a step.

    Rotating by step and ISO week keeps the advice fresh without storing anything.
    """
    cur = ctx.curriculum
    fields: list[Field] = []
    group = _rotate(path.stack, step_index)
    if group is not None:
        fields.append(
            Field(
                ctx.t("Stack") + f": {group.label.get(ctx.locale)}",
                "\n".join(f"`{line}`" for line in group.lines),
                inline=False,
            )
        )
    if path.papers and step_index % 2 == 1:
        paper = _rotate(path.papers, step_index // 2)
        if paper is not None:
            fields.append(Field(ctx.t("Paper to read"), paper.get(ctx.locale), inline=False))
    else:
        project = _rotate(path.projects, step_index // 2)
        if project is not None:
            fields.append(Field(ctx.t("Project idea"), project.get(ctx.locale), inline=False))
    tips = [t.text for t in cur.tips] + list(cur.pitfalls)
    tip = _rotate(tips, week + step_index)
    if tip is not None:
        fields.append(Field(ctx.t("Tip"), tip.get(ctx.locale), inline=False))
    return fields


async def next_step(ctx: Ctx) -> Reply:
    status = await current_status(ctx)
    if status is None:
        return Reply(
            text=ctx.t("You haven't picked a path yet. Choose one with `/path NAME`."), kind="error"
        )
    cur = status.current
    if cur is None:
        bridges = [b for b in ctx.curriculum.bridges if b.from_path == status.path.id]
        fields = tuple(
            Field(
                ctx.t("Where to go next: {title}", title=b.title.get(ctx.locale)),
                "\n".join(f"{i.chapter} — {i.text.get(ctx.locale)}" for i in b.items),
                inline=False,
            )
            for b in bridges
        )
        return Reply(
            text=ctx.t("You've finished the {path}. 🎉", path=path_title(status.path, ctx.locale)),
            fields=fields,
        )
    chapters = "\n".join(
        chapter_label(ctx.curriculum.chapters[c], ctx.locale) for c in cur.step.chapters
    )
    step_fields = [
        Field(ctx.t("Chapters"), chapters, inline=False),
        Field(ctx.t("Focus"), cur.step.focus.get(ctx.locale)),
        Field(ctx.t("Time"), ctx.nt("{n} day", "{n} days", cur.step.days)),
        *study_extras(ctx, status.path, cur.index, status.today.isocalendar().week),
    ]
    first = cur.step.chapters[0]
    return Reply(
        title=ctx.t("Next up: step {n} of {steps}", n=cur.index + 1, steps=len(status.steps)),
        text="",
        fields=tuple(step_fields),
        buttons=(
            Button(ctx.t("Start"), "start", first),
            Button(ctx.t("Done"), "done", f"step:{cur.index + 1}", style="primary"),
            Button(ctx.t("Progress"), "progress"),
        ),
    )


async def chapter(ctx: Ctx) -> Reply:
    cur = ctx.curriculum
    ch = resolve_chapter(cur, str(ctx.opts["id"]))
    part = next(p for p in cur.parts if p.id == ch.part)
    other = "en" if ctx.locale == "zh" else "zh"
    lines = [f"{ch.title.get(ctx.locale)} · {ch.title.get(other)}"]
    url = chapter_url(ctx, ch)
    if url:
        lines.append(ctx.t("Read") + f": {url}")
    in_paths: list[str] = []
    for path in cur.paths:
        for i, step in enumerate(path.steps):
            if ch.id in step.chapters:
                days = ctx.nt("{n} day", "{n} days", step.days)
                if len(step.chapters) > 1:
                    days = ctx.nt(
                        "{days} for {n} chapter",
                        "{days} for {n} chapters",
                        len(step.chapters),
                        days=days,
                    )
                in_paths.append(
                    ctx.t(
                        "{path}, step {n}: {focus} ({days})",
                        path=path_title(path, ctx.locale),
                        n=i + 1,
                        focus=step.focus.get(ctx.locale),
                        days=days,
                    )
                )
    states = await store.chapter_states(ctx.session, ctx.user.id)
    state = states.get(ch.id, "todo")
    fields = [
        Field(ctx.t("Part"), f"{part.id} · {part.title.get(ctx.locale)}"),
        Field(ctx.t("Your state"), ctx.t(STATE_NAMES.get(state, state))),
        Field(
            ctx.t("In paths"),
            "\n".join(in_paths) if in_paths else ctx.t("Not part of any path's plan."),
            inline=False,
        ),
    ]
    work = await recent_work(ctx, ch.id)
    if work:
        lines_of_work = [
            ctx.t("{name}: {link}", name=w.name or ctx.t("anonymous"), link=w.url)
            + (f" — {w.note}" if w.note else "")
            for w in work
        ]
        fields.append(
            Field(ctx.t("Recent work by the group"), "\n".join(lines_of_work)[:1000], inline=False)
        )
    buttons: list[Button] = []
    if state != "done":
        buttons.append(Button(ctx.t("Done"), "done", ch.id, style="primary"))
    if state not in ("in_progress", "done"):
        buttons.append(Button(ctx.t("Start"), "start", ch.id))
    if state not in ("skipped", "done"):
        buttons.append(Button(ctx.t("Skip"), "skip", ch.id))
    return Reply(
        title=chapter_label(ch, ctx.locale),
        text="\n".join(lines),
        fields=tuple(fields),
        buttons=tuple(buttons),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "next"),
        N_("What to study now, with stack, project and a tip"),
        next_step,
        examples=("/next",),
        reads=always,
    ),
    CommandSpec(
        pN_("command name", "chapter"),
        N_("A chapter: titles, paths that include it, your state"),
        chapter,
        options=(
            OptionSpec(
                "id",
                T.CHAPTER,
                N_("Chapter id such as 4.2, or a word from its title"),
                required=True,
                autocomplete="chapters",
            ),
        ),
        examples=("/chapter 4.2", "/chapter RAG"),
        reads=always,
    ),
)
