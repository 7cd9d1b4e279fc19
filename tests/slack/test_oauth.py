"""Installs to many workspaces: Bolt's OAuth flow over HTTP, installations in our database.

A browser asks ``GET /slack/install``, follows Slack's authorize page (played here by handing the
fake's one-time code to ``GET /slack/oauth_redirect``, with the ``state`` and its cookie), the
bot exchanges the code with the loopback Slack (``oauth.v2.access``) and stores the workspace's
bot token in our tables (created by migration 0004). Every later call for that workspace, from a
slash command or from the notifier, must carry that workspace's token: the fake refuses a token
used in another workspace.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, func, select, update

from adapters.slack.app import build_slack_app
from adapters.slack.client import make_web_client
from adapters.slack.manifest import BOT_SCOPES
from adapters.slack.notifier import SlackNotifier
from adapters.slack.web import build_web_app
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.db.models import Base, slack_bots, slack_installations, slack_oauth_states
from bot.ports import ChannelTarget, DeliveryError, UserTarget
from bot.types import Reply
from tests.slack.conftest import SECRET, Slack
from tests.slack.fake_slack import CLIENT_ID, CLIENT_SECRET, FakeSlack, site_port

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
# slack-sdk sends the client id and secret with aiohttp's BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
def settings(fake_slack: FakeSlack) -> Settings:
    """Many workspaces: a client id and secret, and no bot token."""
    return Settings(
        _env_file=None,
        slack_bot_token=None,
        slack_signing_secret=SECRET,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_api_url=fake_slack.api_url,
        slack_admin_user_ids=["UADMIN"],
    )


class Browser:
    """The installer's browser: the install page, Slack's authorize step, the redirect."""

    def __init__(self, url: str, fake: FakeSlack, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.fake = fake
        self.session = session

    async def install_page(self) -> tuple[int, str, str]:
        """GET /slack/install → (status, the authorize URL, the state cookie header)."""
        async with self.session.get(f"{self.url}/slack/install", allow_redirects=False) as resp:
            body = await resp.text()
            cookie = resp.headers.get("Set-Cookie", "")
            status = resp.status
        if status == 302:
            authorize = resp.headers["Location"]
        else:
            found = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]*)"', body)
            assert found, body
            authorize = html.unescape(found.group(1))
        return status, authorize, cookie.split(";", 1)[0]  # name=value, as a browser sends it

    async def redirect(self, query: dict[str, str], cookie: str | None) -> aiohttp.ClientResponse:
        headers = {"Cookie": cookie} if cookie else {}
        async with self.session.get(
            f"{self.url}/slack/oauth_redirect?{urlencode(query)}",
            headers=headers,
            allow_redirects=False,
        ) as resp:
            await resp.read()
            return resp

    async def install(self, team: str, token: str) -> aiohttp.ClientResponse:
        """The whole round: install page, Slack's consent (a code), the redirect."""
        _, authorize, cookie = await self.install_page()
        state = parse_qs(urlsplit(authorize).query)["state"][0]
        code = self.fake.add_workspace(team, token)
        return await self.redirect({"code": code, "state": state}, cookie)


class Multi:
    def __init__(self, app: AsyncApp, slack: Slack, browser: Browser) -> None:
        self.app = app
        self.slack = slack
        self.browser = browser

    async def command(self, team: str, name: str, text: str = "", user: str = "U1") -> Any:
        return await command_in(self.slack, team, name, text, user)


async def command_in(slack: Slack, team: str, name: str, text: str = "", user: str = "U1") -> Any:
    """A signed slash command from ``team``; returns what the bot answered."""
    body, key = slack.command_body(name, text, user=user)
    form = dict(parse_qsl(body))
    form["team_id"] = team
    resp = await slack.post(urlencode(form), "application/x-www-form-urlencoded")
    assert resp.status == 200, resp.status
    return await slack.fake.response(key)


@pytest.fixture
async def multi(core: Core, settings: Settings, fake_slack: FakeSlack) -> AsyncIterator[Multi]:
    app = build_slack_app(core, settings, client=make_web_client(settings))
    runner = web.AppRunner(build_web_app(app, SECRET), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site_port(site)}"
    async with aiohttp.ClientSession() as session:
        yield Multi(app, Slack(url, fake_slack, session), Browser(url, fake_slack, session))
    await runner.cleanup()


async def rows(db: Database, table: Table, **where: Any) -> list[dict[str, Any]]:
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    async with db.engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(query)).mappings()]


def tokens_of(fake: FakeSlack, method: str) -> list[str | None]:
    return [c.token for c in fake.calls_of(method)]


# --- the install round ----------------------------------------------------------------------


async def test_the_install_page_links_to_slacks_authorize_page_with_our_client_id_and_a_state(
    multi: Multi, db: Database
):
    status, authorize, cookie = await multi.browser.install_page()
    assert status in (200, 302)
    parts = urlsplit(authorize)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "slack.com", "/oauth/v2/authorize")
    query = parse_qs(parts.query)
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    state = query["state"][0]
    assert state and cookie.endswith(f"={state}")  # the browser must bring it back
    assert [r["state"] for r in await rows(db, slack_oauth_states)] == [state]


@BOTH
async def test_the_redirect_stores_the_installation_and_the_team_is_served_with_its_token(
    multi: Multi, fake_slack: FakeSlack, db: Database
):
    resp = await multi.browser.install("T0002", "xoxb-team-two")
    assert resp.status == 200, resp.status
    assert len(fake_slack.calls_of("oauth.v2.access")) == 1

    [inst] = await rows(db, slack_installations)
    assert (inst["team_id"], inst["bot_token"], inst["client_id"]) == (
        "T0002",
        "xoxb-team-two",
        CLIENT_ID,
    )
    assert inst["bot_user_id"] == "UBOT2" and inst["user_id"] == "UINSTALLER"
    assert set(inst["bot_scopes"].split(",")) == set(BOT_SCOPES)
    [bot] = await rows(db, slack_bots)
    assert (bot["team_id"], bot["bot_token"]) == ("T0002", "xoxb-team-two")
    assert await rows(db, slack_oauth_states) == []  # the state is used up

    fake_slack.calls.clear()
    assert (await multi.command("T0002", "help"))["text"]
    assert (await multi.command("T0002", "progress", user="U7"))["text"]
    assert tokens_of(fake_slack, "users.info") == ["xoxb-team-two", "xoxb-team-two"]
    # Bolt's authorize checks a token once (auth.test), not before every request's ack.
    assert tokens_of(fake_slack, "auth.test") == ["xoxb-team-two"]
    assert all(c.token == "xoxb-team-two" for c in fake_slack.calls)


async def test_two_workspaces_each_use_their_own_token_for_commands_files_and_notices(
    multi: Multi, fake_slack: FakeSlack, db: Database
):
    assert (await multi.browser.install("T0002", "xoxb-two")).status == 200
    assert (await multi.browser.install("T0003", "xoxb-three")).status == 200
    assert {(r["team_id"], r["bot_token"]) for r in await rows(db, slack_bots)} == {
        ("T0002", "xoxb-two"),
        ("T0003", "xoxb-three"),
    }

    fake_slack.calls.clear()
    await multi.command("T0003", "help", user="U3")
    await multi.command("T0002", "help", user="U2")
    infos = {c.params["user"]: c.token for c in fake_slack.calls_of("users.info")}
    assert infos == {"U3": "xoxb-three", "U2": "xoxb-two"}

    # A private file goes to the person's DM, opened and uploaded with their workspace's token.
    fake_slack.calls.clear()
    await multi.command("T0003", "export-my-data", user="U3")
    for method in ("conversations.open", "files.getUploadURLExternal"):
        assert tokens_of(fake_slack, method) == ["xoxb-three"], method

    # Outside any request: the notifier looks the token up by the target's workspace.
    notifier = SlackNotifier(multi.app.client, installation_store=multi.app.installation_store)
    fake_slack.calls.clear()
    reply = Reply(text="Time to study")
    await notifier.send_to_user(UserTarget("slack", "T0002", "U2"), reply, key="k1")
    await notifier.send_to_channel(ChannelTarget("slack", "T0003", "C3"), reply, key="k2")
    posts = [(c.params["channel"], c.token) for c in fake_slack.calls_of("chat.postMessage")]
    assert posts == [("U2", "xoxb-two"), ("C3", "xoxb-three")]

    with pytest.raises(DeliveryError) as err:
        await notifier.send_to_user(UserTarget("slack", "T0404", "U4"), reply, key="k3")
    assert err.value.permanent
    assert len(fake_slack.calls_of("chat.postMessage")) == 2  # nothing sent without a token


async def test_a_forged_reused_or_expired_state_is_refused_and_nothing_is_stored(
    multi: Multi, fake_slack: FakeSlack, db: Database
):
    browser = multi.browser
    # No cookie: the state did not come from this browser's visit to /slack/install.
    _, authorize, cookie = await browser.install_page()
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    code = fake_slack.add_workspace("T0005", "xoxb-five")
    assert (await browser.redirect({"code": code, "state": state}, None)).status == 400
    # Cookie and state agree, but the bot never issued that state.
    forged = "00000000-0000-0000-0000-000000000000"
    name = cookie.split("=", 1)[0]
    resp = await browser.redirect({"code": code, "state": forged}, f"{name}={forged}")
    assert resp.status == 401
    # An issued state past its expiry.
    async with db.engine.begin() as conn:
        past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
        await conn.execute(update(slack_oauth_states).values(expire_at=past))
    assert (await browser.redirect({"code": code, "state": state}, cookie)).status == 401

    assert fake_slack.calls_of("oauth.v2.access") == []
    assert await rows(db, slack_installations) == [] and await rows(db, slack_bots) == []

    # A state works once: replaying a finished install's redirect is refused.
    _, authorize, cookie = await browser.install_page()
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    assert (await browser.redirect({"code": code, "state": state}, cookie)).status == 200
    again = fake_slack.add_workspace("T0006", "xoxb-six")
    assert (await browser.redirect({"code": again, "state": state}, cookie)).status == 401
    assert [r["team_id"] for r in await rows(db, slack_bots)] == ["T0005"]


async def test_a_workspace_that_never_installed_gets_nothing_done(
    multi: Multi, fake_slack: FakeSlack, db: Database
):
    body, key = multi.slack.command_body("progress")
    form = dict(parse_qsl(body))
    form["team_id"] = "T0999"
    resp = await multi.slack.post(urlencode(form), "application/x-www-form-urlencoded")
    assert resp.status == 200
    # Bolt tells the person (through response_url) that the app is not installed there.
    told = await fake_slack.response(key)
    assert "install" in told["text"].lower()
    assert fake_slack.calls == []  # no token to call Slack with
    async with db.engine.connect() as conn:
        users = select(func.count()).select_from(Base.metadata.tables["users"])
        assert (await conn.execute(users)).scalar_one() == 0


async def test_uninstalling_deletes_that_workspaces_tokens_only(
    multi: Multi, fake_slack: FakeSlack, db: Database
):
    assert (await multi.browser.install("T0002", "xoxb-two")).status == 200
    assert (await multi.browser.install("T0003", "xoxb-three")).status == 200
    event = {"type": "app_uninstalled", "event_ts": "1700000000.000300"}
    body = json.loads(multi.slack.event_body(event))
    body["team_id"] = "T0002"
    body["authorizations"] = [
        {"team_id": "T0002", "user_id": "UBOT2", "is_bot": True, "enterprise_id": None}
    ]
    fake_slack.workspaces.pop("xoxb-two")  # Slack revokes the token before telling the app
    resp = await multi.slack.post(json.dumps(body), "application/json")
    assert resp.status == 200

    async def teams() -> list[str]:
        return [r["team_id"] for r in await rows(db, slack_bots)]

    # The listener runs after the ack: wait (briefly) for the delete.
    for _ in range(100):
        if await teams() == ["T0003"]:
            break
        await asyncio.sleep(0.02)
    assert await teams() == ["T0003"]
    assert [r["team_id"] for r in await rows(db, slack_installations)] == ["T0003"]


async def test_single_workspace_mode_serves_no_install_routes(core: Core, fake_slack: FakeSlack):
    from tests.slack.fake_slack import BOT_TOKEN

    settings = Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
    )
    app = build_slack_app(core, settings)
    assert app.oauth_flow is None and app.installation_store is None
    runner = web.AppRunner(build_web_app(app, SECRET), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as session:
            for path in ("/slack/install", "/slack/oauth_redirect"):
                async with session.get(f"http://127.0.0.1:{site_port(site)}{path}") as resp:
                    assert resp.status == 404, path
    finally:
        await runner.cleanup()


async def test_serve_slack_runs_with_a_client_id_and_secret_and_no_bot_token(
    core: Core, settings: Settings, fake_slack: FakeSlack, db: Database
):
    from tests.slack.test_runner import _serve, free_port

    assert settings.slack_bot_token is None
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    async for url, _task in _serve(core, settings):
        async with aiohttp.ClientSession() as session:
            browser = Browser(url, fake_slack, session)
            assert (await browser.install("T0002", "xoxb-two")).status == 200
            slack = Slack(url, fake_slack, session)
            assert (await command_in(slack, "T0002", "help"))["text"]
    assert tokens_of(fake_slack, "users.info") == ["xoxb-two"]


# --- the schema -----------------------------------------------------------------------------


def _shape(table: Table) -> dict[str, tuple[str, int | None, bool, bool]]:
    return {
        c.name: (type(c.type).__name__, getattr(c.type, "length", None), c.nullable, c.primary_key)
        for c in table.columns
    }


def test_our_tables_are_the_ones_slack_sdks_stores_read_and_write():
    """Migration 0004 creates what the models say; this holds the models to slack_sdk's own
    table definitions, so an upgrade of slack_sdk that changes them fails here first."""
    theirs = MetaData()
    expected = {
        "slack_installations": SQLAlchemyInstallationStore.build_installations_table(
            theirs, "slack_installations"
        ),
        "slack_bots": SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots"),
        "slack_oauth_states": SQLAlchemyOAuthStateStore.build_oauth_states_table(
            theirs, "slack_oauth_states"
        ),
    }
    for name, table in expected.items():
        ours = Base.metadata.tables[name]
        assert _shape(ours) == _shape(table), name
        assert {tuple(i.columns.keys()) for i in ours.indexes} == {
            tuple(i.columns.keys()) for i in table.indexes
        }, name
        assert {i.name for i in ours.indexes} == {i.name for i in table.indexes}, name
        # Workspace data, not a person's: /forget-me (one delete from users) never reaches it.
        assert not ours.foreign_keys, name
