"""What a handler gets: the invocation, its unit of work, the caller's row, and helpers.

Only what handlers use, not the whole ``Core``: a handler cannot reach the database pool,
the clock or the observer, and a test can build a ``Ctx`` without a core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.i18n import ntr, tr
from bot.types import Invocation, Locale

if TYPE_CHECKING:
    from bot.options import CommandSpec
    from bot.services.board_cache import BoardCache
    from bot.weblinks import CalendarSigner, LinkSigner
    from curriculum import Curriculum


@dataclass(slots=True, kw_only=True)
class Ctx:
    curriculum: Curriculum
    boards: BoardCache  # kept leaderboards, shared by every command of the process
    links: LinkSigner | None  # signs /leaderboard web links; None: the web page is off
    chapter_base_url: str | None
    commands: Mapping[str, CommandSpec]  # every command by name, for /help
    inv: Invocation
    session: AsyncSession
    user: User
    now: datetime
    calendar_links: CalendarSigner | None = None  # signs /plan subscriptions; None: file only

    @property
    def locale(self) -> Locale:
        return self.inv.actor.locale

    @property
    def opts(self) -> dict[str, Any]:
        return self.inv.options

    def t(self, message: str, **params: object) -> str:
        """``message`` (an English msgid) in the caller's language."""
        return tr(self.locale, message, **params)

    def nt(self, singular: str, plural: str, n: int, **params: object) -> str:
        """The caller's plural form for ``n`` (``{n}`` is filled in)."""
        return ntr(self.locale, singular, plural, n, **params)
