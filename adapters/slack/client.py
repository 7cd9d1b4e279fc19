"""The Slack Web API client, configured once: base URL from settings and retry handlers.

slack-sdk retries nothing unless told: rate limits (HTTP 429, honouring ``Retry-After``),
5xx answers and dropped connections each get a handler here. ``chat.postMessage`` allows about
one message per second per channel, so the scheduler's bursts do meet 429s.
"""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


def retry_handlers(rate_limit_retries: int = 2) -> list[AsyncRetryHandler]:
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ]


def make_web_client(settings: Settings, *, timeout: int = 15) -> AsyncWebClient:
    """An AsyncWebClient for the bot token (no I/O until the first call)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    base_url = settings.slack_api_url
    if not base_url.endswith("/"):
        base_url += "/"  # slack-sdk joins method names onto the base URL
    return AsyncWebClient(
        token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers()
    )
