"""The slash commands this adapter offers: every core command but Slack's own names."""

from __future__ import annotations

from bot.features import COMMANDS

RESERVED = frozenset({"remind"})  # Slack's built-in /remind: never register or list it


def slash_command_names() -> list[str]:
    return [spec.name for spec in COMMANDS if spec.name not in RESERVED]
