"""Deploy-and-operate tests: logging, metrics, shutdown, secrets, and the image's install."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: builds and installs the project in a fresh venv (runs in CI; ~1 min)"
    )


@pytest.fixture
def backend() -> str:
    """Storage is covered by the core suite; these tests pin SQLite."""
    return "sqlite"
