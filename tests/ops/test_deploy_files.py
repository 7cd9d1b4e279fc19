"""What the Dockerfile and docker-compose.yml promise, checked without Docker (no engine
here): the image's behaviour itself is covered by test_image_install and the run tests."""

from __future__ import annotations

import re

from tests.ops.support import REPO
from tests.ops.test_image_install import instructions

DOCKERFILE = REPO / "Dockerfile"
COMPOSE = (REPO / "docker-compose.yml").read_text()


def test_dockerfile_runs_the_bot_as_a_non_root_user_with_a_healthcheck() -> None:
    steps = instructions(DOCKERFILE)
    words = [w for w, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = [a for w, a in steps if w == "USER"]
    assert user and not user[-1].startswith(("0", "root"))
    health = next(a for w, a in steps if w == "HEALTHCHECK")
    assert "/healthz" in health and "urllib" in health and "curl" not in health
    assert "PORT" in health
    assert steps[-1] == ("CMD", '["skilltree", "run"]')
    assert words.index("USER") < words.index("CMD")
    env = " ".join(a for w, a in steps if w == "ENV")
    assert "DATABASE_URL=sqlite+aiosqlite:////data/" in env
    assert ("VOLUME", '["/data"]') in steps
    apt = next(a for w, a in steps if w == "RUN" and "apt-get install" in a)
    assert "--no-install-recommends" in apt and "fonts-noto-cjk" in apt
    assert "rm -rf /var/lib/apt/lists/*" in apt


def test_dependencies_install_before_the_source_is_copied() -> None:
    steps = instructions(DOCKERFILE)
    copy_all = steps.index(("COPY", ". ."))
    deps = next(i for i, (w, a) in enumerate(steps) if w == "RUN" and "install.sh deps" in a)
    assert deps < copy_all
    assert all(w != "COPY" or "pyproject.toml" in a or "install.sh" in a for w, a in steps[:deps])


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "*.db", "tests"} <= ignored


def test_compose_runs_the_bot_on_postgres_16() -> None:
    assert re.search(r"^\s+image: postgres:16$", COMPOSE, re.M)
    assert "DATABASE_URL: postgresql+asyncpg://" in COMPOSE
    assert "pgdata:/var/lib/postgresql/data" in COMPOSE
    assert re.search(r"^volumes:\n  pgdata:", COMPOSE, re.M)
    assert COMPOSE.count("healthcheck:") == 2 and "pg_isready" in COMPOSE
    assert "condition: service_healthy" in COMPOSE
    assert "path: .env" in COMPOSE
