"""The one registry of features: each module holds its command specs beside their handlers.

Adding a command is one feature module, one line in ``FEATURES`` and its texts. The order of
``FEATURES`` is the order of ``COMMANDS``, which ``/help`` lists and Discord syncs.
"""

from __future__ import annotations

from types import ModuleType

from bot.features import (
    admin,
    buddies,
    help,
    leaderboard,
    learn,
    paths,
    plan,
    privacy,
    progress,
    reminders,
    share,
)
from bot.features.base import PersonalData
from bot.options import CommandSpec

FEATURES: tuple[ModuleType, ...] = (
    paths,
    progress,
    learn,
    plan,
    share,
    reminders,
    buddies,
    privacy,
    leaderboard,
    admin,
    help,
)

COMMANDS: tuple[CommandSpec, ...] = tuple(spec for f in FEATURES for spec in f.COMMANDS)

# Every feature's personal data, in the order /export-my-data writes its keys (unchanged since
# before the registry) and /forget-me forgets them. tests/core/test_features.py checks that it
# holds every feature's PERSONAL_DATA and that every table pointing at ``users`` is covered.
PERSONAL_DATA: tuple[PersonalData, ...] = (
    leaderboard.BOARDS,
    privacy.ACCOUNT,
    paths.ENROLMENT,
    progress.CHAPTERS,
    paths.STUDY_GROUPS,
    reminders.REMINDER,
    reminders.DELIVERIES,
    buddies.BUDDIES,
)
