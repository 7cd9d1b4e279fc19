"""``/admin``: schedule, role, cohort with a Nudge button, queued nudges, CSV export, audit log."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from bot.db.models import AdminLog, NudgeRequest
from bot.features.admin import CSV_COLUMNS
from tests.conftest import flat
from tests.leaderboard.helpers import at, channel_row, seed_group, utc


async def _log(db) -> list[tuple[str, str, str]]:
    async with db.transaction() as s:
        rows = (await s.execute(select(AdminLog).order_by(AdminLog.id))).scalars().all()
    return [(r.actor, r.action, r.detail) for r in rows]


async def test_schedule_sets_the_channel_and_is_logged(core, person, db):
    boss = person("boss", admin=True)
    reply = await boss("/admin schedule day:wed time:19:30 tz:Europe/Berlin")
    assert reply.kind == "success", reply.text
    assert "Wednesday at 19:30 (Europe/Berlin)" in reply.text
    channel = await channel_row(core)
    assert (channel.prompt_weekday, channel.prompt_time, channel.timezone) == (
        2,
        "19:30",
        "Europe/Berlin",
    )
    shown = await boss("/admin schedule")
    assert "Wednesday at 19:30" in shown.text
    bad = await boss("/admin schedule time:25:00")
    assert bad.is_error and "Usage" in bad.text
    assert await _log(db) == [("boss", "schedule", "weekday=2 time=19:30 tz=Europe/Berlin")]


async def test_role_is_stored_on_the_channel(core, person, db):
    boss = person("boss", admin=True)
    assert (await boss("/admin role")).is_error
    assert (await boss('/admin role "Study Leads"')).kind == "success"
    assert (await channel_row(core)).admin_role == "Study Leads"
    assert "Study Leads" in (await boss("/admin role")).text
    assert ("boss", "role", "Study Leads") in await _log(db)


async def test_cohort_shows_paths_steps_and_who_is_behind_with_a_nudge_button(core, clock, person):
    p = await seed_group(clock, person)
    await p["boss"]("/path mlops")  # the admin studies too, and is on track
    person("eve")  # never enrolled: not a member
    clock.set(utc(2027, 3, 12, 12))  # day 11: app and mlops step 1 (7 days) are overdue
    reply = await p["boss"]("/admin cohort")
    text = flat(reply)
    assert "5 members; 4 behind pace." in text
    assert "• bob: 4 days behind" in text
    assert "alice: step 2/9" in text
    assert "boss: step 1/10 · on track" in text
    assert [(b.command, b.args) for b in reply.buttons] == [("admin", "nudge")]


async def test_nudge_queues_requests_once_a_day(core, clock, person, db):
    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 12, 12))
    first = await p["boss"]("/admin nudge")
    assert first.kind == "success"
    assert "4 nudges queued" in first.text and "• dave: 4 days behind" in first.text
    again = await p["boss"]("/admin nudge")
    assert "0 nudges queued" in again.text and "Already nudged" in again.text
    async with db.transaction() as s:
        rows = (await s.execute(select(NudgeRequest))).scalars().all()
    assert len(rows) == 4
    assert {r.requested_by for r in rows} == {"boss"} and all(r.delivered_at is None for r in rows)
    clock.set(utc(2027, 3, 13, 12))
    assert "4 nudges queued" in (await p["boss"]("/admin nudge")).text


async def test_nobody_behind_means_no_nudge(core, person):
    boss = person("boss", admin=True)
    await boss("/path app")
    reply = await boss("/admin cohort")
    assert reply.buttons == ()
    assert "Nobody is behind" in (await boss("/admin nudge")).text


async def test_export_is_a_csv_with_the_documented_columns(core, clock, person, db):
    p = await seed_group(clock, person)
    await p["dave"]("/privacy hidden")  # admins still see everyone (documented)
    evil = person("=cmd|calc")
    await at(clock, utc(2027, 3, 12, 11), evil, "/path app")
    clock.set(utc(2027, 3, 12, 12))
    reply = await p["boss"]("/admin export")
    assert len(reply.attachments) == 1
    att = reply.attachments[0]
    assert att.mime == "text/csv" and att.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(att.data.decode("utf-8"))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    by_user = {r["user"]: r for r in rows}
    assert set(by_user) == {"alice", "bob", "carol", "dave", "'=cmd|calc"}
    alice = by_user["alice"]
    assert alice["display_name"] == "alice" and alice["path"] == "app"
    assert (alice["steps_done"], alice["steps_total"]) == ("1", "9")
    assert (alice["days_done"], alice["days_total"]) == ("7.00", "43")
    assert alice["pace"] == "behind" and alice["behind_days"] == "1"  # step 2 was due day 10
    assert alice["enrolled_at"].startswith("2027-03-01T12:00")
    assert alice["last_activity"].startswith("2027-03-10T09:00")
    assert by_user["bob"]["pace"] == "behind" and by_user["bob"]["behind_days"] == "4"
    assert by_user["dave"]["days_done"] == "3.00"
    assert ("boss", "export", "5 rows") in await _log(db)


async def test_every_admin_action_is_logged(core, clock, person, db):
    await seed_group(clock, person)
    boss = person("boss", admin=True)
    for line in (
        "/admin cohort",
        "/admin nudge",
        "/admin export",
        "/admin reset",
        "/admin reset confirm",
    ):
        assert not (await boss(line)).is_error
    actions = [a for _, a, _ in await _log(db)]
    assert actions == ["cohort", "nudge", "export", "reset"]  # the question itself changes nothing


async def test_the_scheduler_can_take_and_settle_the_nudge_queue(core, clock, person, db):
    from bot.services import leaderboard as lb

    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 12, 12))
    await p["boss"]("/admin nudge")
    async with db.transaction() as s:
        pending = await lb.pending_nudges(s, limit=10)
        assert len(pending) == 4
        await lb.mark_nudges_delivered(s, [n.id for n in pending[:3]], clock.now())
    async with db.transaction() as s:
        assert len(await lb.pending_nudges(s)) == 1


async def test_a_persons_wins_and_nudges_are_in_their_export_and_go_with_forget(
    core, clock, person, db
):
    from bot.services import leaderboard as lb
    from tests.core.support import user_id

    p = await seed_group(clock, person)
    clock.set(utc(2027, 3, 12, 12))
    await p["boss"]("/admin nudge")
    await p["boss"]("/leaderboard history")
    carol = await user_id(db, "carol")
    async with db.transaction() as s:
        data = await lb.export_user(s, carol)
    assert data["leaderboard_wins"] == [
        {"channel": "study", "period": "week 2027-W09", "rank": 1, "shown_as": "carol", "days": 5.0}
    ]
    assert len(data["nudges"]) == 1 and data["nudges"][0]["behind_days"] == 4
    async with db.transaction() as s:
        await lb.forget_user(s, carol)
        assert await lb.export_user(s, carol) == {"leaderboard_wins": [], "nudges": []}
