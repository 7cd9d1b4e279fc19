"""The endpoint refuses what Slack did not send, and survives what it cannot parse."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from tests.slack.conftest import Slack, sign, text_of

FORM = "application/x-www-form-urlencoded"


async def _not_enrolled(slack: Slack) -> bool:
    return "haven't picked a path" in text_of(await slack.command("progress"))


async def test_forged_signature_is_refused_and_changes_nothing(slack, fake_slack):
    body, key = slack.command_body("path", "mlops")
    resp = await slack.post(body, FORM, sign(body, secret="not-the-secret"))
    assert resp.status == 401
    assert await _not_enrolled(slack)
    assert key not in fake_slack.responses


async def test_unsigned_request_is_refused(slack, fake_slack):
    body, _ = slack.command_body("path", "mlops")
    resp = await slack.post(body, FORM, {})
    assert resp.status == 401
    assert await _not_enrolled(slack)


async def test_stale_timestamp_is_refused(slack, fake_slack):
    body, key = slack.command_body("path", "mlops")
    resp = await slack.post(body, FORM, sign(body, timestamp=int(time.time()) - 6 * 60))
    assert resp.status == 401
    assert await _not_enrolled(slack)
    assert key not in fake_slack.responses


async def test_replayed_request_is_refused(slack, fake_slack):
    body, key = slack.command_body("done")
    await slack.command("path", "mlops")
    headers = sign(body)
    assert (await slack.post(body, FORM, headers)).status == 200
    await fake_slack.response(key)
    assert (await slack.post(body, FORM, headers)).status == 401
    assert "1/10" in text_of(await slack.command("progress"))  # done once, not twice
    assert len(fake_slack.responses[key]) == 1


async def test_unknown_action_is_a_4xx_and_the_server_stays_up(slack, fake_slack):
    payload, _ = slack.action_payload("done", action_id="someone-elses-button")
    resp = await slack.post(urlencode({"payload": json.dumps(payload)}), FORM)
    assert 400 <= resp.status < 500
    assert "Welcome" in text_of(await slack.command("path", "app"))


async def test_malformed_bodies_are_4xx_and_the_server_stays_up(slack):
    for body, ctype in [
        ("payload=%7Bnot-json", FORM),
        ("{not json", "application/json"),
        ("", FORM),
        (urlencode({"payload": json.dumps({"type": "block_actions"})}), FORM),
        ("command=%2Fpath", FORM),
    ]:
        resp = await slack.post(body, ctype)
        assert 400 <= resp.status < 500, (body, resp.status)
    assert "Welcome" in text_of(await slack.command("path", "app"))


async def test_a_stale_button_value_gets_a_clear_answer(slack):
    answer = await slack.click("", action_id="st:done:0")
    assert "no longer works" in text_of(answer)
    answer = await slack.click("no-such-command x", action_id="st:x:1")
    assert "don't know the command" in text_of(answer)


async def test_url_verification_and_health(slack):
    body = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"})
    async with slack.session.post(
        f"{slack.url}/slack/events",
        data=body,
        headers={"Content-Type": "application/json", **sign(body)},
    ) as resp:
        assert resp.status == 200
        assert "abc123" in await resp.text()
    async with slack.session.get(f"{slack.url}/healthz") as resp:
        assert resp.status == 200


async def test_a_signature_is_checked_once_per_request(slack, fake_slack, monkeypatch):
    """Our endpoint checks it (and refuses replays); Bolt does not check it again."""
    from slack_sdk.signature import SignatureVerifier

    checks = []
    real = SignatureVerifier.is_valid

    def counted(self, *args, **kwargs):
        checks.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SignatureVerifier, "is_valid", counted)
    body, key = slack.command_body("path", "mlops")
    assert (await slack.post(body, FORM, sign(body))).status == 200
    await fake_slack.response(key)
    assert len(checks) == 1
