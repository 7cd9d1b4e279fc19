"""Fault and abuse tests. SQLite unless PostgreSQL is the point (those read
``SKILLTREE_TEST_POSTGRES_URL`` and skip with the reason when it is not set)."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    return "sqlite"
