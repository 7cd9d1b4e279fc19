"""Ports the core and the scheduler use and each adapter implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.types import Reply


class DeliveryError(RuntimeError):
    """A message could not be delivered. ``permanent``: retrying will not help (user gone,
    bot blocked, channel deleted); otherwise the caller may retry later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class UserTarget:
    platform: str
    workspace: str
    user_id: str
    fallback_channel: str | None = None  # their study channel, when DMs are closed


@dataclass(frozen=True, slots=True)
class ChannelTarget:
    platform: str
    workspace: str
    channel_id: str


class Notifier(Protocol):
    """Sends a Reply outside any interaction (weekly prompts, nudges)."""

    platform: str

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        """DM the person, falling back to ``target.fallback_channel``; ``key`` is unique per
        logical message so a platform that supports it (Discord nonces) can drop duplicates."""
        ...

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> None: ...
