"""The leaderboard tests' core also signs web links (a fixed test secret)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import Core
from bot.features import COMMANDS
from bot.weblinks import LinkSigner

SIGNER = LinkSigner(b"test-secret", "http://127.0.0.1:9", timedelta(minutes=60))


@pytest.fixture
async def core(db, clock, curriculum) -> Core:
    return Core(commands=COMMANDS, curriculum=curriculum, db=db, clock=clock, web_links=SIGNER)
