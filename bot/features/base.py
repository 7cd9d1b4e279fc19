"""What a feature declares besides its commands: the personal data it keeps.

Like a Red-DiscordBot cog's ``red_delete_data_for_user``: each feature that stores something
about a person says how to export it and how to forget it, and ``/export-my-data`` and
``/forget-me`` only walk the registry (``bot.features.PERSONAL_DATA``). The tables each one
covers let a test prove that every table pointing at ``users`` has an owner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, User

Export = Callable[[AsyncSession, User], Awaitable[dict[str, Any]]]
Forget = Callable[[AsyncSession, User], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PersonalData:
    """One kind of personal data: its export keys come from ``export``, in order.

    ``forget`` None: the rows are the person's own ``users`` row, which ``/forget-me`` deletes
    last, after every other feature has forgotten what hangs from it.
    """

    name: str
    tables: tuple[type[Base], ...]
    export: Export
    forget: Forget | None
