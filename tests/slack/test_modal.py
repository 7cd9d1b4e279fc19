"""Reminder settings in a modal: the button under /reminders and on Home opens a form
(views.open) with a weekday, a time picker and a timezone search; saving goes through the
core's /reminders like any other change."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from adapters.slack.modal import CALLBACK_ID, OPEN_ACTION
from tests.slack.conftest import TEAM, buttons_of, sign, text_of
from tests.slack.fake_slack import FakeSlack

FORM = "application/x-www-form-urlencoded"


def _opened(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    views = []
    for call in fake_slack.calls_of("views.open"):
        view = call.params["view"]
        views.append(json.loads(view) if isinstance(view, str) else view)
    return views


async def _post_payload(slack, payload: dict[str, Any]) -> tuple[int, str]:
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": FORM, **sign(body)}
    async with slack.session.post(f"{slack.url}/slack/events", data=body, headers=headers) as r:
        return r.status, await r.text()


async def test_reminders_answer_offers_the_settings_form(slack):
    answer = await slack.command("reminders")
    assert OPEN_ACTION in [b["action_id"] for b in buttons_of(answer)]


async def test_the_button_opens_a_form_filled_with_the_current_settings(slack, fake_slack):
    await slack.command("reminders", "wed 19:30 Asia/Shanghai")
    payload, _ = slack.action_payload("open", action_id=OPEN_ACTION)
    status, _ = await _post_payload(slack, payload)
    assert status == 200
    [view] = await fake_slack.wait_for(lambda: _opened(fake_slack))
    assert view["type"] == "modal" and view["callback_id"] == CALLBACK_ID
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["day"]["initial_option"]["text"]["text"] == "Wednesday"
    assert blocks["time"]["initial_time"] == "19:30"
    assert blocks["tz"]["initial_option"]["value"] == "Asia/Shanghai"
    [call] = fake_slack.calls_of("views.open")
    assert call.params["trigger_id"] == payload["trigger_id"]


async def test_the_timezone_search_offers_matching_zones(slack):
    payload = {
        "type": "block_suggestion",
        "user": {"id": "U1", "team_id": TEAM},
        "team": {"id": TEAM},
        "api_app_id": "A0001",
        "action_id": "tz",
        "block_id": "tz",
        "value": "shang",
        "view": {"id": "V1", "type": "modal", "callback_id": CALLBACK_ID},
    }
    status, body = await _post_payload(slack, payload)
    assert status == 200
    values = [o["value"] for o in json.loads(body)["options"]]
    assert values[0] == "Asia/Shanghai" and len(values) <= 100


async def test_saving_the_form_changes_the_reminder_through_the_core(slack, fake_slack):
    await slack.command("path", "mlops")
    payload = {
        "type": "view_submission",
        "user": {"id": "U1", "team_id": TEAM, "username": "u1"},
        "team": {"id": TEAM},
        "api_app_id": "A0001",
        "trigger_id": "trig.save",
        "view": {
            "id": "V9",
            "type": "modal",
            "callback_id": CALLBACK_ID,
            "private_metadata": "C1",
            "state": {
                "values": {
                    "day": {"day": {"type": "static_select", "selected_option": {"value": "4"}}},
                    "time": {"time": {"type": "timepicker", "selected_time": "07:15"}},
                    "tz": {
                        "tz": {
                            "type": "external_select",
                            "selected_option": {"value": "Europe/Berlin"},
                        }
                    },
                }
            },
        },
    }
    status, _ = await _post_payload(slack, payload)
    assert status == 200
    [posted] = await fake_slack.wait_for(lambda: fake_slack.calls_of("chat.postEphemeral"))
    assert posted.params["user"] == "U1" and posted.params["channel"] == "C1"
    answer = await slack.command("reminders")
    assert "Friday 07:15" in text_of(answer) and "Europe/Berlin" in text_of(answer)
