"""The one registry of features: each module holds its command specs beside their handlers.

Adding a command is one feature module, one line in ``FEATURES`` and its texts. The order of
``FEATURES`` is the order of ``COMMANDS``, which ``/help`` lists and Discord syncs.
"""

from __future__ import annotations

from types import ModuleType

from bot.features import admin, help, leaderboard, learn, paths, privacy, progress, reminders
from bot.options import CommandSpec

FEATURES: tuple[ModuleType, ...] = (
    paths,
    progress,
    learn,
    reminders,
    privacy,
    leaderboard,
    admin,
    help,
)

COMMANDS: tuple[CommandSpec, ...] = tuple(spec for f in FEATURES for spec in f.COMMANDS)
