"""Ranking order, ties, periods, snapshots, history, privacy, refusal and reset, end to end
through the core on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import LeaderboardSnapshot
from bot.services import leaderboard as lb
from tests.conftest import flat
from tests.leaderboard.helpers import at, board_names, channel_row, seed_group, utc


async def test_week_month_and_all_time_order_with_ties(core, clock, person):
    p = await seed_group(clock, person)
    boss = p["boss"]

    clock.set(utc(2027, 3, 5, 12))  # still week W09
    week = await boss("/leaderboard week")
    assert not week.is_error, week.text
    # bob and dave both have 3 days; bob got there first (Wed vs Thu).
    assert board_names(week) == ["carol", "bob", "dave", "alice"]
    assert "2027-W09" in (week.title or "")
    assert "5 study days" in week.text.splitlines()[0]
    assert week.attachments and week.attachments[0].mime == "image/png"
    assert not week.ephemeral

    clock.set(utc(2027, 3, 11, 12))  # week W10
    week = await boss("/leaderboard")  # week is the default
    assert board_names(week) == ["alice"]
    assert "4.7 study days · 1 step ·" in week.text

    month = await boss("/leaderboard month")
    assert board_names(month) == ["alice", "carol", "bob", "dave"]
    assert "2027-03" in (month.title or "")
    everything = await boss("/leaderboard all")
    assert board_names(everything) == ["alice", "carol", "bob", "dave"]
    assert "7 study days" in everything.text.splitlines()[0]


async def test_tie_on_days_goes_to_whoever_reached_it_first(core, clock, person):
    p = await seed_group(clock, person)
    # bob adds 4.2 (7 days, app) on Fri 16:00, dave adds 2.1 (7 days, research) Fri 15:00:
    # both reach 10 days; dave's last counted chapter came first, so dave now leads bob.
    await at(clock, utc(2027, 3, 5, 16), p["bob"], "/done 4.2")
    await at(clock, utc(2027, 3, 5, 15), p["dave"], "/done 2.1")
    clock.set(utc(2027, 3, 6, 12))
    week = await p["boss"]("/leaderboard week")
    assert board_names(week) == ["dave", "bob", "carol", "alice"]


async def test_a_chapter_off_path_is_worth_its_share_on_the_first_path_with_it(curriculum):
    assert lb.chapter_share(curriculum, "5.1", "mlops") == 5  # on the person's own path
    assert lb.chapter_share(curriculum, "5.1", "app") == 3
    assert lb.chapter_share(curriculum, "2.1", "app") == 7  # not on app: research has it
    assert lb.chapter_share(curriculum, "1.1", None) == pytest.approx(7 / 3)


async def test_finished_periods_are_snapshotted_lazily_and_listed_in_history(
    core, clock, person, db
):
    p = await seed_group(clock, person)
    boss = p["boss"]
    clock.set(utc(2027, 4, 2, 12))  # W09, W10 and March are all over
    history = await boss("/leaderboard history")
    text = flat(history)
    assert "2027-W09**: 1. carol (5), 2. bob (3), 3. dave (3)" in text
    assert "2027-W10**: 1. alice (4.7)" in text
    assert "2027-03**: 1. alice (7), 2. carol (5), 3. bob (3)" in text
    async with db.transaction() as s:
        rows = (await s.execute(select(LeaderboardSnapshot))).scalars().all()
    assert len(rows) == 3 + 1 + 3
    # The explicit entry point for a scheduler finds nothing left to do, and is idempotent.
    channel = await channel_row(core)
    async with db.transaction() as s:
        assert await lb.snapshot_closed_periods(s, core.curriculum, channel, clock.now()) == []
    # The month board of April is empty; March's completions no longer count there.
    april = await boss("/leaderboard month")
    assert "No chapters finished in this period yet" in april.text


async def test_snapshot_is_frozen_even_if_progress_changes_later(core, clock, person):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 15, 12))
    await p["boss"]("/leaderboard")  # takes the snapshots of W09, W10
    await at(clock, utc(2027, 3, 15, 13), p["carol"], "/undo 5.1")
    history = await p["boss"]("/leaderboard history")
    assert "2027-W09**: 1. carol (5)" in flat(history)


async def test_privacy_anonymous_and_hidden(core, clock, person):
    p = await seed_group(clock, person)
    await p["carol"]("/privacy anonymous")
    await p["bob"]("/privacy anonymous")
    await p["dave"]("/privacy hidden")
    clock.set(utc(2027, 3, 5, 12))
    week = await p["boss"]("/leaderboard week")
    assert board_names(week) == ["anonymous #1", "anonymous #2", "alice"]
    assert "carol" not in flat(week) and "bob" not in flat(week) and "dave" not in flat(week)
    # History keeps the labels as shown; a deleted member's row loses the name too.
    clock.set(utc(2027, 3, 9, 12))
    history = flat(await p["boss"]("/leaderboard history"))
    assert "1. anonymous #1 (5), 2. anonymous #2 (3), 3. alice (2.3)" in history
    assert "dave" not in history


async def test_forget_me_removes_the_name_from_history(core, clock, person, db):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 9, 12))
    await p["boss"]("/leaderboard")
    channel = await channel_row(core)
    async with db.transaction() as s:
        uid = (
            await s.execute(
                select(LeaderboardSnapshot.user_id).where(LeaderboardSnapshot.label == "carol")
            )
        ).scalar_one()
        assert uid is not None
        await lb.forget_user(s, uid)
    assert (await p["carol"]("/forget-me confirm")).kind == "success"
    history = flat(await p["boss"]("/leaderboard history"))
    assert "carol" not in history and "1. (former member) (5)" in history
    assert channel.id


async def test_non_admins_are_refused_politely_and_pointed_to_progress(core, clock, person):
    p = await seed_group(clock, person)
    for line in ("/leaderboard", "/leaderboard history", "/leaderboard web"):
        reply = await p["alice"](line)
        assert reply.is_error and reply.ephemeral
        assert "`/progress`" in reply.text and "Sorry" in reply.text
    reply = await p["alice"]("/admin cohort")
    assert reply.is_error and "`/admin` is for admins" in reply.text
    zh = person("zhou", locale="zh")
    reply = await zh("/leaderboard")
    assert reply.is_error and "`/progress`" in reply.text and "管理员" in reply.text


async def test_dm_is_refused_with_a_hint(core, person):
    boss = person("boss", admin=True, channel=None)
    reply = await boss("/leaderboard")
    assert reply.is_error and "study group's channel" in reply.text


async def test_reset_counts_only_later_completions_and_keeps_history(core, clock, person, db):
    p = await seed_group(clock, person)
    boss = p["boss"]
    clock.set(utc(2027, 3, 11, 12))
    ask = await boss("/admin reset")
    assert not ask.is_error
    assert [(b.command, b.args, b.style) for b in ask.buttons] == [
        ("admin", "reset confirm", "danger")
    ]
    done = await boss("/admin reset confirm")
    assert done.kind == "success"
    assert "No chapters finished" in (await boss("/leaderboard week")).text
    assert "No chapters finished" in (await boss("/leaderboard all")).text
    # History of finished weeks survives (W09 was snapshotted by the reset itself).
    assert "2027-W09**: 1. carol (5)" in flat(await boss("/leaderboard history"))
    # Progress is untouched.
    progress = flat(await p["alice"]("/progress"))
    assert "Steps: 1/9" in progress
    # New completions count.
    await at(clock, utc(2027, 3, 11, 13), p["bob"], "/done 4.2")
    clock.set(utc(2027, 3, 11, 14))
    week = await boss("/leaderboard week")
    assert board_names(week) == ["bob"] and "7 study days" in week.text
    assert "since the reset" in (week.footer or "")
    # W10 closes after the reset: its snapshot only has bob's post-reset chapter.
    clock.set(utc(2027, 3, 16, 12))
    history = flat(await boss("/leaderboard history"))
    assert "2027-W10**: 1. bob (7)" in history


async def test_week_follows_the_channel_timezone(core, clock, person, db):
    p = await seed_group(clock, person)
    boss = p["boss"]
    await boss("/admin schedule tz:Asia/Tokyo")
    # Sunday 7 March 20:00 UTC is Monday 8 March 05:00 in Tokyo: week W10 there.
    await at(clock, utc(2027, 3, 7, 20), p["bob"], "/done 4.2")
    clock.set(utc(2027, 3, 7, 21))
    week = await boss("/leaderboard week")
    assert "2027-W10" in (week.title or "")
    assert board_names(week) == ["bob"]
    channel = await channel_row(core)
    period = lb.period_of("week", clock.now(), channel.timezone)
    assert period.start == utc(2027, 3, 7, 15)  # Monday 00:00 in Tokyo
    assert period.end is not None and period.end - period.start == timedelta(days=7)


async def test_periods_keys_and_bounds():
    p = lb.period_of("month", utc(2027, 12, 31, 23), "UTC")
    assert (p.key, p.start, p.end) == ("2027-12", utc(2027, 12, 1), utc(2028, 1, 1))
    w = lb.period_of("week", utc(2027, 1, 1, 12), None)
    assert w.key == "2026-W53"
    assert lb.previous_period(w, None).key == "2026-W52"
    assert lb.period_of("all", utc(2027, 1, 1), None).contains(utc(1999, 1, 1))


async def test_concurrent_boards_snapshot_once(core, clock, person, db):
    import asyncio

    p = await seed_group(clock, person)
    clock.set(utc(2027, 4, 2, 12))
    replies = await asyncio.gather(*(p["boss"]("/leaderboard") for _ in range(4)))
    assert not any(r.is_error for r in replies), [r.text for r in replies]
    async with db.transaction() as s:
        rows = (await s.execute(select(LeaderboardSnapshot))).scalars().all()
    assert len(rows) == 7


async def test_board_in_chinese(core, clock, person):
    p = await seed_group(clock, person)
    await p["bob"]("/privacy anonymous")
    boss = person("boss", admin=True, locale="zh")
    clock.set(utc(2027, 3, 5, 12))
    week = await boss("/leaderboard week")
    assert week.title == "排行榜 #study · 2027-W09 周"
    assert board_names(week) == ["carol", "匿名 #1", "dave", "alice"]
    assert "5 学习日 · 1 步" in week.text
    clock.set(utc(2027, 3, 9, 12))
    history = flat(await boss("/leaderboard history"))
    assert "每周" in history and "2. 匿名 #1 (3)" in history
