"""A person's rows as plain data, for the features' "export my data" hooks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel, ChapterProgress, Delivery, Membership


def plain_row(obj: Any, skip: tuple[str, ...] = ("user_id",)) -> dict[str, Any]:
    """A row as JSON-able data, column by column (dates as ISO text), for "export my data"."""
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if col.key in skip:
            continue
        value = getattr(obj, col.key)
        out[col.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


async def progress_rows(session: AsyncSession, user_id: int) -> list[ChapterProgress]:
    rows = await session.execute(
        select(ChapterProgress)
        .where(ChapterProgress.user_id == user_id)
        .order_by(ChapterProgress.chapter_id)
    )
    return list(rows.scalars().all())


async def delivery_rows(session: AsyncSession, user_id: int) -> list[Delivery]:
    rows = await session.execute(
        select(Delivery).where(Delivery.user_id == user_id).order_by(Delivery.id)
    )
    return list(rows.scalars().all())


async def membership_rows(session: AsyncSession, user_id: int) -> list[tuple[Membership, Channel]]:
    rows = await session.execute(
        select(Membership, Channel)
        .join(Channel, Membership.channel_id == Channel.id)
        .where(Membership.user_id == user_id)
    )
    return [(m, ch) for m, ch in rows.all()]
