"""Nudge requests: an admin's "you are behind" prompts, waiting for the scheduler to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import NudgeRequest, User


async def pending_nudges(
    session: AsyncSession, platforms: set[str] | None = None, *, limit: int = 100
) -> list[NudgeRequest]:
    """Nudges not handled yet, oldest first, for people on ``platforms`` (all when None)."""
    stmt = (
        select(NudgeRequest)
        .join(User, User.id == NudgeRequest.user_id)
        .where(NudgeRequest.delivered_at.is_(None))
        .order_by(NudgeRequest.requested_at, NudgeRequest.id)
        .limit(limit)
    )
    if platforms is not None:
        stmt = stmt.where(User.platform.in_(platforms))
    return list((await session.execute(stmt)).scalars().all())


async def mark_nudges_delivered(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Record that the nudges ``ids`` were handled (sent, or given up on)."""
    if ids:
        await session.execute(
            update(NudgeRequest).where(NudgeRequest.id.in_(ids)).values(delivered_at=now)
        )
