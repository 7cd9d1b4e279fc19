"""A loopback fake of the parts of Discord the bot talks to, on real sockets.

Gateway: ``GET /gateway/bot`` (the recommended shard count), HELLO, heartbeat ACKs, IDENTIFY →
READY (+ GUILD_CREATE), RESUME → RESUMED, and dispatches injected by a test
(INTERACTION_CREATE). Sharded like Discord: each connection is one shard (IDENTIFY's ``shard``,
``[0, 1]`` when absent) and gets only its guilds, ``(guild_id >> 22) % shard_count == shard_id``,
DMs only on shard 0; a bad shard closes with 4010, too few shards with 4011. REST: the routes
the bot calls, answering
JSON with content-type exactly ``application/json`` (discord.py parses nothing else), with
switches for 429 (``Via`` header + ``retry_after``) and 5xx. Every request body the bot sends
is checked against Discord's OpenAPI description when the route is described there.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
APP_ID = "1100000000000000001"
BOT_ID = APP_ID
GUILD_ID = "1200000000000000001"  # shard 1 of 2
CHANNEL_ID = "1300000000000000001"
SECOND_GUILD_ID = "1210000000000000001"  # shard 0 of 2 (off unless listed in ``guild_ids``)
SECOND_CHANNEL_ID = "1310000000000000001"
CHANNEL_OF = {GUILD_ID: CHANNEL_ID, SECOND_GUILD_ID: SECOND_CHANNEL_ID}
STUDY_CHANNEL = CHANNEL_ID
MENTOR_ROLE_ID = "1250000000000000001"  # a guild role named "Mentors" (no permissions)
MENTOR_ROLE = "Mentors"
TIMESTAMP = "2027-03-01T12:00:00.000000+00:00"
BOT_USER = {
    "id": BOT_ID,
    "username": "skilltree",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
}


# --- the OpenAPI check --------------------------------------------------------------------------


def find_spec() -> Path | None:
    """``shared/specs/discord-openapi.json`` in this directory or any parent (the repo's
    sibling in development and in CI)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "specs" / "discord-openapi.json"
        if candidate.is_file():
            return candidate
    return None


# Discord documents permission bit sets as strings ("32"); the OpenAPI file types them as
# integers. Both are accepted by Discord; we send the documented string form.
_PERMISSION_FIELDS = ("default_member_permissions",)


def _coerce_permissions(body: Any) -> Any:
    if isinstance(body, list):
        return [_coerce_permissions(item) for item in body]
    if isinstance(body, dict):
        out = dict(body)
        for key in _PERMISSION_FIELDS:
            if isinstance(out.get(key), str) and out[key].isdigit():
                out[key] = int(out[key])
        return out
    return body


class SpecValidator:
    """Request bodies against the OpenAPI 3.1 description (JSON Schema 2020-12, local $refs
    resolved within the document)."""

    def __init__(self, path: Path) -> None:
        import jsonschema

        self._jsonschema = jsonschema
        self.doc = json.loads(path.read_text(encoding="utf-8"))
        self._cache: dict[tuple[str, str], Any] = {}

    def schema_for(self, method: str, path: str) -> dict[str, Any] | None:
        operation = self.doc["paths"].get(path, {}).get(method.lower())
        if not operation or "requestBody" not in operation:
            return None
        content = operation["requestBody"].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return schema  # multipart bodies carry the same JSON as ``payload_json``

    def component(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def errors(self, schema: dict[str, Any], body: Any) -> list[str]:
        key = json.dumps(schema, sort_keys=True)
        validator = self._cache.get(("schema", key))
        if validator is None:
            root = {**schema, "components": self.doc["components"]}
            validator = self._jsonschema.Draft202012Validator(root)
            self._cache[("schema", key)] = validator
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message[:300]}"
            for e in validator.iter_errors(_coerce_permissions(body))
        ]

    def response_errors(self, method: str, path: str, body: Any) -> list[str] | None:
        """Errors in a 200 response body the fake sends, or None when the spec has no schema."""
        operation = self.doc["paths"].get(path, {}).get(method.lower()) or {}
        ok = operation.get("responses", {}).get("200", {})
        schema = ok.get("content", {}).get("application/json", {}).get("schema")
        return None if schema is None else self.errors(schema, body)

    def check(self, method: str, path: str, body: Any) -> list[str] | None:
        """Errors, or None when the spec does not describe this route's body."""
        schema = self.schema_for(method, path)
        if schema is None:
            return None
        return self.errors(schema, body)


# --- recorded traffic ------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str  # the path as the spec names it, e.g. /channels/{channel_id}/messages
    url: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[str]
    status: int = 0


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int


@dataclass
class Conn:
    ws: web.WebSocketResponse
    kind: str = "new"  # identified | resumed
    shard: tuple[int, int] = (0, 1)  # (shard id, shard count), from IDENTIFY or the session
    session_id: str = ""

    def receives(self, guild_id: str | None) -> bool:
        """Discord's routing: a guild's events to its shard, DMs (no guild) to shard 0."""
        shard_id, count = self.shard
        return shard_for(guild_id, count) == shard_id


def shard_for(guild_id: str | int | None, shard_count: int) -> int:
    return 0 if guild_id is None else (int(guild_id) >> 22) % shard_count


@dataclass
class Session:
    shard: tuple[int, int]
    seq: int = 0


@dataclass
class Interaction:
    """An injected interaction; ``messages`` collects what the bot answered, in order."""

    payload: dict[str, Any]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    shards: list[int] = field(default_factory=list)  # the shard ids it was dispatched on

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])


class FakeDiscord:
    def __init__(self, spec: SpecValidator | None = None) -> None:
        self.spec = spec
        self.spec_errors: list[str] = []
        self.checked: set[tuple[str, str]] = set()  # routes whose bodies the spec described
        self.requests: list[Request] = []
        self.failures: list[Failure] = []
        self.closed_dms: set[str] = set()  # users who do not accept DMs from the bot
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" | guild id → payloads
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}
        self.dm_channels: dict[str, str] = {}  # user id → DM channel id
        self.threads: dict[str, dict[str, Any]] = {}  # thread id → thread, members, origin
        self.deleted_channels: set[str] = set()  # posting there: 404 Unknown Channel (10003)
        self.interactions: dict[str, Interaction] = {}
        self.identifies = 0
        self.resumes = 0
        self.identified: list[list[int] | None] = []  # IDENTIFY's ``shard`` field, in order
        self.identified_at: list[float] = []  # loop time of each IDENTIFY
        self.guild_ids: list[str] = [GUILD_ID]  # the bot's guilds, each sent on its own shard
        self.shards = 1  # GET /gateway/bot's recommendation
        self.min_shards = 1  # IDENTIFY with fewer shards: closed with 4011 (sharding required)
        self.accepted_token: str | None = None  # set: any other bot token gets 401 at login
        self.max_concurrency = 1  # shards that may IDENTIFY at once (per 5 s), says /gateway/bot
        self._sessions: dict[str, Session] = {}
        self._conns: list[Conn] = []  # live (identified or resumed) connections
        self._ids = itertools.count(1_900_000_000_000_000_000)
        self._nonces: dict[tuple[str, str], dict[str, Any]] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.app = self._build_app()

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for conn in list(self._conns):
            if not conn.ws.closed:
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- test controls -----------------------------------------------------------------------

    def fail(self, method: str, path_regex: str, status: int, times: int = 1) -> None:
        """Answer the next ``times`` matching requests with ``status`` (429 or 5xx)."""
        self.failures.append(Failure(method, re.compile(path_regex), status, times))

    def new_id(self) -> str:
        return str(next(self._ids))

    def delete_dm_channel(self, user_id: str) -> str:
        """Discord forgets the DM channel: posts to it get 10003, opening one gives a new id."""
        channel_id = self.dm_channels.pop(user_id)
        self.deleted_channels.add(channel_id)
        return channel_id

    async def wait_for(self, predicate: Callable[[], Any], seconds: float = 10.0) -> Any:
        async def until() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(until(), seconds)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def dispatch(self, event: str, data: dict[str, Any]) -> list[int]:
        """Send ``event`` on every live connection whose shard gets ``data``'s guild (shard 0
        for a DM), waiting for one; returns the shard ids it went to."""
        guild_id = data.get("guild_id")
        conns = await self.wait_for(lambda: [c for c in self._live() if c.receives(guild_id)])
        for conn in conns:
            session = self._sessions[conn.session_id]
            session.seq += 1
            frame = {"op": 0, "s": session.seq, "t": event, "d": data}
            await conn.ws.send_str(json.dumps(frame))
        return [conn.shard[0] for conn in conns]

    def _live(self) -> list[Conn]:
        return [c for c in self._conns if c.kind != "new" and not c.ws.closed]

    def live_shards(self) -> list[tuple[int, int]]:
        """(shard id, shard count) of every live connection, sorted."""
        return sorted(c.shard for c in self._live())

    async def drop_gateway(self, code: int = 4000, *, shard_id: int = 0) -> None:
        """A server-side disconnect that allows a RESUME (any code but 4004, 4010-4014)."""
        conn = await self.wait_for(
            lambda: next((c for c in self._live() if c.shard[0] == shard_id), None)
        )
        self._conns.remove(conn)
        await conn.ws.close(code=code, message=b"fake disconnect")

    async def interact(self, payload: dict[str, Any]) -> Interaction:
        record = Interaction(payload)
        self.interactions[record.id] = record
        record.shards = await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def answer(self, payload: dict[str, Any], seconds: float = 10.0) -> dict[str, Any]:
        """Inject an interaction and return the message the bot finally answered with."""
        record = await self.interact(payload)
        return await self.wait_for(lambda: self._final_message(record), seconds)

    def _final_message(self, record: Interaction) -> dict[str, Any] | None:
        if not record.callbacks:
            return None
        kind = record.callbacks[0]["type"]
        if kind in (4, 7, 8):
            return record.callbacks[0].get("data") or {}
        return record.messages[-1] if record.messages else None  # deferred: the edit

    # --- the app -----------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        api = [
            ("GET", "/gateway/bot", self._gateway_bot),
            ("GET", "/users/@me", self._me),
            ("GET", "/oauth2/applications/@me", self._app_info),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            (
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._put_commands,
            ),
            (
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self._callback,
            ),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self._followup),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._edit),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._original),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self._delete),
            ("POST", "/users/@me/channels", self._open_dm),
            ("POST", "/channels/{channel_id}/messages", self._channel_message),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._thread),
            ("POST", "/channels/{channel_id}/threads", self._thread),
            ("PUT", "/channels/{channel_id}/thread-members/{user_id}", self._thread_member),
        ]
        for method, path, handler in api:
            app.router.add_route(method, API_PREFIX + path, self._wrap(path, handler))
        return app

    def _wrap(self, spec_path: str, handler: Callable[..., Any]) -> Callable[..., Any]:
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
            self.requests.append(entry)
            if self.spec is not None and body is not None:
                errors = self.spec.check(request.method, spec_path, body)
                if errors is not None:
                    self.checked.add((request.method, spec_path))
                for error in errors or ():
                    self.spec_errors.append(f"{request.method} {spec_path}: {error}")
            response = self._injected_failure(request) or await handler(request, entry)
            entry.status = response.status
            await self._notify()
            return response

        return route

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str]]:
        if not request.can_read_body:
            return None, []
        if request.content_type == "multipart/form-data":
            form = await request.post()
            files = [name for name in form if name.startswith("files[")]
            raw = form.get("payload_json")
            return (json.loads(str(raw)) if raw is not None else None), files
        text = await request.text()
        return (json.loads(text) if text else None), []

    def _injected_failure(self, request: web.Request) -> web.Response | None:
        path = request.path.removeprefix(API_PREFIX)
        for failure in self.failures:
            if not (
                failure.times > 0
                and failure.method == request.method
                and failure.pattern.search(path)
            ):
                continue
            failure.times -= 1
            if failure.status == 429:
                return _json(
                    {"message": "You are being rate limited.", "retry_after": 0.2, "global": False},
                    status=429,
                    headers={
                        "Via": "1.1 google",
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": "0.2",
                        "X-RateLimit-Bucket": "fake-bucket",
                        "X-RateLimit-Scope": "user",
                    },
                )
            return _json({"message": "fake server error", "code": 0}, failure.status)
        return None

    # --- REST handlers -----------------------------------------------------------------------

    async def _gateway_bot(self, request: web.Request, entry: Request) -> web.Response:
        body = {
            "url": self.gateway_url,
            "shards": self.shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000 - self.identifies,
                "reset_after": 86_400_000,
                "max_concurrency": self.max_concurrency,
            },
        }
        if self.spec is not None:
            for error in self.spec.response_errors("GET", "/gateway/bot", body) or ():
                self.spec_errors.append(f"fake's GET /gateway/bot answer: {error}")
        return _json(body)

    async def _me(self, request: web.Request, entry: Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bot ")
        if self.accepted_token is not None and token != self.accepted_token:
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        return _json(BOT_USER)

    async def _app_info(self, request: web.Request, entry: Request) -> web.Response:
        return _json(
            {
                "id": APP_ID,
                "name": "skilltree",
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {**BOT_USER, "id": "1000000000000000009", "bot": False},
                "verify_key": "00",
                "flags": 0,
                "team": None,
                "summary": "",
            }
        )

    async def _put_commands(self, request: web.Request, entry: Request) -> web.Response:
        scope = entry.params.get("guild_id", "global")
        created = [
            {
                **command,
                "id": self.new_id(),
                "application_id": APP_ID,
                "version": self.new_id(),
                **({"guild_id": scope} if scope != "global" else {}),
            }
            for command in entry.body or []
        ]
        self.commands[scope] = created
        return _json(created)

    async def _callback(self, request: web.Request, entry: Request) -> web.Response:
        record = self.interactions.get(entry.params["interaction_id"])
        if record is None or record.token != entry.params["interaction_token"]:
            return _json({"message": "Unknown interaction", "code": 10062}, 404)
        if record.callbacks:
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        body = entry.body or {}
        record.callbacks.append(body)
        kind = body.get("type")
        data = body.get("data") or {}
        interaction: dict[str, Any] = {"id": record.id, "type": record.payload["type"]}
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 7):
            message = self._message(record.payload.get("channel_id", ""), data, entry.files)
            record.messages.append(message)
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=False,
                response_message_ephemeral=bool(data.get("flags", 0) & 64),
            )
            resource["message"] = message
        elif kind == 5:
            interaction.update(
                response_message_loading=True,
                response_message_ephemeral=bool(data.get("flags", 0) & 64),
            )
        return _json({"interaction": interaction, "resource": resource})

    def _record_for_token(self, token: str) -> Interaction | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _followup(self, request: web.Request, entry: Request) -> web.Response:
        record = self._record_for_token(entry.params["webhook_token"])
        if record is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, 404)
        body = dict(entry.body or {})
        if record.callbacks and record.callbacks[0].get("type") == 5 and not record.messages:
            # Like Discord: the first follow-up after a "thinking" defer replaces the loading
            # message and keeps the deferral's ephemeral flag.
            deferred_flags = (record.callbacks[0].get("data") or {}).get("flags", 0)
            body["flags"] = (body.get("flags") or 0) | (deferred_flags & 64)
        message = self._message(record.payload.get("channel_id", ""), body, entry.files)
        record.messages.append(message)
        return _json(message)

    async def _edit(self, request: web.Request, entry: Request) -> web.Response:
        record = self._record_for_token(entry.params["webhook_token"])
        if record is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, 404)
        message = self._message(record.payload.get("channel_id", ""), entry.body or {}, entry.files)
        record.messages.append(message)
        return _json(message)

    async def _original(self, request: web.Request, entry: Request) -> web.Response:
        record = self._record_for_token(entry.params["webhook_token"])
        if record is None or not record.messages:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        return _json(record.messages[0])

    async def _delete(self, request: web.Request, entry: Request) -> web.Response:
        return web.Response(status=204)

    async def _open_dm(self, request: web.Request, entry: Request) -> web.Response:
        user_id = str((entry.body or {}).get("recipient_id"))
        channel_id = self.dm_channels.setdefault(user_id, self.new_id())
        return _json(
            {
                "id": channel_id,
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [{**BOT_USER, "id": user_id, "bot": False, "username": "u"}],
            }
        )

    async def _channel_message(self, request: web.Request, entry: Request) -> web.Response:
        channel_id = entry.params["channel_id"]
        if channel_id in self.deleted_channels:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        dm_owner = next((u for u, c in self.dm_channels.items() if c == channel_id), None)
        if dm_owner is not None and dm_owner in self.closed_dms:
            return _json({"message": "Cannot send messages to this user", "code": 50007}, 403)
        body = entry.body or {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((channel_id, str(nonce)))
            if seen is not None:
                return _json(seen)  # Discord returns the earlier message for a repeated nonce
        message = self._message(channel_id, body, entry.files)
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = message
        self.channel_messages.setdefault(channel_id, []).append(message)
        return _json(message)

    async def _thread(self, request: web.Request, entry: Request) -> web.Response:
        """A thread from a message (public, type 11) or without one (``type`` in the body)."""
        body, parent = entry.body or {}, entry.params["channel_id"]
        kind = 11 if "message_id" in entry.params else int(body.get("type") or 11)
        thread = thread_payload(
            self.new_id(),
            parent,
            str(body.get("name", "")),
            kind=kind,
            invitable=bool(body.get("invitable", True)),
            archive_minutes=int(body.get("auto_archive_duration") or 10080),
        )
        self.threads[thread["id"]] = {**thread, "members": [], "from": entry.params}
        return _json(thread, 201)

    async def _thread_member(self, request: web.Request, entry: Request) -> web.Response:
        thread = self.threads.get(entry.params["channel_id"])
        if thread is None:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        if entry.params["user_id"] not in thread["members"]:  # a PUT: adding twice is a no-op
            thread["members"].append(entry.params["user_id"])
        return web.Response(status=204)

    def _message(self, channel_id: str, body: dict[str, Any], files: list[str]) -> dict[str, Any]:
        message_id = self.new_id()
        return {
            "id": message_id,
            "channel_id": str(channel_id),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {
                    "id": self.new_id(),
                    "filename": (a or {}).get("filename", f"file{i}"),
                    "size": 1,
                    "url": f"https://cdn.invalid/{message_id}/{i}",
                    "proxy_url": f"https://cdn.invalid/{message_id}/{i}",
                }
                for i, a in enumerate(body.get("attachments") or [{} for _ in files])
            ],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "components": body.get("components") or [],
            "nonce": body.get("nonce"),
        }

    # --- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Conn(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op = payload.get("op")
            if op == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:
                await self._identify(conn, payload.get("d") or {})
            elif op == 6:
                await self._resume(conn, payload.get("d") or {})
        if conn in self._conns:
            self._conns.remove(conn)
        return ws

    async def _identify(self, conn: Conn, data: dict[str, Any]) -> None:
        shard = data.get("shard")
        self.identified.append(shard)
        self.identified_at.append(asyncio.get_running_loop().time())
        shard_id, count = shard if shard is not None else (0, 1)
        if not (isinstance(shard_id, int) and isinstance(count, int) and 0 <= shard_id < count):
            await conn.ws.close(code=4010, message=b"Invalid shard")
            return
        if count < self.min_shards:
            await conn.ws.close(code=4011, message=b"Sharding required")
            return
        self.identifies += 1
        conn.session_id = f"session-{self.identifies}"
        conn.shard = (shard_id, count)
        conn.kind = "identified"
        session = self._sessions[conn.session_id] = Session(conn.shard)
        self._conns.append(conn)
        mine = [g for g in self.guild_ids if shard_for(g, count) == shard_id]
        session.seq += 1
        await conn.ws.send_json(
            {
                "op": 0,
                "s": session.seq,
                "t": "READY",
                "d": {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [{"id": g, "unavailable": True} for g in mine],
                    "session_id": conn.session_id,
                    "resume_gateway_url": self.gateway_url,
                    "shard": [shard_id, count],
                    "application": {"id": APP_ID, "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                    "user_settings": {},
                    "session_type": "normal",
                    "geo_ordered_rtc_regions": [],
                },
            }
        )
        for guild_id in mine:
            session.seq += 1
            await conn.ws.send_json(
                {"op": 0, "s": session.seq, "t": "GUILD_CREATE", "d": guild_payload(guild_id)}
            )
        await self._notify()

    async def _resume(self, conn: Conn, data: dict[str, Any]) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if session is None:
            await conn.ws.send_json({"op": 9, "d": False, "s": None, "t": None})
            return
        self.resumes += 1
        conn.kind = "resumed"
        conn.shard = session.shard
        conn.session_id = str(data["session_id"])
        self._conns.append(conn)
        session.seq += 1
        await conn.ws.send_json({"op": 0, "s": session.seq, "t": "RESUMED", "d": {}})
        await self._notify()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly ``application/json``: discord.py's ``json_or_text`` compares the header."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


# --- payload builders --------------------------------------------------------------------------


def user_payload(user_id: str, name: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "flags": 0,
    }


def guild_payload(guild_id: str = GUILD_ID) -> dict[str, Any]:
    everyone = {
        "id": guild_id,
        "name": "@everyone",
        "permissions": "0",
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    mentors = {**everyone, "id": MENTOR_ROLE_ID, "name": MENTOR_ROLE, "position": 1}
    if guild_id != GUILD_ID:  # role ids are unique across Discord
        mentors["id"] = str(int(guild_id) + 50_000_000_000_000_000)
    return {
        "id": guild_id,
        "name": "Study Server",
        "icon": None,
        "owner_id": "1000000000000000009",
        "roles": [everyone, mentors],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": [_channel_payload(guild_id)],
        "threads": [],
        "members": [],
        "member_count": 3,
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "unavailable": False,
        "large": False,
        "joined_at": TIMESTAMP,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
        "verification_level": 0,
        "explicit_content_filter": 0,
        "default_message_notifications": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "afk_timeout": 300,
    }


def _channel_payload(guild_id: str = GUILD_ID) -> dict[str, Any]:
    return {
        "id": CHANNEL_OF.get(guild_id, CHANNEL_ID),
        "type": 0,
        "guild_id": guild_id,
        "name": "study",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def thread_payload(
    thread_id: str,
    parent_id: str,
    name: str,
    *,
    kind: int = 11,
    invitable: bool = True,
    archive_minutes: int = 10080,
    guild_id: str = GUILD_ID,
) -> dict[str, Any]:
    """A thread channel (11 public, 12 private) under ``parent_id``, as Discord returns it."""
    return {
        **_channel_payload(guild_id),
        "id": thread_id,
        "type": kind,
        "name": name,
        "parent_id": parent_id,
        "owner_id": APP_ID,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": archive_minutes,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
            "invitable": invitable,
        },
    }


_interaction_ids = itertools.count(1_500_000_000_000_000_000)


def interaction_payload(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: str = "2000000000000000001",
    name: str = "alice",
    dm: bool = False,
    locale: str = "en-US",
    permissions: str = "0",
    roles: tuple[str, ...] = (),
    message: dict[str, Any] | None = None,
    guild_id: str = GUILD_ID,
    thread: str | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE as Discord sends it (2 command, 3 component, 4 autocomplete);
    ``roles``: the member's role ids (in a guild); ``guild_id``: which guild (its channel);
    ``thread``: sent from that thread (a public one under the guild's channel)."""
    interaction_id = str(next(_interaction_ids))
    user = user_payload(user_id, name)
    payload: dict[str, Any] = {
        "id": interaction_id,
        "application_id": APP_ID,
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "locale": locale,
        "app_permissions": "2248473465835073",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "data": data,
    }
    if dm:
        dm_channel = f"17{user_id[2:]}"
        payload.update(
            channel_id=dm_channel,
            channel={"id": dm_channel, "type": 1, "last_message_id": None, "recipients": [user]},
            user=user,
            context=1,
            authorizing_integration_owners={"0": GUILD_ID},
        )
    else:
        channel = _channel_payload(guild_id)
        if thread is not None:
            channel = thread_payload(thread, channel["id"], "questions", guild_id=guild_id)
        payload.update(
            guild_id=guild_id,
            guild_locale="en-US",
            guild={"id": guild_id, "locale": "en-US", "features": []},
            channel_id=channel["id"],
            channel=channel,
            member={
                "user": user,
                "nick": None,
                "roles": list(roles),
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "permissions": permissions,
                "avatar": None,
            },
            context=0,
            authorizing_integration_owners={"0": guild_id},
        )
    if message is not None:
        payload["message"] = message
    return payload


def slash(name: str, /, **options: Any) -> dict[str, Any]:
    """The ``data`` of a slash command: ``slash("path", name="mlops")``. A value given as
    ``("user", id, username)`` becomes a USER option with its resolved user."""
    opts: list[dict[str, Any]] = []
    resolved: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, tuple) and value[0] == "user":
            _, user_id, username = value
            opts.append({"name": key, "type": 6, "value": user_id})
            resolved.setdefault("users", {})[user_id] = user_payload(user_id, username)
        elif isinstance(value, int):
            opts.append({"name": key, "type": 4, "value": value})
        else:
            opts.append({"name": key, "type": 3, "value": value})
    data: dict[str, Any] = {"id": "1400000000000000001", "name": name, "type": 1, "options": opts}
    if resolved:
        data["resolved"] = resolved
    return data


def autocomplete(name: str, option: str, typed: str) -> dict[str, Any]:
    return {
        "id": "1400000000000000001",
        "name": name,
        "type": 1,
        "options": [{"name": option, "type": 3, "value": typed, "focused": True}],
    }


def button_press(message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    return {"custom_id": custom_id, "component_type": 2}


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [
        component["custom_id"]
        for row in message.get("components") or []
        for component in row.get("components") or []
        if "custom_id" in component
    ]
