"""No secret reaches the logs: the real ``skilltree run`` process, at DEBUG, in JSON, with
Discord and Slack credentials, talking to loopback fakes of both while people use commands."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import signal
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests.discord.fake_discord import FakeDiscord, interaction_payload, slash
from tests.ops.support import bot_env, free_port, start_bot, stop, wait_http
from tests.slack.fake_slack import BOT_TOKEN, TEAM, FakeSlack

# A Discord-shaped token (the redaction knows the shape too) and secrets with no shape at all,
# which only the settings can tell apart from ordinary text.
DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAwMQ.GabCdE." + secrets.token_urlsafe(30)
SIGNING_SECRET = secrets.token_hex(16)
WEB_SECRET = "web-" + secrets.token_hex(12)
SLACK_CLIENT_SECRET = "client-" + secrets.token_hex(12)


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={mac.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def slash_form(fake: FakeSlack, key: str, command: str, text: str = "") -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "skilltree-test",
            "channel_id": "C1",
            "channel_name": "study",
            "user_id": "U1",
            "user_name": "u1",
            "command": f"/{command}",
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": fake.response_url(key),
            "trigger_id": f"trig.{key}",
        }
    )


async def test_no_secret_in_any_log_line(tmp_path: Path) -> None:
    discord, slack = FakeDiscord(), FakeSlack()
    await discord.start()
    await slack.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = bot_env(
        tmp_path,
        port,
        LOG_LEVEL="DEBUG",
        LOG_FORMAT="json",
        DISCORD_TOKEN=DISCORD_TOKEN,
        DISCORD_API_URL=discord.api_url,
        DISCORD_GATEWAY_URL=discord.gateway_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        WEB_SECRET=WEB_SECRET,
        PUBLIC_BASE_URL=base,
        SLACK_CLIENT_SECRET=SLACK_CLIENT_SECRET,  # set without a client id: stays unused
        SCHEDULER_INTERVAL_SECONDS="0.5",
    )
    log_path = tmp_path / "bot.log"
    interaction_tokens: list[str] = []
    with log_path.open("wb") as out:
        proc = start_bot(env, tmp_path, out)
        try:
            await asyncio.to_thread(wait_http, f"{base}/healthz", proc)
            await discord.wait_for(lambda: discord.identifies >= 1, 20)

            # Discord: slash commands through the gateway, answered over REST. Each carries an
            # interaction token (a credential for 15 minutes) that discord.py logs at DEBUG.
            for data in (slash("path", name="mlops"), slash("progress")):
                payload = interaction_payload(2, data)
                interaction_tokens.append(payload["token"])
                assert await discord.answer(payload)

            # Slack: signed slash commands, answered to their response_url; one forged request.
            async with aiohttp.ClientSession() as session:
                for n, (command, text) in enumerate(
                    [("path", "app"), ("done", ""), ("leaderboard", ""), ("chapter", "99.9")]
                ):
                    body = slash_form(slack, f"k{n}", command, text)
                    async with session.post(
                        f"{base}/slack/events", data=body, headers=signed(body)
                    ) as resp:
                        assert resp.status == 200, (command, resp.status)
                    await slack.response(f"k{n}", within=10)
                forged = {**signed("x"), "X-Slack-Signature": "v0=" + "0" * 64}
                async with session.post(f"{base}/slack/events", data="x", headers=forged) as resp:
                    assert resp.status == 401
                async with session.get(f"{base}/metrics") as resp:
                    metrics = await resp.text()
            await asyncio.sleep(1)  # a scheduler tick or two at DEBUG

            proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(proc.wait, 15)
        finally:
            stop(proc)
            await slack.stop()
            await discord.close()

    raw = log_path.read_bytes()
    text = raw.decode("utf-8", "replace")
    assert code == 0, text[-3000:]
    # The run did what we think: commands from both platforms went through the core...
    assert 'skilltree_commands_total{command="path",outcome="ok"} 2.0' in metrics, metrics
    # ...every log line is one JSON object, DEBUG ones included...
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert {"DEBUG", "INFO"} <= {r["level"] for r in records}
    assert any(r["message"] == "stopped" for r in records)
    assert len(raw) > 10_000  # DEBUG output from the libraries, not a near-empty log
    # ...and not one secret, in any form the process wrote.
    for secret in (DISCORD_TOKEN, BOT_TOKEN, SIGNING_SECRET, WEB_SECRET, SLACK_CLIENT_SECRET):
        assert secret not in text, f"{secret[:6]}… leaked into the log"
        assert secret.encode() not in raw
    # The Discord token's parts, too (base64 pieces would identify it).
    assert DISCORD_TOKEN.split(".")[2] not in text
    # Interaction tokens: discord.py logs them (event dumps, callback URLs); the filter doesn't.
    assert "/interactions/" in text and "[redacted]" in text
    for token in interaction_tokens:
        assert token not in text
