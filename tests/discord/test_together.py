"""/plan and /share through the real discord.py client against loopback Discord."""

from __future__ import annotations

from tests.discord.conftest import RunningBot
from tests.discord.fake_discord import FakeDiscord
from tests.discord.test_live import EPHEMERAL, run, text_of


async def test_plan_delivers_a_private_plan_ics(bot: RunningBot, fake: FakeDiscord):
    await run(fake, "path", name="mlops")
    message = await run(fake, "plan")
    assert message["flags"] & EPHEMERAL
    assert [a["filename"] for a in message["attachments"]] == ["plan.ics"]
    [upload] = [r for r in fake.requests if r.files]
    assert upload.files == ["files[0]"]
    assert "Your plan" in text_of(message)


async def test_share_posts_a_public_card(bot: RunningBot, fake: FakeDiscord):
    await run(fake, "path", name="app")
    await run(fake, "start", chapter="4.2")
    message = await run(fake, "share", chapter="4.2", link="https://example.org/rag", note="demo")
    assert not message.get("flags", 0) & EPHEMERAL
    text = text_of(message)
    assert "is working on 4.2" in text and "https://example.org/rag" in text and "demo" in text
