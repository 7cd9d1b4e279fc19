"""Signed, expiring links: the read-only web leaderboard and a person's plan calendar.

A token is ``base64url(json payload) "." base64url(HMAC-SHA256(key, payload))``. The pages
need no login: whoever holds an unexpired link may read that one channel's board (what an
admin sharing it intends) or that one person's plan (what a calendar app subscribing needs).
Anything altered, or past its expiry, is refused. The calendar signs with a key derived from
the secret for its own purpose, so a leaderboard token can never open a calendar, nor the
reverse, even though both come from one ``WEB_SECRET``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings


class InvalidLink(ValueError):
    """The token was tampered with, is malformed, or has expired."""


@dataclass(frozen=True, slots=True)
class LinkClaims:
    channel_id: int
    expires_at: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """Leaderboard links: the secret itself is the key (tokens made before calendars stay
    valid)."""

    secret: bytes
    base_url: str = "http://localhost:3000"
    ttl: timedelta = timedelta(minutes=60)

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkSigner | None:
        """None when ``WEB_SECRET`` is unset: then ``/leaderboard web`` says it is off."""
        if settings.web_secret is None or not settings.web_secret.get_secret_value():
            return None
        return cls(
            settings.web_secret.get_secret_value().encode("utf-8"),
            settings.public_base_url,
            timedelta(minutes=settings.web_link_ttl_minutes),
        )

    def token(self, channel_id: int, now: datetime) -> str:
        return _seal(self.secret, {"c": channel_id, "e": int((now + self.ttl).timestamp())})

    def url(self, channel_id: int, now: datetime) -> str:
        return f"{self.base_url.rstrip('/')}/leaderboard/{self.token(channel_id, now)}"

    def verify(self, token: str, now: datetime) -> LinkClaims:
        data = _open(self.secret, token)
        try:
            claims = LinkClaims(int(data["c"]), int(data["e"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidLink("malformed") from None
        if now.timestamp() >= claims.expires_at:
            raise InvalidLink("expired")
        return claims


def _seal(key: bytes, data: dict[str, object]) -> str:
    payload = json.dumps(data, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(hmac.new(key, payload, hashlib.sha256).digest())}"


def _open(key: bytes, token: str) -> dict[str, Any]:
    """The payload of a token signed with ``key``; ``InvalidLink`` for anything else."""
    try:
        body, _, sig = token.partition(".")
        payload = _unb64(body)
        given = _unb64(sig)
    except (ValueError, UnicodeError):
        raise InvalidLink("malformed") from None
    if not hmac.compare_digest(given, hmac.new(key, payload, hashlib.sha256).digest()):
        raise InvalidLink("bad signature")
    try:
        data = json.loads(payload)
    except ValueError:
        raise InvalidLink("malformed") from None
    if not isinstance(data, dict):
        raise InvalidLink("malformed")
    return data


CALENDAR_PURPOSE = b"skilltree calendar link v1"


@dataclass(frozen=True, slots=True)
class CalendarClaims:
    user_id: int
    binding: str  # ties the token to one person's row (see ``person_binding``)
    expires_at: int  # Unix seconds


def person_binding(platform: str, workspace: str, external_id: str, created_at: datetime) -> str:
    """A short fingerprint of who a ``users`` row is. SQLite may hand a deleted row's id to
    someone new; a link made for the first person then names a row that is not theirs, and
    the fingerprint, which differs, refuses it."""
    who = f"{platform}\0{workspace}\0{external_id}\0{int(created_at.timestamp())}"
    return _b64(hashlib.sha256(who.encode("utf-8")).digest()[:9])


@dataclass(frozen=True, slots=True)
class CalendarSigner:
    """Subscription links to a person's plan (``GET /calendar/{token}.ics``): long-lived,
    since a calendar app polls the same address for months."""

    key: bytes
    base_url: str = "http://localhost:3000"
    ttl: timedelta = timedelta(days=180)

    @classmethod
    def from_secret(cls, secret: bytes, base_url: str, ttl: timedelta) -> CalendarSigner:
        return cls(hmac.new(secret, CALENDAR_PURPOSE, hashlib.sha256).digest(), base_url, ttl)

    @classmethod
    def from_settings(cls, settings: Settings) -> CalendarSigner | None:
        """None when ``WEB_SECRET`` is unset: then ``/plan`` attaches the file only."""
        if settings.web_secret is None or not settings.web_secret.get_secret_value():
            return None
        return cls.from_secret(
            settings.web_secret.get_secret_value().encode("utf-8"),
            settings.public_base_url,
            timedelta(days=settings.calendar_link_ttl_days),
        )

    def expiry(self, now: datetime) -> datetime:
        return now + self.ttl

    def token(self, user_id: int, binding: str, now: datetime) -> str:
        expires = int(self.expiry(now).timestamp())
        return _seal(self.key, {"u": user_id, "b": binding, "e": expires})

    def url(self, user_id: int, binding: str, now: datetime) -> str:
        token = self.token(user_id, binding, now)
        return f"{self.base_url.rstrip('/')}/calendar/{token}.ics"

    def verify(self, token: str, now: datetime) -> CalendarClaims:
        data = _open(self.key, token)
        try:
            claims = CalendarClaims(int(data["u"]), str(data["b"]), int(data["e"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidLink("malformed") from None
        if now.timestamp() >= claims.expires_at:
            raise InvalidLink("expired")
        return claims
