"""serve_slack: HTTP mode on a real port, and Socket Mode over a loopback WebSocket."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from pydantic import SecretStr

from adapters.slack.runner import SlackNotConfigured, serve_slack
from bot.config import Settings
from bot.core import Core
from tests.slack.conftest import Slack, text_of
from tests.slack.fake_slack import APP_TOKEN, FakeSlack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _serve(core: Core, settings: Settings) -> AsyncIterator[tuple[str, asyncio.Task[None]]]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve_slack(core, settings, stop))
    url = f"http://127.0.0.1:{settings.port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(200):  # until the listener is bound (each try is a refused connect)
            try:
                async with session.get(f"{url}/healthz") as resp:
                    assert resp.status == 200
                    break
            except aiohttp.ClientConnectorError:
                assert not task.done(), task
                await asyncio.sleep(0.01)
    try:
        yield url, task
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def http_mode(core, settings):
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    async for served in _serve(core, settings):
        yield served


@pytest.fixture
async def socket_mode(core, settings, fake_slack):
    settings = settings.model_copy(
        update={
            "host": "127.0.0.1",
            "port": free_port(),
            "slack_app_token": SecretStr(APP_TOKEN),
            "slack_signing_secret": None,  # Socket Mode needs none
        }
    )
    async for served in _serve(core, settings):
        await fake_slack.wait_for(lambda: fake_slack.ws_connections == 1)
        yield served


async def test_http_mode_serves_commands_and_health_until_stopped(http_mode, fake_slack):
    url, task = http_mode
    async with aiohttp.ClientSession() as session:
        slack = Slack(url, fake_slack, session)
        payload = await slack.command("path", "research")
        assert "Welcome to the" in text_of(payload)
    assert not task.done()


async def test_missing_credentials_are_a_clear_error(core, settings):
    with pytest.raises(SlackNotConfigured):
        await serve_slack(
            core, settings.model_copy(update={"slack_bot_token": None}), asyncio.Event()
        )
    with pytest.raises(SlackNotConfigured):
        await serve_slack(
            core, settings.model_copy(update={"slack_signing_secret": None}), asyncio.Event()
        )


def _ack_for(fake_slack: FakeSlack, envelope_id: str) -> dict[str, Any] | None:
    return next((a for a in fake_slack.ws_acks if a.get("envelope_id") == envelope_id), None)


async def test_socket_mode_commands_buttons_events_and_reconnect(socket_mode, fake_slack):
    slack = Slack("unused", fake_slack, None)  # type: ignore[arg-type]
    assert len(fake_slack.calls_of("apps.connections.open")) == 1

    # a slash command
    body, key = slack.command_body("path", "mlops")
    env = await fake_slack.send_envelope("slash_commands", dict(parse_qsl(body)))
    await fake_slack.wait_for(lambda: _ack_for(fake_slack, env))
    enrolled = await fake_slack.response(key)
    assert "MLOps" in text_of(enrolled)

    # its Done button
    done = next(
        e
        for b in enrolled["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("st:done:")
    )
    payload, key = slack.action_payload(done["value"], action_id=done["action_id"])
    env = await fake_slack.send_envelope("interactive", payload)
    await fake_slack.wait_for(lambda: _ack_for(fake_slack, env))
    await fake_slack.response(key)

    # App Home
    event = json.loads(slack.event_body({"type": "app_home_opened", "user": "U1", "tab": "home"}))
    env = await fake_slack.send_envelope("events_api", event)
    await fake_slack.wait_for(lambda: _ack_for(fake_slack, env))
    [view] = await fake_slack.wait_for(lambda: fake_slack.calls_of("views.publish"))
    assert "1/10" in json.dumps(view.params["view"], ensure_ascii=False)

    # Slack asks the client to move: it fetches a new URL and reconnects
    await fake_slack.send_disconnect()
    await fake_slack.wait_for(lambda: fake_slack.ws_connections == 2)
    assert len(fake_slack.calls_of("apps.connections.open")) == 2
    body, key = slack.command_body("progress")
    env = await fake_slack.send_envelope("slash_commands", dict(parse_qsl(body)))
    assert "1/10" in text_of(await fake_slack.response(key))
    await fake_slack.wait_for(lambda: _ack_for(fake_slack, env))
