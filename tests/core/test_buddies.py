"""``/buddy``: opting in and out per channel, status, friendly refusals, personal data."""

from __future__ import annotations

import json

from sqlalchemy import update

from bot.db.models import BuddyGroup, BuddyGroupMember, BuddyOptIn, Channel
from tests.conftest import flat
from tests.core.support import count, rows_about, user_id


async def test_buddy_on_off_and_status(person, db):
    ann = person("ann")
    await ann("/path mlops")
    assert "not asking" in flat(await ann("/buddy"))
    on = await ann("/buddy on")
    assert on.kind == "success" and "each week" in on.text
    assert "already" in (await ann("/buddy on")).text
    status = flat(await ann("/buddy"))
    assert "You are asking" in status and "No buddy this week yet" in status
    assert await count(db, BuddyOptIn) == 1
    assert "You are out" in (await ann("/buddy off")).text
    assert "weren't" in (await ann("/buddy off")).text
    assert await count(db, BuddyOptIn) == 0


async def test_buddy_needs_a_channel_a_path_and_not_hidden(person, db):
    assert "study channel" in (await person("ann", channel=None)("/buddy on")).text
    bob = person("bob")
    assert (await bob("/buddy on")).is_error and "/path" in (await bob("/buddy on")).text
    await bob("/path app")
    await bob("/privacy hidden")
    hidden = await bob("/buddy on")
    assert hidden.is_error and "never paired" in flat(hidden)
    assert await count(db, BuddyOptIn) == 0


async def test_an_admin_turning_buddies_off_refuses_on_but_lets_people_leave(person, db):
    ann = person("ann")
    await ann("/path mlops")
    await ann("/buddy on")
    async with db.transaction() as s:
        await s.execute(update(Channel).values(buddies_enabled=False))
    off = await ann("/buddy on")
    assert off.is_error and "turned off" in off.text
    assert (await ann("/buddy off")).kind == "success"


async def test_status_names_this_weeks_buddy_and_what_they_study(person, db, clock):
    ann, bob = person("ann"), person("bob")
    await ann("/path mlops")
    await bob("/path mlops")
    ann_id, bob_id = await user_id(db, "ann"), await user_id(db, "bob")
    async with db.transaction() as s:
        channel_id = (await s.execute(Channel.__table__.select())).first().id
        group = BuddyGroup(
            channel_id=channel_id, week="2027-W09", member_key="x", created_at=clock.now()
        )
        s.add(group)
        await s.flush()
        s.add_all(
            [
                BuddyGroupMember(group_id=group.id, user_id=ann_id),
                BuddyGroupMember(group_id=group.id, user_id=bob_id),
            ]
        )
    status = flat(await ann("/buddy"))
    assert "Your buddies this week" in status and "bob" in status and "step 1" in status
    zh = flat(await person("ann", locale="zh")("/buddy"))
    assert "bob" in zh and "Your buddies" not in zh


async def test_export_and_forget_cover_opt_ins_and_groups(person, db, clock):
    ann = person("ann")
    await ann("/path mlops")
    await ann("/buddy on")
    uid = await user_id(db, "ann")
    async with db.transaction() as s:
        channel_id = (await s.execute(Channel.__table__.select())).first().id
        group = BuddyGroup(
            channel_id=channel_id, week="2027-W09", member_key="x", created_at=clock.now()
        )
        s.add(group)
        await s.flush()
        s.add(BuddyGroupMember(group_id=group.id, user_id=uid))
    data = json.loads((await ann("/export-my-data")).attachments[0].data)
    assert data["buddy_optins"][0]["channel"] == "study"
    assert data["buddy_groups"] == [{"channel": "study", "week": "2027-W09", "introduced_at": None}]
    await ann("/forget-me confirm")
    left = await rows_about(db, uid)
    assert left["buddy_optins"] == 0 and left["buddy_group_members"] == 0
