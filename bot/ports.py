"""Ports the core and the scheduler use and each adapter implements."""

from __future__ import annotations

from collections.abc import Sequence
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

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> str | None:
        """Post in the channel; the message's id (Discord message id, Slack ``ts``) when the
        platform has one, so a thread can be opened under it."""
        ...

    async def open_thread(
        self, target: ChannelTarget, message_id: str, name: str, reply: Reply, *, key: str
    ) -> str:
        """Open a thread under a message ``send_to_channel`` posted and post ``reply`` in it;
        the thread's id (Discord: a thread channel; Slack: the parent's ``ts``)."""
        ...

    async def introduce(
        self, channel: ChannelTarget, users: Sequence[UserTarget], reply: Reply, *, key: str
    ) -> str:
        """Start a conversation of ``users`` only (study buddies) and post ``reply`` there; its
        id. Discord: a private thread in ``channel``; Slack: a group DM (``conversations.open``
        with several users)."""
        ...

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        """A DM channel id the caller already read (the scheduler reads the person's row
        anyway). A platform that needs one to DM (Discord) keeps it and saves a read; others
        ignore it."""
        ...


class Adapter(Protocol):
    """A platform's lifecycle, which ``skilltree run`` drives for every adapter alike (as
    opsdroid's connectors): built from settings with the shared HTTP server (where it may add
    routes), started, watched, stopped. Its notifier exists from construction, so the
    scheduler's first tick can use it."""

    name: str

    def notifier(self) -> Notifier: ...

    async def start(self) -> None:
        """Connect; return once serving. A rejected credential raises."""
        ...

    async def wait_stopped(self) -> None:
        """Return (or raise) when the adapter stops by itself, e.g. a gateway it gave up on."""
        ...

    async def stop(self) -> None:
        """Disconnect. Called once for every adapter built, even if ``start`` failed."""
        ...
