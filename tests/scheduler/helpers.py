"""Small shared steps: enrol people with a reminder, read delivery rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.core import Core
from bot.db.models import Delivery, ReminderPref, User


async def enrol(
    person: Any,
    name: str,
    *,
    tz: str = "UTC",
    path: str = "mlops",
    channel: str | None = None,
    when: str | None = "day:mon time:09:00",
    **kwargs: Any,
) -> Any:
    """A person on ``path`` whose reminder is ``when`` in ``tz`` (None: no reminder row)."""
    p = person(name, channel=channel, **kwargs)
    reply = await p(f"/path {path}")
    assert not reply.is_error, reply.text
    if when is not None:
        reply = await p(f"/reminders {when} tz:{tz}")
        assert not reply.is_error, reply.text
    return p


async def deliveries(core: Core) -> list[Delivery]:
    async with core.db.transaction() as s:
        return list((await s.execute(select(Delivery).order_by(Delivery.id))).scalars().all())


async def pref_of(core: Core, name: str) -> ReminderPref | None:
    async with core.db.transaction() as s:
        user = (await s.execute(select(User).where(User.external_id == name))).scalar_one()
        return await s.get(ReminderPref, user.id)


async def edit_pref(core: Core, name: str, **values: Any) -> None:
    async with core.db.transaction() as s:
        user = (await s.execute(select(User).where(User.external_id == name))).scalar_one()
        pref = await s.get(ReminderPref, user.id)
        assert pref is not None
        for k, v in values.items():
            setattr(pref, k, v)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    from datetime import UTC

    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def recipient(core: Core, name: str) -> str:
    """The Delivery recipient for a person (ids differ between SQLite and PostgreSQL)."""
    async with core.db.transaction() as s:
        user = (await s.execute(select(User).where(User.external_id == name))).scalar_one()
        return f"user:{user.id}"


async def tick(service: Any, at: datetime) -> Any:
    """One scheduler tick at ``at``, with the clock (and so the fake notifier) there too."""
    service.core.clock.set(at)
    return await service.run_once(at)
