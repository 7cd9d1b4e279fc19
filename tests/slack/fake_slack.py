"""A loopback Slack: the Web API, response_url endpoints, file upload URLs and Socket Mode.

It answers the methods the bot uses as Slack does, records every call, can be told to fail a
method (an ``error`` or an HTTP 429 with ``Retry-After``), and checks each call against Slack's
Web API description (``shared/specs/slack-web-openapi-v2.json``: required parameters present,
no unknown parameter names) and against Block Kit's limits, so a call Slack would reject with
``invalid_arguments`` or ``invalid_blocks`` fails the test instead of passing silently.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from aiohttp import WSMsgType, web

SPEC_ENV = "SKILLTREE_SLACK_SPEC"
SPEC_RELATIVE = Path("shared", "specs", "slack-web-openapi-v2.json")
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
TEAM = "T0001"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fake-client-secret-0123456789abcdef"


def find_spec() -> Path | None:
    """$SKILLTREE_SLACK_SPEC, else the nearest ``shared/specs/...`` above this file."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / SPEC_RELATIVE
        if candidate.is_file():
            return candidate
    return None


# Parameters Slack added after the spec was written (docs.slack.dev lists them today).
NEWER_PARAMS = {"auth.test": {"team_id"}, "chat.postMessage": {"metadata", "markdown_text"}}
# Bolt's per-request client (``context.client``) adds the request's ``team_id`` to every call
# (org-wide tokens need it to pick a workspace); Slack accepts it on every method.
EVERY_METHOD_PARAMS = {"team_id"}


class SpecChecker:
    """Required and known parameter names per method, read from the Swagger 2.0 file."""

    def __init__(self, path: Path | None) -> None:
        self.methods: dict[str, tuple[set[str], set[str]]] = {}
        if path is None or not path.is_file():
            return
        spec = json.loads(path.read_text(encoding="utf-8"))
        for route, ops in spec["paths"].items():
            for op in ops.values():
                params = op.get("parameters", [])
                known = {p["name"] for p in params}
                required = {p["name"] for p in params if p.get("required")}
                self.methods[route.lstrip("/")] = (known, required)
                break

    @property
    def available(self) -> bool:
        return bool(self.methods)

    def problems(self, method: str, params: dict[str, Any], has_auth: bool) -> list[str]:
        if method not in self.methods:
            return []  # newer than the spec (files.*UploadExternal, apps.connections.open)
        known, required = self.methods[method]
        known = known | NEWER_PARAMS.get(method, set()) | EVERY_METHOD_PARAMS
        out = [f"{method}: unknown parameter {name!r}" for name in params if name not in known]
        for name in required:
            if name == "token" and has_auth:
                continue
            if name not in params:
                out.append(f"{method}: missing required parameter {name!r}")
        return out


def block_problems(blocks: Any, *, limit: int) -> list[str]:
    """Block Kit limits Slack enforces with ``invalid_blocks``."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    out: list[str] = []
    if len(blocks) > limit:
        out.append(f"{len(blocks)} blocks > {limit}")
    action_ids: list[str] = []
    for b in blocks:
        kind = b.get("type")
        if kind == "section":
            text = (b.get("text") or {}).get("text", "")
            if len(text) > 3000:
                out.append("section text > 3000")
            fields = b.get("fields") or []
            if len(fields) > 10:
                out.append("section with > 10 fields")
            out += ["field > 2000" for f in fields if len(f.get("text", "")) > 2000]
            if not text and not fields:
                out.append("empty section")
        elif kind == "header":
            if len(b["text"]["text"]) > 150 or b["text"]["type"] != "plain_text":
                out.append("bad header")
        elif kind == "actions":
            elements = b.get("elements") or []
            if not 0 < len(elements) <= 25:
                out.append("actions block with 0 or > 25 elements")
            for e in elements:
                action_ids.append(e.get("action_id", ""))
                if len(e.get("value", "")) > 2000 or len(e["text"]["text"]) > 75:
                    out.append("button value/label too long")
                if e.get("style") not in (None, "primary", "danger"):
                    out.append(f"bad button style {e.get('style')}")
        elif kind == "context":
            if not 0 < len(b.get("elements") or []) <= 10:
                out.append("context with 0 or > 10 elements")
        elif kind not in ("divider", "image"):
            out.append(f"unknown block type {kind}")
    if len(action_ids) != len(set(action_ids)):
        out.append(f"duplicate action ids {action_ids}")
    return out


def site_port(site: web.TCPSite) -> int:
    """The port the OS chose for a site started on port 0."""
    server = cast(asyncio.Server, site._server)
    return int(server.sockets[0].getsockname()[1])


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    ok: bool = True
    token: str | None = None  # the Bearer token the call carried


@dataclass
class Workspace:
    """A workspace the app can be installed to through OAuth (``oauth.v2.access``)."""

    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    installer: str = "UINSTALLER"


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


@dataclass
class FakeSlack:
    spec: SpecChecker = field(default_factory=lambda: SpecChecker(find_spec()))
    calls: list[Call] = field(default_factory=list)
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_dms: dict[str, list[str]] = field(default_factory=dict)  # mpim id -> its people
    thread_replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by thread_ts
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    # bot token -> workspace; BOT_TOKEN is the single-workspace bot's
    workspaces: dict[str, Workspace] = field(
        default_factory=lambda: {
            BOT_TOKEN: Workspace(TEAM, "Skill Tree Test", BOT_TOKEN, "UBOT", "BBOT")
        }
    )
    codes: dict[str, Workspace] = field(default_factory=dict)  # OAuth code -> its workspace
    port: int = 0

    def __post_init__(self) -> None:
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.ws_connections = 0
        self.ws_acks: list[dict[str, Any]] = []
        self._ws: web.WebSocketResponse | None = None
        self._ws_ready = asyncio.Event()

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/ws", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site_port(site)

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.url}/respond/{key}"

    # --- test controls ----------------------------------------------------------------------

    def fail_next(
        self, method: str, *, error: str | None = None, status: int = 200, retry_after: int = 1
    ) -> None:
        """The next call of ``method`` fails: a Slack ``error``, or an HTTP status (429)."""
        after = min(retry_after, 1) if status == 429 else None  # keep tests fast
        self.failures.setdefault(method, []).append(Failure(status, error, after))

    def add_workspace(self, team_id: str, bot_token: str, *, name: str = "") -> str:
        """A workspace that may install the app; returns the one-time code Slack would hand
        the browser on its way to the redirect URL."""
        n = len(self.workspaces) + 1
        ws = Workspace(team_id, name or f"Team {team_id}", bot_token, f"UBOT{n}", f"BBOT{n}")
        code = f"code-{team_id}-{next(self._ids)}"
        self.codes[code] = ws
        return code

    def calls_of(self, method: str) -> list[Call]:
        """Calls of ``method`` that succeeded."""
        return [c for c in self.calls if c.method == method and c.ok]

    async def wait_for(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        """Until ``predicate()`` is truthy: woken by each recorded call, never polling a clock."""

        async def loop() -> Any:
            while True:
                self._changed.clear()
                value = predicate()
                if value:
                    return value
                await self._changed.wait()

        return await asyncio.wait_for(loop(), within)

    async def response(self, key: str, n: int = 1, within: float = 5.0) -> dict[str, Any]:
        """The ``n``-th payload posted to response_url ``key``."""
        await self.wait_for(lambda: len(self.responses.get(key, [])) >= n, within)
        return self.responses[key][n - 1]

    def _touch(self) -> None:
        self._changed.set()

    # --- Web API ----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        queued = self.failures.get(method) or []
        if queued:
            failure = queued.pop(0)
            self.calls.append(Call(method, params, failure.status, ok=False))
            self._touch()
            if failure.status == 429:
                headers = {"Retry-After": str(failure.retry_after or 1)}
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers=headers
                )
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status)
        bearer = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        self.calls.append(Call(method, params, token=bearer))
        self._touch()
        problems = self.spec.problems(method, params, has_auth=bearer is not None)
        if method == "oauth.v2.access":
            problems += self._client_auth_problems(request, params)
        elif method == "apps.connections.open":
            if bearer != APP_TOKEN:
                problems.append(f"{method}: bad or missing token")
        elif bearer not in self.workspaces or (
            # Slack's workspaces share nothing: a token works in its own workspace only
            "team_id" in params and params["team_id"] != self.workspaces[bearer].team_id
        ):
            problems.append(f"{method}: bad or missing token")
        if "blocks" in params:
            problems += block_problems(params["blocks"], limit=50)
        if method == "views.publish":
            view = params.get("view") or {}
            view = json.loads(view) if isinstance(view, str) else view
            problems += block_problems(view.get("blocks", []), limit=100)
        if problems:
            self.violations += problems
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_v2_access(params))
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(handler(params, self.workspaces.get(bearer or "")))

    def _client_auth_problems(self, request: web.Request, params: dict[str, Any]) -> list[str]:
        """oauth.v2.access authenticates the app: HTTP Basic (client id:secret) or params."""
        import base64

        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            user, password = params.get("client_id", ""), params.get("client_secret", "")
        if (user, password) != (CLIENT_ID, CLIENT_SECRET):
            return ["oauth.v2.access: bad client credentials"]
        return []

    def _oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        """Exchanges a code once, as Slack does; the payload's shape is Slack's own."""
        ws = self.codes.pop(str(p.get("code")), None)
        if ws is None:
            return {"ok": False, "error": "invalid_code"}
        self.workspaces[ws.bot_token] = ws
        return {
            "ok": True,
            "app_id": "A0001",
            "authed_user": {"id": ws.installer},
            "scope": "commands,chat:write,chat:write.public,im:write,users:read,files:write",
            "token_type": "bot",
            "access_token": ws.bot_token,
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _m_auth_test(self, p: dict[str, Any], ws: Workspace | None = None) -> dict[str, Any]:
        ws = ws or self.workspaces[BOT_TOKEN]
        return {
            "ok": True,
            "url": f"https://{ws.team_id.lower()}.slack.com/",
            "team": ws.team_name,
            "user": "skilltree",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _m_users_info(self, p: dict[str, Any], ws: Workspace | None = None) -> dict[str, Any]:
        uid = p["user"]
        user = {
            "id": uid,
            "team_id": (ws.team_id if ws else TEAM),
            "name": uid.lower(),
            "real_name": f"Real {uid}",
            "tz": "Europe/Berlin",
            "tz_offset": 3600,
            "locale": "en-US",
            "is_admin": False,
            "is_owner": False,
            "is_bot": False,
            "profile": {"display_name": uid.lower(), "real_name": f"Real {uid}"},
        }
        if uid in self.users:
            user.update(self.users[uid])
        if p.get("include_locale") not in ("true", "1", True):
            user.pop("locale", None)
        return {"ok": True, "user": user}

    def _ts(self) -> str:
        return f"1700000000.{next(self._ids):06d}"

    def _m_chat_postMessage(self, p: dict[str, Any], ws: Workspace | None = None) -> dict[str, Any]:
        channel = p["channel"]
        if channel.startswith("U"):
            channel = "D" + channel[1:]
        ts = self._ts()
        if p.get("thread_ts"):
            self.thread_replies.setdefault(str(p["thread_ts"]), []).append(p)
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "message": {"text": p.get("text"), "ts": ts},
        }

    def _m_chat_postEphemeral(
        self, p: dict[str, Any], ws: Workspace | None = None
    ) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._ts()}

    def _m_views_open(self, p: dict[str, Any], ws: Workspace | None = None) -> dict[str, Any]:
        view = json.loads(p["view"]) if isinstance(p["view"], str) else p["view"]
        return {"ok": True, "view": {"id": f"V{next(self._ids)}", **view}}

    def _m_views_publish(self, p: dict[str, Any], ws: Workspace | None = None) -> dict[str, Any]:
        return {"ok": True, "view": {"id": f"V{next(self._ids)}", **p["view"]}}

    def _m_conversations_open(
        self, p: dict[str, Any], ws: Workspace | None = None
    ) -> dict[str, Any]:
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if not users or len(users) > 8:
            return {"ok": False, "error": "not_enough_users" if not users else "too_many_users"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": "D" + users[0].lstrip("U")}}
        # Several people: a group DM (mpim) of them and the app, the same one for the same set.
        group = "G" + "".join(sorted(u.lstrip("U") for u in users))
        self.group_dms[group] = sorted(users)
        return {"ok": True, "channel": {"id": group, "is_mpim": True}}

    def _m_files_getUploadURLExternal(
        self, p: dict[str, Any], ws: Workspace | None = None
    ) -> dict[str, Any]:
        file_id = f"F{next(self._ids)}"
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(
        self, p: dict[str, Any], ws: Workspace | None = None
    ) -> dict[str, Any]:
        files = json.loads(p["files"])
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _m_apps_connections_open(
        self, p: dict[str, Any], ws: Workspace | None = None
    ) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/ws"}

    async def _respond(self, request: web.Request) -> web.Response:
        payload = await request.json()
        if "blocks" in payload:
            self.violations += block_problems(payload["blocks"], limit=50)
        if not payload.get("text"):
            self.violations.append("response_url payload without a fallback text")
        self.responses.setdefault(request.match_info["key"], []).append(payload)
        self._touch()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploads[request.match_info["file_id"]] = data
        self._touch()
        return web.Response(text=f"OK - {len(data)}")

    # --- Socket Mode ------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self.ws_connections += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0001"},
            }
        )
        self._ws_ready.set()
        self._touch()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.ws_acks.append(json.loads(msg.data))
                self._touch()
        if self._ws is ws:
            self._ws = None
            self._ws_ready.clear()
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Push one Socket Mode envelope (slash_commands, interactive, events_api)."""
        await asyncio.wait_for(self._ws_ready.wait(), 5)
        assert self._ws is not None
        envelope_id = f"env-{next(self._ids)}"
        await self._ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                **({"retry_attempt": 0, "retry_reason": ""} if kind == "events_api" else {}),
            }
        )
        return envelope_id

    async def send_disconnect(self) -> None:
        """Slack's warning before it closes a connection; the client should reconnect."""
        await asyncio.wait_for(self._ws_ready.wait(), 5)
        ws = self._ws
        assert ws is not None
        await ws.send_json({"type": "disconnect", "reason": "refresh_requested"})
