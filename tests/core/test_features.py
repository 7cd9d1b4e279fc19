"""The feature registry: command order, and every table about a person owned by a feature."""

from __future__ import annotations

import json

from sqlalchemy import Table

from bot import features
from bot.db.models import Base
from bot.features import COMMANDS, FEATURES, PERSONAL_DATA
from tests.core.support import (
    fast_db,  # noqa: F401  (the ``db`` fixture)
    sqlite_backend,  # noqa: F401  (SQLite only)
)


def test_commands_keep_their_order():
    # /help lists them and Discord syncs them in this order.
    assert [c.name for c in COMMANDS] == [
        "path",
        "progress",
        "done",
        "undo",
        "skip",
        "start",
        "next",
        "chapter",
        "plan",
        "share",
        "reminders",
        "buddy",
        "privacy",
        "export-my-data",
        "forget-me",
        "leaderboard",
        "admin",
        "help",
    ]


def test_every_feature_declares_its_commands_and_they_are_registered():
    assert tuple(spec for f in FEATURES for spec in f.COMMANDS) == features.COMMANDS
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)


def test_the_registry_holds_every_features_personal_data_once():
    declared = [d for f in FEATURES for d in getattr(f, "PERSONAL_DATA", ())]
    assert sorted(d.name for d in PERSONAL_DATA) == sorted(d.name for d in declared)
    assert len(set(PERSONAL_DATA)) == len(PERSONAL_DATA)


def tables_about_people(tables: list[Table]) -> set[str]:
    """``users`` and every table with a foreign key to it."""
    return {"users"} | {
        t.name for t in tables for fk in t.foreign_keys if fk.column.table.name == "users"
    }


def test_a_table_pointing_at_users_is_found():
    found = tables_about_people(list(Base.metadata.tables.values()))
    assert {"chapter_progress", "leaderboard_snapshots", "nudges"} <= found
    assert "channels" not in found and "slack_installations" not in found


def test_every_table_about_a_person_is_exported_and_forgotten_by_some_feature():
    """A new table with a user foreign key fails here until a feature declares it in its
    PERSONAL_DATA (how /export-my-data shows it and /forget-me deletes it)."""
    covered = [m.__tablename__ for d in PERSONAL_DATA for m in d.tables]
    assert len(covered) == len(set(covered)), "a table has two owners"
    missing = tables_about_people(list(Base.metadata.tables.values())) - set(covered)
    assert not missing, f"no feature exports and forgets {sorted(missing)}"


async def test_export_keys_keep_their_order(person):
    reply = await person("alice")("/export-my-data")
    data = json.loads(reply.attachments[0].data)
    assert list(data) == [
        "leaderboard_wins",
        "nudges",
        "user",
        "enrollment",
        "chapters",
        "study_groups",
        "reminder",
        "deliveries",
        "buddy_optins",
        "buddy_groups",
        "exported_at",
    ]
