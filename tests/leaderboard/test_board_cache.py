"""Boards of big groups are kept between calls and brought up to date with whoever changed
since: every call shows chapters, paths, privacy, the period and a reset as they are now.
On SQLite and PostgreSQL.

The threshold is lowered to one member so the seeded group of five counts as big."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bot.db.models import User
from bot.services.board_cache import BoardCache
from bot.types import Actor
from tests.conftest import flat
from tests.leaderboard.helpers import at, board_names, channel_row, seed_group, utc


@pytest.fixture
def kept(core, curriculum) -> BoardCache:
    core.boards = BoardCache(curriculum, min_members=1)
    return core.boards


async def test_a_kept_board_re_reads_whoever_changed_since(core, clock, person, kept):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert board_names(await p["boss"]("/leaderboard week")) == ["carol", "bob", "dave", "alice"]
    # dave overtakes carol; the kept board re-reads dave and shows it at once.
    await at(clock, utc(2027, 3, 5, 13), p["dave"], "/done 2.1")
    clock.set(utc(2027, 3, 5, 14))
    assert board_names(await p["boss"]("/leaderboard week")) == ["dave", "carol", "bob", "alice"]
    # /undo and a path switch move people too.
    await at(clock, utc(2027, 3, 5, 15), p["dave"], "/undo 2.1")
    clock.set(utc(2027, 3, 5, 16))
    assert board_names(await p["boss"]("/leaderboard week")) == ["carol", "bob", "dave", "alice"]


async def test_calls_re_read_only_who_changed_not_the_whole_group(core, clock, person, kept):
    """A row changed behind the bot's back (no ``board_changed_at``) is not seen by a kept
    board — the proof that calls re-read only who changed — until the boards are dropped."""
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "carol"
    async with core.db.transaction() as s:
        await s.execute(
            text(
                "DELETE FROM chapter_progress WHERE user_id = "
                "(SELECT id FROM users WHERE external_id = 'carol')"
            )
        )
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "carol"
    assert kept.computed == 1
    kept.forget((await channel_row(core)).id)
    assert board_names(await p["boss"]("/leaderboard week")) == ["bob", "dave", "alice"]
    assert kept.computed == 2


async def test_progress_and_the_board_count_a_done_at_once(core, clock, person, kept):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert board_names(await p["boss"]("/leaderboard week")) == ["carol", "bob", "dave", "alice"]
    # alice (last) reaches 11 days this week; her own /progress rank counts it at once.
    await at(clock, utc(2027, 3, 5, 13), p["alice"], "/done 1.2")
    await at(clock, utc(2027, 3, 5, 13), p["alice"], "/done 1.3")
    await at(clock, utc(2027, 3, 5, 13), p["alice"], "/done 2.1")
    progress = flat(await p["alice"]("/progress"))
    assert "this week #1 of 4" in progress, progress
    # A member who asks for the board sees their own line and alice's moved.
    await p["boss"]("/path app")
    await at(clock, utc(2027, 3, 5, 14), p["boss"], "/done 4.1")
    await at(clock, utc(2027, 3, 5, 14), p["boss"], "/done 4.2")
    names = board_names(await p["boss"]("/leaderboard week"))
    assert names == ["boss", "alice", "carol", "bob", "dave"], names


async def test_someone_who_turns_hidden_leaves_a_kept_board_at_once(core, clock, person, kept):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "carol"
    await p["carol"]("/privacy hidden")
    await p["bob"]("/privacy anonymous")
    week = await p["boss"]("/leaderboard week")
    assert board_names(week) == ["anonymous #1", "dave", "alice"]
    assert "carol" not in flat(week)


async def test_a_person_who_deleted_their_data_leaves_a_kept_board_at_once(
    core, clock, person, kept
):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert "carol" in board_names(await p["boss"]("/leaderboard all"))
    assert not (await p["carol"]("/forget-me confirm")).is_error
    async with core.db.transaction() as s:
        assert (await s.execute(select(User).where(User.external_id == "carol"))).first() is None
    assert "carol" not in board_names(await p["boss"]("/leaderboard all"))
    assert "all time #1 of 3" in flat(await p["bob"]("/progress"))  # she left the count too


async def test_a_kept_board_is_not_served_for_a_new_week(core, clock, person, kept):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 7, 23))  # Sunday of W09
    assert board_names(await p["boss"]("/leaderboard week")) == ["carol", "bob", "dave", "alice"]
    clock.set(utc(2027, 3, 11, 12))  # W10: the kept W09 boards do not match
    week = await p["boss"]("/leaderboard week")
    assert "2027-W10" in (week.title or "")
    assert board_names(week) == ["alice"]
    # The new week's first computation also froze W09's winners.
    history = flat(await p["boss"]("/leaderboard history"))
    assert "2027-W09" in history and "carol" in history


async def test_a_reset_is_seen_at_once_on_a_kept_board(core, clock, person, kept):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 11, 12))
    assert board_names(await p["boss"]("/leaderboard all"))
    assert not (await p["boss"]("/admin reset confirm")).is_error
    clock.set(utc(2027, 3, 11, 13))
    assert board_names(await p["boss"]("/leaderboard all")) == []


async def test_small_groups_are_ranked_afresh_every_time(core, clock, person, curriculum):
    core.boards = BoardCache(curriculum, min_members=6)  # five members
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "carol"
    await at(clock, utc(2027, 3, 5, 13), p["dave"], "/done 2.1")
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "dave"


async def test_a_new_display_name_shows_at_once_on_a_kept_board(core, clock, person, kept):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 5, 12))
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "carol"
    renamed = Actor("test", "W1", "carol", display_name="Carol R.")
    assert not (await core.handle_text(renamed, p["carol"].place, "/next")).is_error
    assert board_names(await p["boss"]("/leaderboard week"))[0] == "Carol R."


async def test_a_new_weeks_winners_are_ranked_outside_the_writers_turn(
    core, clock, person, kept, monkeypatch
):
    """The first /leaderboard of a week must save last week's winners. It ranks them once, in
    the unit of work that only reads; the redo as a writer just saves what was ranked."""
    from bot.services import leaderboard as lb

    plans: list[bool] = []
    real = lb.plan_snapshots

    async def recorded(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        plans.append(bool(session.info.get("reading")))
        return await real(session, *args, **kwargs)

    monkeypatch.setattr(lb, "plan_snapshots", recorded)
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 7, 23))  # Sunday of W09: nothing has closed since the group began
    assert board_names(await p["boss"]("/leaderboard week"))
    plans.clear()
    clock.set(utc(2027, 3, 11, 12))  # W10: W09 has closed
    assert board_names(await p["boss"]("/leaderboard week")) == ["alice"]
    assert plans == [core.db.concurrent_reads]  # ranked once, beside the writer
    history = flat(await p["boss"]("/leaderboard history"))
    assert "2027-W09" in history and "carol" in history


def test_kept_boards_are_bounded_by_members_in_all(curriculum):
    """Every group is kept now, small ones too; the least recently used go first once the
    kept members pass the bound, and a group bigger than the bound is never kept."""
    from bot.services.board_cache import GroupBoards

    cache = BoardCache(curriculum, max_members=10)

    def boards(channel_id: int, members: int) -> GroupBoards:
        ids = frozenset(range(channel_id * 100, channel_id * 100 + members))
        return GroupBoards(channel_id, None, None, ids, utc(2027, 3, 1), {})

    for channel_id in (1, 2, 3):
        cache._keep(boards(channel_id, 4))
    assert list(cache._kept) == [2, 3]  # 12 members > 10: group 1 dropped
    cache._keep(boards(2, 5))  # a group growing replaces its own boards
    assert list(cache._kept) == [3, 2] and cache._members == 9
    cache._keep(boards(4, 11))
    assert 4 not in cache._kept and cache._members == 9
    cache.forget(3)
    assert cache._members == 5
