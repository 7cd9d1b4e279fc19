"""The study-together tests' core also signs calendar links (a fixed test secret)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import Core
from bot.features import COMMANDS
from bot.weblinks import CalendarSigner, LinkSigner
from tests.core.support import fast_db  # noqa: F401  (the ``db`` fixture)

SECRET = b"test-secret"
CALENDAR = CalendarSigner.from_secret(SECRET, "http://127.0.0.1:9", timedelta(days=180))
BOARD = LinkSigner(SECRET, "http://127.0.0.1:9", timedelta(minutes=60))


@pytest.fixture
async def core(db, clock, curriculum) -> Core:
    return Core(
        commands=COMMANDS,
        curriculum=curriculum,
        db=db,
        clock=clock,
        web_links=BOARD,
        calendar_links=CALENDAR,
    )
