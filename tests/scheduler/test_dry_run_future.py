"""The dry run weeks and months ahead: it lists what a bot ticking from now on sends at T.

"Now" is the core's FixedClock (Monday 1 March 2027, 12:00 UTC), where everyone is set up;
the dry run is then asked about instants after the US (14 March) and EU (28 March,
31 October) DST changes, in a half-hour zone, around pauses, skips, quiet hours, a snooze and
a channel's schedule. The strongest check runs the real ``run_once`` every tick up to T and
compares what it sent with what the dry run said, tick by tick.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core import Core
from bot.db.models import Base
from bot.main.cli import main
from bot.main.dryrun import prompt_dict
from scheduler.service import Prompt, PromptService
from tests.conftest import START, flat
from tests.scheduler.helpers import edit_pref, enrol, utc

INTERVAL = timedelta(seconds=30)  # the default SCHEDULER_INTERVAL_SECONDS


async def ahead(
    service: PromptService, at: datetime, interval: timedelta = INTERVAL
) -> list[Prompt]:
    now = service.core.clock.now()
    return await service.forecast(at, now=now, interval=interval, all_platforms=True)


async def names(service: PromptService, at: datetime, interval: timedelta = INTERVAL) -> set[str]:
    """``kind:name`` of each prompt the dry run lists at ``at``."""
    return {f"{p.kind}:{prompt_dict(p)['target']}" for p in await ahead(service, at, interval)}


async def cast(core: Core, person: Any) -> None:
    """Everyone the tests ask about, set up at START through the commands people use."""
    await enrol(person, "ny", tz="America/New_York")  # Monday 09:00
    await enrol(person, "gap", tz="America/New_York", when="day:sun time:02:30")
    await enrol(person, "berlin", tz="Europe/Berlin")
    await enrol(person, "kolkata", tz="Asia/Kolkata", when="day:wed time:09:00")
    napper = await enrol(person, "napper")  # Monday 09:00 UTC
    assert not (await napper("/reminders pause until:2027-03-20")).is_error
    skipper = await enrol(person, "skipper", when="day:fri time:18:00")
    assert not (await skipper("/reminders skip")).is_error  # this week's (Friday 5 March)
    await enrol(person, "owl", when="day:sun time:23:00 quiet:22:00-07:00")
    sleepy = await enrol(person, "sleepy", when="day:thu time:09:00")
    assert not (await sleepy("/reminders snooze")).is_error  # Tuesday 2 March 12:00
    boss = await enrol(person, "boss", channel="study", admin=True, when="day:sat time:10:00")
    reply = await boss("/admin schedule day:wed time:19:30 tz:Europe/Berlin")
    assert not reply.is_error, reply.text


async def test_weeks_ahead_across_the_us_dst_change(core, person, service):
    await cast(core, person)
    # Monday 09:00 New York: 14:00 UTC before 14 March (EST), 13:00 UTC after (EDT).
    assert "reminder:ny" in await names(service, utc(2027, 3, 8, 14, 0))
    assert "reminder:ny" not in await names(service, utc(2027, 3, 15, 14, 0))
    (ny,) = [p for p in await ahead(service, utc(2027, 3, 15, 13, 0)) if p.kind == "reminder"]
    assert (ny.local_time.hour, ny.timezone, ny.period) == (9, "America/New_York", "2027-W11")
    assert "Your weekly study reminder" in flat(ny.reply)
    # Two months on, and across the November fall-back (7 November): 14:00 UTC again.
    assert "reminder:ny" in await names(service, utc(2027, 5, 10, 13, 0))
    assert "reminder:ny" in await names(service, utc(2027, 11, 8, 14, 0))
    assert "reminder:ny" not in await names(service, utc(2027, 11, 8, 13, 0))
    # Sunday 02:30 does not exist on 14 March: it goes out at 03:30 EDT (07:30 UTC), once.
    assert "reminder:gap" in await names(service, utc(2027, 3, 7, 7, 30))
    assert "reminder:gap" in await names(service, utc(2027, 3, 14, 7, 30))
    assert "reminder:gap" not in await names(service, utc(2027, 3, 14, 6, 30))
    assert "reminder:gap" in await names(service, utc(2027, 3, 21, 6, 30))


async def test_months_ahead_across_both_eu_dst_changes(core, person, service):
    await cast(core, person)
    # Monday 09:00 Berlin: 08:00 UTC in winter, 07:00 UTC from 29 March to 25 October.
    assert "reminder:berlin" in await names(service, utc(2027, 3, 22, 8, 0))
    assert "reminder:berlin" in await names(service, utc(2027, 3, 29, 7, 0))
    assert "reminder:berlin" not in await names(service, utc(2027, 3, 29, 8, 0))
    assert "reminder:berlin" in await names(service, utc(2027, 10, 25, 7, 0))
    assert "reminder:berlin" in await names(service, utc(2027, 11, 1, 8, 0))
    assert "reminder:berlin" not in await names(service, utc(2027, 11, 1, 7, 0))
    (mine,) = [p for p in await ahead(service, utc(2027, 11, 1, 8, 0)) if p.kind == "reminder"]
    assert mine.local_time.isoformat() == "2027-11-01T09:00:00+01:00"
    assert mine.period == "2027-W44"


async def test_a_half_hour_zone_and_the_tick_interval(core, person, service):
    await cast(core, person)
    wednesday = utc(2027, 4, 7, 3, 30)  # 09:00 in Kolkata (+05:30)
    assert await names(service, wednesday) == {"reminder:kolkata"}
    # Listed by the one tick whose interval holds the slot, and by no other.
    assert await names(service, wednesday + timedelta(seconds=29)) == {"reminder:kolkata"}
    assert await names(service, wednesday + INTERVAL) == set()
    assert await names(service, wednesday - timedelta(seconds=1)) == set()
    hourly = timedelta(hours=1)
    assert "reminder:kolkata" in await names(service, utc(2027, 4, 7, 4, 0), hourly)
    assert "reminder:kolkata" not in await names(service, utc(2027, 4, 7, 3, 0), hourly)


async def test_paused_until_a_date_nothing_before_listed_after(core, person, service):
    await cast(core, person)
    assert "reminder:napper" not in await names(service, utc(2027, 3, 8, 9, 0))
    assert "reminder:napper" not in await names(service, utc(2027, 3, 15, 9, 0))
    assert "reminder:napper" in await names(service, utc(2027, 3, 22, 9, 0))
    # A pause set behind the stored slot (the bot holds 8 March): the tick at each slot
    # before the date moves it past the pause, as the dry run says.
    await edit_pref(core, "napper", next_due_at=utc(2027, 3, 8, 9, 0))
    assert "reminder:napper" not in await names(service, utc(2027, 3, 15, 9, 0))
    assert "reminder:napper" in await names(service, utc(2027, 3, 22, 9, 0))
    await edit_pref(core, "napper", paused_until=date(2027, 3, 15))  # resumes on a slot day
    assert "reminder:napper" in await names(service, utc(2027, 3, 15, 9, 0))


async def test_a_skipped_week_then_the_next(core, person, service):
    await cast(core, person)
    assert "reminder:skipper" not in await names(service, utc(2027, 3, 5, 18, 0))
    assert "reminder:skipper" in await names(service, utc(2027, 3, 12, 18, 0))
    # Even were the stored slot still this week's, the skip record keeps it quiet.
    await edit_pref(core, "skipper", next_due_at=utc(2027, 3, 5, 18, 0))
    assert "reminder:skipper" not in await names(service, utc(2027, 3, 5, 18, 0))


async def test_quiet_hours_move_it_to_their_end(core, person, service):
    await cast(core, person)
    sunday = utc(2027, 3, 14, 23, 0)
    assert "reminder:owl" not in await names(service, sunday)
    listed = [p for p in await ahead(service, utc(2027, 3, 15, 7, 0)) if p.kind == "reminder"]
    owl = next(p for p in listed if prompt_dict(p)["target"] == "owl")
    assert owl.due_at == sunday and owl.period == "2027-W10"  # the slot, sent at 07:00
    assert "reminder:owl" not in await names(service, utc(2027, 3, 15, 7, 1))


async def test_a_snooze_and_a_weekly_one_that_replaces_it(core, person, service):
    await cast(core, person)
    snoozed = START + timedelta(days=1)
    assert await names(service, snoozed) == {"snooze:sleepy"}
    assert await names(service, snoozed - timedelta(minutes=1)) == set()
    assert "reminder:sleepy" in await names(service, utc(2027, 3, 4, 9, 0))
    # A weekly reminder due at the very tick of the snooze goes out instead of it.
    await edit_pref(core, "sleepy", weekday=1, local_time="12:00", next_due_at=snoozed)
    assert await names(service, snoozed) == {"reminder:sleepy"}


async def test_the_channel_prompt_in_the_channel_zone(core, person, service):
    await cast(core, person)
    # Wednesday 19:30 Berlin: 18:30 UTC before the EU change, 17:30 UTC after.
    assert "channel:study" in await names(service, utc(2027, 3, 24, 18, 30))
    assert "channel:study" in await names(service, utc(2027, 3, 31, 17, 30))
    assert "channel:study" not in await names(service, utc(2027, 3, 31, 18, 30))
    assert "channel:study" in await names(service, utc(2027, 6, 16, 17, 30))


async def test_now_is_what_run_once_now_sends(core, person, service, clock):
    """Asked about now, it includes what is due and unsent now (the first tick's catch-up)."""
    await enrol(person, "late")
    clock.set(utc(2027, 3, 8, 11, 0))  # two hours after the slot, within the grace
    assert await names(service, clock.now()) == {"reminder:late"}
    assert await service.due(clock.now()) == await ahead(service, clock.now())
    assert await names(service, clock.now() + timedelta(minutes=5)) == set()
    assert "reminder:late" in await names(service, utc(2027, 3, 15, 9, 0))


async def test_the_dry_run_equals_a_bot_running_up_to_t(core, person, make_service, notifier):
    """Every two hours for a month, across both spring DST changes: the dry run asked at
    START about each tick lists exactly what the real tick then sends, rendered the same."""
    await cast(core, person)
    # Pauses set behind the stored slot, one ending inside the quiet hours a slot fell in.
    await enrol(person, "dozer")
    await edit_pref(core, "dozer", paused_until=date(2027, 3, 17))
    await enrol(person, "nightowl", when="day:sun time:23:00 quiet:22:00-07:00")
    await edit_pref(core, "nightowl", paused_until=date(2027, 3, 15))
    every = timedelta(hours=2)
    service = make_service(concurrency=2)
    ticks = []
    at = START
    while at <= utc(2027, 4, 1):
        ticks.append(at)
        at += every
    planned = {
        t: sorted((p.key, flat(p.reply)) for p in await ahead(service, t, every)) for t in ticks
    }
    for t in ticks:
        core.clock.set(t)
        before = len(notifier.sent)
        await service.run_once(t)
        sent = sorted((s.key, flat(s.reply)) for s in notifier.sent[before:])
        assert sent == planned[t], t.isoformat()
    kinds = {key.split(":")[2] for v in planned.values() for key, _ in v}
    assert kinds == {"reminder", "snooze", "channel"}
    assert sum(len(v) for v in planned.values()) == len(notifier.sent) >= 40


async def test_study_buddies_and_the_weeks_thread_as_the_tick_sends_them(
    core, person, make_service, notifier
):
    """Weeks ahead, the channel's moment lists its prompt with the week's thread and the
    study buddies' introductions (who with whom); nothing is paired or stored by asking, and
    the real tick at that moment sends the same groups, thread and texts."""
    for name in ("ann", "bob", "cy", "dee"):
        member = await enrol(person, name, channel="study", when=None)
        assert not (await member("/buddy on")).is_error
    service = make_service()
    monday = utc(2027, 3, 15, 9, 0)  # the channel's default moment, two weeks on
    before = await table_rows(core)
    planned = await ahead(service, monday)
    assert await table_rows(core) == before  # no groups, no claims
    intros = sorted(frozenset(prompt_dict(p)["members"]) for p in planned if p.kind == "buddies")
    assert len(intros) == 2 and set().union(*intros) == {"ann", "bob", "cy", "dee"}
    (prompt,) = [p for p in planned if p.kind == "channel"]
    assert prompt.thread is not None and prompt_dict(prompt)["thread"]["name"] == prompt.thread.name
    assert await ahead(service, monday + timedelta(minutes=5)) == []  # one tick's window

    for at in (utc(2027, 3, 8, 9, 0), monday):  # the bot runs: week 10, then week 11
        core.clock.set(at)
        notifier.sent.clear()
        notifier.threads.clear()
        if at == monday:
            planned = await ahead(service, monday)  # asked just before that tick
        await service.run_once(at)
    sent = sorted(frozenset(s.members) for s in notifier.sent if s.members)
    assert sent == sorted(frozenset(prompt_dict(p)["members"]) for p in planned if p.members)
    assert sorted(flat(s.reply) for s in notifier.sent) == sorted(flat(p.reply) for p in planned)
    (thread,) = notifier.threads
    (prompt,) = [p for p in planned if p.kind == "channel"]
    assert prompt.thread is not None
    assert (thread.thread, flat(thread.reply)) == (prompt.thread.name, flat(prompt.thread.reply))


async def table_rows(core: Core) -> dict[str, list[tuple[Any, ...]]]:
    async with core.db.reading() as s:
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            result = await s.execute(select(table).order_by(*table.columns))
            rows[table.name] = [tuple(r) for r in result]
        return rows


async def test_the_dry_run_writes_nothing(core, person, service):
    await cast(core, person)
    await enrol(person, "default", when=None)  # no reminder row: the tick would create it
    before = await table_rows(core)
    assert before["reminder_prefs"] and before["deliveries"]  # the skip is a record
    for at in (START, utc(2027, 3, 2, 12, 0), utc(2027, 3, 15, 7, 0), utc(2027, 3, 31, 17, 30)):
        await ahead(service, at)
    assert "reminder:default" in await names(service, utc(2027, 3, 29, 9, 0))
    assert await table_rows(core) == before


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_cli_ahead_in_text_and_json(
    backend, core, person, db, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    await cast(core, person)
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(False))
    for key in (
        "DISCORD_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SCHEDULER_INTERVAL_SECONDS",
    ):
        monkeypatch.delenv(key, raising=False)
    capsys.readouterr()
    at = "2027-03-29T09:00+02:00"  # Monday 09:00 in Berlin, the day after the change
    assert await asyncio.to_thread(main, ["reminders", "due", "--at", at, "--json"]) == 0
    # Owl's Sunday 23:00 UTC waited for her quiet hours to end, at 07:00 UTC too.
    owl, out = json.loads(capsys.readouterr().out)  # in due order
    assert (owl["target"], owl["due_at"]) == ("owl", "2027-03-28T23:00:00+00:00")
    assert (out["kind"], out["target"], out["timezone"]) == ("reminder", "berlin", "Europe/Berlin")
    assert out["due_at"] == "2027-03-29T07:00:00+00:00" and out["period"] == "2027-W13"
    assert "Your weekly study reminder" in out["text"]

    assert await asyncio.to_thread(main, ["reminders", "due", "--at", at]) == 0
    text = capsys.readouterr().out
    assert text.startswith("2 prompt(s) due at 2027-03-29T07:00:00+00:00")
    assert "reminder to test:W1:berlin (user:" in text
    assert "due Mon 2027-03-29 09:00 Europe/Berlin, period 2027-W13" in text

    monkeypatch.setenv("SCHEDULER_INTERVAL_SECONDS", "3600")  # the window is one tick's
    at = "2027-03-29T07:30Z"
    assert await asyncio.to_thread(main, ["reminders", "due", "--at", at, "--json"]) == 0
    assert [p["target"] for p in json.loads(capsys.readouterr().out)] == ["owl", "berlin"]
    assert await asyncio.to_thread(main, ["reminders", "due", "--at", "2027-03-29T06:59Z"]) == 0
    assert capsys.readouterr().out.startswith("nothing due at 2027-03-29T06:59:00+00:00")

    # The channel's Wednesday 19:30 Berlin prompt, with the week's thread it opens.
    at = "2027-03-31T19:30+02:00"
    assert await asyncio.to_thread(main, ["reminders", "due", "--at", at, "--json"]) == 0
    (study,) = [p for p in json.loads(capsys.readouterr().out) if p["kind"] == "channel"]
    assert study["thread"]["name"] and study["members"] == []
    assert await asyncio.to_thread(main, ["reminders", "due", "--at", at]) == 0
    assert f"then opens the thread “{study['thread']['name']}”:" in capsys.readouterr().out
