"""``/path``: listing, enrolling by every name a path goes by, switching, study groups."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Channel, Enrollment, Membership
from tests.conftest import START, flat
from tests.core.support import (
    count,
    fast_db,  # noqa: F401  (the ``db`` fixture)
    states,
    user_id,
)


async def enrolled_path(db, name: str) -> str | None:
    uid = await user_id(db, name)
    async with db.transaction() as s:
        row = await s.get(Enrollment, uid)
    return row.path_id if row else None


async def test_path_lists_every_path_with_days_and_join_buttons(person):
    reply = await person("alice")("/path")
    assert not reply.is_error
    text = flat(reply)
    for title, line in [
        ("Application Developer Path", "9 steps · 43 days"),
        ("Research & Model Engineering Path", "15 steps · 98 days"),
        ("MLOps & Infrastructure Path", "10 steps · 62 days"),
    ]:
        assert title in text
        assert line in text
    assert "haven't picked a path" in reply.text
    assert [(b.command, b.args) for b in reply.buttons] == [
        ("path", "app"),
        ("path", "research"),
        ("path", "mlops"),
    ]


async def test_path_list_shows_my_status_and_hides_my_own_join_button(person):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")
    reply = await alice("/path")
    assert "You are on **⚙️ MLOps & Infrastructure Path**: 1/10 steps done." in reply.text
    assert ("path", "mlops") not in [(b.command, b.args) for b in reply.buttons]
    assert len(reply.buttons) == 2


@pytest.mark.parametrize(
    ("typed", "path_id"),
    [
        ("mlops", "mlops"),
        ("MLOPS", "mlops"),
        ("ops", "mlops"),
        ("应用开发", "app"),
        ("research", "research"),
        ("Research", "research"),
        ("算法研究", "research"),
        ("app", "app"),
    ],
)
async def test_path_enrols_by_id_alias_chinese_name_any_case(person, db, typed, path_id):
    alice = person("alice")
    reply = await alice(f"/path {typed}")
    assert reply.kind == "success", flat(reply)
    assert await enrolled_path(db, "alice") == path_id


async def test_path_typo_suggests_mlops_and_enrols_nobody(person, db):
    alice = person("alice")
    reply = await alice("/path mlosp")
    assert reply.is_error
    assert "Did you mean `mlops`?" in reply.text
    assert "The paths are: `app`, `research`, `mlops`." in reply.text
    # A mistake rolls the whole unit of work back: not even the user row is written.
    assert await count(db, Enrollment) == 0


async def test_path_nonsense_lists_the_paths_without_a_guess(person):
    reply = await person("alice")("/path zzzzzz")
    assert reply.is_error
    assert "There is no path called `zzzzzz`." in reply.text
    assert "Did you mean" not in reply.text
    assert "`app`, `research`, `mlops`" in reply.text


async def test_enrolling_again_in_the_same_path_keeps_the_enrolment_date(person, db, clock):
    alice = person("alice")
    await alice("/path mlops")
    clock.advance(days=5)
    reply = await alice("/path ops")
    assert "You are already on the ⚙️ MLOps & Infrastructure Path." in reply.text
    uid = await user_id(db, "alice")
    async with db.transaction() as s:
        row = await s.get(Enrollment, uid)
    assert row is not None
    assert row.enrolled_at == START


async def test_switching_research_to_app_keeps_shared_and_other_chapters(person, db):
    alice = person("alice")
    await alice("/path research")
    await alice("/done")  # step 1: 1.1-1.3
    await alice("/done")  # step 2: 2.1
    await alice("/skip 4.1")
    reply = await alice("/path app")
    assert reply.kind == "success"
    assert (
        "Switched from 🧪 Research & Model Engineering Path to **👨💻 Application Developer Path**"
        in (reply.text)
    )
    assert "5 finished chapters carry over" in reply.text
    uid = await user_id(db, "alice")
    assert await states(db, uid) == {
        "1.1": "done",
        "1.2": "done",
        "1.3": "done",
        "2.1": "done",
        "4.1": "skipped",
    }
    progress = flat(await alice("/progress"))
    # app: step 1 done (7 days), step 2 (4.1) skipped: covered but not studied.
    assert "Steps: 2/9" in progress
    assert "Study days: 7/43" in progress
    assert "Step 3: 4.2" in progress


async def test_switching_away_and_back_loses_nothing(person, db):
    alice = person("alice")
    await alice("/path app")
    await alice("/done")
    await alice("/done 4.2")
    await alice("/path research")
    await alice("/path app")
    progress = flat(await alice("/progress"))
    assert "Study days: 14/43" in progress  # step 1 (7) + 4.2 (7)
    uid = await user_id(db, "alice")
    assert set(await states(db, uid)) == {"1.1", "1.2", "1.3", "4.2"}


async def test_switching_paths_restarts_the_pace_clock(person, clock):
    alice = person("alice")
    await alice("/path mlops")
    clock.advance(days=10)
    assert "3 days behind" in flat(await alice("/progress"))
    await alice("/path app")
    assert "Pace: on track" in flat(await alice("/progress"))


async def test_enrolling_in_a_channel_joins_its_study_group_once(person, db):
    alice = person("alice", channel="C-study")
    first = await alice("/path mlops")
    assert "You joined this channel's study group." in first.text
    again = await alice("/path app")
    assert "joined this channel's study group" not in again.text
    uid = await user_id(db, "alice")
    assert await count(db, Membership, Membership.user_id == uid) == 1
    async with db.transaction() as s:
        channel = (await s.execute(select(Channel))).scalar_one()
    assert channel.external_id == "C-study"
    assert channel.name == "C-study"


async def test_enrolling_in_a_dm_joins_no_study_group(person, db):
    alice = person("alice", channel=None)
    reply = await alice("/path mlops")
    assert reply.kind == "success"
    assert "study group" not in reply.text
    assert await count(db, Membership) == 0
    assert await count(db, Channel) == 0


async def test_enrolling_from_two_channels_joins_both_groups(person, db):
    await person("alice", channel="C1")("/path mlops")
    await person("alice", channel="C2")("/path mlops")
    await person("bob", channel="C1")("/path app")
    assert await count(db, Membership, Membership.user_id == await user_id(db, "alice")) == 2
    assert await count(db, Channel) == 2
    assert await count(db, Membership) == 3


async def test_people_in_different_workspaces_are_different_people(person, db):
    await person("alice", workspace="W1")("/path mlops")
    await person("alice", workspace="W2")("/path app")
    assert await enrolled_path(db, "alice") == "mlops"
    uid2 = await user_id(db, "alice", workspace="W2")
    async with db.transaction() as s:
        row = await s.get(Enrollment, uid2)
    assert row is not None and row.path_id == "app"


async def test_switching_paths_answers_with_the_new_paths_next_step(person):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")  # step 1 (1.1-1.3) is shared by every path
    reply = flat(await alice("/path research"))
    # Research's step 2 is 2.1; MLOps's would be 5.1 (the reply once showed the old path's).
    assert "Step 2: 2.1" in reply
    assert "5.1" not in reply
