"""What the prompts say, and that the dry run shows exactly what is then sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Channel
from bot.main import dryrun as due_cli
from tests.conftest import flat
from tests.scheduler.helpers import deliveries, enrol, recipient, tick, utc

MON = utc(2027, 3, 8, 9, 0)


async def test_reminder_names_the_step_pace_and_a_tip_with_buttons(core, person, service, notifier):
    # Enrolled Monday 1 March; step 1 of mlops is 7 days. Friday the 12th is day 11.
    await enrol(person, "alice", when="day:fri time:09:00")
    await tick(service, utc(2027, 3, 5, 9, 0))
    await tick(service, utc(2027, 3, 12, 9, 0))
    first, second = (s.reply for s in notifier.sent)
    text = flat(second)
    assert second.title == "Your weekly study reminder"
    assert "This week: step 1 of 10 of the MLOps & Infrastructure Path." in text
    assert "Chapters: 1.1 " in text and "1.3 " in text
    assert "Pace: 4 days behind" in text
    assert "Pace: on track" in flat(first)
    assert [(b.command, b.args) for b in second.buttons] == [
        ("done", "step:1"),
        ("reminders", "snooze"),
        ("reminders", "skip"),
        ("reminders", "pause 2027-03-26"),
    ]
    tip = [f for f in second.fields if f.name in ("Tip", "Pitfall to avoid")]
    old = [f for f in first.fields if f.name in ("Tip", "Pitfall to avoid")]
    assert len(tip) == len(old) == 1 and tip[0].value != old[0].value  # a new one each week
    assert not second.ephemeral


async def test_reminder_moves_on_with_progress_and_speaks_chinese(core, person, service, notifier):
    bo = await enrol(person, "bo", locale="zh", tz="Asia/Shanghai")
    assert not (await bo("/done")).is_error  # step 1 done
    await tick(service, utc(2027, 3, 8, 1, 0))  # Monday 09:00 Shanghai
    (sent,) = notifier.sent
    text = flat(sent.reply)
    assert sent.reply.title == "每周学习提醒"
    assert "第 2/10 步" in text
    assert "5.1 " in text
    assert "节奏: 按计划进行" in text  # day 7: step 2 (days 7-12) is right on time
    assert [b.args for b in sent.reply.buttons] == ["step:2", "snooze", "skip", "pause 2027-03-22"]
    assert [b.label for b in sent.reply.buttons][1:3] == ["一天后再提醒", "跳过本周"]


async def test_finished_path_gets_no_reminder(core, person, service, notifier):
    alice = await enrol(person, "alice")
    for _ in range(10):
        assert not (await alice("/done")).is_error
    report = await tick(service, MON)
    assert notifier.sent == [] and report.not_sent == 1


async def test_channel_prompt_summarises_the_group_and_respects_privacy(
    core, clock, person, service, notifier
):
    people = {}
    for name, path in [("ann", "mlops"), ("ben", "mlops"), ("cat", "app"), ("dan", "app")]:
        people[name] = await enrol(person, name, path=path, channel="study", when="day:sun")
    await person("eve", channel="study")("/progress")  # in the channel, never enrolled
    clock.set(utc(2027, 3, 10, 10, 0))
    assert not (await people["ann"]("/done")).is_error  # 3 chapters
    assert not (await people["ann"]("/done")).is_error  # +1
    assert not (await people["ben"]("/done")).is_error  # 3
    assert not (await people["cat"]("/done 1.1")).is_error  # 1
    assert not (await people["ben"]("/privacy anonymous")).is_error
    assert not (await people["ann"]("/privacy hidden")).is_error
    await tick(service, MON + timedelta(days=7))  # day 14 since everyone enrolled
    (sent,) = [s for s in notifier.sent if s.to == "channel:study"]
    reply = sent.reply
    assert reply.title == "This week in #study"
    assert reply.text == "4 people study here; 3 of them are behind pace."
    fields = {f.name: f.value for f in reply.fields}
    mlops = fields["⚙️ MLOps & Infrastructure Path"]
    assert "Step 2 (5.1," in mlops and "Step 3 (5.4," in mlops
    assert "Behind pace: 1 of 2" in mlops  # ben: step 2 was due by day 12
    app = fields[next(n for n in fields if "Application" in n)]
    assert "Step 1 (1.1–1.3, " in app and "): 2 studying" in app and "Behind pace: 2 of 2" in app
    # ann is hidden, ben anonymous; top 3 by chapters finished in the last 7 days.
    assert fields["Most active last week"] == "someone: 3 chapters\ncat: 1 chapter"
    assert any(n in fields for n in ("Tip", "Pitfall to avoid", "Paper to read", "Project idea"))


async def test_channel_prompt_is_skipped_when_disabled_or_nobody_is_enrolled(
    core, person, service, notifier
):
    await enrol(person, "ann", channel="study", when="day:sun")
    await person("eve", channel="lobby")("/path")  # lobby: no enrolled member
    async with core.db.transaction() as s:
        assert len((await s.execute(select(Channel))).scalars().all()) == 1  # /path lists only
    await tick(service, MON)
    assert [s.to for s in notifier.sent] == ["channel:study"]
    async with core.db.transaction() as s:
        (await s.execute(select(Channel))).scalar_one().prompts_enabled = False
    await tick(service, MON + timedelta(days=7))
    assert [s.to for s in notifier.sent] == ["channel:study"]


async def test_dry_run_matches_what_is_then_sent(core, clock, person, service, notifier):
    await enrol(person, "alice", channel="study")
    await enrol(person, "bo", channel="study", locale="zh", tz="Europe/Berlin")
    await enrol(person, "cy", tz="America/New_York")  # not due yet at 09:00 UTC
    await enrol(person, "di", when="day:tue")
    at = MON + timedelta(minutes=30)
    clock.set(at)
    planned = await service.due(at)
    assert await deliveries(core) == []  # the dry run wrote nothing
    assert notifier.sent == []
    targets = sorted(due_cli.prompt_dict(p)["target"] for p in planned)
    assert targets == ["alice", "bo", "study"]
    bo = await recipient(core, "bo")
    berlin = next(p for p in planned if p.recipient == bo)
    assert (berlin.local_time.hour, berlin.timezone, berlin.period) == (
        9,
        "Europe/Berlin",
        "2027-W10",
    )
    await service.run_once(at)
    assert sorted((s.key, s.reply) for s in notifier.sent) == sorted(
        (p.key, p.reply) for p in planned
    )
    assert await service.due(at) == []


async def test_the_reminders_buttons_are_real_commands(core, person, service, notifier):
    alice = await enrol(person, "alice")
    await tick(service, MON)
    (sent,) = notifier.sent
    done, _snooze, _skip, pause = sent.reply.buttons
    assert "1.1" in flat(await alice(f"/{done.command} {done.args}"))
    reply = await alice(f"/{pause.command} {pause.args}")
    assert not reply.is_error and "paused until Mar 22, 2027" in flat(reply)
    await tick(service, MON + timedelta(days=7))  # paused: nothing
    await tick(service, MON + timedelta(days=14))  # the pause is over that day
    assert [s.at for s in notifier.sent] == [MON, MON + timedelta(days=14)]
