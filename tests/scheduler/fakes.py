"""A Notifier that keeps what it was asked to send, and fails or hangs on request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.ports import ChannelTarget, DeliveryError, UserTarget
from bot.types import Reply


@dataclass(frozen=True, slots=True)
class Sent:
    target: UserTarget | ChannelTarget
    reply: Reply
    key: str
    at: datetime | None
    members: tuple[str, ...] = ()  # an introduction: the user ids introduced
    thread: str | None = None  # a post in a thread: its name
    id: str = field(default="")

    @property
    def to(self) -> str:
        """``user:alice`` or ``channel:study``: the platform-side name, for assertions."""
        if isinstance(self.target, UserTarget):
            return f"user:{self.target.user_id}"
        if self.members:
            return "group:" + "+".join(self.members)
        if self.thread is not None:
            return f"thread:{self.target.channel_id}"
        return f"channel:{self.target.channel_id}"


class FakeNotifier:
    """In-memory twin of an adapter's Notifier.

    ``fail_next(n)`` fails the next n calls (``distinct=True``: of n different recipients);
    ``fail_for(id)`` fails every call to one person or channel; ``hang_after(k, task)``
    cancels ``task`` (a running ``run_once``) on the call
    after k successful sends and never completes that call, like a process stopped mid-send.
    ``log`` may be shared between notifiers (two schedulers, one outside world).
    """

    def __init__(
        self, platform: str = "test", *, clock: Clock | None = None, log: list[Sent] | None = None
    ) -> None:
        self.platform = platform
        self.clock = clock
        self.sent: list[Sent] = [] if log is None else log
        self.threads: list[Sent] = []  # posts opening a channel prompt's thread, kept apart
        self.calls = 0
        self._next_failures: list[tuple[Exception, bool]] = []  # (error, distinct)
        self._failed_once: set[str] = set()  # who a distinct failure has hit
        self._always: dict[str, DeliveryError] = {}
        self._hang: tuple[int, asyncio.Task[object]] | None = None

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        """Like Slack's: nothing to keep (``Remembering`` in the fan-out tests records it)."""

    def fail_next(
        self,
        n: int,
        *,
        permanent: bool = False,
        exc: Exception | None = None,
        distinct: bool = False,
    ) -> None:
        """``distinct``: each of the n failures hits someone no earlier one hit, so a retry
        (which may come before the others' first attempts) is never one of them."""
        for _ in range(n):
            error = exc or DeliveryError("HTTP 503", permanent=permanent)
            self._next_failures.append((error, distinct))

    def fail_for(self, ident: str, *, permanent: bool = True) -> None:
        err = "cannot send messages to this user (50007)" if permanent else "HTTP 502"
        self._always[ident] = DeliveryError(err, permanent=permanent)

    def hang_after(self, k: int, task: asyncio.Task[object]) -> None:
        self._hang = (k, task)

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        await self._send(target, target.user_id, reply, key)

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> str:
        return await self._send(target, target.channel_id, reply, key)

    async def open_thread(
        self, target: ChannelTarget, message_id: str, name: str, reply: Reply, *, key: str
    ) -> str:
        return await self._send(target, f"thread:{target.channel_id}", reply, key, thread=name)

    @property
    def everything(self) -> list[Sent]:
        return self.sent + self.threads

    async def introduce(
        self, channel: ChannelTarget, users: Sequence[UserTarget], reply: Reply, *, key: str
    ) -> str:
        ids = tuple(u.user_id for u in users)
        return await self._send(channel, "group:" + "+".join(ids), reply, key, members=ids)

    async def _send(
        self,
        target: UserTarget | ChannelTarget,
        ident: str,
        reply: Reply,
        key: str,
        *,
        members: tuple[str, ...] = (),
        thread: str | None = None,
    ) -> str:
        """The sent message's id: ``m<n>``, its place in the log."""
        self.calls += 1
        await asyncio.sleep(0)  # a real send yields to the loop; let other tasks interleave
        if self._hang is not None and len(self.sent) >= self._hang[0]:
            self._hang[1].cancel()
            await asyncio.Event().wait()  # never returns: cancelled with the run
        if self._next_failures:
            error, distinct = self._next_failures[0]
            if not (distinct and ident in self._failed_once):
                self._next_failures.pop(0)
                self._failed_once.add(ident)
                raise error
        if ident in self._always:
            raise self._always[ident]
        at = self.clock.now() if self.clock else None
        sent = Sent(target, reply, key, at, members, thread, f"m{len(self.sent) + 1}")
        (self.threads if thread is not None else self.sent).append(sent)
        return sent.id
