"""When the database fails: a kind apology, no traceback, and nothing half-written."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.core import Core
from bot.db import Database
from bot.db.models import Enrollment, User
from bot.features import COMMANDS
from bot.services import store
from tests.conftest import Person
from tests.core.support import (
    count,
    fast_db,  # noqa: F401  (the ``db`` fixture)
    rows_about,
    states,
    user_id,
)

APOLOGY_DB = (
    "Sorry, I can't reach my database right now. Nothing was changed; please try again in a minute."
)
APOLOGY_BUG = "Sorry, something went wrong on my side. Nothing was changed; please try again."


def assert_kind_apology(reply, expected: str) -> None:
    assert reply.is_error
    assert reply.text == expected
    assert "Traceback" not in reply.text


@pytest.fixture
async def unreachable_core(clock, curriculum):
    db = Database("postgresql+asyncpg://postgres@127.0.0.1:1/x")
    yield Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=clock)
    await db.close()


async def test_an_unreachable_postgresql_gets_the_database_apology(unreachable_core, caplog):
    alice = Person(unreachable_core, "alice")
    for line in ["/path mlops", "/progress", "/done", "/forget-me confirm"]:
        assert_kind_apology(await alice(line), APOLOGY_DB)
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


async def test_mistakes_are_still_answered_when_the_database_is_down(unreachable_core):
    # Parsing happens before the database is touched.
    reply = await Person(unreachable_core, "alice")("/prgress")
    assert "Did you mean `/progress`?" in reply.text


async def test_the_zh_database_apology(unreachable_core):
    reply = await Person(unreachable_core, "li", locale="zh")("/progress")
    assert reply.text == "抱歉，暂时无法连接数据库。没有任何改动，请过一分钟再试。"


@pytest.fixture
async def readonly_core(tmp_path: Path, clock, curriculum):
    path = tmp_path / "ro.db"
    rw = Database(f"sqlite+aiosqlite:///{path}")
    await rw.upgrade()
    await rw.close()
    # Running as root ignores file modes, so open it read-only the way SQLite means it.
    db = Database(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    yield Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=clock)
    await db.close()


async def test_a_read_only_sqlite_file_gets_the_database_apology(readonly_core):
    alice = Person(readonly_core, "alice")
    for line in ["/path mlops", "/done 4.2", "/help"]:
        assert_kind_apology(await alice(line), APOLOGY_DB)


def fail_after(monkeypatch, name: str) -> None:
    """Make ``store.<name>`` do its work, then fail — a crash in the middle of a command."""
    original = getattr(store, name)

    async def then_fail(*args: Any, **kwargs: Any) -> Any:
        await original(*args, **kwargs)
        raise RuntimeError(f"injected failure after {name}")

    monkeypatch.setattr(store, name, then_fail)


async def test_a_failure_after_marking_chapters_writes_nothing(person, db, monkeypatch, caplog):
    alice = person("alice")
    await alice("/path mlops")
    uid = await user_id(db, "alice")
    fail_after(monkeypatch, "set_chapter_states")
    with caplog.at_level(logging.ERROR):
        reply = await alice("/done")
    assert_kind_apology(reply, APOLOGY_BUG)
    assert "injected" not in reply.text
    assert await states(db, uid) == {}
    monkeypatch.undo()
    assert "Step 1 done" in (await alice("/done")).text


async def test_a_failure_after_enrolling_leaves_no_user_enrolment_or_membership(
    person, db, monkeypatch
):
    fail_after(monkeypatch, "join_channel")
    reply = await person("alice", channel="C-study")("/path mlops")
    assert_kind_apology(reply, APOLOGY_BUG)
    assert await count(db, User) == 0
    assert await count(db, Enrollment) == 0


async def test_a_failure_while_switching_keeps_the_old_path(person, db, monkeypatch):
    alice = person("alice", channel=None)
    await alice("/path mlops")
    fail_after(monkeypatch, "set_enrollment")
    assert_kind_apology(await alice("/path app"), APOLOGY_BUG)
    uid = await user_id(db, "alice")
    async with db.transaction() as s:
        assert (await s.get(Enrollment, uid)).path_id == "mlops"


async def test_a_failure_during_forget_me_deletes_nothing(person, db, monkeypatch):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")
    uid = await user_id(db, "alice")
    before = await rows_about(db, uid)
    fail_after(monkeypatch, "delete_user")
    assert_kind_apology(await alice("/forget-me confirm"), APOLOGY_BUG)
    assert await rows_about(db, uid) == before


async def test_a_failure_saving_reminders_keeps_the_old_ones(person, db, monkeypatch):
    alice = person("alice")
    await alice("/reminders wed 19:30")
    fail_after(monkeypatch, "save_reminder")
    assert_kind_apology(await alice("/reminders off"), APOLOGY_BUG)
    monkeypatch.undo()
    reply = await alice("/reminders")
    assert next(f.value for f in reply.fields if f.name == "Status") == "on"
    assert next(f.value for f in reply.fields if f.name == "When") == "Wednesday 19:30 (UTC)"


async def test_a_database_error_mid_command_is_the_database_apology(person, db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    alice = person("alice")
    await alice("/path mlops")
    original = store.set_chapter_states

    async def lose_connection(*args: Any, **kwargs: Any) -> None:
        await original(*args, **kwargs)
        raise OperationalError("UPDATE ...", {}, ConnectionResetError("server closed"))

    monkeypatch.setattr(store, "set_chapter_states", lose_connection)
    assert_kind_apology(await alice("/done"), APOLOGY_DB)
    assert await states(db, await user_id(db, "alice")) == {}


# --- odd data from a platform ------------------------------------------------------------


async def test_an_unknown_platform_timezone_never_raises(core):
    from bot.types import Actor, Place

    actor = Actor("test", "W1", "U1", display_name="x", timezone="Mars/Olympus")
    reply = await core.handle_text(actor, Place("test", "W1", "study"), "/path mlops")
    assert reply.kind == "success"


async def test_an_unknown_platform_timezone_still_lets_the_person_use_the_bot(core):
    from bot.types import Actor, Place

    actor = Actor("test", "W1", "U1", display_name="x", timezone="Mars/Olympus")
    reply = await core.invoke(actor, Place("test", "W1", "study"), "path", {"name": "mlops"})
    assert reply.kind == "success", reply.text


async def test_a_very_long_display_name_is_accepted(core, backend, request):
    from bot.types import Actor, Place

    actor = Actor("test", "W1", "U1", display_name="N" * 250)
    reply = await core.handle_text(actor, Place("test", "W1", "study"), "/path mlops")
    assert reply.kind == "success", reply.text
