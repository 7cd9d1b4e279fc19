"""Bulk seeding for the benchmarks: people, study groups, enrolments and chapter histories.

Rows go in with SQLAlchemy Core ``executemany`` (far faster than 10,000 commands), shaped
exactly as the bot writes them, so the commands under test read realistic data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.db import Database
from bot.db.models import Channel, ChapterProgress, Enrollment, Membership, ReminderPref, User
from bot.types import Locale
from curriculum import Curriculum

CHUNK = 2000


@dataclass(frozen=True)
class Seeded:
    users: int
    channels: int
    progress_rows: int


async def _bulk(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        async with db.engine.begin() as conn:
            await conn.execute(insert(table), rows[i : i + CHUNK])


def seeded_locale(u: int) -> Locale:
    """Person ``u``'s language as seeded: one in five reads Chinese. A benchmark's actor says
    the same, as a real person's client does on every command (a changed locale is a write)."""
    return "zh" if u % 5 == 0 else "en"


async def seed(
    db: Database,
    curriculum: Curriculum,
    rng: random.Random,
    *,
    people: int,
    channels: int,
    now: datetime,
    platform: str = "test",
    workspace: str = "W1",
    history_weeks: int = 12,
    full_history: bool = False,
    reminders: bool = True,
    due_at: datetime | None = None,
    id_base: int = 0,
    numeric_ids: bool = False,
) -> Seeded:
    """``people`` spread round-robin over ``channels``; each enrolled on a random path some
    weeks ago with a history of chapters done (all of them when ``full_history``).

    ``id_base`` offsets row ids and numbers (several populations in one database);
    ``numeric_ids`` gives snowflake-like platform ids (Discord) instead of ``U000001``."""
    await _bulk(
        db,
        Channel,
        [
            {
                "id": id_base + c + 1,
                "platform": platform,
                "workspace": workspace,
                "external_id": str(1_300_000_000_000_000_000 + c) if numeric_ids else f"C{c:05d}",
                "name": f"study-{c}",
                "prompt_weekday": 0,
                "prompt_time": "09:00",
                "prompts_enabled": False,  # channel prompts are not what these benches measure
                "created_at": now - timedelta(days=7 * history_weeks + 7),
            }
            for c in range(channels)
        ],
    )
    total_progress = 0
    for first in range(id_base, id_base + people, CHUNK * 5):
        users, enrolments, members, prefs, progress = [], [], [], [], []
        for u in range(first, min(id_base + people, first + CHUNK * 5)):
            _person(
                u,
                curriculum,
                rng,
                users,
                enrolments,
                members,
                prefs,
                progress,
                platform=platform,
                workspace=workspace,
                channels=channels,
                now=now,
                history_weeks=history_weeks,
                full_history=full_history,
                reminders=reminders,
                due_at=due_at,
                id_base=id_base,
                numeric_ids=numeric_ids,
            )
        await _bulk(db, User, users)
        await _bulk(db, Enrollment, enrolments)
        await _bulk(db, Membership, members)
        if prefs:
            await _bulk(db, ReminderPref, prefs)
        await _bulk(db, ChapterProgress, progress)
        total_progress += len(progress)
    if not db.is_sqlite:
        # Explicit ids bypass the sequences; move them on so the bot's own inserts work.
        async with db.engine.begin() as conn:
            for table in ("users", "channels"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            await conn.exec_driver_sql("ANALYZE")
    else:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
    return Seeded(people, channels, total_progress)


def _person(
    u: int,
    curriculum: Curriculum,
    rng: random.Random,
    users: list[dict[str, Any]],
    enrolments: list[dict[str, Any]],
    members: list[dict[str, Any]],
    prefs: list[dict[str, Any]],
    progress: list[dict[str, Any]],
    *,
    platform: str,
    workspace: str,
    channels: int,
    now: datetime,
    history_weeks: int,
    full_history: bool,
    reminders: bool,
    due_at: datetime | None,
    id_base: int,
    numeric_ids: bool,
) -> None:
    paths = curriculum.paths
    uid = u + 1
    enrolled = now - timedelta(days=rng.randint(7, 7 * history_weeks), hours=rng.randint(0, 23))
    path = paths[u % len(paths)]
    users.append(
        {
            "id": uid,
            "platform": platform,
            "workspace": workspace,
            "external_id": str(2_000_000_000_000_000_000 + u) if numeric_ids else f"U{u:06d}",
            "display_name": f"person {u}",
            "locale": seeded_locale(u),
            "timezone": rng.choice(("UTC", "Europe/Berlin", "Asia/Shanghai", None)),
            "privacy": rng.choices(("shown", "anonymous", "hidden"), (90, 7, 3))[0],
            "created_at": enrolled,
        }
    )
    enrolments.append(
        {"user_id": uid, "path_id": path.id, "enrolled_at": enrolled, "skipped_days": 0}
    )
    channel_id = id_base + (u - id_base) % channels + 1
    members.append({"user_id": uid, "channel_id": channel_id, "joined_at": enrolled})
    if reminders:
        prefs.append(
            {
                "user_id": uid,
                "enabled": True,
                "weekday": 0,
                "local_time": "09:00",
                "timezone": None,
                "paused_until": None,
                "next_due_at": due_at or now + timedelta(days=rng.randint(1, 7)),
                "snooze_until": None,
                "updated_at": enrolled,
            }
        )
    chapters = [c for step in path.steps for c in step.chapters]
    span = (now - enrolled).total_seconds()
    count = len(chapters) if full_history else rng.randint(0, len(chapters) // 2)
    for i, chapter in enumerate(chapters[:count]):
        at = enrolled + timedelta(seconds=span * (i + 1) / (count + 1))
        progress.append(
            {
                "user_id": uid,
                "chapter_id": chapter,
                "state": "done" if rng.random() > 0.05 else "skipped",
                "updated_at": at,
                "completed_at": at,
            }
        )
