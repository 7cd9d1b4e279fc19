"""Where answers and their files go: public files to the channel, private ones to the DM."""

from __future__ import annotations

from typing import Any

from adapters.slack.app import SlackBot
from adapters.slack.client import make_web_client
from bot.types import Actor, Attachment, Place, Reply
from tests.slack.fake_slack import TEAM

PNG = Attachment("leaderboard.png", b"\x89PNG\r\n\x1a\nfake", "image/png", alt="Leaderboard")
CSV = Attachment("group.csv", b"name,done\nalice,3\n", "text/csv")
ALICE = Actor("slack", TEAM, "U1", display_name="alice", locale="en")
CHANNEL = Place("slack", TEAM, "C1", channel_name="study")


class Respond:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


async def test_a_public_answers_picture_is_posted_in_its_channel(core, settings, fake_slack):
    bot = SlackBot(core, settings, make_web_client(settings))
    respond = Respond()
    await bot.deliver(
        Reply(title="Top", text="1. alice", attachments=(PNG,), ephemeral=False),
        ALICE,
        CHANNEL,
        respond,
    )
    [answer] = respond.calls
    assert answer["response_type"] == "in_channel"
    [done] = fake_slack.calls_of("files.completeUploadExternal")
    assert done.params["channel_id"] == "C1"
    assert fake_slack.calls_of("conversations.open") == []
    assert list(fake_slack.uploads.values()) == [PNG.data]


async def test_a_private_answers_file_goes_to_the_dm(core, settings, fake_slack):
    bot = SlackBot(core, settings, make_web_client(settings))
    respond = Respond()
    await bot.deliver(Reply(text="Your CSV", attachments=(CSV,)), ALICE, CHANNEL, respond)
    [answer] = respond.calls
    assert answer["response_type"] == "ephemeral"
    assert "I sent `group.csv` to our direct messages." in str(answer["blocks"])
    [done] = fake_slack.calls_of("files.completeUploadExternal")
    assert done.params["channel_id"] == "D1"


async def test_a_failed_upload_is_said_not_hidden(core, settings, fake_slack):
    fake_slack.fail_next("files.getUploadURLExternal", error="not_in_channel")
    bot = SlackBot(core, settings, make_web_client(settings))
    respond = Respond()
    public = Reply(text="board", attachments=(PNG,), ephemeral=False)
    await bot.deliver(public, ALICE, CHANNEL, respond)
    first, second = respond.calls
    assert first["response_type"] == "in_channel"
    assert second == {
        "replace_original": False,
        "response_type": "ephemeral",
        "text": "I could not upload `leaderboard.png`; please try again later.",
    }
