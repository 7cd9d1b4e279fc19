"""``/leaderboard``: the study group's ranking, its history, a web link; plus hooks for
``/progress`` (the caller's own rank and their skill-tree picture).

Ranking rules live in ``bot.services.leaderboard``; this module only phrases and draws.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import Channel, LeaderboardSnapshot, Membership, NudgeRequest, User
from bot.errors import UserError
from bot.features.base import PersonalData
from bot.i18n import N_, pN_, tr
from bot.options import Choice, CommandSpec, OptionSpec, always
from bot.options import OptionType as T
from bot.pace import PathStatus, fmt_days, study_days, tree_caption
from bot.pictures import (
    BoardRow,
    board_model,
    cjk_font_path,
    leaderboard_png,
    skill_tree_png,
    tree_model,
)
from bot.services import leaderboard as lb
from bot.services import store
from bot.services.board_cache import GroupBoards
from bot.types import Attachment, Button, Field, Locale, Render, Reply

BOARD_LINES = 15  # chat shows the top 15; the web page shows everyone
PICTURE_ROWS = 50
HISTORY: tuple[tuple[lb.PeriodKind, int], ...] = (("week", 8), ("month", 6))  # periods shown
HISTORY_HEADINGS: dict[lb.PeriodKind, str] = {"week": N_("Weeks"), "month": N_("Months")}
EMPTY_BOARD = N_("No chapters finished in this period yet. `/done` counts from now on.")
VIEW_BUTTONS = {
    "week": N_("This week"),
    "month": N_("This month"),
    "all": N_("All time"),
    "history": N_("Past winners"),
}


def anonymous_label(ctx: Ctx) -> str:
    return ctx.t("anonymous #{k}", k="{k}")


async def group_channel(ctx: Ctx) -> Channel:
    """The channel the command was typed in, as a study group; DMs have none."""
    if ctx.inv.place.channel_id is None:
        raise UserError(N_("This works in a study group's channel, not in a direct message."))
    return await store.ensure_channel(ctx.session, ctx.inv.place, ctx.now)


def period_title(ctx: Ctx, period: lb.Period, locale: Locale | None = None) -> str:
    loc = locale or ctx.locale
    if period.kind == "all":
        return tr(loc, "all time")
    if period.kind == "week":
        return tr(loc, "week {code}", code=period.key)
    return tr(loc, "month {code}", code=period.key)


def entry_line(ctx: Ctx, e: lb.Entry) -> str:
    medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(e.rank, f"{e.rank}.")
    streak = ctx.t("🔥 {weeks}-week streak", weeks=e.streak) if e.streak else ""
    return ctx.t(
        "{medal} **{name}** — {days} · {steps} · {streak}",
        medal=medal,
        name=e.label,
        days=study_days(ctx.locale, e.days),
        steps=ctx.nt("{n} step", "{n} steps", e.steps),
        streak=streak,
    ).rstrip(" ·")


def board_rows(entries: list[lb.Entry], locale: Locale = "en") -> list[BoardRow]:
    """Rows for the picture, anonymous labels in the picture's language."""
    rows = []
    anon = 0
    for e in entries:
        label = e.label
        if e.anonymous:
            anon += 1
            label = tr(locale, "anonymous #{k}", k=anon)
        rows.append(BoardRow(e.rank, label, fmt_days(e.days), e.steps, e.streak, e.fraction))
    return rows


def board_header(locale: Locale) -> tuple[str, ...]:
    columns = (N_("#"), N_("Name"), N_("Days"), N_("Steps"), N_("Streak"), N_("Path"))
    return tuple(tr(locale, c) for c in columns)


async def current_board(
    ctx: Ctx,
    channel: Channel,
    served: tuple[GroupBoards, bool],
    kind: lb.PeriodKind,
    *,
    shown: int,
    include_hidden: bool = False,
    caller_rank: bool = False,
) -> tuple[lb.Period, list[lb.Entry]]:
    """A board of the group as of now, in board order, ranked and labelled for its first
    ``shown`` entries (and the caller's line when ``caller_rank``).

    ``include_hidden``: the caller is ranked even when they chose ``hidden`` (their own rank on
    ``/progress``)."""
    boards, _ = served
    period, entries = boards.board(kind)
    if include_hidden and ctx.user.privacy == "hidden":
        mine = await lb.load_members(ctx.session, channel, [ctx.user.id])
        entries = lb.with_member(
            ctx.curriculum,
            entries,
            ctx.user.id,
            mine[0] if mine else None,
            period,
            ctx.now,
            since=channel.leaderboard_reset_at,
            include_hidden=include_hidden,
        )
    top = lb.renumber(entries[:shown], anonymous_label(ctx))
    rest = list(entries[shown:])  # below what is shown, ranks are not read (only the count)
    if caller_rank:
        uid = ctx.user.id
        at = next((i for i, e in enumerate(rest) if e.user_id == uid), None)
        if at is not None:
            rest[at] = replace(rest[at], rank=shown + at + 1)
    return period, [*top, *rest]


async def leaderboard(ctx: Ctx) -> Reply:
    view = str(ctx.opts.get("view") or "week")
    channel = await group_channel(ctx)
    # Computing the boards also freezes every finished period (snapshots), so history is
    # complete whenever it is read. Snapshots store English labels, translated when shown.
    served = await ctx.boards.get(ctx.session, channel, ctx.now)
    if view == "history":
        return await _history(ctx, channel)
    if view == "web":
        return _web_link(ctx, channel)
    kind: lb.PeriodKind = "all" if view == "all" else "month" if view == "month" else "week"
    period, entries = await current_board(ctx, channel, served, kind, shown=PICTURE_ROWS)
    title = ctx.t(
        "Leaderboard {channel} · {period}",
        channel=_channel_name(channel),
        period=period_title(ctx, period),
    )
    buttons = tuple(
        Button(ctx.t(label), "leaderboard", v) for v, label in VIEW_BUTTONS.items() if v != view
    )
    if not entries:
        return Reply(
            title=title,
            text=ctx.t(EMPTY_BOARD),
            buttons=buttons,
            ephemeral=False,
        )
    lines = [entry_line(ctx, e) for e in entries[:BOARD_LINES]]
    if len(entries) > BOARD_LINES:
        lines.append(
            ctx.t("…and {count} more (see the picture).", count=len(entries) - BOARD_LINES)
        )
    locale = picture_locale(ctx)
    pic_title = tr(
        locale,
        "Leaderboard {channel} · {period}",
        channel=_channel_name(channel),
        period=period_title(ctx, period, locale),
    )
    # The picture shows the top of the board: a 10,000-member group would make a PNG larger
    # than Discord's 10 MiB attachment limit and take seconds to draw.
    model = board_model(
        board_rows(entries[:PICTURE_ROWS], locale),
        title=pic_title,
        header=board_header(locale),
        locale=locale,
    )

    async def draw() -> Attachment:
        return Attachment("leaderboard.png", await leaderboard_png(model), "image/png", alt=title)

    footer = ctx.t(
        "Study days: each finished chapter's share of its step. Ties: who got there first."
    )
    if channel.leaderboard_reset_at is not None:
        footer += " " + ctx.t(
            "Counting since the reset on {date}.", date=channel.leaderboard_reset_at.date()
        )
    return Reply(
        title=title,
        text="\n".join(lines),
        renders=(draw,),
        buttons=buttons,
        footer=footer,
        ephemeral=False,
    )


def _channel_name(channel: Channel) -> str:
    return f"#{channel.name}" if channel.name else "#" + channel.external_id


async def _history(ctx: Ctx, channel: Channel) -> Reply:
    fields: list[Field] = []
    for kind, limit in HISTORY:
        groups = await lb.history(ctx.session, channel.id, kind, limit)
        if not groups:
            continue
        lines = []
        for key, rows in groups:
            winners = ", ".join(
                f"{r.rank}. {_snapshot_label(ctx, r)} ({fmt_days(r.days)})" for r in rows
            )
            lines.append(f"**{key}**: {winners}")
        fields.append(Field(ctx.t(HISTORY_HEADINGS[kind]), "\n".join(lines), inline=False))
    title = ctx.t("Past winners in {channel}", channel=_channel_name(channel))
    if not fields:
        return Reply(
            title=title, text=ctx.t("No finished week or month with winners yet."), ephemeral=False
        )
    return Reply(title=title, text="", fields=tuple(fields), ephemeral=False)


def _snapshot_label(ctx: Ctx, row: LeaderboardSnapshot) -> str:
    if row.user_id is None:  # the person deleted their data
        return ctx.t("(former member)")
    if row.anonymous:
        return ctx.t("anonymous #{k}", k=row.label.rsplit("#", 1)[-1])
    return row.label


def _web_link(ctx: Ctx, channel: Channel) -> Reply:
    signer = ctx.links
    if signer is None:
        return Reply(
            text=ctx.t("The web leaderboard is off: the bot has no `WEB_SECRET` set."), kind="error"
        )
    url = signer.url(channel.id, ctx.now) + ("?lang=zh" if ctx.locale == "zh" else "")
    minutes = int(signer.ttl.total_seconds() // 60)
    # Whoever holds the link can read the board until it expires, so only the admin sees it.
    return Reply(
        text=ctx.t(
            "Read-only leaderboard page (link valid for {minutes} "
            "minutes; anyone with it can read the board): {url}",
            url=url,
            minutes=minutes,
        ),
        ephemeral=True,
    )


# --- hooks for /progress ------------------------------------------------------------------


# The group the command was typed in, when the caller studies there (built once: /progress).
_CALLERS_GROUP = (
    select(Channel)
    .join(Membership, Membership.channel_id == Channel.id)
    .where(
        Membership.user_id == bindparam("user_id"),
        Channel.platform == bindparam("platform"),
        Channel.workspace == bindparam("workspace"),
        Channel.external_id == bindparam("external_id"),
    )
)


async def rank_field(ctx: Ctx) -> Field | None:
    """The caller's "Rank in #channel" field for ``/progress``; None outside any study group.

    Non-admins cannot open ``/leaderboard``, so this is where they see where they stand. The
    channel is the one the command was typed in when the caller studies there, else their
    first study group. It shows this week's rank and the all-time rank; people who chose
    ``hidden`` still see their own rank, marked as not listed (other hidden people are left
    out of the count).
    """
    channel: Channel | None = None
    place = ctx.inv.place
    if place.channel_id is not None:
        key = {
            "user_id": ctx.user.id,
            "platform": place.platform,
            "workspace": place.workspace,
            "external_id": place.channel_id,
        }
        channel = (await ctx.session.execute(_CALLERS_GROUP, key)).scalar_one_or_none()
    if channel is None:
        groups = await store.user_channels(ctx.session, ctx.user.id)
        if not groups:
            return None
        channel = groups[0]
    # Other hidden people stay out of the count; a hidden caller still sees where they stand.
    served = await ctx.boards.get(ctx.session, channel, ctx.now, freeze=False)
    parts = []
    for kind in ("week", "all"):
        _, entries = await current_board(
            ctx, channel, served, kind, shown=0, include_hidden=True, caller_rank=True
        )
        mine = next((e for e in entries if e.user_id == ctx.user.id), None)
        parts.append(
            ctx.t("#{rank} of {total}", rank=mine.rank, total=len(entries))
            if mine
            else ctx.t("not ranked yet")
        )
    value = ctx.t("this week {week} · all time {all}", week=parts[0], all=parts[1])
    if ctx.user.privacy == "hidden":
        value += " " + ctx.t("(only you see this: your privacy is hidden)")
    return Field(ctx.t("Rank in {channel}", channel=_channel_name(channel)), value)


async def progress_picture(
    ctx: Ctx,
    status: PathStatus,
    user_id: int | None = None,
    *,
    states: dict[str, str] | None = None,
) -> Render:
    """The skill-tree PNG for ``/progress`` (the caller's, or ``user_id``'s when given; their
    chapter ``states`` when already read): the drawing model is taken now, inside the unit of
    work; the pixels are drawn after it."""
    if states is None:
        states = await store.chapter_states(ctx.session, user_id or ctx.user.id)
    locale = picture_locale(ctx)
    caption = tree_caption(locale, status)
    model = tree_model(ctx.curriculum, status, states, locale=locale, caption=caption)
    alt = ctx.t("Your skill tree")

    async def draw() -> Attachment:
        return Attachment("skill-tree.png", await skill_tree_png(model), "image/png", alt=alt)

    return draw


def picture_locale(ctx: Ctx) -> Locale:
    """Chinese in pictures only when a CJK font is installed; English otherwise (no tofu)."""
    return "zh" if ctx.locale == "zh" and cjk_font_path() is not None else "en"


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "leaderboard"),
        N_("The study group's ranking, its history, or a web link"),
        leaderboard,
        options=(
            OptionSpec(
                "view",
                T.CHOICE,
                N_("Which board"),
                choices=(
                    Choice("week", N_("This week")),
                    Choice("month", N_("This month")),
                    Choice("all", N_("All time")),
                    Choice("history", N_("Past winners")),
                    Choice("web", N_("A link to the web page")),
                ),
            ),
        ),
        admin_only=True,
        refusal=N_(
            "Sorry, the group leaderboard is for admins of this workspace. Your own rank is in"
            " `/progress`."
        ),
        examples=("/leaderboard", "/leaderboard month", "/leaderboard history"),
        # Writes only the first call after a week or month closes (its winners' snapshot).
        reads=always,
    ),
)


async def _export_boards(session: AsyncSession, user: User) -> dict[str, Any]:
    return await lb.export_user(session, user.id)


async def _forget_boards(session: AsyncSession, user: User) -> None:
    await lb.forget_user(session, user.id)


# Past wins, and the nudges admins asked for (the leaderboard service keeps both).
BOARDS = PersonalData(
    "leaderboards", (LeaderboardSnapshot, NudgeRequest), _export_boards, _forget_boards
)
PERSONAL_DATA: tuple[PersonalData, ...] = (BOARDS,)
