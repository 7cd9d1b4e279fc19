"""The HTTP endpoint Slack calls: ``POST /slack/events`` and ``GET /healthz``; with OAuth
installs also ``GET /slack/install`` and ``GET /slack/oauth_redirect`` (a browser calls those).

Bolt checks each request's signature and rejects timestamps older than 5 minutes, but it
accepts the same signed request twice. Anyone who captures one (a proxy log, say) could replay
it within those 5 minutes, so ``ReplayGuard`` remembers every valid signature for the window
and refuses a second use with 401.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WINDOW_SECONDS = 60 * 5  # Slack's (and Bolt's) accepted clock skew
MAX_BODY_BYTES = 1024 * 1024


class ReplayGuard:
    """Signatures seen within the last ``window`` seconds."""

    def __init__(
        self, window: float = WINDOW_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self._monotonic = monotonic
        self._seen: dict[str, float] = {}

    def first_use(self, signature: str) -> bool:
        """True the first time a signature is offered, False on every replay."""
        now = self._monotonic()
        if len(self._seen) > 1000:
            self._seen = {s: exp for s, exp in self._seen.items() if exp > now}
        expiry = self._seen.get(signature)
        if expiry is not None and expiry > now:
            return False
        # Twice the window: the timestamp may be up to 5 minutes old or 5 minutes ahead.
        self._seen[signature] = now + 2 * self.window
        return True


def _unauthorized() -> web.Response:
    return web.json_response({"error": "invalid request"}, status=401)


def health_app() -> web.Application:
    """A server of Slack's own, with ``GET /healthz`` only; ``add_slack_routes`` adds the rest."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app.router.add_get(HEALTH_PATH, health)
    return web_app


def build_web_app(app: AsyncApp, signing_secret: str | None) -> web.Application:
    """aiohttp routes for ``app``. With no signing secret (Socket Mode) ``/slack/events``
    answers 404; health (and, with OAuth, the two install routes) are still served."""
    web_app = health_app()
    add_slack_routes(web_app, app, signing_secret)
    return web_app


def add_slack_routes(web_app: web.Application, app: AsyncApp, signing_secret: str | None) -> None:
    """Add ``POST /slack/events`` to a server that may serve other things too, and, when the
    app installs through OAuth (``app.oauth_flow``), ``GET /slack/install`` and
    ``GET /slack/oauth_redirect``."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    guard = ReplayGuard()

    async def events(request: web.Request) -> web.Response:
        if verifier is None:
            return web.json_response({"error": "HTTP mode is off"}, status=404)
        try:
            body = await request.text()
        except (UnicodeDecodeError, ValueError):
            return web.json_response({"error": "unreadable body"}, status=400)
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        # slack-sdk's verifier raises on a non-numeric timestamp: check it first.
        if not timestamp.isdigit() or not verifier.is_valid(
            body=body, timestamp=timestamp, signature=signature
        ):
            log.info("slack: refused a request with a bad signature or an old timestamp")
            return _unauthorized()
        if not guard.first_use(signature):
            log.warning("slack: refused a replayed request")
            return _unauthorized()
        try:
            bolt_response = await app.async_dispatch(await to_bolt_request(request))
        except Exception as exc:  # a payload Bolt cannot parse: the sender's fault, not a crash
            log.warning("slack: could not dispatch a request: %s", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(bolt_response)

    web_app.router.add_post(EVENTS_PATH, events)

    flow = app.oauth_flow
    if flow is None:
        return

    async def install(request: web.Request) -> web.Response:
        # A browser, not Slack, calls these two: no signature; the flow's ``state`` (one use,
        # kept in the database, and matched against a cookie) guards the redirect.
        assert flow is not None
        bolt_response = await flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def oauth_redirect(request: web.Request) -> web.Response:
        assert flow is not None
        bolt_response = await flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    web_app.router.add_get(flow.install_path, install)
    web_app.router.add_get(flow.redirect_uri_path, oauth_redirect)
