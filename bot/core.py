"""The dispatcher: one entry point from every adapter to every handler.

Whatever happens inside, the caller gets a ``Reply``: a person's mistake becomes a friendly
answer with usage or suggestions, a database outage an apology, a bug an apology and a log
line with the traceback — never a traceback in chat. Each command runs in one unit of work,
so a failure leaves nothing half-written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, SystemClock
from bot.context import Ctx
from bot.db import Database, DatabaseUnavailable, WriteNeeded
from bot.db.models import User
from bot.directory import Directory
from bot.errors import UserError
from bot.i18n import N_, tr
from bot.labels import chapter_label, path_names
from bot.options import CommandSpec, OptionError, clean_text, convert
from bot.pace import local_date
from bot.parser import UnknownCommand, find_command, parse_args, split_command
from bot.services import store
from bot.services.board_cache import BoardCache
from bot.timezones import is_zone, search_zones
from bot.types import Actor, Invocation, Locale, Place, Reply, Source
from bot.weblinks import CalendarSigner, LinkSigner
from curriculum import Curriculum

log = logging.getLogger(__name__)

MAX_INPUT_LENGTH = 2000
MAX_ID = 64  # users.external_id, channels.external_id, workspace: String(64)
MAX_NAME = 200  # users.display_name: String(200)

INTERNAL_ERROR = N_(
    "Sorry, something went wrong on my side. Nothing was changed; please try again."
)
DATABASE_ERROR = N_(
    "Sorry, I can't reach my database right now. Nothing was changed; please try again in a minute."
)

# Told every invoked command: its name, outcome (ok, refused, user_error, db_error, error) and
# the seconds it took. ``skilltree run`` sets one that feeds the Prometheus metrics.
CommandObserver = Callable[[str, str, float], None]


def sane_actor(actor: Actor) -> Actor:
    """Keep what a platform reports within what zoneinfo and the database accept: an unknown
    timezone is ignored (not fatal), a name loses control characters and is clipped."""
    tz = actor.timezone if is_zone(actor.timezone) else None
    name = clean_text(actor.display_name)[:MAX_NAME]
    if tz == actor.timezone and name == actor.display_name:
        return actor
    return replace(actor, timezone=tz, display_name=name)


class Core:
    """``commands`` is passed in (``bot.features.COMMANDS`` in the app): the core knows no
    feature itself, and a test can add or replace commands without patching a default."""

    def __init__(
        self,
        *,
        curriculum: Curriculum,
        commands: tuple[CommandSpec, ...],
        db: Database,
        clock: Clock | None = None,
        chapter_base_url: str | None = None,
        web_links: LinkSigner | None = None,
        calendar_links: CalendarSigner | None = None,
    ) -> None:
        self.curriculum = curriculum
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.chapter_base_url = chapter_base_url
        self.commands: dict[str, CommandSpec] = {c.name: c for c in commands}
        self.web_links = web_links  # signs /leaderboard web links; None: the web page is off
        self.calendar_links = calendar_links  # signs /plan subscriptions; None: file only
        self.directory = Directory(db)
        self.boards = BoardCache(curriculum)
        self.observer: CommandObserver | None = None

    # --- entry points ---------------------------------------------------------------------

    async def handle_text(
        self, actor: Actor, place: Place, line: str, source: Source = "text", *, draw: bool = True
    ) -> Reply:
        """A whole typed line, e.g. ``/path mlops`` (console, buttons). ``draw=False`` skips
        pictures, for a surface that cannot show them (Slack's Home tab)."""
        name, rest = split_command(line[:MAX_INPUT_LENGTH])
        if not name:
            return self._error(
                actor.locale, tr(actor.locale, "Type a command, for example `/path` or `/help`.")
            )
        return await self.handle_command_text(actor, place, name, rest, source, draw=draw)

    async def handle_command_text(
        self,
        actor: Actor,
        place: Place,
        name: str,
        text: str,
        source: Source = "slash",
        *,
        draw: bool = True,
    ) -> Reply:
        """A command name with its argument text, as Slack delivers a slash command."""
        actor = sane_actor(actor)
        locale = actor.locale
        try:
            spec = find_command(name.lstrip("/").casefold(), self.commands)
        except UnknownCommand as exc:
            return self._unknown_command(locale, exc)
        try:
            raw = parse_args(spec, text[:MAX_INPUT_LENGTH], self._today(actor))
        except UserError as exc:
            return self._user_error(locale, exc, spec)
        return await self._invoke(spec, actor, place, raw, source, draw=draw)

    async def invoke(
        self,
        actor: Actor,
        place: Place,
        command: str,
        raw_options: Mapping[str, Any],
        source: Source = "slash",
        *,
        draw: bool = True,
    ) -> Reply:
        """Options by name, as Discord delivers them; values are converted and checked here."""
        actor = sane_actor(actor)
        try:
            spec = find_command(command, self.commands)
        except UnknownCommand as exc:
            return self._unknown_command(actor.locale, exc)
        return await self._invoke(spec, actor, place, raw_options, source, draw=draw)

    async def _invoke(
        self,
        spec: CommandSpec,
        actor: Actor,
        place: Place,
        raw_options: Mapping[str, Any],
        source: Source,
        *,
        draw: bool,
    ) -> Reply:
        """Run a found command for a checked actor: both entry points resolve those once."""
        started = time.perf_counter()
        locale = actor.locale
        outcome = "ok"
        if max(len(actor.user_id), len(actor.workspace), len(place.channel_id or "")) > MAX_ID:
            # Platform ids are far shorter; anything longer is a broken or hostile adapter input.
            log.warning("refused /%s: an id longer than %d characters", spec.name, MAX_ID)
            return self._error(
                locale,
                tr(locale, INTERNAL_ERROR),
            )
        try:
            if spec.admin_only and not actor.is_admin:
                outcome = "refused"
                return self._error(locale, tr(locale, spec.refusal, name=spec.name))
            options = self._convert(spec, raw_options, actor)
            inv = Invocation(spec.name, options, actor, place, source)
            try:
                reply = await self._unit_of_work(spec, inv, reading=spec.reads(options))
            except WriteNeeded:  # e.g. a newcomer's first command: nothing was written yet
                reply = await self._unit_of_work(spec, inv, reading=False)
            return await self._draw(reply) if draw else replace(reply, renders=())
        except UnknownCommand as exc:
            outcome = "user_error"
            return self._unknown_command(locale, exc)
        except UserError as exc:
            outcome = "user_error"
            return self._user_error(locale, exc, spec)
        except DatabaseUnavailable as exc:
            outcome = "db_error"
            log.error("database unavailable during /%s: %s", spec.name, exc)
            return self._error(
                locale,
                tr(locale, DATABASE_ERROR),
            )
        except Exception:
            outcome = "error"
            log.exception("command /%s failed", spec.name)
            return self._error(
                locale,
                tr(locale, INTERNAL_ERROR),
            )
        finally:
            elapsed = time.perf_counter() - started
            log.info(
                "command /%s by %s:%s → %s in %.1f ms",
                spec.name,
                actor.platform,
                actor.user_id,
                outcome,
                elapsed * 1000,
            )
            if self.observer is not None:
                self.observer(spec.name, outcome, elapsed)

    async def _unit_of_work(self, spec: CommandSpec, inv: Invocation, *, reading: bool) -> Reply:
        begin = self.db.reading if reading else self.db.transaction
        async with begin() as session:
            now = self.clock.now()
            user = await store.ensure_user(session, inv.actor, now)
            return await spec.handler(self.context(inv, session, user, now))

    def context(self, inv: Invocation, session: AsyncSession, user: User, now: datetime) -> Ctx:
        """What a handler of ``inv`` gets inside its unit of work (tests call handlers so too)."""
        return Ctx(
            curriculum=self.curriculum,
            boards=self.boards,
            links=self.web_links,
            calendar_links=self.calendar_links,
            chapter_base_url=self.chapter_base_url,
            commands=self.commands,
            inv=inv,
            session=session,
            user=user,
            now=now,
        )

    async def autocomplete(self, source: str, query: str, locale: Locale) -> list[tuple[str, str]]:
        """(value, label) pairs for a partly typed option; Discord shows at most 25."""
        q = query.strip().casefold()
        if source == "chapters":
            out = [
                (c.id, chapter_label(c, locale))
                for c in self.curriculum.chapters.values()
                if not q
                or c.id.startswith(q)
                or q in c.title.en.casefold()
                or q in c.title.zh.casefold()
            ]
        elif source == "paths":
            out = [
                (p.id, f"{p.id} — {p.title.get(locale)}")
                for p in self.curriculum.paths
                if not q or any(q in n.casefold() for n in path_names(p))
            ]
        elif source == "timezones":
            out = [(z, z) for z in search_zones(query)]
        else:
            out = []
        return out[:25]

    # --- helpers --------------------------------------------------------------------------

    async def _draw(self, reply: Reply) -> Reply:
        """Draw the reply's pictures, now that the database is free again. A picture that
        fails is left out (and logged): the answer itself still stands."""
        if not reply.renders:
            return reply
        drawn = []
        for render in reply.renders:
            try:
                drawn.append(await render())
            except Exception:
                log.exception("drawing an attachment failed; answering without it")
        return replace(reply, attachments=reply.attachments + tuple(drawn), renders=())

    def _today(self, actor: Actor) -> date:
        return local_date(self.clock.now(), actor.timezone)

    def _convert(
        self, spec: CommandSpec, raw_options: Mapping[str, Any], actor: Actor
    ) -> dict[str, Any]:
        today = self._today(actor)
        options: dict[str, Any] = {}
        for key, value in raw_options.items():
            opt = spec.option(key)
            if opt is None:
                raise OptionError(
                    N_("`/{name}` has no option `{option}`."), name=spec.name, option=key
                )
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            options[opt.name] = convert(opt, value, today)
        for opt in spec.options:
            if opt.required and opt.name not in options:
                raise OptionError(
                    N_("`/{name}` needs `{option}`."), name=spec.name, option=opt.name
                )
        return options

    def _error(self, locale: Locale, text: str) -> Reply:
        return Reply(text=text, kind="error", ephemeral=True)

    def _unknown_command(self, locale: Locale, exc: UnknownCommand) -> Reply:
        lines = [
            tr(locale, "I don't know the command `/{name}`.", name=exc.name[:40].replace("`", "'"))
        ]
        if exc.suggestions:
            lines.append(
                tr(
                    locale,
                    "Did you mean {options}?",
                    options=", ".join(f"`/{s}`" for s in exc.suggestions),
                )
            )
        lines.append(tr(locale, "Type `/help` to see every command."))
        return self._error(locale, "\n".join(lines))

    def _user_error(self, locale: Locale, exc: UserError, spec: CommandSpec | None) -> Reply:
        # Echoed input is clipped and loses backticks, which would break the `code` around it.
        params = {
            k: (v[:80].replace("`", "'") if k == "value" and isinstance(v, str) else v)
            for k, v in exc.params.items()
        }
        lines = [tr(locale, exc.key, **params)]
        if exc.suggestions:
            options = ", ".join(f"`{s}`" for s in exc.suggestions)
            lines.append(tr(locale, "Did you mean {options}?", options=options))
        if exc.hint:
            lines.append(tr(locale, exc.hint, **params))
        if exc.usage and spec is not None:
            lines.append(tr(locale, "Usage: `{usage}`", usage=spec.usage()))
        return self._error(locale, "\n".join(lines))
