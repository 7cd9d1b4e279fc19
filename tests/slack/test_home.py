"""The App Home tab: a personal dashboard published with views.publish."""

from __future__ import annotations

import json
from typing import Any

from tests.slack.conftest import buttons_of, text_of
from tests.slack.fake_slack import FakeSlack


def _views(fake_slack: FakeSlack) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for call in fake_slack.calls_of("views.publish"):
        view = call.params["view"]
        out.append((call.params["user_id"], json.loads(view) if isinstance(view, str) else view))
    return out


async def test_home_opened_publishes_progress_and_reminders(slack, fake_slack):
    await slack.command("path", "mlops")
    resp = await slack.home_opened("U1")
    assert resp.status == 200
    await fake_slack.wait_for(lambda: _views(fake_slack))
    [(user, view)] = _views(fake_slack)
    assert user == "U1"
    assert view["type"] == "home"
    text = text_of(view)
    assert "MLOps" in text
    assert "Weekly reminder" in text
    labels = [b["text"]["text"] for b in buttons_of(view)]
    assert "Done" in labels
    assert "Next" in labels


async def test_home_for_someone_new_invites_them_to_pick_a_path(slack, fake_slack):
    fake_slack.users["U9"] = {"locale": "zh-CN"}
    await slack.home_opened("U9")
    [(_, view)] = await fake_slack.wait_for(lambda: _views(fake_slack))
    text = text_of(view)
    assert "你的学习面板" in text
    assert ":warning:" not in text


async def test_done_from_home_advances_and_republishes(slack, fake_slack):
    await slack.command("path", "mlops")
    await slack.home_opened("U1")
    [(_, view)] = await fake_slack.wait_for(lambda: _views(fake_slack))
    done = next(b for b in buttons_of(view) if b["action_id"].startswith("st:done:"))
    await slack.click(done["value"], action_id=done["action_id"], home=True)
    await fake_slack.wait_for(lambda: len(_views(fake_slack)) == 2)
    _, after = _views(fake_slack)[1]
    text = text_of(after)
    assert "Last action" in text
    assert "1/10" in text
    assert "1.1" in text


async def test_the_messages_tab_publishes_nothing(slack, fake_slack):
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"}
    resp = await slack.post(slack.event_body(event), "application/json")
    assert resp.status == 200
    await slack.command("help")  # a later request has been served in full …
    assert _views(fake_slack) == []  # … and the Messages tab got no Home view
