"""The Discord adapter: slash commands, buttons and DMs over discord.py.

This package is ``adapters.discord``; ``import discord`` elsewhere still means discord.py,
since imports are absolute.
"""

from adapters.discord.commands import command_payloads, print_commands, sync_commands
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.runner import configure_endpoints, serve_discord, sync_now
from adapters.discord.sharding import ShardPlan, ShardSettingsError

__all__ = [
    "DiscordNotifier",
    "ShardPlan",
    "ShardSettingsError",
    "command_payloads",
    "configure_endpoints",
    "print_commands",
    "serve_discord",
    "sync_commands",
    "sync_now",
]
