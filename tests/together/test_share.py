"""``/share``: a public card, validated links and notes kept on the chapter's progress row,
listed by ``/chapter`` for the group (respecting ``/privacy``), exported and forgotten."""

from __future__ import annotations

import json

import pytest

from bot.db.models import ChapterProgress
from tests.conftest import flat
from tests.core.support import progress_rows, rows_about, user_id

LINK = "https://github.com/alice/rag-demo"


async def done_alice(person, chapter: str = "4.2"):
    alice = person("alice")
    await alice("/path app")
    await alice(f"/done {chapter}")
    return alice


async def shared_row(db, name: str = "alice", chapter: str = "4.2") -> ChapterProgress:
    return (await progress_rows(db, await user_id(db, name)))[chapter]


async def test_share_posts_a_public_card_and_keeps_it_on_the_row(person, db, clock):
    alice = await done_alice(person)
    reply = await alice(f"/share 4.2 {LINK} my first RAG demo")
    assert not reply.is_error and not reply.ephemeral
    assert reply.text.startswith("alice finished 4.2 ")
    assert LINK in reply.text and "my first RAG demo" in reply.text
    row = await shared_row(db)
    assert (row.share_url, row.share_note, row.shared_at) == (
        LINK,
        "my first RAG demo",
        clock.now(),
    )
    assert row.share_channel_id is not None and row.state == "done"


async def test_work_in_progress_can_be_shared_too(person, db):
    alice = person("alice")
    await alice("/start 5.4")
    reply = await alice("/share 5.4 link:http://example.org/notes")
    assert "alice is working on 5.4" in reply.text and not reply.is_error


@pytest.mark.parametrize(
    "link",
    [
        "ftp://example.org/x",
        "javascript:alert(1)",
        "https://",
        "example.org/no-scheme",
        "https://exa mple.org",
        "https://example.org/" + "a" * 490,
        "mailto:alice@example.org",
    ],
)
async def test_bad_links_get_a_friendly_error_and_nothing_is_stored(person, db, link):
    alice = await done_alice(person)
    reply = await alice(f'/share 4.2 "{link}"')
    assert reply.is_error and "Traceback" not in reply.text
    assert (await shared_row(db)).share_url is None


async def test_a_long_note_is_refused_and_a_messy_one_cleaned(person, db):
    alice = await done_alice(person)
    reply = await alice(f"/share 4.2 {LINK} " + "word " * 50)
    assert reply.is_error and "200" in reply.text
    assert (await shared_row(db)).share_url is None
    await alice(f'/share 4.2 {LINK} "  two\tlines\u200b  here "')
    assert (await shared_row(db)).share_note == "two lines here"


@pytest.mark.parametrize(
    "note",
    [
        "I'm proud of it",  # a typed apostrophe
        "I’m proud of it",  # as phones type it (smart punctuation)
        "the students' notebook",
        "don't skip the chunking step",
        "我的 RAG 笔记",
    ],
)
async def test_a_note_with_apostrophes_is_kept_as_typed(person, db, note):
    alice = await done_alice(person)
    reply = await alice(f"/share 4.2 {LINK} {note}")
    assert not reply.is_error, reply.text
    assert (await shared_row(db)).share_note == note


async def test_quoted_notes_drop_their_quotes(person, db):
    alice = await done_alice(person)
    for typed, kept in (
        ('"my RAG notes"', "my RAG notes"),
        ("note:“it's done”", "it's done"),
        ("note:'it's done'", "it's done"),
        ("「中文 笔记」", "中文 笔记"),
        ("loved the 'chunking' part", "loved the chunking part"),  # quotes group, as in a shell
    ):
        reply = await alice(f"/share 4.2 {LINK} {typed}")
        assert not reply.is_error, (typed, reply.text)
        assert (await shared_row(db)).share_note == kept, typed
    reply = await alice(f'/share 4.2 {LINK} "not closed')
    assert reply.is_error and "A quote is not closed." in reply.text


async def test_slack_wrapped_links_are_unwrapped(person, db):
    alice = await done_alice(person)
    await alice("/share 4.2 <https://example.org/a?b=1&amp;c=2|example.org/a>")
    assert (await shared_row(db)).share_url == "https://example.org/a?b=1&c=2"


async def test_only_done_or_started_chapters_and_never_in_a_dm(person, db):
    alice = await done_alice(person)
    reply = await alice(f"/share 4.3 {LINK}")
    assert reply.is_error and "to do" in reply.text and "/start 4.3" in reply.text
    dm = await person("alice", channel=None)(f"/share 4.2 {LINK}")
    assert dm.is_error and "study group's channel" in dm.text
    assert (await shared_row(db)).share_url is None
    assert (await alice(f"/share 99.9 {LINK}")).is_error


async def test_chapter_lists_the_groups_recent_work_respecting_privacy(person):
    alice = await done_alice(person)
    await alice(f"/share 4.2 {LINK} alice demo")
    bob = person("bob")
    await bob("/path app")
    await bob("/done 4.2")
    await bob("/privacy anonymous")
    await bob("/share 4.2 https://bob.example/rag")
    carol = person("carol")
    await carol("/path app")
    await carol("/done 4.2")
    await carol("/privacy hidden")
    await carol("/share 4.2 https://carol.example/rag")
    elsewhere = person("dave", channel="other")
    await elsewhere("/path app")
    await elsewhere("/done 4.2")
    await elsewhere("/share 4.2 https://dave.example/rag")
    text = flat(await person("eve")("/chapter 4.2"))
    assert "Recent work by the group" in text
    assert f"alice: {LINK} — alice demo" in text
    assert "anonymous: https://bob.example/rag" in text
    assert "carol" not in text and "dave" not in text
    # In a DM there is no group; in the other channel only dave's.
    assert "Recent work" not in flat(await person("eve", channel=None)("/chapter 4.2"))
    other = flat(await person("eve", channel="other")("/chapter 4.2"))
    assert "dave.example" in other and "alice" not in other


async def test_share_can_be_turned_off_per_channel(person, db):
    alice = await done_alice(person)
    await alice(f"/share 4.2 {LINK}")
    await person("boss", admin=True)("/admin together share off")
    reply = await alice("/share 4.2 https://example.org/other")
    assert reply.is_error and "turned /share posts off" in reply.text
    assert (await shared_row(db)).share_url == LINK
    assert "Recent work" not in flat(await alice("/chapter 4.2"))


async def test_export_has_the_share_and_forget_me_deletes_it(person, db):
    alice = await done_alice(person)
    await alice(f"/share 4.2 {LINK} demo")
    uid = await user_id(db, "alice")
    export = await alice("/export-my-data")
    data = json.loads(export.attachments[0].data)
    (row,) = [c for c in data["chapters"] if c["chapter_id"] == "4.2"]
    assert (row["share_url"], row["share_note"]) == (LINK, "demo")
    assert row["shared_at"] and row["share_channel_id"]
    await alice("/forget-me confirm")
    assert set((await rows_about(db, uid)).values()) == {0}
    assert "Recent work" not in flat(await person("eve")("/chapter 4.2"))
