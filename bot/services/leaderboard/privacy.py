"""Privacy on the boards: who is shown by name, who as "anonymous #k", who not at all; and
this feature's part of "export my data" and "delete my data".

A person's ``privacy`` is ``shown``, ``anonymous`` (ranked, but labelled "anonymous #k", k
counting the anonymous entries of one board from the top) or ``hidden`` (left off the boards;
admins may still include them). Labels are worked out here only, so no board shows a name
its owner did not agree to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Channel, LeaderboardSnapshot, NudgeRequest

ANONYMOUS_LABEL = "anonymous #{k}"  # the English default; callers pass the group's language


def shown_name(display_name: str | None, external_id: str) -> str:
    """The name a board shows for someone shown by name: their display name, else their id."""
    return display_name or external_id


def on_board(privacy: str, include_hidden: bool = False) -> bool:
    """Whether a person with ``privacy`` is ranked at all (hidden people only for admins)."""
    return privacy != "hidden" or include_hidden


def is_anonymous(privacy: str) -> bool:
    """Whether a person is ranked under "anonymous #k" rather than their name."""
    return privacy == "anonymous"


class Labelled(Protocol):
    """What labelling reads of a board line."""

    @property
    def anonymous(self) -> bool: ...

    @property
    def name(self) -> str: ...


def board_labels(lines: Iterable[Labelled], anonymous_label: str = ANONYMOUS_LABEL) -> list[str]:
    """What a board shows for each of ``lines``, given in board order: the name, or
    ``anonymous_label`` with k counting the anonymous lines from the top. (A list built in one
    loop: boards of ten thousand are relabelled on the request path.)"""
    out: list[str] = []
    k = 0
    for line in lines:
        if line.anonymous:
            k += 1
            out.append(anonymous_label.format(k=k))
        else:
            out.append(line.name)
    return out


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """Part of "delete my data": drop pending nudges and unname past wins.

    The foreign keys would null ``user_id`` (snapshots) and delete nudges anyway, but the label
    holds the name that was shown, so it is blanked here explicitly.
    """
    await session.execute(
        update(LeaderboardSnapshot)
        .where(LeaderboardSnapshot.user_id == user_id)
        .values(user_id=None, label="", anonymous=True)
    )
    await session.execute(delete(NudgeRequest).where(NudgeRequest.user_id == user_id))


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """This feature's part of "export my data": past wins and nudges about the person."""
    wins = (
        await session.execute(
            select(LeaderboardSnapshot, Channel)
            .join(Channel, Channel.id == LeaderboardSnapshot.channel_id)
            .where(LeaderboardSnapshot.user_id == user_id)
            .order_by(LeaderboardSnapshot.period_key)
        )
    ).all()
    nudges = (
        (
            await session.execute(
                select(NudgeRequest)
                .where(NudgeRequest.user_id == user_id)
                .order_by(NudgeRequest.requested_at)
            )
        )
        .scalars()
        .all()
    )
    return {
        "leaderboard_wins": [
            {
                "channel": ch.external_id,
                "period": f"{w.period_kind} {w.period_key}",
                "rank": w.rank,
                "shown_as": w.label,
                "days": w.days,
            }
            for w, ch in wins
        ],
        "nudges": [
            {
                "requested_at": n.requested_at.isoformat(),
                "behind_days": n.behind_days,
                "delivered_at": n.delivered_at.isoformat() if n.delivered_at else None,
            }
            for n in nudges
        ],
    }
