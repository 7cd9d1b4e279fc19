"""The web leaderboard: signed expiring links, 403 for anything else, and a real headless
Chromium that loads the page from a loopback server and shows the ranking."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.config import Settings
from bot.core import Core
from bot.features import COMMANDS
from bot.web import build_web_app
from bot.weblinks import InvalidLink, LinkSigner
from tests.leaderboard.conftest import SIGNER
from tests.leaderboard.helpers import channel_row, seed_group, utc

CHROMIUM = "/usr/bin/chromium"
NOW = utc(2027, 3, 11, 12)


def _flip(token: str, index: int) -> str:
    c = token[index]
    return token[:index] + ("A" if c != "A" else "B") + token[index + 1 :]


def test_tokens_round_trip_and_refuse_tampering_and_expiry():
    token = SIGNER.token(42, NOW)
    assert SIGNER.verify(token, NOW).channel_id == 42
    assert SIGNER.verify(token, NOW + timedelta(minutes=59)).channel_id == 42
    with pytest.raises(InvalidLink, match="expired"):
        SIGNER.verify(token, NOW + timedelta(minutes=60))
    with pytest.raises(InvalidLink):
        SIGNER.verify(_flip(token, 3), NOW)  # payload changed (another channel, say)
    with pytest.raises(InvalidLink):
        SIGNER.verify(_flip(token, len(token) - 3), NOW)  # signature changed
    with pytest.raises(InvalidLink):
        LinkSigner(b"other-secret").verify(token, NOW)
    for junk in ("", "abc", "a.b.c", "%%%.%%%"):
        with pytest.raises(InvalidLink):
            SIGNER.verify(junk, NOW)


def test_signer_from_settings(monkeypatch):
    monkeypatch.setenv("WEB_SECRET", "s3cret")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.org/")
    monkeypatch.setenv("WEB_LINK_TTL_MINUTES", "15")
    signer = LinkSigner.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert signer is not None and signer.ttl == timedelta(minutes=15)
    assert signer.url(7, NOW).startswith("https://bot.example.org/leaderboard/")
    monkeypatch.delenv("WEB_SECRET")
    assert LinkSigner.from_settings(Settings(_env_file=None)) is None  # type: ignore[call-arg]


async def test_leaderboard_web_command_gives_a_private_link(core, clock, person):
    p = await seed_group(clock, person)
    clock.set(NOW)
    reply = await p["boss"]("/leaderboard web")
    assert reply.ephemeral and not reply.is_error
    url = re.search(r"http://127\.0\.0\.1:9/leaderboard/(\S+)", reply.text)
    assert url is not None and "60 minutes" in reply.text
    channel = await channel_row(core)
    assert SIGNER.verify(url.group(1), NOW).channel_id == channel.id


async def test_web_command_without_a_secret_says_it_is_off(db, clock, curriculum, person):
    bare = Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=clock)
    from tests.conftest import Person

    boss = Person(bare, "boss", admin=True)
    reply = await boss("/leaderboard web")
    assert reply.is_error and "WEB_SECRET" in reply.text


def _app(core: Core) -> web.Application:
    return build_web_app(core, SIGNER)


async def test_page_and_picture_over_http_and_403s(core, clock, person):
    p = await seed_group(clock, person)
    await p["bob"]("/privacy anonymous")
    await p["dave"]("/privacy hidden")
    clock.set(NOW)
    channel = await channel_row(core)
    token = SIGNER.token(channel.id, NOW)
    async with TestClient(TestServer(_app(core))) as client:
        page = await client.get(f"/leaderboard/{token}")
        assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
        body = await page.text()
        assert "Leaderboard #study" in body and "anonymous #1" in body
        assert "bob" not in body and "dave" not in body
        all_time = body.split("id='all'")[1]
        assert re.findall(r"class='name'>([^<]+)<", all_time) == ["alice", "carol", "anonymous #1"]
        assert f"/leaderboard/{token}/tree.png" in body

        tree = await client.get(f"/leaderboard/{token}/tree.png")
        assert tree.status == 200 and tree.content_type == "image/png"
        assert Image.open(io.BytesIO(await tree.read())).size[0] == 960

        for bad in (_flip(token, 2), _flip(token, len(token) - 2), "nonsense"):
            refused = await client.get(f"/leaderboard/{bad}")
            assert refused.status == 403 and "not valid" in await refused.text()
            assert (await client.get(f"/leaderboard/{bad}/tree.png")).status == 403
        other_channel = SIGNER.token(channel.id + 999, NOW)
        assert (await client.get(f"/leaderboard/{other_channel}")).status == 403

        clock.set(NOW + timedelta(minutes=61))
        expired = await client.get(f"/leaderboard/{token}")
        assert expired.status == 403


async def test_the_page_speaks_the_admins_language(core, clock, person):
    await seed_group(clock, person)
    clock.set(NOW)
    channel = await channel_row(core)
    token = SIGNER.token(channel.id, NOW)
    async with TestClient(TestServer(_app(core))) as client:
        body = await (await client.get(f"/leaderboard/{token}?lang=zh")).text()
        assert "<html lang='zh-CN'>" in body and "本周" in body and "总榜" in body
        assert f"/leaderboard/{token}/tree.png?lang=zh" in body
        english = await client.get(
            f"/leaderboard/{token}", headers={"Accept-Language": "en-US,en;q=0.8"}
        )
        assert "This week" in await english.text()
        refused = await client.get("/leaderboard/nonsense?lang=zh")
        assert refused.status == 403 and "此链接无效" in await refused.text()


async def _chromium(url: str, tmp_path: Path, *extra: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        *extra,
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=45)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode("utf-8", errors="replace")


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)
async def test_headless_chromium_renders_the_ranking(core, clock, person, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the browser test needs one backend; the HTTP test covers both")
    p = await seed_group(clock, person)
    await p["carol"]("/privacy anonymous")
    clock.set(NOW)
    channel = await channel_row(core)
    # The link is made by the core, as an admin gets it; only the host is the test server's.
    runner = web.AppRunner(_app(core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        signer = replace(SIGNER, base_url=f"http://127.0.0.1:{port}")
        url = signer.url(channel.id, NOW)
        dom = await _chromium(url, tmp_path, "--dump-dom")
        assert "<h1>Leaderboard #study</h1>" in dom
        month = dom.split('id="month"')[1].split("</section>")[0]
        names = re.findall(r'class="name">([^<]+)<', month)
        assert names == ["alice", "anonymous #1", "bob", "dave"]
        week = dom.split('id="week"')[1].split("</section>")[0]
        assert re.findall(r'class="name">([^<]+)<', week) == ["alice"]

        shot = tmp_path / "page.png"
        await _chromium(url, tmp_path, f"--screenshot={shot}", "--window-size=1000,1400")
        image = Image.open(shot).convert("RGB")
        assert image.size == (1000, 1400)
        # The page has rendered: some progress-bar green is on screen.
        assert (76, 175, 80) in {c for _, c in image.getcolors(maxcolors=1 << 20) or []}

        tampered = await _chromium(_flip(url, len(url) - 5), tmp_path, "--dump-dom")
        assert "This link is not valid" in tampered and "alice" not in tampered
    finally:
        await runner.cleanup()
