"""The loopback Discord and Slack fakes with the platforms' published rate limits enforced,
served from their own process (so the bot's RSS and CPU are its own), plus a stats endpoint.

* Discord: 50 requests/s global per bot token (token bucket, burst 50; both can be scaled down
  for tests); over it, a 429 with
  ``global: true``, ``retry_after`` and the ``Via`` header Discord's edge sets.
* Slack ``chat.postMessage``: about one message per second per channel; a second post to the
  same channel within a second gets 429 + ``Retry-After: 1``. (A DM is its own channel.)

    .venv/bin/python -m bench.fakes     # prints {"discord": port, "slack": port, "stats": port}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.discord.fake_discord import FakeDiscord, Request, _json
from tests.slack.fake_slack import FakeSlack, SpecChecker, find_spec, site_port

DISCORD_RATE = 50.0  # requests per second, global


class LimitedDiscord(FakeDiscord):
    """Every request is counted as (time, route, status, user-or-channel id); nothing else is
    kept per request (the base class keeps whole bodies, too much for 100,000 messages)."""

    def __init__(self, rate: float = DISCORD_RATE, burst: float | None = None) -> None:
        """``rate`` requests per second, ``burst`` at once (default: one second's worth);
        tests scale them to meet the limit with a few dozen requests."""
        super().__init__(None)
        self.log: list[tuple[float, str, int, str]] = []
        self.rate = rate
        self.burst = rate if burst is None else burst
        self._tokens = self.burst
        self._last = time.monotonic()

    def _take(self) -> float:
        """0 when a request may pass now, else the seconds until it may."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate

    def _wrap(self, spec_path: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        kind = {"/users/@me/channels": "open", "/channels/{channel_id}/messages": "post"}.get(
            spec_path, spec_path
        )

        async def route(request: web.Request) -> web.StreamResponse:
            body, files = await self._read_body(request)
            entry = Request(
                request.method,
                spec_path,
                str(request.rel_url),
                dict(request.match_info),
                dict(request.query),
                body,
                files,
            )
            who = str((body or {}).get("recipient_id") or request.match_info.get("channel_id", ""))
            wait = self._take()
            if wait:
                response = _json(
                    {"message": "You are being rate limited.", "retry_after": wait, "global": True},
                    status=429,
                    headers={
                        "Via": "1.1 google",
                        "Retry-After": str(max(1, round(wait))),
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                    },
                )
            else:
                response = await handler(request, entry)
            self.log.append((time.monotonic(), kind, response.status, who))
            return response

        return route

    def stats(self) -> dict[str, Any]:
        owners = {channel: user for user, channel in self.dm_channels.items()}
        posts: dict[str, int] = {}
        for channel, messages in self.channel_messages.items():
            posts[owners.get(channel, "channel:" + channel)] = len(messages)
        # Cumulative per person (distinct messages: a repeated nonce is not a new one).
        return {"log": self.log, "messages_per_user": posts}


class LimitedSlack(FakeSlack):
    def __init__(self) -> None:
        super().__init__(spec=SpecChecker(find_spec()))
        self.log: list[tuple[float, str, int, str]] = []
        self.delivered: dict[str, int] = {}
        self._last_post: dict[str, float] = {}

    async def _params(self, request: web.Request) -> dict[str, Any]:
        # A body can be read once: keep what the rate check read for the base class.
        if "params" not in request:
            request["params"] = await super()._params(request)
        return dict(request["params"])

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method != "chat.postMessage":
            return await super()._api(request)
        params = await self._params(request)
        channel = str(params.get("channel", ""))
        now = time.monotonic()
        last = self._last_post.get(channel)
        if last is not None and now - last < 1.0:
            self.log.append((now, "post", 429, channel))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self._last_post[channel] = now
        response = await super()._api(request)
        ok = response.status == 200 and json.loads(response.body)["ok"]  # type: ignore[arg-type]
        if ok:
            self.delivered[channel] = self.delivered.get(channel, 0) + 1
        self.log.append((now, "post", response.status if ok else 599, channel))
        self.calls.clear()  # the base class records every call; keep memory flat
        return response

    def stats(self) -> dict[str, Any]:
        return {
            "log": self.log,
            "messages_per_user": dict(self.delivered),
            "violations": self.violations,
        }


async def serve() -> None:
    discord, slack = LimitedDiscord(), LimitedSlack()
    await discord.start()
    await slack.start()

    async def stats(request: web.Request) -> web.Response:
        which = request.match_info["which"]
        fake = discord if which == "discord" else slack
        data = fake.stats()
        if request.query.get("reset"):
            fake.log = []
        return web.json_response(data)

    app = web.Application()
    app.router.add_get("/stats/{which}", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ports = {"discord": discord.port, "slack": slack.port, "stats": site_port(site)}
    print(json.dumps(ports), flush=True)
    # Until the parent closes our stdin.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()
    await slack.stop()
    await discord.close()


if __name__ == "__main__":
    asyncio.run(serve())
