"""``skilltree run`` takes what start-up built out of the garbage collector's scans, so a full
collection beside a big group's kept boards is a short pause, not a 50–100 ms one."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import aiohttp

from bot.config import Settings
from bot.main.app import run
from tests.ops.support import free_port


async def test_run_freezes_start_up_objects_before_serving(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        host="127.0.0.1",
        port=port,
    )
    gc.unfreeze()
    stop = asyncio.Event()
    bot = asyncio.create_task(run(settings, stop=stop))
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
        for _ in range(100):  # the freeze follows the scheduler's start
            if gc.get_freeze_count() > 0:
                break
            await asyncio.sleep(0.02)
        assert gc.get_freeze_count() > 10_000
    finally:
        stop.set()
        await asyncio.wait_for(bot, 10)
        gc.unfreeze()
