"""The read-only web leaderboard: ``GET /leaderboard/{token}`` and its skill-tree picture.

A link signed by ``LinkSigner`` (see ``bot.weblinks``) names one channel and an expiry; the
page shows that channel's boards (this week, this month, all time) with each member's path
progress and the skill tree of the all-time leader. A tampered or expired link gets a 403
page. Plain HTML built with ``html.escape``: no template engine, no scripts, no external
assets, so the page renders in any browser and leaks nothing to third parties.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.db.models import Channel
from bot.i18n import N_, format_date, format_when, tr
from bot.pace import fmt_days, tree_caption
from bot.pictures import cjk_font_path, skill_tree_png, tree_model
from bot.services import leaderboard as lb
from bot.services import store
from bot.types import Locale, normalize_locale
from bot.weblinks import InvalidLink, LinkClaims, LinkSigner

log = logging.getLogger(__name__)

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:2rem;
color:#212121;background:#fafafa}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;max-width:60rem;background:#fff}
th,td{padding:.45rem .6rem;border-bottom:1px solid #e0e0e0;text-align:left}
.bar{display:inline-block;vertical-align:middle;background:#e0e0e0;border-radius:4px;
height:.7rem;width:12rem;margin-right:.5rem}
.bar>div{background:#4caf50;border-radius:4px;height:100%}
img{max-width:100%;border:1px solid #e0e0e0;margin-top:1rem}
.muted{color:#757575}
"""


EXPIRED = N_("It has expired or was changed. Ask an admin for a fresh one with /leaderboard web.")
PERIOD_HEADINGS = {"week": N_("This week"), "month": N_("This month"), "all": N_("All time")}


def _locale(request: web.Request) -> Locale:
    """``?lang=zh`` (the link an admin gets carries their language), else the browser's."""
    lang = request.query.get("lang") or request.headers.get("Accept-Language", "")
    return normalize_locale(lang)


def _page(title: str, body: str, status: int = 200, locale: Locale = "en") -> web.Response:
    lang = "zh-CN" if locale == "zh" else "en"
    doc = (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta name='robots' content='noindex'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    return web.Response(
        text=doc,
        status=status,
        content_type="text/html",
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",  # the token is in the URL
            "X-Content-Type-Options": "nosniff",
        },
    )


def forbidden(locale: Locale = "en") -> web.Response:
    title = tr(locale, "This link is not valid")
    return _page(
        title,
        f"<h1>{html.escape(title)}</h1><p>{html.escape(tr(locale, EXPIRED))}</p>",
        status=403,
        locale=locale,
    )


def _table(entries: list[lb.Entry], locale: Locale = "en") -> str:
    if not entries:
        text = html.escape(tr(locale, "Nobody has finished a chapter in this period yet."))
        return f"<p class='muted'>{text}</p>"
    cols = "".join(
        f"<th>{html.escape(c)}</th>"
        for c in tr(locale, "Name|Study days|Steps|Streak|Path progress").split("|")
    )
    head = f"<table><thead><tr><th>#</th>{cols}</tr></thead><tbody>"
    rows = []
    for e in entries:
        pct = round(e.fraction * 100)
        streak = tr(locale, "{weeks} w", weeks=e.streak)
        rows.append(
            f"<tr class='entry'><td>{e.rank}</td><td class='name'>{html.escape(e.label)}</td>"
            f"<td>{fmt_days(e.days)}</td><td>{e.steps}</td>"
            f"<td>{html.escape(streak)}</td>"
            f"<td><div class='bar' title='{pct}%'><div style='width:{pct}%'></div></div>"
            f" {pct}%</td></tr>"
        )
    return head + "".join(rows) + "</tbody></table>"


class _Refused(Exception):
    """A link that does not open a page."""


class LeaderboardSite:
    """The two routes, holding the core (database, curriculum, clock) and the link signer."""

    def __init__(self, core: Core, signer: LinkSigner) -> None:
        self.core = core
        self.signer = signer

    def _claims(self, request: web.Request) -> LinkClaims | None:
        try:
            return self.signer.verify(request.match_info["token"], self.core.clock.now())
        except InvalidLink as exc:
            log.info("web leaderboard: refused a link (%s)", exc)
            return None

    @contextlib.asynccontextmanager
    async def _linked(
        self, request: web.Request
    ) -> AsyncIterator[tuple[LinkClaims, Channel, AsyncSession, datetime]]:
        """The link's claims and channel, in a unit of work; ``_Refused`` for a bad link or a
        channel that no longer exists (both pages answer it with the same 403 page)."""
        claims = self._claims(request)
        if claims is None:
            raise _Refused
        now = self.core.clock.now()
        async with self.core.db.transaction() as session:
            channel = await session.get(Channel, claims.channel_id)
            if channel is None:
                raise _Refused
            yield claims, channel, session, now

    async def _board(
        self, session: AsyncSession, channel: Channel, now: datetime, kind: lb.PeriodKind
    ) -> tuple[lb.Period, list[lb.Entry]]:
        """The whole board: the page lists everyone."""
        boards, _ = await self.core.boards.get(session, channel, now)
        period, entries = boards.board(kind)
        return period, lb.renumber(entries)

    async def page(self, request: web.Request) -> web.Response:
        locale = _locale(request)
        try:
            async with self._linked(request) as (claims, channel, session, now):
                boards = [
                    await self._board(session, channel, now, kind)
                    for kind in ("week", "month", "all")
                ]
        except _Refused:
            return forbidden(locale)
        name = html.escape(f"#{channel.name or channel.external_id}")
        token = html.escape(request.match_info["token"], quote=True)
        sections = []
        for period, entries in boards:
            heading = html.escape(tr(locale, PERIOD_HEADINGS[period.kind]))
            key = "" if period.kind == "all" else f" <span class='muted'>{period.key}</span>"
            sections.append(
                f"<section id='{period.kind}'><h2>{heading}{key}</h2>"
                f"{_table(entries, locale)}</section>"
            )
        leader = boards[2][1][0] if boards[2][1] else None
        picture = ""
        if leader is not None:
            alt = html.escape(tr(locale, "skill tree of the leader"), quote=True)
            tree_title = tr(locale, "Skill tree of the leader ({name})", name=leader.label)
            picture = (
                f"<h2>{html.escape(tree_title)}</h2>"
                f"<img src='/leaderboard/{token}/tree.png?lang={locale}' alt='{alt}'"
                " width='960'>"
            )
        reset = ""
        if channel.leaderboard_reset_at is not None:
            since = tr(
                locale,
                "Counting since {date}.",
                date=format_date(locale, channel.leaderboard_reset_at),
            )
            reset = f"<p class='muted'>{html.escape(since)}</p>"
        expires = datetime.fromtimestamp(claims.expires_at, UTC)
        footer = tr(
            locale,
            "Read-only; this link expires at {when}.",
            when=f"{format_when(locale, expires)} UTC",
        )
        title = tr(
            locale, "Leaderboard {channel}", channel=f"#{channel.name or channel.external_id}"
        )
        heading = html.escape(tr(locale, "Leaderboard"))
        body = (
            f"<h1>{heading} {name}</h1>{reset}"
            f"{''.join(sections)}{picture}<p class='muted'>{html.escape(footer)}</p>"
        )
        return _page(title, body, locale=locale)

    async def tree(self, request: web.Request) -> web.Response:
        # Chinese titles only with a CJK font (otherwise the picture would show empty boxes).
        locale: Locale = "zh" if _locale(request) == "zh" and cjk_font_path() else "en"
        states: dict[str, str] = {}
        status = None
        try:
            async with self._linked(request) as (_, channel, session, now):
                _, entries = await self._board(session, channel, now, "all")
                leader = (
                    await lb.load_members(session, channel, [entries[0].user_id]) if entries else []
                )
                if leader:
                    status = leader[0].status(self.core.curriculum, now)
                    states = await store.chapter_states(session, leader[0].user_id)
        except _Refused:
            return forbidden(locale)
        if status is None:
            raise web.HTTPNotFound()
        caption = tree_caption(locale, status)
        model = tree_model(self.core.curriculum, status, states, locale=locale, caption=caption)
        png = await skill_tree_png(model)
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "no-store"}
        )


def add_routes(app: web.Application, core: Core, signer: LinkSigner) -> None:
    """Mount the leaderboard pages on the bot's HTTP app (the one serving Slack's endpoint)."""
    site = LeaderboardSite(core, signer)
    app.router.add_get("/leaderboard/{token}", site.page)
    app.router.add_get("/leaderboard/{token}/tree.png", site.tree)


def build_web_app(core: Core, signer: LinkSigner) -> web.Application:
    """A stand-alone app with only these pages, for deployments without Slack's HTTP server."""
    app = web.Application()
    add_routes(app, core, signer)
    return app
