"""``/plan``: the remaining steps as an iCalendar file whose dates are the pace model's, in
the person's own zone; re-planned by a skipped week or a new path; and the signed
subscription route, over real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core import Core
from bot.features import COMMANDS
from bot.main.app import build_http_app
from bot.pace import path_status
from tests.conftest import Person
from tests.together.conftest import BOARD, CALENDAR

# 17:00 UTC on Monday 1 March: already Tuesday 01:00 in Shanghai, still Monday 09:00 in LA.
NEAR_MIDNIGHT = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)


def events(reply_or_bytes) -> list[icalendar.Event]:
    data = reply_or_bytes if isinstance(reply_or_bytes, bytes) else ics(reply_or_bytes)
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "skilltree-bot" in str(cal["PRODID"])
    return list(cal.walk("VEVENT"))


def ics(reply) -> bytes:
    assert not reply.is_error, reply.text
    (att,) = [a for a in reply.attachments if a.filename == "plan.ics"]
    assert att.mime == "text/calendar"
    return att.data


def starts(evs) -> list[date]:
    return [e.decoded("DTSTART") for e in evs]


def subscription(reply) -> str:
    return next(line for line in reply.text.splitlines() if "/calendar/" in line).strip()


def expected_due_dates(curriculum, path_id: str, enrolled: datetime, tz: str) -> list[date]:
    status = path_status(curriculum.path_by_id[path_id], {}, enrolled, enrolled, tz)
    return [status.enrolled_on + timedelta(days=s.end_day) for s in status.steps]


async def test_due_dates_are_the_pace_models_in_each_persons_zone(person, clock, curriculum):
    clock.set(NEAR_MIDNIGHT)
    shanghai = person("mei", tz="Asia/Shanghai")
    la = person("sam", tz="America/Los_Angeles")
    for p in (shanghai, la):
        await p("/path mlops")
    sh_days = starts(events(await shanghai("/plan")))
    la_days = starts(events(await la("/plan")))
    assert sh_days == expected_due_dates(curriculum, "mlops", NEAR_MIDNIGHT, "Asia/Shanghai")
    assert la_days == expected_due_dates(curriculum, "mlops", NEAR_MIDNIGHT, "America/Los_Angeles")
    # Step 1 is 7 days from the local start day: Tuesday 2nd in Shanghai, Monday 1st in LA.
    assert (sh_days[0], la_days[0]) == (date(2027, 3, 9), date(2027, 3, 8))
    assert all(isinstance(d, date) and not isinstance(d, datetime) for d in sh_days)


async def test_events_are_all_day_with_stable_uids_titles_and_focus(person, curriculum):
    alice = person("alice")
    await alice("/path mlops")
    first = events(await alice("/plan"))
    step1 = first[0]
    assert step1.decoded("DTEND") - step1.decoded("DTSTART") == timedelta(days=1)
    assert "Getting to Know Large Language Models" in str(step1["SUMMARY"])
    assert "How LLMs work" in str(step1["DESCRIPTION"])
    again = events(await alice("/plan"))
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in first]
    assert len({str(e["UID"]) for e in first}) == len(first)


async def test_finished_steps_leave_the_calendar(person):
    alice = person("alice")
    await alice("/path mlops")
    total = len(events(await alice("/plan")))
    await alice("/done")
    left = events(await alice("/plan"))
    assert len(left) == total - 1
    assert "step1@" not in " ".join(str(e["UID"]) for e in left)


async def test_chapter_titles_follow_the_persons_language(person):
    mei = person("mei", locale="zh")
    await mei("/path mlops")
    reply = await mei("/plan")
    first = events(reply)[0]
    assert "1.1 初识大语言模型" in str(first["SUMMARY"])
    assert "Step" not in str(first["SUMMARY"])


async def test_skipping_a_week_moves_the_plan_a_week(person):
    alice = person("alice")
    await alice("/path mlops")
    before = starts(events(await alice("/plan")))
    assert not (await alice("/reminders skip")).is_error
    after = starts(events(await alice("/plan")))
    assert after == [d + timedelta(days=7) for d in before]


async def test_switching_path_replans_from_the_switch(person, clock, curriculum):
    alice = person("alice")
    await alice("/path mlops")
    clock.advance(days=3)
    await alice("/path app")
    evs = events(await alice("/plan"))
    assert all("-app-step" in str(e["UID"]) for e in evs)
    assert starts(evs) == expected_due_dates(curriculum, "app", clock.now(), "UTC")


async def test_without_a_path_or_a_secret_the_answer_is_kind(db, clock, curriculum, person):
    reply = await person("newbie")("/plan")
    assert reply.is_error and "/path" in reply.text
    bare = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=clock)
    alice = Person(bare, "alice")
    await alice("/path mlops")
    reply = await alice("/plan")
    assert ics(reply) and "/calendar/" not in reply.text
    assert "subscriptions are off" in reply.text


async def test_plan_can_be_turned_off_in_a_channel_but_works_in_a_dm(person):
    await person("boss", admin=True)("/admin together plan off")
    alice = person("alice")
    await alice("/path mlops")
    reply = await alice("/plan")
    assert reply.is_error and "turned /plan calendars off" in reply.text
    assert not reply.attachments
    assert ics(await person("alice", channel=None)("/plan"))


@pytest.fixture
async def http(core: Core):
    client = TestClient(TestServer(build_http_app(core)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:9")


async def test_the_subscription_serves_the_live_plan_over_http(person, http):
    alice = person("alice", tz="Asia/Shanghai")
    await alice("/path mlops")
    reply = await alice("/plan")
    url = subscription(reply)
    assert url.startswith("http://127.0.0.1:9/calendar/") and url.endswith(".ics")
    resp = await http.get(path_of(url))
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
    served = await resp.read()
    assert starts(events(served)) == starts(events(reply))
    await alice("/reminders skip")  # the same address now serves the moved plan
    moved = starts(events(await (await http.get(path_of(url))).read()))
    assert moved == [d + timedelta(days=7) for d in starts(events(reply))]


async def test_bad_expired_and_foreign_tokens_get_403(person, http, clock, core):
    alice = person("alice")
    await alice("/path mlops")
    url = path_of(subscription(await alice("/plan")))
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    for bad in (flipped, token[:-3] + "xyz", "junk", BOARD.token(1, clock.now())):
        assert (await http.get(f"/calendar/{bad}.ics")).status == 403, bad
    clock.advance(days=179)
    assert (await http.get(url)).status == 200
    clock.advance(days=2)
    assert (await http.get(url)).status == 403


async def test_forget_me_makes_the_subscription_404(person, http):
    alice = person("alice")
    await alice("/path mlops")
    url = path_of(subscription(await alice("/plan")))
    await alice("/forget-me confirm")
    assert (await http.get(url)).status == 404
    # A newcomer who might get the freed id still does not open the old link.
    bob = person("bob")
    await bob("/path app")
    assert (await http.get(url)).status == 404


def test_a_calendar_token_is_not_a_leaderboard_token():
    from bot.weblinks import InvalidLink

    now = datetime(2027, 3, 1, tzinfo=UTC)
    with pytest.raises(InvalidLink):
        BOARD.verify(CALENDAR.token(1, "b", now), now)
    with pytest.raises(InvalidLink):
        CALENDAR.verify(BOARD.token(1, now), now)
