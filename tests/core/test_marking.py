"""``/done``, ``/undo``, ``/skip``, ``/start``: chapter states, idempotent where it matters."""

from __future__ import annotations

import pytest

from tests.conftest import START, flat
from tests.core.support import (
    SQLITE_ONLY,
    fast_db,  # noqa: F401  (the ``db`` fixture)
    progress_rows,
    states,
    user_id,
)


async def test_done_marks_the_current_step_and_names_the_next(person, db):
    alice = person("alice")
    await alice("/path mlops")
    reply = await alice("/done")
    assert reply.kind == "success"
    assert "Step 1 done: 1.1, 1.2, 1.3. 7/62 study days." in reply.text
    assert "Up next: Step 2: 5.1" in flat(reply)
    assert (reply.buttons[0].command, reply.buttons[0].args) == ("done", "step:2")
    rows = await progress_rows(db, await user_id(db, "alice"))
    assert {c: (r.state, r.completed_at) for c, r in rows.items()} == {
        c: ("done", START) for c in ("1.1", "1.2", "1.3")
    }


async def test_done_one_chapter_by_id(person, db):
    alice = person("alice")
    await alice("/path app")
    reply = await alice("/done 4.2")
    assert reply.kind == "success"
    assert "Marked 4.2 How Retrieval-Augmented Generation (RAG) Works as done." in reply.text
    assert "Not part of your path" not in reply.text
    assert await states(db, await user_id(db, "alice")) == {"4.2": "done"}


@SQLITE_ONLY  # parsing only
@pytest.mark.parametrize(
    "typed", ["4-2", "4。2", "p4.c2", '"part 4 chapter 2"', "“Part 4.2”", "RAG", "rag", "检索增强"]
)
async def test_done_accepts_other_spellings_of_a_chapter(person, db, typed):
    alice = person("alice")
    await alice("/path app")
    reply = await alice(f"/done {typed}")
    assert reply.kind == "success", reply.text
    assert await states(db, await user_id(db, "alice")) == {"4.2": "done"}


@SQLITE_ONLY  # parsing only
async def test_done_accepts_the_compact_p4c2_spelling(person, db):
    alice = person("alice")
    reply = await alice("/done p4c2")
    assert reply.kind == "success", reply.text
    assert await states(db, await user_id(db, "alice")) == {"4.2": "done"}


async def test_done_a_chapter_outside_my_path_says_so_and_counts(person, db):
    alice = person("alice")
    await alice("/path app")
    reply = await alice("/done 2.1")
    assert "(Not part of your path, but it counts toward your skill tree.)" in reply.text
    assert await states(db, await user_id(db, "alice")) == {"2.1": "done"}


async def test_done_a_chapter_without_a_path_works(person, db):
    alice = person("alice")
    reply = await alice("/done 4.2")
    assert reply.kind == "success"
    assert reply.progress is None
    assert await states(db, await user_id(db, "alice")) == {"4.2": "done"}


async def test_done_twice_is_idempotent(person, db, clock):
    alice = person("alice")
    await alice("/path app")
    await alice("/done 4.2")
    uid = await user_id(db, "alice")
    before = (await progress_rows(db, uid))["4.2"]
    clock.advance(days=2)
    again = await alice("/done 4.2")
    assert not again.is_error
    assert again.kind == "info"
    assert "was already done; nothing changed" in again.text
    after = (await progress_rows(db, uid))["4.2"]
    assert after.completed_at == before.completed_at == START
    assert after.updated_at == before.updated_at


async def test_done_button_pressed_twice_marks_the_step_only_once(person, db, clock):
    alice = person("alice")
    await alice("/path mlops")
    first = await alice("/done step:1")
    assert first.kind == "success"
    clock.advance(hours=1)
    second = await alice("/done step:1")
    assert second.text == "Step 1 was already done; nothing changed."
    # The stale button did not mark step 2 instead.
    rows = await progress_rows(db, await user_id(db, "alice"))
    assert set(rows) == {"1.1", "1.2", "1.3"}
    assert {r.completed_at for r in rows.values()} == {START}


async def test_done_with_no_argument_twice_moves_on_and_keeps_first_completion(person, db, clock):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")
    clock.advance(days=1)
    reply = await alice("/done")
    assert "Step 2 done: 5.1" in reply.text
    rows = await progress_rows(db, await user_id(db, "alice"))
    assert rows["1.1"].completed_at == START
    assert rows["5.1"].completed_at == clock.now()


async def test_done_step_only_marks_the_chapters_still_to_do(person, db, clock):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/skip 1.2")
    await alice("/done 1.1")
    clock.advance(days=1)
    await alice("/done")
    rows = await progress_rows(db, await user_id(db, "alice"))
    assert rows["1.2"].state == "skipped"
    assert rows["1.1"].completed_at == START
    assert rows["1.3"].completed_at == clock.now()


async def test_done_a_step_beyond_the_path_is_a_friendly_error(person):
    alice = person("alice")
    await alice("/path app")
    reply = await alice("/done step:20")
    assert reply.is_error
    assert "There is no step 20: your path's steps are 1–9." in reply.text


async def test_done_without_a_path_or_chapter_asks_for_one(person):
    reply = await person("alice")("/done")
    assert reply.is_error
    assert "Pick a path first" in reply.text


async def test_done_when_every_step_is_done(person):
    alice = person("alice")
    await alice("/path app")
    for _ in range(9):
        await alice("/done")
    last = await alice("/done")
    assert last.text == "Every step is done. Congratulations!"


async def test_done_the_last_step_congratulates(person):
    alice = person("alice")
    await alice("/path app")
    for _ in range(8):
        await alice("/done")
    reply = await alice("/done")
    assert "That was the last step of the 👨💻 Application Developer Path." in reply.text


async def test_done_unknown_chapter_changes_nothing(person, db):
    alice = person("alice")
    await alice("/path app")
    reply = await alice("/done 9.9")
    assert reply.is_error
    assert "There is no chapter `9.9`." in reply.text
    assert await states(db, await user_id(db, "alice")) == {}


async def test_undo_sets_a_done_chapter_back_to_todo(person, db):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")
    reply = await alice("/undo 1.2")
    assert reply.kind == "success"
    assert "1.2 Talking to Models: Prompt Engineering Basics is back to to-do." in reply.text
    assert await states(db, await user_id(db, "alice")) == {"1.1": "done", "1.3": "done"}
    progress = flat(await alice("/progress"))
    assert "Steps: 0/10" in progress
    assert "Study days: 4.7/62" in progress  # 2 of step 1's 3 chapters (7 days)


async def test_undo_with_nothing_to_undo(person):
    alice = person("alice")
    reply = await alice("/undo 4.2")
    assert not reply.is_error
    assert "had no progress to undo" in reply.text


async def test_undo_needs_a_chapter(person):
    reply = await person("alice")("/undo")
    assert reply.is_error
    assert "`/undo` needs `chapter`." in reply.text
    assert "Usage: `/undo CHAPTER`" in reply.text


async def test_skip_unblocks_the_path_without_study_days(person, db):
    alice = person("alice")
    await alice("/path app")
    await alice("/done")
    reply = await alice("/skip 4.1")
    assert "Skipped 4.1" in reply.text
    assert "Up next: Step 3: 4.2" in flat(reply)
    again = await alice("/skip 4.1")
    assert again.text.endswith("was already skipped.")
    assert (await states(db, await user_id(db, "alice")))["4.1"] == "skipped"


async def test_start_marks_in_progress_and_twice_says_so(person, db):
    alice = person("alice")
    await alice("/path mlops")
    reply = await alice("/start 5.4")
    assert "5.4 Distributed Training with DeepSpeed is now in progress." in reply.text
    again = await alice("/start 5.4")
    assert again.text == "5.4 Distributed Training with DeepSpeed is already in progress."
    row = (await progress_rows(db, await user_id(db, "alice")))["5.4"]
    assert (row.state, row.completed_at) == ("in_progress", None)


async def test_start_on_a_done_chapter_keeps_it_done(person, db):
    alice = person("alice")
    await alice("/done 5.4")
    reply = await alice("/start 5.4")
    assert not reply.is_error
    assert "is already done. Use `/undo 5.4` to reopen it." in reply.text
    row = (await progress_rows(db, await user_id(db, "alice")))["5.4"]
    assert (row.state, row.completed_at) == ("done", START)


async def test_done_after_start_completes_it(person, db, clock):
    alice = person("alice")
    await alice("/start 5.4")
    clock.advance(days=3)
    await alice("/done 5.4")
    row = (await progress_rows(db, await user_id(db, "alice")))["5.4"]
    assert (row.state, row.completed_at) == ("done", clock.now())


@pytest.mark.parametrize("command", ["skip", "start", "undo"])
async def test_marking_commands_need_a_chapter(person, command):
    reply = await person("alice")(f"/{command}")
    assert reply.is_error
    assert f"Usage: `/{command} CHAPTER`" in reply.text


INVOKE_UNCHECKED = (
    "BUG: Core.invoke (Discord's entry) skips every check for values that arrive already typed:"
    " options.convert returns int/date/UserRef unchanged before looking at min_value/max_value"
    " or choices"
)


@pytest.mark.parametrize("step", [0, -2])
async def test_invoke_with_an_out_of_range_typed_step_marks_nothing(core, db, step):
    from bot.types import Actor, Place

    actor, place = Actor("test", "W1", "alice", display_name="alice"), Place("test", "W1", "s")
    await core.invoke(actor, place, "path", {"name": "mlops"})
    reply = await core.invoke(actor, place, "done", {"step": step})
    assert reply.is_error
    assert await states(db, await user_id(db, "alice")) == {}


async def test_invoke_with_an_impossible_typed_weekday_is_a_user_error(core):
    from bot.types import Actor, Place

    actor, place = Actor("test", "W1", "alice", display_name="alice"), Place("test", "W1", "s")
    reply = await core.invoke(actor, place, "reminders", {"day": 9})
    assert reply.is_error
    assert "something went wrong" not in reply.text
