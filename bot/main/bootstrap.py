"""The composition root: settings in, a wired ``Core`` out. Nothing is wired at import time."""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.db.engine import redact_url
from bot.features import COMMANDS
from bot.pictures import cjk_font_path
from bot.weblinks import CalendarSigner, LinkSigner
from curriculum import load_curriculum

log = logging.getLogger(__name__)


def open_database(settings: Settings) -> Database:
    return Database(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )


async def build_core(
    settings: Settings, *, clock: Clock | None = None, upgrade: bool = True
) -> Core:
    """Load the curriculum, open the database (creating or upgrading the schema), wire the core.

    A broken curriculum file raises ``CurriculumError`` before anything else starts.
    """
    curriculum = load_curriculum(settings.curriculum_file)
    db = open_database(settings)
    if upgrade:
        try:
            await db.upgrade()
        except BaseException:
            await db.close()
            raise
    log.info("database ready at %s", redact_url(settings.database_url))
    # Finding a CJK font may run fc-match: do it now, off the loop, not in the first /progress.
    await asyncio.to_thread(cjk_font_path)
    return Core(
        commands=COMMANDS,
        curriculum=curriculum,
        db=db,
        clock=clock,
        chapter_base_url=settings.chapter_base_url,
        web_links=LinkSigner.from_settings(settings),
        calendar_links=CalendarSigner.from_settings(settings),
    )
