"""Who is asking and where: Slack payloads → the core's Actor and Place.

Slash command and action payloads carry ids and a user name, but not locale, timezone or admin
status; ``users.info`` does. One call per person per few minutes is plenty (users.info is a
Tier 4 method, ~100/min), so answers are cached. If Slack does not answer, the command still
runs with defaults (English, no timezone, not an admin) rather than failing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.types import Actor, Locale, Place, normalize_locale

log = logging.getLogger(__name__)

PLATFORM = "slack"
CACHE_SECONDS = 600.0
MAX_CACHED_USERS = 10_000


@dataclass(frozen=True, slots=True)
class Profile:
    display_name: str = ""
    locale: Locale = "en"
    timezone: str | None = None
    is_admin: bool = False


class UserDirectory:
    """users.info, cached per (team, user) for ``ttl`` seconds."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        admin_user_ids: Collection[str] = (),
        default_locale: Locale = "en",
        ttl: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.admin_user_ids = frozenset(admin_user_ids)
        self.default_locale = default_locale
        self.ttl = ttl
        self._monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[float, Profile]] = {}

    async def profile(
        self, team_id: str, user_id: str, client: AsyncWebClient | None = None
    ) -> Profile:
        """``client``: the request's (Bolt's ``context.client``, holding that workspace's token
        when the app is installed to many); the directory's own client otherwise."""
        key = (team_id, user_id)
        hit = self._cache.get(key)
        now = self._monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            resp = await (client or self.client).users_info(user=user_id, include_locale=True)
            profile = self._parse(user_id, resp.get("user") or {})
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            log.warning("users.info failed for %s: %s; using defaults", user_id, _why(exc))
            # Do not cache a failure: the next command tries again.
            return Profile(locale=self.default_locale, is_admin=user_id in self.admin_user_ids)
        if len(self._cache) >= MAX_CACHED_USERS:
            self._cache.clear()
        self._cache[key] = (now + self.ttl, profile)
        return profile

    def _parse(self, user_id: str, user: Mapping[str, Any]) -> Profile:
        prof = user.get("profile") or {}
        name = (
            prof.get("display_name")
            or prof.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or ""
        )
        admin = bool(user.get("is_admin") or user.get("is_owner"))
        tz = user.get("tz")
        raw_locale = user.get("locale")
        return Profile(
            display_name=str(name),
            locale=normalize_locale(raw_locale) if raw_locale else self.default_locale,
            timezone=tz if isinstance(tz, str) and tz else None,
            is_admin=admin or user_id in self.admin_user_ids,
        )

    async def actor(
        self,
        team_id: str,
        user_id: str,
        user_name: str = "",
        client: AsyncWebClient | None = None,
    ) -> Actor:
        p = await self.profile(team_id, user_id, client)
        return Actor(
            PLATFORM,
            team_id,
            user_id,
            display_name=p.display_name or user_name or user_id,
            locale=p.locale,
            is_admin=p.is_admin,
            timezone=p.timezone,
        )


def _why(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__


def is_dm(channel_id: str | None, channel_name: str | None = None) -> bool:
    """Slack DMs: channel ids start with D; slash commands also say ``directmessage``."""
    return channel_name == "directmessage" or bool(channel_id and channel_id.startswith("D"))


def place_for(team_id: str, channel_id: str | None, channel_name: str | None = None) -> Place:
    if not channel_id or is_dm(channel_id, channel_name):
        return Place(PLATFORM, team_id, None)
    return Place(PLATFORM, team_id, channel_id, channel_name=channel_name or "")
