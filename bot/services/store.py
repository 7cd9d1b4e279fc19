"""Repository functions over one ``AsyncSession`` (the caller's unit of work).

Writes that two requests could race on (first contact, marking a chapter) are upserts, so
concurrent commands never fail on a unique key and never lose an update.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from bot.db import dialect_insert
from bot.db.engine import insert_for
from bot.db.models import (
    Channel,
    ChapterProgress,
    Delivery,
    Enrollment,
    Membership,
    ReminderPref,
    User,
)
from bot.timing import next_weekly
from bot.types import Actor, Place, UserRef

DEFAULT_REMINDER_WEEKDAY = 0  # Monday
DEFAULT_REMINDER_TIME = "09:00"

# Statements every command sends, built once: SQLAlchemy then reuses their compiled form
# without rebuilding the expression and its cache key per call (a third of a query's CPU).
_BY_PLATFORM_ID = (
    User.platform == bindparam("platform"),
    User.workspace == bindparam("workspace"),
    User.external_id == bindparam("external_id"),
)
_USER = select(User).where(*_BY_PLATFORM_ID)
# The person with their path and reminder rows, which nearly every command reads next: one
# round trip instead of three (``get_enrollment`` and ``get_reminder`` then answer from it).
_PERSON = (
    select(User, Enrollment, ReminderPref)
    .outerjoin(Enrollment, Enrollment.user_id == User.id)
    .outerjoin(ReminderPref, ReminderPref.user_id == User.id)
    .where(*_BY_PLATFORM_ID)
)
# One person's writing commands run one at a time on PostgreSQL (a double-clicked Done must
# not mark twice); different people never wait for each other, and a command that only reads
# (``Database.reading``) locks nothing. SQLite has a single writer anyway.
_PERSON_LOCKED = _PERSON.with_for_update(of=User)
_CHANNEL = select(Channel).where(
    Channel.platform == bindparam("platform"),
    Channel.workspace == bindparam("workspace"),
    Channel.external_id == bindparam("external_id"),
)
_ENROLLMENT = select(Enrollment).where(Enrollment.user_id == bindparam("user_id"))
_REMINDER = select(ReminderPref).where(ReminderPref.user_id == bindparam("user_id"))
# Where no ORM object is wanted, statements on the tables themselves: the ORM's per-execution
# work (compile state, loading, session synchronisation) was a quarter to a third of these
# small statements' CPU.
_PROGRESS_T, _USERS_T = ChapterProgress.__table__, cast(Table, User.__table__)
_STATES = select(_PROGRESS_T.c.chapter_id, _PROGRESS_T.c.state).where(
    _PROGRESS_T.c.user_id == bindparam("user_id")
)
# Not synchronised with a ``User`` loaded in the session (no command reads the column back).
_BOARD_CHANGED = (
    update(_USERS_T)
    .where(_USERS_T.c.id == bindparam("user_id"))
    .values(board_changed_at=bindparam("now"))
)


async def ensure_user(session: AsyncSession, actor: Actor, now: datetime) -> User:
    """Find or create the person; keep their name, locale and platform timezone fresh.

    Found first (one query for everyone but a newcomer), inserted only when missing."""
    locks = session.bind.dialect.name == "postgresql" and not session.info.get("reading")
    query = _PERSON_LOCKED if locks else _PERSON
    key = {"platform": actor.platform, "workspace": actor.workspace, "external_id": actor.user_id}
    row = (await session.execute(query, key)).tuples().one_or_none()
    if row is None:
        stmt = dialect_insert(session, User).values(
            platform=actor.platform,
            workspace=actor.workspace,
            external_id=actor.user_id,
            display_name=actor.display_name or actor.user_id,
            locale=actor.locale,
            timezone=actor.timezone,
            privacy="shown",
            created_at=now,
        )
        # Two first commands at once: the second insert does nothing, both then find the row.
        await session.execute(
            stmt.on_conflict_do_nothing(index_elements=["platform", "workspace", "external_id"])
        )
        row = (await session.execute(query, key)).tuples().one()
    user, enrollment, pref = row
    read = _read(session)
    read[Enrollment, user.id] = enrollment
    read[ReminderPref, user.id] = pref
    if actor.display_name and user.display_name != actor.display_name:
        user.display_name = actor.display_name
        user.board_changed_at = now  # kept leaderboards show the new name
    if user.locale != actor.locale:
        user.locale = actor.locale
    if actor.timezone and user.timezone != actor.timezone:
        user.timezone = actor.timezone
        user.board_changed_at = now  # streaks count weeks in the person's zone
    return user


async def find_user(session: AsyncSession, actor: Actor) -> User | None:
    key = {"platform": actor.platform, "workspace": actor.workspace, "external_id": actor.user_id}
    return (await session.execute(_USER, key)).scalar_one_or_none()


async def lookup_user(session: AsyncSession, actor: Actor, ref: UserRef) -> User | None:
    """Another person in the caller's workspace, by platform id or by display name."""
    scope = (User.platform == actor.platform, User.workspace == actor.workspace)
    if ref.user_id:
        found = (
            await session.execute(select(User).where(*scope, User.external_id == ref.user_id))
        ).scalar_one_or_none()
        if found is not None:
            return found
    if ref.name:
        exact = (
            (
                await session.execute(
                    select(User).where(
                        *scope, (User.display_name == ref.name) | (User.external_id == ref.name)
                    )
                )
            )
            .scalars()
            .all()
        )
        if len(exact) == 1:
            return exact[0]
        # Case-insensitive, in Python: SQLite's lower() folds only ASCII (É stays É).
        wanted = ref.name.casefold()
        names = await session.execute(select(User.id, User.display_name).where(*scope))
        ids = [uid for uid, name in names.all() if name.casefold() == wanted]
        if len(ids) == 1:
            return await session.get(User, ids[0])
    return None


async def find_channel(session: AsyncSession, place: Place) -> Channel | None:
    """The channel's row if it has one (a command that only reads must not create it)."""
    if place.channel_id is None:
        return None
    key = {
        "platform": place.platform,
        "workspace": place.workspace,
        "external_id": place.channel_id,
    }
    return (await session.execute(_CHANNEL, key)).scalar_one_or_none()


async def ensure_channel(session: AsyncSession, place: Place, now: datetime) -> Channel:
    """Find or create the channel's row: found first, inserted only when missing."""
    assert place.channel_id is not None
    key = {
        "platform": place.platform,
        "workspace": place.workspace,
        "external_id": place.channel_id,
    }
    channel = (await session.execute(_CHANNEL, key)).scalar_one_or_none()
    if channel is None:
        stmt = dialect_insert(session, Channel).values(
            platform=place.platform,
            workspace=place.workspace,
            external_id=place.channel_id,
            name=place.channel_name,
            prompt_weekday=0,
            prompt_time="09:00",
            prompts_enabled=True,
            created_at=now,
        )
        await session.execute(
            stmt.on_conflict_do_nothing(index_elements=["platform", "workspace", "external_id"])
        )
        channel = (await session.execute(_CHANNEL, key)).scalar_one()
    if place.channel_name and channel.name != place.channel_name:
        channel.name = place.channel_name
    return channel


@functools.cache
def _upserts(dialect: str) -> dict[str, Any]:
    """The upserts commands send, built once per database kind (values come as parameters),
    so SQLAlchemy compiles each once instead of per command."""
    states = insert_for(dialect, ChapterProgress.__table__)
    enrollment = insert_for(dialect, Enrollment.__table__)
    return {
        "membership": insert_for(dialect, Membership.__table__).on_conflict_do_nothing(
            index_elements=["user_id", "channel_id"]
        ),
        "states": states.on_conflict_do_update(
            index_elements=["user_id", "chapter_id"],
            set_={
                "state": states.excluded.state,
                "updated_at": states.excluded.updated_at,
                "completed_at": states.excluded.completed_at,
            },
        ),
        "enrollment": enrollment.on_conflict_do_update(
            index_elements=["user_id"],
            set_={
                "path_id": enrollment.excluded.path_id,
                "enrolled_at": enrollment.excluded.enrolled_at,
                "skipped_days": enrollment.excluded.skipped_days,
            },
        ),
    }


def _upsert(session: AsyncSession, name: str) -> Any:
    return _upserts(session.bind.dialect.name)[name]


async def join_channel(session: AsyncSession, user: User, channel: Channel, now: datetime) -> bool:
    """Add the person to the channel's study group; True when they were not in it yet."""
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        _upsert(session, "membership"),
        {"user_id": user.id, "channel_id": channel.id, "joined_at": now},
    )
    return bool(result.rowcount)


async def get_enrollment(session: AsyncSession, user_id: int) -> Enrollment | None:
    read = _read(session)
    key = (Enrollment, user_id)
    if key not in read:  # not read yet in this unit of work
        read[key] = (await session.execute(_ENROLLMENT, {"user_id": user_id})).scalar_one_or_none()
    return read[key]  # type: ignore[return-value]


_PerPerson = type[Enrollment | ReminderPref]


def _read(session: AsyncSession) -> dict[tuple[_PerPerson, int], Enrollment | ReminderPref | None]:
    """A person's path and reminder rows as this unit of work read them (None: no row), so
    the commands that ask for them again send no second query."""
    read: dict[tuple[_PerPerson, int], Enrollment | ReminderPref | None]
    read = session.info.setdefault("per_person", {})
    return read


def _written(session: AsyncSession, model: _PerPerson, user_id: int) -> None:
    """An upsert or delete changes the row, not what this unit of work read before it: let
    the next read load the row as written (an object read earlier stays readable, as it was)."""
    _read(session).pop((model, user_id), None)
    known = session.identity_map.get(identity_key(model, user_id))
    if known is not None:
        session.expunge(known)


async def set_enrollment(session: AsyncSession, user_id: int, path_id: str, now: datetime) -> None:
    values = {"user_id": user_id, "path_id": path_id, "enrolled_at": now, "skipped_days": 0}
    await session.execute(_upsert(session, "enrollment"), values)
    _written(session, Enrollment, user_id)
    await board_changed(session, user_id, now)


async def board_changed(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Note that the person's place on leaderboards may have moved (chapters, path, plan):
    kept boards re-read exactly these people (``bot/services/board_cache.py``)."""
    await session.execute(_BOARD_CHANGED, {"user_id": user_id, "now": now})


async def chapter_states(session: AsyncSession, user_id: int) -> dict[str, str]:
    rows = await session.execute(_STATES, {"user_id": user_id})
    return {chapter: state for chapter, state in rows.all()}


async def set_chapter_states(
    session: AsyncSession, user_id: int, chapters: list[str], state: str, now: datetime
) -> None:
    """Upsert ``state`` for each chapter; ``completed_at`` is when it was (last) marked done."""
    if not chapters:
        return
    completed = now if state == "done" else None
    rows = [
        {
            "user_id": user_id,
            "chapter_id": c,
            "state": state,
            "updated_at": now,
            "completed_at": completed,
        }
        for c in chapters
    ]
    await session.execute(_upsert(session, "states"), rows)
    await board_changed(session, user_id, now)


async def clear_chapter(session: AsyncSession, user_id: int, chapter: str, now: datetime) -> bool:
    result: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        delete(ChapterProgress).where(
            ChapterProgress.user_id == user_id, ChapterProgress.chapter_id == chapter
        )
    )
    if result.rowcount:
        await board_changed(session, user_id, now)
    return bool(result.rowcount)


async def get_reminder(session: AsyncSession, user_id: int) -> ReminderPref | None:
    read = _read(session)
    key = (ReminderPref, user_id)
    if key not in read:  # not read yet in this unit of work
        read[key] = (await session.execute(_REMINDER, {"user_id": user_id})).scalar_one_or_none()
    return read[key]  # type: ignore[return-value]


def default_reminder(user_id: int, enrolled_at: datetime, tz: str, now: datetime) -> dict[str, Any]:
    """The reminder row of someone enrolled who never set one: Monday 09:00 in their zone,
    first due the Monday after they enrolled. No zone of its own (``timezone`` None), so it
    follows the person's if that changes later."""
    return {
        "user_id": user_id,
        "enabled": True,
        "weekday": DEFAULT_REMINDER_WEEKDAY,
        "local_time": DEFAULT_REMINDER_TIME,
        "timezone": None,
        "paused_until": None,
        "next_due_at": next_weekly(
            enrolled_at, DEFAULT_REMINDER_WEEKDAY, DEFAULT_REMINDER_TIME, tz
        ),
        "updated_at": now,
    }


async def save_reminder(
    session: AsyncSession,
    user_id: int,
    *,
    enabled: bool,
    weekday: int,
    local_time: str,
    timezone: str | None,
    paused_until: date | None,
    next_due_at: datetime | None,
    snooze_until: datetime | None = None,
    quiet: tuple[str, str] | None = None,
    now: datetime,
) -> None:
    values = {
        "snooze_until": snooze_until,
        "quiet_start": quiet[0] if quiet else None,
        "quiet_end": quiet[1] if quiet else None,
        "enabled": enabled,
        "weekday": weekday,
        "local_time": local_time,
        "timezone": timezone,
        "paused_until": paused_until,
        "next_due_at": next_due_at,
        "updated_at": now,
    }
    stmt = dialect_insert(session, ReminderPref).values(user_id=user_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=values))
    _written(session, ReminderPref, user_id)
    # The reminder's zone is the person's own (``person_zone``): kept boards count their
    # streak weeks in it, so they re-read the person.
    await board_changed(session, user_id, now)


_USER_CHANNELS = (
    select(Channel)
    .join(Membership, Membership.channel_id == Channel.id)
    .where(Membership.user_id == bindparam("user_id"))
    .order_by(Membership.joined_at)
)


async def user_channels(session: AsyncSession, user_id: int) -> list[Channel]:
    rows = await session.execute(_USER_CHANNELS, {"user_id": user_id})
    return list(rows.scalars().all())


_PersonRows = type[ChapterProgress | Enrollment | Membership | ReminderPref | Delivery]


async def forget_rows(session: AsyncSession, table: _PersonRows, user_id: int) -> None:
    """Delete a person's rows of one table (explicitly, not trusting FK pragmas)."""
    await session.execute(delete(table).where(table.user_id == user_id))
    if table is Enrollment or table is ReminderPref:
        _written(session, table, user_id)


async def delete_user(session: AsyncSession, user_id: int) -> None:
    """Remove the person's own row: last, once every feature has forgotten its rows."""
    await session.execute(delete(User).where(User.id == user_id))
