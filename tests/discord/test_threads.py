"""Threads over the loopback Discord: the weekly prompt's thread, buddies' private thread, and
``/done`` typed in a thread counting in the study channel."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Channel, ChapterProgress
from bot.ports import ChannelTarget, DeliveryError, UserTarget
from bot.types import Reply
from tests.discord.conftest import RunningBot
from tests.discord.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    interaction_payload,
    slash,
)

ALICE, BOB = "2000000000000000001", "2000000000000000002"
STUDY = ChannelTarget("discord", GUILD_ID, CHANNEL_ID)
FROM_MESSAGE = "/channels/{channel_id}/messages/{message_id}/threads"


async def test_done_in_a_thread_counts_in_its_study_channel(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    await fake.answer(interaction_payload(2, slash("path", name="mlops")))
    answer = await fake.answer(interaction_payload(2, slash("done"), thread="1390000000000000001"))
    assert "Step 1 done" in str(answer)
    async with bot.core.db.transaction() as s:
        channels = (await s.execute(select(Channel.external_id))).scalars().all()
        done = (await s.execute(select(ChapterProgress.state))).scalars().all()
    assert channels == [CHANNEL_ID], "the thread is not a study group of its own"
    assert set(done) == {"done"}


async def test_the_weekly_prompt_opens_a_thread_under_its_message(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    assert bot.notifier is not None
    message_id = await bot.notifier.send_to_channel(STUDY, Reply(text="Week 10"), key="c:W10")
    assert message_id == fake.channel_messages[CHANNEL_ID][-1]["id"]
    thread_id = await bot.notifier.open_thread(
        STUDY, message_id, "Questions for 2027-W10", Reply(text="Ask here"), key="c:W10:t"
    )
    thread = fake.threads[thread_id]
    assert thread["type"] == 11 and thread["name"] == "Questions for 2027-W10"
    assert thread["from"] == {"channel_id": CHANNEL_ID, "message_id": message_id}
    assert fake.channel_messages[thread_id][0]["embeds"][0]["description"] == "Ask here"
    assert ("POST", FROM_MESSAGE) in fake.checked  # the body was checked against the spec


async def test_buddies_meet_in_a_private_thread_with_both_added_and_mentioned(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    assert bot.notifier is not None
    users = [UserTarget("discord", GUILD_ID, u) for u in (ALICE, BOB)]
    thread_id = await bot.notifier.introduce(
        STUDY, users, Reply(text="Meet each other", title="Your study buddies"), key="b:1"
    )
    thread = fake.threads[thread_id]
    assert thread["type"] == 12 and thread["parent_id"] == CHANNEL_ID
    assert thread["thread_metadata"]["invitable"] is False
    assert thread["members"] == [ALICE, BOB]
    [post] = fake.channel_messages[thread_id]
    assert post["content"].startswith(f"<@{ALICE}> <@{BOB}>")
    assert ("POST", "/channels/{channel_id}/threads") in fake.checked


async def test_a_retried_introduction_goes_on_in_the_thread_it_opened(
    bot: RunningBot, fake: FakeDiscord
) -> None:
    """Adding the second member fails (503, which discord.py does not retry itself): the
    scheduler's retry of the same introduction opens no second private thread."""
    assert bot.notifier is not None
    users = [UserTarget("discord", GUILD_ID, u) for u in (ALICE, BOB)]
    reply = Reply(text="Meet each other", title="Your study buddies")
    fake.fail("PUT", rf"/thread-members/{BOB}$", 503)
    with pytest.raises(DeliveryError):
        await bot.notifier.introduce(STUDY, users, reply, key="b:2")
    thread_id = await bot.notifier.introduce(STUDY, users, reply, key="b:2")
    assert list(fake.threads) == [thread_id]
    assert fake.threads[thread_id]["members"] == [ALICE, BOB]
    [post] = fake.channel_messages[thread_id]
    assert post["content"].startswith(f"<@{ALICE}> <@{BOB}>")
