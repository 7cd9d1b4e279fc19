"""``GET /calendar/{token}.ics``: the live plan behind a ``/plan`` subscription link.

Calendar apps (Google Calendar, Outlook, Apple Calendar) poll this address for months, so it
answers from the database at every poll: a skipped week or a new path moves the events by
itself. A tampered or expired token gets 403; a token for someone who has since used
``/forget-me`` (their row gone, or its id now someone else's) gets 404.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.core import Core
from bot.db.models import User
from bot.features.plan import binding, plan_document
from bot.weblinks import CalendarSigner, InvalidLink

log = logging.getLogger(__name__)

_HEADERS = {
    "Cache-Control": "private, max-age=300",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Content-Type-Options": "nosniff",
}


class CalendarSite:
    def __init__(self, core: Core, signer: CalendarSigner) -> None:
        self.core = core
        self.signer = signer

    async def plan(self, request: web.Request) -> web.Response:
        now = self.core.clock.now()
        try:
            claims = self.signer.verify(request.match_info["token"], now)
        except InvalidLink as exc:
            log.info("calendar: refused a link (%s)", exc)
            return web.Response(
                status=403, text="This calendar link is not valid or has expired.\n"
            )
        async with self.core.db.reading() as session:
            user = await session.get(User, claims.user_id)
            if user is None or binding(user) != claims.binding:
                raise web.HTTPNotFound(text="No such plan.\n")
            data = await plan_document(session, self.core.curriculum, user, now)
        if data is None:
            raise web.HTTPNotFound(text="No plan: this person follows no path.\n")
        return web.Response(
            body=data,
            content_type="text/calendar",
            charset="utf-8",
            headers={**_HEADERS, "Content-Disposition": 'inline; filename="plan.ics"'},
        )


def add_calendar_routes(app: web.Application, core: Core, signer: CalendarSigner) -> None:
    """Mount the subscription route on the bot's HTTP app."""
    app.router.add_get("/calendar/{token}.ics", CalendarSite(core, signer).plan)
