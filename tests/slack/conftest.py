"""A real Bolt app on a real aiohttp server, a real Core, and a loopback fake Slack.

Requests are signed exactly as Slack signs them (v0, HMAC-SHA256 of ``v0:{ts}:{body}``) and sent
over HTTP, so the bot's own signature check, replay guard and Bolt's parsing are all exercised.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from adapters.slack.app import build_slack_app
from adapters.slack.client import make_web_client
from adapters.slack.web import build_web_app
from bot.config import Settings
from bot.core import Core
from tests.slack.fake_slack import BOT_TOKEN, TEAM, FakeSlack, site_port

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def backend() -> str:
    """The adapter does not care which database the core uses: SQLite keeps these fast."""
    return "sqlite"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert fake.violations == [], fake.violations


@pytest.fixture
def settings(fake_slack: FakeSlack) -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
        slack_admin_user_ids=["UADMIN"],
    )


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class Slack:
    """Plays Slack's part: posts signed slash commands, button clicks and events to the bot."""

    def __init__(self, url: str, fake: FakeSlack, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.fake = fake
        self.session = session
        self._keys = itertools.count(1)

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        headers = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        async with self.session.post(
            f"{self.url}/slack/events", data=body.encode(), headers=headers
        ) as resp:
            await resp.read()
            return resp

    def command_body(
        self,
        name: str,
        text: str = "",
        *,
        user: str = "U1",
        channel: str = "C1",
        channel_name: str = "study",
    ) -> tuple[str, str]:
        key = f"cmd{next(self._keys)}"
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "skilltree-test",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user.lower(),
            "command": f"/{name}",
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(key),
            "trigger_id": f"trig.{key}",
        }
        return urlencode(form), key

    async def command(self, name: str, text: str = "", **kwargs: Any) -> dict[str, Any]:
        """A slash command; returns what the bot posted to its response_url."""
        body, key = self.command_body(name, text, **kwargs)
        resp = await self.post(body, "application/x-www-form-urlencoded")
        assert resp.status == 200, resp.status
        return await self.fake.response(key)

    def action_payload(
        self,
        value: str,
        *,
        action_id: str = "st:x:0",
        user: str = "U1",
        channel: str | None = "C1",
        home: bool = False,
    ) -> tuple[dict[str, Any], str]:
        key = f"act{next(self._keys)}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy-verification-token",
            "trigger_id": f"trig.{key}",
            "team": {"id": TEAM, "domain": "skilltree-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "text": {"type": "plain_text", "text": "Done"},
                    "value": value,
                    "type": "button",
                    "action_ts": "1700000000.000001",
                }
            ],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home", "team_id": TEAM, "blocks": []}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": channel, "name": "study"}
            payload["response_url"] = self.fake.response_url(key)
        return payload, key

    async def click(self, value: str, **kwargs: Any) -> dict[str, Any] | None:
        payload, key = self.action_payload(value, **kwargs)
        resp = await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
        assert resp.status == 200, resp.status
        if kwargs.get("home"):
            return None
        return await self.fake.response(key)

    def event_body(self, event: dict[str, Any]) -> str:
        return json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "api_app_id": "A0001",
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{next(self._keys)}",
                "event_time": 1700000000,
                "authorizations": [
                    {"team_id": TEAM, "user_id": "UBOT", "is_bot": True, "enterprise_id": None}
                ],
            }
        )

    async def home_opened(self, user: str = "U1") -> aiohttp.ClientResponse:
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user[1:],
            "tab": "home",
            "event_ts": "1700000000.000200",
        }
        return await self.post(self.event_body(event), "application/json")


@pytest.fixture
async def slack(core: Core, settings: Settings, fake_slack: FakeSlack) -> AsyncIterator[Slack]:
    client = make_web_client(settings)
    app = build_slack_app(core, settings, client=client)
    runner = web.AppRunner(build_web_app(app, SECRET), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site_port(site)
    async with aiohttp.ClientSession() as session:
        yield Slack(f"http://127.0.0.1:{port}", fake_slack, session)
    await runner.cleanup()


def text_of(payload: dict[str, Any]) -> str:
    """Everything a person would read in a message or view, for assertions."""
    parts = [payload.get("text") or ""]
    for block in payload.get("blocks") or []:
        parts.append(json.dumps(block, ensure_ascii=False))
    return "\n".join(parts)


def buttons_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in payload.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]
