"""SlackNotifier: DMs with a channel fallback, 429s retried, failures classified."""

from __future__ import annotations

import json
import time

import pytest

from adapters.slack.client import make_web_client
from adapters.slack.notifier import SlackNotifier
from bot.config import Settings
from bot.ports import ChannelTarget, DeliveryError, Notifier, UserTarget
from bot.types import Button, Reply
from tests.slack.fake_slack import SPEC_ENV, SPEC_RELATIVE, TEAM, SpecChecker, find_spec

REPLY = Reply(title="Weekly prompt", text="Time for **step 2**", buttons=(Button("Done", "done"),))


@pytest.fixture
def notifier(settings: Settings) -> SlackNotifier:
    return SlackNotifier(make_web_client(settings))


def test_it_is_a_notifier(notifier):
    port: Notifier = notifier  # mypy checks the protocol; Notifier is not runtime-checkable
    assert port.platform == "slack"


async def test_dm_goes_to_the_user_id(notifier, fake_slack):
    await notifier.send_to_user(UserTarget("slack", TEAM, "U1"), REPLY, key="k1")
    [call] = fake_slack.calls_of("chat.postMessage")
    assert call.params["channel"] == "U1"
    assert "*step 2*" in json.dumps(call.params["blocks"])
    assert call.params["text"].startswith("Weekly prompt")


async def test_429_is_retried_after_retry_after_and_delivered_once(notifier, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    await notifier.send_to_channel(ChannelTarget("slack", TEAM, "C1"), REPLY, key="k2")
    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    assert [c.status for c in fake_slack.calls if c.method == "chat.postMessage"] == [429, 200]
    assert len(fake_slack.calls_of("chat.postMessage")) == 1


async def test_closed_dm_falls_back_to_the_study_channel(notifier, fake_slack):
    fake_slack.fail_next("chat.postMessage", error="cannot_dm_bot")
    target = UserTarget("slack", TEAM, "U1", fallback_channel="C42")
    await notifier.send_to_user(target, REPLY, key="k3")
    [delivered] = fake_slack.calls_of("chat.postMessage")
    assert delivered.params["channel"] == "C42"


async def test_closed_dm_without_fallback_is_a_permanent_failure(notifier, fake_slack):
    fake_slack.fail_next("chat.postMessage", error="user_not_found")
    with pytest.raises(DeliveryError) as info:
        await notifier.send_to_user(UserTarget("slack", TEAM, "U1"), REPLY, key="k4")
    assert info.value.permanent


async def test_archived_channel_is_permanent_and_an_outage_is_not(notifier, fake_slack):
    fake_slack.fail_next("chat.postMessage", error="is_archived")
    with pytest.raises(DeliveryError) as info:
        await notifier.send_to_channel(ChannelTarget("slack", TEAM, "C1"), REPLY, key="k5")
    assert info.value.permanent
    fake_slack.fail_next("chat.postMessage", error="fatal_error")
    with pytest.raises(DeliveryError) as info:
        await notifier.send_to_channel(ChannelTarget("slack", TEAM, "C1"), REPLY, key="k6")
    assert not info.value.permanent


async def test_unreachable_slack_is_a_transient_failure(settings):
    settings = settings.model_copy(update={"slack_api_url": "http://127.0.0.1:9/api/"})
    notifier = SlackNotifier(make_web_client(settings, timeout=2))
    with pytest.raises(DeliveryError) as info:
        await notifier.send_to_user(UserTarget("slack", TEAM, "U1"), REPLY, key="k7")
    assert not info.value.permanent


def test_calls_are_checked_against_slacks_web_api_description():
    checker = SpecChecker(find_spec())
    if not checker.available:
        pytest.skip(
            f"Slack Web API spec not found: set {SPEC_ENV} or place {SPEC_RELATIVE.as_posix()}"
            " in a parent directory of the repository; calls go unchecked"
        )
    assert checker.problems("chat.postMessage", {"text": "x"}, has_auth=True) == [
        "chat.postMessage: missing required parameter 'channel'"
    ]
    assert checker.problems("users.info", {"user": "U1", "bogus": 1}, has_auth=True) == [
        "users.info: unknown parameter 'bogus'"
    ]


async def test_the_prompt_returns_its_ts_and_the_thread_replies_under_it(notifier, fake_slack):
    study = ChannelTarget("slack", TEAM, "C1")
    ts = await notifier.send_to_channel(study, REPLY, key="c:W10")
    assert ts == fake_slack.calls_of("chat.postMessage")[0].params.get("ts", ts)
    assert ts is not None
    thread = await notifier.open_thread(study, ts, "Questions", Reply(text="Ask here"), key="t")
    assert thread == ts
    [reply] = fake_slack.thread_replies[ts]
    assert reply["channel"] == "C1" and reply["text"].startswith("Ask here")


async def test_buddies_are_introduced_in_a_group_dm_of_them_all(notifier, fake_slack):
    users = [UserTarget("slack", TEAM, u) for u in ("U1", "U2", "U3")]
    study = ChannelTarget("slack", TEAM, "C1")
    conversation = await notifier.introduce(study, users, REPLY, key="b:1")
    [opened] = fake_slack.calls_of("conversations.open")
    assert opened.params["users"] == "U1,U2,U3"
    assert fake_slack.group_dms[conversation] == ["U1", "U2", "U3"]
    [post] = fake_slack.calls_of("chat.postMessage")
    assert post.params["channel"] == conversation
