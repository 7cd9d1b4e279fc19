"""DM channels remembered in the database, and the study group's admin role.

Over the loopback fake like ``test_live``: a "restart" is a new ``serve_discord`` (a new
client and a new ``DiscordNotifier``) on the same database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from adapters.discord.client import AdminRoles
from adapters.discord.notifier import DiscordNotifier
from bot.db import Database
from bot.db.models import Channel, User
from bot.directory import Directory
from bot.ports import DeliveryError, UserTarget
from bot.types import Reply
from tests.discord.conftest import RunningBot
from tests.discord.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    MENTOR_ROLE,
    MENTOR_ROLE_ID,
    FakeDiscord,
    interaction_payload,
    slash,
)

ALICE = "2000000000000000001"
BOB = "2000000000000000002"  # holds the Mentors role, not Manage Server
CAROL = "2000000000000000003"  # Manage Server
MESSAGES = "/channels/{channel_id}/messages"
OPEN_DM = "/users/@me/channels"
REFUSAL = "the group leaderboard is for admins"


def _nudge(text: str = "Time to study!") -> Reply:
    return Reply(text=text, title="Weekly")


def _target() -> UserTarget:
    return UserTarget("discord", GUILD_ID, ALICE, fallback_channel=CHANNEL_ID)


def _calls(fake: FakeDiscord, since: int) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in fake.requests[since:]]


async def _stored_dm_channels(db: Database, user_id: str = ALICE) -> dict[str, str | None]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(User.workspace, User.dm_channel_id).where(
                User.platform == "discord", User.external_id == user_id
            )
        )
        return {workspace: channel for workspace, channel in rows.all()}


async def _enrol_alice(fake: FakeDiscord) -> None:
    """Alice gets a user row in the guild by using the bot; her DM command acts on it."""
    await fake.answer(interaction_payload(2, slash("path", name="mlops")))
    await fake.answer(interaction_payload(2, slash("help"), dm=True))


# --- DM channels across restarts ---------------------------------------------------------------


async def test_after_a_restart_a_dm_is_one_request(bot: RunningBot, fake: FakeDiscord) -> None:
    await _enrol_alice(fake)
    assert bot.notifier is not None
    await bot.notifier.send_to_user(_target(), _nudge(), key="weekly:alice:W10")
    dm = fake.dm_channels[ALICE]
    # Every row of hers remembers it: a DM channel belongs to the person, not the workspace.
    assert await _stored_dm_channels(bot.core.db) == {GUILD_ID: dm}

    old = bot.notifier
    await bot.restart()
    assert bot.notifier is not None and bot.notifier is not old
    since = len(fake.requests)
    await bot.notifier.send_to_user(_target(), _nudge("Week 11"), key="weekly:alice:W11")
    assert _calls(fake, since) == [("POST", MESSAGES, 200)], "no POST /users/@me/channels"
    assert [m["embeds"][0]["description"] for m in fake.channel_messages[dm]] == [
        "Time to study!",
        "Week 11",
    ]


async def test_a_stale_remembered_channel_is_reopened_once(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    await _enrol_alice(fake)
    assert bot.notifier is not None
    await bot.notifier.send_to_user(_target(), _nudge(), key="w10")
    old = fake.delete_dm_channel(ALICE)

    await bot.restart()  # the stale id now comes from the database
    assert bot.notifier is not None
    since = len(fake.requests)
    await bot.notifier.send_to_user(_target(), _nudge("Week 11"), key="w11")
    assert _calls(fake, since) == [
        ("POST", MESSAGES, 404),
        ("POST", OPEN_DM, 200),
        ("POST", MESSAGES, 200),
    ]
    new = fake.dm_channels[ALICE]
    assert new != old and len(fake.channel_messages[new]) == 1
    assert fake.channel_messages.get(CHANNEL_ID) is None, "no fallback to the study channel"
    assert await _stored_dm_channels(bot.core.db) == {GUILD_ID: new}

    since = len(fake.requests)
    await bot.notifier.send_to_user(_target(), _nudge("Week 12"), key="w12")
    assert _calls(fake, since) == [("POST", MESSAGES, 200)]


async def test_a_stale_channel_in_memory_is_reopened_too(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    assert bot.notifier is not None
    await bot.notifier.send_to_user(_target(), _nudge(), key="w10")  # no user row: memory only
    fake.delete_dm_channel(ALICE)
    since = len(fake.requests)
    await bot.notifier.send_to_user(_target(), _nudge("Week 11"), key="w11")
    assert [c[1:] for c in _calls(fake, since)] == [
        (MESSAGES, 404),
        (OPEN_DM, 200),
        (MESSAGES, 200),
    ]


async def test_closed_dms_on_a_remembered_channel_still_fall_back(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    await _enrol_alice(fake)
    assert bot.notifier is not None
    await bot.notifier.send_to_user(_target(), _nudge(), key="w10")
    fake.closed_dms.add(ALICE)
    await bot.restart()
    assert bot.notifier is not None
    since = len(fake.requests)
    await bot.notifier.send_to_user(_target(), _nudge("Week 11"), key="w11")
    # 50007 on the remembered channel: reopened once; refused again, so the study channel.
    assert [c[1:] for c in _calls(fake, since)] == [
        (MESSAGES, 403),
        (OPEN_DM, 200),
        (MESSAGES, 403),
        (MESSAGES, 200),
    ]
    [posted] = fake.channel_messages[CHANNEL_ID]
    assert posted["content"].startswith(f"<@{ALICE}>")


async def test_a_channel_gone_twice_is_a_retryable_failure(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    await _enrol_alice(fake)
    assert bot.notifier is not None
    await bot.notifier.send_to_user(_target(), _nudge(), key="w10")
    dm = fake.dm_channels[ALICE]
    fake.deleted_channels.add(dm)  # reopening gives the same, still unusable, channel
    with pytest.raises(DeliveryError) as caught:
        await bot.notifier.send_to_user(_target(), _nudge(), key="w11")
    assert not caught.value.permanent
    assert len([r for r in fake.requests if r.path == OPEN_DM]) == 2, "reopened once, not more"


async def test_a_notifier_without_a_database_remembers_in_memory(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    await _enrol_alice(fake)
    assert bot.notifier is not None
    notifier = DiscordNotifier(bot.notifier.http)
    await notifier.send_to_user(_target(), _nudge(), key="a")
    await notifier.send_to_user(_target(), _nudge(), key="b")
    assert len([r for r in fake.requests if r.path == OPEN_DM]) == 1
    assert await _stored_dm_channels(bot.core.db) == {GUILD_ID: None}


async def test_an_unreachable_database_does_not_stop_a_dm(
    bot: RunningBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db import DatabaseUnavailable

    assert bot.notifier is not None
    db = bot.core.db

    def down() -> Any:
        raise DatabaseUnavailable("connection refused")

    monkeypatch.setattr(db, "transaction", down)
    await bot.notifier.send_to_user(_target(), _nudge(), key="a")
    assert len(fake.channel_messages[fake.dm_channels[ALICE]]) == 1


# --- the admin role ----------------------------------------------------------------------------


async def _leaderboard(fake: FakeDiscord, user_id: str, roles: tuple[str, ...]) -> str:
    message = await fake.answer(
        interaction_payload(2, slash("leaderboard"), user_id=user_id, name="bob", roles=roles)
    )
    return str(message.get("content") or "") + str(message.get("embeds") or "")


async def _set_admin_role(fake: FakeDiscord, value: str) -> dict[str, Any]:
    return await fake.answer(
        interaction_payload(
            2, slash("admin", action="role", value=value), user_id=CAROL, permissions="32"
        )
    )


@pytest.mark.parametrize(
    "setting", [MENTOR_ROLE, "@mentors", MENTOR_ROLE_ID, f"<@&{MENTOR_ROLE_ID}>"]
)
async def test_the_admin_role_makes_an_admin(
    bot: RunningBot, fake: FakeDiscord, setting: str
) -> None:
    # Asked before any role is configured: refused (and that answer is cached)...
    assert REFUSAL in await _leaderboard(fake, BOB, (MENTOR_ROLE_ID,))
    set_reply = await _set_admin_role(fake, setting)
    assert set_reply.get("embeds") or "admin role" in (set_reply.get("content") or "")
    # ...but /admin in this process forgets the cached answer: the role counts at once.
    assert REFUSAL not in await _leaderboard(fake, BOB, (MENTOR_ROLE_ID,))
    # Without the role, or with another one: the polite refusal.
    assert REFUSAL in await _leaderboard(fake, ALICE, ())
    assert REFUSAL in await _leaderboard(fake, ALICE, ("1250000000000000999",))


async def test_the_admin_role_reaches_the_core_as_is_admin(
    bot: RunningBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _set_admin_role(fake, MENTOR_ROLE)
    seen: list[Any] = []
    real = bot.core.invoke

    async def spy(
        actor: Any, place: Any, command: str, options: Any, source: Any = "slash"
    ) -> Reply:
        seen.append(actor)
        return await real(actor, place, command, options, source)

    monkeypatch.setattr(bot.core, "invoke", spy)
    await fake.answer(interaction_payload(2, slash("help"), user_id=BOB, roles=(MENTOR_ROLE_ID,)))
    await fake.answer(interaction_payload(2, slash("help"), user_id=ALICE))
    await fake.answer(interaction_payload(2, slash("help"), dm=True, user_id=BOB))
    assert [a.is_admin for a in seen] == [True, False, False]


async def test_everyone_is_never_the_admin_role(bot: RunningBot, fake: FakeDiscord) -> None:
    for setting in ("@everyone", "everyone", GUILD_ID):
        await _set_admin_role(fake, setting)
        assert REFUSAL in await _leaderboard(fake, BOB, (MENTOR_ROLE_ID,)), setting


async def test_the_admin_role_is_per_channel(bot: RunningBot, fake: FakeDiscord) -> None:
    await _set_admin_role(fake, MENTOR_ROLE)
    roles = AdminRoles(bot.core.directory)
    assert await roles.role_for(GUILD_ID, CHANNEL_ID) == MENTOR_ROLE
    assert await roles.role_for(GUILD_ID, "1300000000000000099") is None
    assert await roles.role_for("1200000000000000999", CHANNEL_ID) is None


async def test_admin_roles_are_cached_for_a_short_while(db: Database) -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    async with db.transaction() as session:
        session.add(
            Channel(
                platform="discord",
                workspace=GUILD_ID,
                external_id=CHANNEL_ID,
                created_at=now,
                admin_role="Mentors",
            )
        )
    clock = [100.0]
    roles = AdminRoles(Directory(db), ttl=30, clock=lambda: clock[0])
    statements: list[str] = []

    from sqlalchemy import event

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM channels" in statement:
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await roles.role_for(GUILD_ID, CHANNEL_ID) == "Mentors"
        async with db.transaction() as session:
            await session.execute(update(Channel).values(admin_role="Tutors"))
        clock[0] += 29
        assert await roles.role_for(GUILD_ID, CHANNEL_ID) == "Mentors"  # cached
        assert len(statements) == 1, "one small query, then the cache"
        clock[0] += 2
        assert await roles.role_for(GUILD_ID, CHANNEL_ID) == "Tutors"  # expired
        async with db.transaction() as session:
            await session.execute(update(Channel).values(admin_role=None))
        roles.forget(GUILD_ID, CHANNEL_ID)
        assert await roles.role_for(GUILD_ID, CHANNEL_ID) is None
        assert len(statements) == 3
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


def test_a_rate_limit_that_outlasts_discord_py_is_worth_retrying_later() -> None:
    """A 429 that discord.py stopped waiting for is not the message's fault: never permanent
    (a permanent failure would count towards suspending the person's reminders)."""
    from types import SimpleNamespace

    import discord

    from adapters.discord.notifier import DiscordNotifier

    response = SimpleNamespace(status=429, reason="Too Many Requests")
    limited = discord.HTTPException(response, {"code": 0, "message": "You are being rate limited."})
    gone = discord.HTTPException(
        SimpleNamespace(status=404, reason="Not Found"), {"code": 10013, "message": "Unknown User"}
    )
    notifier = DiscordNotifier.__new__(DiscordNotifier)
    assert not notifier._failure(limited, "DM").permanent
    assert notifier._failure(gone, "DM").permanent
