"""What a handler gets: the invocation, its unit of work, the caller's row, and helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.i18n import tr
from bot.types import Invocation, Locale

if TYPE_CHECKING:
    from bot.core import Core


@dataclass(slots=True)
class Ctx:
    core: Core
    inv: Invocation
    session: AsyncSession
    user: User
    now: datetime

    @property
    def locale(self) -> Locale:
        return self.inv.actor.locale

    @property
    def opts(self) -> dict[str, Any]:
        return self.inv.options

    def t(self, key: str, **kwargs: object) -> str:
        return tr(self.locale, key, **kwargs)
