"""``/privacy``, ``/export-my-data`` and ``/forget-me``: a person's say over their data."""

from __future__ import annotations

import json

import pytest

from bot.db.models import Channel, Delivery, User
from tests.conftest import START
from tests.core.support import (
    count,
    fast_db,  # noqa: F401  (the ``db`` fixture)
    rows_about,
    user_id,
    user_row,
)


async def test_privacy_defaults_to_shown(person):
    reply = await person("alice")("/privacy")
    assert reply.kind == "info"
    assert "Your setting: **shown**." in reply.text
    assert "`anonymous`" in (reply.footer or "")


@pytest.mark.parametrize("mode", ["anonymous", "hidden", "shown"])
async def test_privacy_modes_are_saved(person, db, mode):
    alice = person("alice")
    reply = await alice(f"/privacy {mode}")
    assert reply.kind == "success"
    assert f"Leaderboard visibility is now **{mode}**." in reply.text
    assert (await user_row(db, "alice")).privacy == mode
    assert f"**{mode}**" in (await alice("/privacy")).text


async def test_privacy_mode_is_case_insensitive(person, db):
    await person("alice")("/privacy HIDDEN")
    assert (await user_row(db, "alice")).privacy == "hidden"


async def test_privacy_bad_mode_suggests(person, db):
    reply = await person("alice")("/privacy hiden")
    assert reply.is_error
    assert "Did you mean `hidden`?" in reply.text
    assert await count(db, User) == 0


async def test_privacy_in_chinese(person):
    reply = await person("li", locale="zh")("/privacy anonymous")
    assert reply.text == "排行榜可见性已设为 **匿名**。"


async def test_export_my_data_is_a_json_attachment_with_my_chapters(person):
    alice = person("alice", channel="C-study")
    await alice("/path mlops")
    await alice("/done")
    await alice("/skip 5.1")
    await alice("/reminders wed 19:30 Asia/Shanghai")
    reply = await alice("/export-my-data")
    assert not reply.is_error
    assert "3 chapter records" not in reply.text  # 4 records: 3 done + 1 skipped
    assert "4 chapter records, 1 study groups" in reply.text
    (attachment,) = reply.attachments
    assert attachment.filename.endswith(".json")
    assert attachment.mime == "application/json"
    data = json.loads(attachment.data.decode("utf-8"))
    assert data["user"]["external_id"] == "alice"
    assert data["enrollment"]["path_id"] == "mlops"
    assert {(c["chapter_id"], c["state"]) for c in data["chapters"]} == {
        ("1.1", "done"),
        ("1.2", "done"),
        ("1.3", "done"),
        ("5.1", "skipped"),
    }
    assert data["chapters"][0]["completed_at"] == START.isoformat()
    assert data["study_groups"][0]["channel"] == "C-study"
    assert data["reminder"]["timezone"] == "Asia/Shanghai"
    assert data["exported_at"] == START.isoformat()
    assert "id" not in data["user"]  # internal keys stay internal


async def test_export_my_data_of_a_new_person_is_nearly_empty(person):
    reply = await person("alice", channel=None)("/export-my-data")
    data = json.loads(reply.attachments[0].data)
    assert data["enrollment"] is None
    assert data["chapters"] == []
    assert data["study_groups"] == []
    assert data["reminder"] is None
    assert data["deliveries"] == []


async def test_export_my_data_keeps_chinese_readable(person):
    li = person("li", locale="zh")
    await li("/path 应用开发")
    reply = await li("/export-my-data")
    raw = reply.attachments[0].data.decode("utf-8")
    assert json.loads(raw)["user"]["locale"] == "zh"
    assert reply.title == "你的数据"


async def test_export_my_data_accepts_the_underscore_spelling(person):
    reply = await person("alice")("/export_my_data")
    assert reply.attachments


BRIEF_TABLES = (
    "users",
    "enrollments",
    "chapter_progress",
    "memberships",
    "reminder_prefs",
    "deliveries",
)


async def add_delivery(db, uid: int) -> None:
    async with db.transaction() as s:
        s.add(
            Delivery(
                recipient=f"test:W1:{uid}",
                user_id=uid,
                kind="weekly",
                period="2027-W09",
                status="sent",
                attempts=1,
                detail="",
                created_at=START,
                updated_at=START,
            )
        )


async def test_forget_me_asks_to_confirm_first_and_deletes_nothing(person, db):
    alice = person("alice")
    await alice("/path mlops")
    reply = await alice("/forget-me")
    assert not reply.is_error
    assert "cannot be undone" in reply.text
    assert "`/forget-me confirm`" in reply.text
    (button,) = reply.buttons
    assert (button.command, button.args, button.style) == ("forget-me", "confirm", "danger")
    uid = await user_id(db, "alice")
    assert (await rows_about(db, uid))["enrollments"] == 1


async def test_forget_me_confirm_leaves_no_row_about_me_in_any_table(person, db):
    alice = person("alice", channel="C-study")
    bob = person("bob", channel="C-study")
    await alice("/path mlops")
    await alice("/done")
    await alice("/start 5.4")
    await alice("/reminders wed 19:30")
    await bob("/path app")
    await bob("/done")
    uid = await user_id(db, "alice")
    await add_delivery(db, uid)
    before = await rows_about(db, uid)
    assert all(before[t] > 0 for t in BRIEF_TABLES), before

    reply = await alice("/forget-me confirm")
    assert reply.kind == "success"
    assert "Everything I stored about you is deleted." in reply.text

    after = await rows_about(db, uid)
    assert set(BRIEF_TABLES) <= set(after)
    assert {t: n for t, n in after.items() if n} == {}
    # Bob, and the shared channel, are untouched.
    bob_id = await user_id(db, "bob")
    assert (await rows_about(db, bob_id))["chapter_progress"] == 3
    assert (await rows_about(db, bob_id))["memberships"] == 1
    assert await count(db, Channel) == 1


async def test_forget_me_button_press_deletes(person, db):
    alice = person("alice")
    await alice("/path mlops")
    prompt = await alice("/forget-me")
    button = prompt.buttons[0]
    reply = await alice(f"/{button.command} {button.args}")
    assert reply.kind == "success"
    assert await user_row(db, "alice") is None


async def test_after_forget_me_i_start_afresh(person, db):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")
    await alice("/forget-me confirm")
    reply = await alice("/progress")
    assert "haven't picked a path" in reply.text
    assert (await rows_about(db, await user_id(db, "alice")))["chapter_progress"] == 0


async def test_forget_me_with_a_wrong_word_deletes_nothing(person, db):
    alice = person("alice")
    await alice("/path mlops")
    reply = await alice("/forget-me yes")
    assert reply.is_error
    assert "`confirm`" in reply.text
    assert (await rows_about(db, await user_id(db, "alice")))["enrollments"] == 1


async def test_forget_me_only_forgets_me_in_this_workspace(person, db):
    await person("alice", workspace="W2")("/path app")
    await person("alice", workspace="W1")("/forget-me confirm")
    assert await user_row(db, "alice", workspace="W2") is not None
