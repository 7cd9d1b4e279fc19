"""Over-the-wire fixtures: the loopback Slack and Discord of ``tests/slack`` and
``tests/discord``, each with a rate limiter of its own, and the real notifiers talking to them.

The limiters are scaled-down versions of what the platforms enforce, so a test of a few dozen
messages meets them:

* **Slack** (``chat.postMessage``): at most ``limit`` accepted messages per fixed one-second
  window for the workspace; beyond that HTTP 429 with an integer ``Retry-After`` (Slack's
  real limits are per channel and per workspace; DMs to many people only meet the latter).
  slack-sdk has no pre-emptive limiter: it is told, waits ``Retry-After``, and tries again.
* **Discord**: per-bucket limits with the ``X-RateLimit-*`` headers Discord sends (opening DM
  channels shares one bucket; posting has one bucket per channel), a window that starts at the
  first request after the previous one ended, and 429 + ``retry_after`` beyond it. discord.py
  reads the headers and waits on its own before a bucket runs dry.

Both fakes log every request with its arrival time (``hits``) so a test can check that the
bot never came back before the wait it was given. These tests pin SQLite: they exercise the
adapters and the wire; the scheduler's own tests cover PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import discord.http
import pytest
from aiohttp import web

from adapters.discord.notifier import DiscordNotifier
from adapters.slack.client import make_web_client
from adapters.slack.notifier import SlackNotifier
from bot.config import Settings
from bot.core import Core
from tests.discord.fake_discord import FakeDiscord
from tests.discord.fake_discord import _json as discord_json
from tests.slack.fake_slack import BOT_TOKEN, Call, FakeSlack


@pytest.fixture
def backend() -> str:
    return "sqlite"


@dataclass(frozen=True, slots=True)
class Hit:
    """One request as the fake saw it: when, for what, and what it answered."""

    at: float  # the event loop's clock
    route: str
    ident: str  # Slack: the channel; Discord: the nonce (messages) or the recipient (DMs)
    status: int
    retry_after: float | None = None
    over_limit: bool = False  # refused by the fake's limiter (not an injected storm)
    window: str = ""  # accepted requests: which limiter window counted them


def _now() -> float:
    return asyncio.get_running_loop().time()


# --- Slack ------------------------------------------------------------------------------------


@dataclass
class LimitedSlack(FakeSlack):
    limit: int = 10  # accepted chat.postMessage calls per window
    window: float = 1.0
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._window_start: float | None = None
        self._window_count = 0
        self._window_no = 0

    async def _params(self, request: web.Request) -> dict[str, Any]:
        """Read once per request: a body read leaves ``can_read_body`` false for the parent."""
        if "fake_params" not in request:
            request["fake_params"] = await super()._params(request)
        return dict(request["fake_params"])

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method != "chat.postMessage":
            return await super()._api(request)
        params = await self._params(request)
        now, channel = _now(), str(params.get("channel"))
        window = ""
        if not self.failures.get(method):  # an injected failure (the storm) answers first
            if self._window_start is None or now >= self._window_start + self.window:
                self._window_start, self._window_count = now, 0
                self._window_no += 1
            if self._window_count >= self.limit:
                wait = max(1, math.ceil(self._window_start + self.window - now))
                self.calls.append(Call(method, params, 429, ok=False))
                self.hits.append(Hit(now, method, channel, 429, wait, over_limit=True))
                self._touch()
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(wait)},
                )
            self._window_count += 1
            window = str(self._window_no)
        response = await super()._api(request)
        retry = response.headers.get("Retry-After")
        ok = response.status == 200 and json.loads(response.body)["ok"]  # type: ignore[arg-type]
        self.hits.append(
            Hit(
                now,
                method,
                channel,
                response.status if ok or response.status != 200 else 400,
                float(retry) if retry else None,
                window=window if ok else "",
            )
        )
        return response


@pytest.fixture
async def fake_slack() -> AsyncIterator[LimitedSlack]:
    fake = LimitedSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert fake.violations == [], fake.violations


@pytest.fixture
def slack_notifier(fake_slack: LimitedSlack) -> SlackNotifier:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_api_url=fake_slack.api_url,
    )
    return SlackNotifier(make_web_client(settings))


# --- Discord ----------------------------------------------------------------------------------

DM_OPEN = "/users/@me/channels"
MESSAGES = "/channels/{channel_id}/messages"


@dataclass
class _Window:
    start: float
    count: int = 0
    number: int = 0


class LimitedDiscord(FakeDiscord):
    # route → (bucket name, limit per window, window seconds); scaled down from Discord's
    # (posting is 5 per 5 s per channel; opening DMs has no published figure).
    LIMITS: ClassVar[dict[str, tuple[str, int, float]]] = {
        DM_OPEN: ("dm-open", 5, 0.5),
        MESSAGES: ("messages", 5, 0.5),
    }

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.fail_after_post = 0  # post the message, then answer 500: the retry must dedupe
        self._windows: dict[str, _Window] = {}
        super().__init__()

    def _wrap(self, spec_path: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        inner = super()._wrap(spec_path, self._limited(spec_path, handler))
        if spec_path not in self.LIMITS:
            return inner

        async def timed(request: web.Request) -> web.StreamResponse:
            now = _now()
            response = await inner(request)
            body = json.loads(await request.text() or "{}")
            ident = str(body.get("nonce") or body.get("recipient_id"))
            answer = json.loads(response.body) if isinstance(response, web.Response) else {}  # type: ignore[arg-type]
            retry = answer.get("retry_after") if response.status == 429 else None
            over = response.status == 429 and answer.get("limiter") is True
            window = response.headers.get("X-Fake-Window", "") if response.status == 200 else ""
            self.hits.append(Hit(now, spec_path, ident, response.status, retry, over, window))
            return response

        return timed

    def _limited(self, spec_path: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        limits = self.LIMITS.get(spec_path)
        if limits is None:
            return handler
        name, limit, seconds = limits

        async def limited(request: web.Request, entry: Any) -> web.Response:
            key = f"{name}:{entry.params.get('channel_id', '')}"
            now = _now()
            win = self._windows.get(key)
            if win is None or now >= win.start + seconds:
                number = win.number + 1 if win else 1
                win = self._windows[key] = _Window(now, 0, number)
            reset_after = win.start + seconds - now
            headers = {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Bucket": name,
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            }
            if win.count >= limit:
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": round(reset_after, 3),
                    "global": False,
                    "limiter": True,  # not in Discord's answer: tells the test who refused
                }
                return discord_json(
                    body,
                    429,
                    {
                        **headers,
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",
                    },
                )
            win.count += 1
            response: web.Response = await handler(request, entry)
            if spec_path == MESSAGES and self.fail_after_post > 0 and response.status == 200:
                self.fail_after_post -= 1
                return discord_json({"message": "fake server error", "code": 0}, 500)
            response.headers.update({**headers, "X-RateLimit-Remaining": str(limit - win.count)})
            response.headers["X-Fake-Window"] = f"{key}#{win.number}"  # for the test's tally
            return response

        return limited


@pytest.fixture(autouse=True)
def _restore_discord_base() -> Iterator[None]:
    base = discord.http.Route.BASE
    yield
    discord.http.Route.BASE = base


@pytest.fixture
async def fake_discord() -> AsyncIterator[LimitedDiscord]:
    fake = LimitedDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def discord_notifier(
    core: Core, fake_discord: LimitedDiscord
) -> AsyncIterator[DiscordNotifier]:
    """discord.py's own HTTP client, logged in against the fake (no gateway needed to send)."""
    discord.http.Route.BASE = fake_discord.api_url
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    await http.static_login("fake-token-never-logged")
    try:
        yield DiscordNotifier(http, core.directory)
    finally:
        await http.close()
