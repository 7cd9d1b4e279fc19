"""``/share CHAPTER LINK [note]``: show the group what you made of a chapter.

The link and note are kept on the person's own ``chapter_progress`` row for that chapter
(one unit of work: the row and the public card, or neither), so ``/export-my-data`` already
exports them and ``/forget-me`` already deletes them with the row (``progress.CHAPTERS``).
``/chapter ID`` lists the group's recent work (``recent_work``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import or_, select

from bot.context import Ctx
from bot.db.models import ChapterProgress, Membership, User
from bot.errors import UserError
from bot.features.common import STATE_NAMES, resolve_chapter
from bot.features.together import ensure_on
from bot.i18n import N_, pN_
from bot.labels import chapter_label
from bot.options import CommandSpec, OptionSpec, clean_text
from bot.options import OptionType as T
from bot.services import store
from bot.types import Reply

MAX_URL = 500  # chapter_progress.share_url: String(500)
MAX_NOTE = 200  # chapter_progress.share_note: String(200)
SHAREABLE = ("done", "in_progress")
RECENT = 5  # pieces of work /chapter lists


def clean_link(raw: str) -> str:
    """An http(s) link as typed, or a friendly ``UserError``. Slack sends links wrapped as
    ``<https://…>`` or ``<https://…|label>`` with ``&amp;`` escapes; both are undone."""
    link = raw.strip()
    if link.startswith("<") and link.endswith(">"):
        link = link[1:-1].partition("|")[0]
        link = link.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if len(link) > MAX_URL:
        raise UserError(
            N_("That link is {n} characters long; the most I keep is {max}."),
            n=len(link),
            max=MAX_URL,
        )
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in link):
        raise UserError(N_("A link cannot contain spaces or control characters."))
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise UserError(
            N_("`{value}` is not a web link."),
            hint=N_(
                "Share a link that starts with https:// or http://, e.g. `/share 4.2 https://github.com/you/rag-demo`."
            ),
            value=link,
        )
    return link


def clean_note(raw: object) -> str | None:
    """The note on one line without control characters, or None; ``UserError`` when long."""
    if raw is None:
        return None
    # Invisible format characters go too, except the joiner inside emoji such as 👩‍💻.
    kept = "".join(
        ch for ch in clean_text(str(raw)) if ch == "\u200d" or unicodedata.category(ch) != "Cf"
    )
    note = " ".join(kept.split())
    if len(note) > MAX_NOTE:
        raise UserError(
            N_("The note is {n} characters long; keep it to {max}."), n=len(note), max=MAX_NOTE
        )
    return note or None


async def share(ctx: Ctx) -> Reply:
    if ctx.inv.place.is_dm:
        raise UserError(
            N_("Share your work in your study group's channel, so the group sees it."),
            hint=N_("There, type `/share 4.2 https://…` with the chapter and your link."),
        )
    await ensure_on(ctx, "share")
    chapter = resolve_chapter(ctx.curriculum, str(ctx.opts["chapter"]))
    link = clean_link(str(ctx.opts["link"]))
    note = clean_note(ctx.opts.get("note"))
    label = chapter_label(chapter, ctx.locale)
    row = await ctx.session.get(ChapterProgress, (ctx.user.id, chapter.id))
    if row is None or row.state not in SHAREABLE:
        state = row.state if row is not None else "todo"
        raise UserError(
            N_("You can share work on a chapter you have done or started; {chapter} is {state}."),
            hint=N_("Mark it first with `/done {id}` or `/start {id}`."),
            chapter=label,
            state=ctx.t(STATE_NAMES.get(state, state)),
            id=chapter.id,
        )
    channel = await store.ensure_channel(ctx.session, ctx.inv.place, ctx.now)
    row.share_url, row.share_note = link, note
    row.shared_at, row.share_channel_id = ctx.now, channel.id
    name = ctx.user.display_name or ctx.user.external_id
    key = (
        N_("{name} finished {chapter} — {link}")
        if row.state == "done"
        else N_("{name} is working on {chapter} — {link}")
    )
    text = ctx.t(key, name=name, chapter=label, link=link)
    if note:
        text += f"\n> {note}"
    return Reply(text=text, kind="success", ephemeral=False)


@dataclass(frozen=True, slots=True)
class SharedWork:
    name: str  # a display name, or "" for someone anonymous
    url: str
    note: str | None
    shared_at: datetime


async def recent_work(ctx: Ctx, chapter_id: str) -> list[SharedWork]:
    """The latest work shared on a chapter by the members of this channel (or in it), newest
    first; nothing in a DM or where sharing is off. ``hidden`` members are left out and
    ``anonymous`` ones lose their name, as on the leaderboards."""
    channel = await store.find_channel(ctx.session, ctx.inv.place)
    if channel is None or not channel.share_enabled:
        return []
    members = select(Membership.user_id).where(Membership.channel_id == channel.id)
    rows = await ctx.session.execute(
        select(ChapterProgress, User)
        .join(User, User.id == ChapterProgress.user_id)
        .where(
            ChapterProgress.chapter_id == chapter_id,
            ChapterProgress.share_url.is_not(None),
            User.privacy != "hidden",
            or_(
                ChapterProgress.user_id.in_(members), ChapterProgress.share_channel_id == channel.id
            ),
        )
        .order_by(ChapterProgress.shared_at.desc())
        .limit(RECENT)
    )
    return [
        SharedWork(
            "" if user.privacy == "anonymous" else (user.display_name or user.external_id),
            progress.share_url or "",
            progress.share_note,
            progress.shared_at or ctx.now,
        )
        for progress, user in rows.tuples()
    ]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "share"),
        N_("Show your study group what you made of a chapter"),
        share,
        options=(
            OptionSpec(
                "chapter",
                T.CHAPTER,
                N_("Chapter id such as 4.2, or a word from its title"),
                required=True,
                autocomplete="chapters",
            ),
            OptionSpec(
                "link",
                T.STRING,
                N_("A link to your work (https://…)"),
                required=True,
                # Room for Slack's <url|url> wrapping; clean_link enforces MAX_URL itself.
                max_length=2 * MAX_URL + 3,
            ),
            OptionSpec(
                "note", T.STRING, N_("A few words about it (up to 200 characters)"), rest=True
            ),
        ),
        examples=(
            "/share 4.2 https://github.com/alice/rag-demo",
            '/share 4.2 https://example.org/post "my RAG notes"',
        ),
    ),
)
