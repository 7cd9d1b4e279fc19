"""Weekly prompts in the console: printed where the person is typing."""

from __future__ import annotations

from collections.abc import Callable

from adapters.console.render import render_text
from bot.ports import ChannelTarget, UserTarget
from bot.types import Reply


class ConsoleNotifier:
    platform = "console"

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        self._write(f"(message for {target.user_id})\n{render_text(reply)}")

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> None:
        self._write(f"(post in #{target.channel_id})\n{render_text(reply)}")

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        """The console prints where the person types: no DM channel to keep."""
