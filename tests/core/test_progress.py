"""``/progress``: a person's own view, and someone else's within their privacy choice."""

from __future__ import annotations

from tests.conftest import flat
from tests.core.support import fast_db  # noqa: F401  (the ``db`` fixture)


def field(reply, name: str) -> str:
    found = [f.value for f in reply.fields if f.name == name]
    assert found, f"no field {name!r} in {[f.name for f in reply.fields]}"
    return found[0]


async def test_progress_before_enrolling_points_to_path(person):
    reply = await person("alice")("/progress")
    assert reply.is_error
    assert "You haven't picked a path yet" in reply.text


async def test_progress_shows_bar_steps_days_pace_current_step_and_finish(person, clock):
    alice = person("alice")
    await alice("/path mlops")
    await alice("/done")  # step 1 (7 days)
    clock.advance(days=9)  # day 9 of step 2 (due day 12): on track
    reply = await alice("/progress")
    assert not reply.is_error
    assert reply.title == "alice — ⚙️ MLOps & Infrastructure Path"
    assert field(reply, "Steps") == "1/10"
    assert field(reply, "Study days") == "7/62"
    assert field(reply, "Pace") == "on track"
    current = field(reply, "Current step")
    assert current.startswith("Step 2: 5.1 — Using the Transformers library in depth (5 days)")
    assert "5.1 The Hugging Face Ecosystem at a Glance" in current
    # today 2027-03-10 + 55 remaining days; planned = enrolment day + 62.
    assert field(reply, "Projected finish") == "May 4, 2027 · planned May 2, 2027"
    assert reply.progress is not None
    assert (reply.progress.done, reply.progress.total) == (7, 62)
    assert [(b.command, b.args) for b in reply.buttons] == [
        ("done", "step:2"),
        ("next", ""),
        ("progress", ""),
    ]


async def test_progress_counts_skipped_chapters_on_the_bar_but_not_as_study_days(person):
    alice = person("alice")
    await alice("/path app")
    await alice("/skip 4.1")
    reply = await alice("/progress")
    assert field(reply, "Study days") == "0/43"
    assert reply.progress is not None and reply.progress.done == 3  # 4.1 is a 3-day step
    assert field(reply, "Steps") == "1/9"


async def test_progress_of_a_finished_path_congratulates(person):
    alice = person("alice")
    await alice("/path app")
    for _ in range(9):
        assert (await alice("/done")).kind == "success"
    reply = await alice("/progress")
    assert "Every step is done. Congratulations!" in reply.text
    assert field(reply, "Pace") == "finished"
    assert field(reply, "Study days") == "43/43"
    assert reply.progress is not None and reply.progress.fraction == 1.0
    assert all(f.name != "Current step" for f in reply.fields)


async def test_progress_of_a_shown_user(person):
    bob = person("bob")
    await bob("/path research")
    await bob("/done")
    reply = await person("alice")("/progress @bob")
    assert not reply.is_error
    assert reply.title == "bob — 🧪 Research & Model Engineering Path"
    assert field(reply, "Steps") == "1/15"
    assert field(reply, "Study days") == "7/98"
    # Someone else's progress has no buttons: they would act on the viewer's own path.
    assert reply.buttons == ()


async def test_progress_of_a_user_by_mention_and_display_name_case(person):
    await person("bob")("/path app")
    alice = person("alice")
    by_mention = await alice("/progress <@bob>")
    by_name = await alice("/progress @BOB")
    assert by_mention.title == by_name.title == "bob — 👨💻 Application Developer Path"


async def test_progress_of_a_hidden_user_is_refused(person):
    bob = person("bob")
    await bob("/path app")
    await bob("/privacy hidden")
    reply = await person("alice")("/progress @bob")
    assert reply.text == "bob keeps their progress private."
    assert reply.fields == ()
    assert reply.progress is None


async def test_progress_of_an_anonymous_user_is_refused(person):
    bob = person("bob")
    await bob("/path app")
    await bob("/privacy anonymous")
    reply = await person("alice")("/progress @bob")
    assert reply.text == "bob keeps their progress private."
    assert "Application" not in flat(reply)


async def test_an_admin_may_see_a_hidden_user(person):
    bob = person("bob")
    await bob("/path app")
    await bob("/privacy hidden")
    reply = await person("root", admin=True)("/progress @bob")
    assert reply.title == "bob — 👨💻 Application Developer Path"


async def test_progress_of_an_unknown_user(person):
    reply = await person("alice")("/progress @zed")
    assert reply.is_error
    assert "I don't know `zed` here yet" in reply.text


async def test_progress_of_a_user_in_another_workspace_is_unknown(person):
    await person("bob", workspace="W2")("/path app")
    reply = await person("alice", workspace="W1")("/progress @bob")
    assert reply.is_error
    assert "I don't know `bob`" in reply.text


async def test_progress_of_a_user_without_a_path(person):
    await person("bob")("/privacy")
    reply = await person("alice")("/progress @bob")
    assert reply.text == "bob hasn't picked a path yet."


async def test_progress_naming_myself_is_my_own_progress_with_buttons(person):
    alice = person("alice")
    await alice("/path mlops")
    reply = await alice("/progress @alice")
    assert reply.title == "alice — ⚙️ MLOps & Infrastructure Path"
    assert reply.buttons


async def test_progress_of_another_user_uses_their_timezone(person, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    bob = person("bob", tz="Asia/Shanghai")
    await bob("/path mlops")
    # 16:30 UTC on day 8 is already day 9 (00:30) in Shanghai, still day 8 in UTC.
    clock.set(datetime(2027, 3, 8, 16, 30, tzinfo=UTC))
    reply = await person("alice")("/progress @bob")
    assert field(reply, "Pace") == "1 day behind"


async def test_progress_of_a_user_by_display_name_different_from_id(core):
    from bot.types import Actor, Place

    place = Place("test", "W1", "study", channel_name="study")
    await core.handle_text(Actor("test", "W1", "U1", display_name="Bob Smith"), place, "/path app")
    alice = Actor("test", "W1", "U2", display_name="alice")
    reply = await core.handle_text(alice, place, '/progress "@bob smith"')
    assert reply.title == "Bob Smith — 👨💻 Application Developer Path"


async def test_progress_of_a_user_with_a_non_ascii_name(core, backend, request):
    from bot.types import Actor, Place

    place = Place("test", "W1", "study", channel_name="study")
    await core.handle_text(Actor("test", "W1", "U1", display_name="Émile"), place, "/path app")
    alice = Actor("test", "W1", "U2", display_name="alice")
    for typed in ("@Émile", "@émile"):
        reply = await core.handle_text(alice, place, f"/progress {typed}")
        assert reply.title == "Émile — 👨💻 Application Developer Path", typed
