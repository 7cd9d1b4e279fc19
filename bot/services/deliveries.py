"""The delivery ledger's rows: one (recipient, kind, period) record per prompt, skip or
introduction, whose unique key keeps each to once per period across replicas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.db.models import Delivery


async def has_record(session: AsyncSession, recipient: str, kind: str, period: str) -> bool:
    """Whether a (recipient, kind, period) delivery record exists: sent, claimed or skipped."""
    found = await session.execute(
        select(Delivery.id).where(
            Delivery.recipient == recipient, Delivery.kind == kind, Delivery.period == period
        )
    )
    return found.first() is not None


def insert_delivery(
    session: AsyncSession,
    *,
    recipient: str,
    user_id: int | None,
    kind: str,
    period: str,
    status: str,
    now: datetime,
    table: type[Delivery] = Delivery,
) -> Any:
    """The INSERT of a (recipient, kind, period) record that does nothing when one exists: that
    unique key is what keeps a prompt (or a skip) to once per period, across replicas."""
    return (
        dialect_insert(session, table)
        .values(
            recipient=recipient,
            user_id=user_id,
            kind=kind,
            period=period,
            status=status,
            attempts=0,
            detail="",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["recipient", "kind", "period"])
    )


async def record_once(
    session: AsyncSession,
    table: type[Delivery],
    *,
    recipient: str,
    user_id: int | None,
    kind: str,
    period: str,
    now: datetime,
) -> bool:
    """Insert a (recipient, kind, period) record unless it exists; True when it was new."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        insert_delivery(
            session,
            recipient=recipient,
            user_id=user_id,
            kind=kind,
            period=period,
            status="done",
            now=now,
            table=table,
        )
    )
    return bool(result.rowcount)
