"""Weekly prompts in the console: printed where the person is typing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.console.render import render_text
from bot.ports import ChannelTarget, UserTarget
from bot.types import Reply


class ConsoleNotifier:
    platform = "console"

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    async def send_to_user(self, target: UserTarget, reply: Reply, *, key: str) -> None:
        self._write(f"(message for {target.user_id})\n{render_text(reply)}")

    async def send_to_channel(self, target: ChannelTarget, reply: Reply, *, key: str) -> str:
        self._write(f"(post in #{target.channel_id})\n{render_text(reply)}")
        return key  # the console has no message ids: the post's key names it

    async def open_thread(
        self, target: ChannelTarget, message_id: str, name: str, reply: Reply, *, key: str
    ) -> str:
        self._write(f'(thread "{name}" in #{target.channel_id})\n{render_text(reply)}')
        return f"{target.channel_id}/{name}"

    async def introduce(
        self, channel: ChannelTarget, users: Sequence[UserTarget], reply: Reply, *, key: str
    ) -> str:
        names = ", ".join(u.user_id for u in users)
        self._write(
            f"(group message for {names}, from #{channel.channel_id})\n{render_text(reply)}"
        )
        return f"{channel.channel_id}/{'+'.join(u.user_id for u in users)}"

    def remember_dm_channel(self, target: UserTarget, channel_id: str) -> None:
        """The console prints where the person types: no DM channel to keep."""
