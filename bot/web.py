"""The read-only web leaderboard: ``GET /leaderboard/{token}`` and its skill-tree picture.

A link signed by ``LinkSigner`` (see ``bot.weblinks``) names one channel and an expiry; the
page shows that channel's boards (this week, this month, all time) with each member's path
progress and the skill tree of the all-time leader. A tampered or expired link gets a 403
page. Plain HTML built with ``html.escape``: no template engine, no scripts, no external
assets, so the page renders in any browser and leaks nothing to third parties.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import Core
from bot.db.models import Channel
from bot.i18n import tr
from bot.pace import fmt_days
from bot.pictures import skill_tree_png, tree_model
from bot.services import leaderboard as lb
from bot.services import store
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


def _page(title: str, body: str, status: int = 200) -> web.Response:
    doc = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
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


def forbidden() -> web.Response:
    return _page(
        "Link not valid",
        "<h1>This link is not valid</h1><p>It has expired or was changed. Ask an admin for a"
        " fresh one with <code>/leaderboard web</code>.</p>",
        status=403,
    )


def _table(entries: list[lb.Entry]) -> str:
    if not entries:
        return "<p class='muted'>Nobody has finished a chapter in this period yet.</p>"
    head = (
        "<table><thead><tr><th>#</th><th>Name</th><th>Study days</th><th>Steps</th>"
        "<th>Streak</th><th>Path progress</th></tr></thead><tbody>"
    )
    rows = []
    for e in entries:
        pct = round(e.fraction * 100)
        rows.append(
            f"<tr class='entry'><td>{e.rank}</td><td class='name'>{html.escape(e.label)}</td>"
            f"<td>{fmt_days(e.days)}</td><td>{e.steps}</td><td>{e.streak} w</td>"
            f"<td><div class='bar' title='{pct}%'><div style='width:{pct}%'></div></div>"
            f" {pct}%</td></tr>"
        )
    return head + "".join(rows) + "</tbody></table>"


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

    async def _channel(self, session: AsyncSession, claims: LinkClaims) -> Channel | None:
        return await session.get(Channel, claims.channel_id)

    async def page(self, request: web.Request) -> web.Response:
        claims = self._claims(request)
        if claims is None:
            return forbidden()
        now = self.core.clock.now()
        async with self.core.db.transaction() as session:
            channel = await self._channel(session, claims)
            if channel is None:
                return forbidden()
            await lb.snapshot_closed_periods(session, self.core.curriculum, channel, now)
            boards = [
                await lb.board(session, self.core.curriculum, channel, kind, now)
                for kind in ("week", "month", "all")
            ]
        name = html.escape(f"#{channel.name or channel.external_id}")
        token = html.escape(request.match_info["token"], quote=True)
        sections = []
        for (period, entries), heading in zip(
            boards, ("This week", "This month", "All time"), strict=True
        ):
            key = "" if period.kind == "all" else f" <span class='muted'>{period.key}</span>"
            sections.append(
                f"<section id='{period.kind}'><h2>{heading}{key}</h2>{_table(entries)}</section>"
            )
        leader = boards[2][1][0] if boards[2][1] else None
        picture = ""
        if leader is not None:
            picture = (
                f"<h2>Skill tree of the leader ({html.escape(leader.label)})</h2>"
                f"<img src='/leaderboard/{token}/tree.png' alt='skill tree of the leader'"
                " width='960'>"
            )
        reset = ""
        if channel.leaderboard_reset_at is not None:
            reset = f"<p class='muted'>Counting since {channel.leaderboard_reset_at:%Y-%m-%d}.</p>"
        body = (
            f"<h1>Leaderboard {name}</h1>{reset}{''.join(sections)}{picture}"
            f"<p class='muted'>Read-only; this link expires at"
            f" {datetime.fromtimestamp(claims.expires_at, UTC):%Y-%m-%d %H:%M} UTC.</p>"
        )
        return _page(f"Leaderboard {channel.name}", body)

    async def tree(self, request: web.Request) -> web.Response:
        claims = self._claims(request)
        if claims is None:
            return forbidden()
        now = self.core.clock.now()
        async with self.core.db.transaction() as session:
            channel = await self._channel(session, claims)
            if channel is None:
                return forbidden()
            _, entries = await lb.board(session, self.core.curriculum, channel, "all", now)
            members = {m.user_id: m for m in await lb.load_members(session, channel.id)}
            states: dict[str, str] = {}
            status = None
            if entries:
                top = members[entries[0].user_id]
                status = top.status(self.core.curriculum, now)
                states = await store.chapter_states(session, top.user_id)
        if status is None:
            raise web.HTTPNotFound()
        caption = tr(
            "en",
            "lb.tree_caption",
            days=fmt_days(status.days_done),
            total=status.total_days,
            steps=status.steps_done,
            step_total=len(status.steps),
            pace=status.pace.kind.replace("_", " "),
        )
        model = tree_model(self.core.curriculum, status, states, caption=caption)
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
