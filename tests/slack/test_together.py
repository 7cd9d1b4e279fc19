"""/plan and /share over signed HTTP against loopback Slack."""

from __future__ import annotations

import icalendar

from tests.slack.conftest import text_of


async def test_share_posts_the_card_in_channel(slack):
    await slack.command("path", "app")
    await slack.command("done", "4.2")
    payload = await slack.command("share", "4.2 <https://example.org/rag> my RAG demo")
    assert payload["response_type"] == "in_channel"
    text = text_of(payload)
    assert "finished 4.2" in text and "https://example.org/rag" in text
    assert "my RAG demo" in text


async def test_plan_goes_to_the_dm_as_an_ics_file(slack, fake_slack):
    await slack.command("path", "mlops")
    payload = await slack.command("plan")
    assert payload["response_type"] == "ephemeral"
    complete = fake_slack.calls_of("files.completeUploadExternal")
    assert len(complete) == 1 and complete[0].params["channel_id"] == "D1"
    [data] = fake_slack.uploads.values()
    assert icalendar.Calendar.from_ical(data).walk("VEVENT")
