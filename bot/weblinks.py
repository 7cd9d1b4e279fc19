"""Signed, expiring links to the read-only web leaderboard.

A token is ``base64url(json payload) "." base64url(HMAC-SHA256(secret, payload))``. The page
needs no login: whoever holds an unexpired link may read that one channel's board, which is
what an admin sharing it intends. Anything altered, or past its expiry, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

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

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, payload, hashlib.sha256).digest()

    def token(self, channel_id: int, now: datetime) -> str:
        expires = int((now + self.ttl).timestamp())
        payload = json.dumps({"c": channel_id, "e": expires}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def url(self, channel_id: int, now: datetime) -> str:
        return f"{self.base_url.rstrip('/')}/leaderboard/{self.token(channel_id, now)}"

    def verify(self, token: str, now: datetime) -> LinkClaims:
        try:
            body, _, sig = token.partition(".")
            payload = _unb64(body)
            given = _unb64(sig)
        except (ValueError, UnicodeError):
            raise InvalidLink("malformed") from None
        if not hmac.compare_digest(given, self._mac(payload)):
            raise InvalidLink("bad signature")
        try:
            data = json.loads(payload)
            claims = LinkClaims(int(data["c"]), int(data["e"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidLink("malformed") from None
        if now.timestamp() >= claims.expires_at:
            raise InvalidLink("expired")
        return claims
