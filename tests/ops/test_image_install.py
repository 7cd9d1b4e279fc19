"""The image's install steps, without Docker: the Dockerfile's COPY and RUN lines from
``WORKDIR /src`` on are replayed in a temporary directory (the build context filtered by
.dockerignore) into a fresh venv; then the installed bot runs from elsewhere with the source
gone, so the curriculum data and migrations must come from the package itself.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.support import REPO

pytestmark = pytest.mark.slow

BUDGET_SECONDS = 150  # generous: ~30-60 s with pip's cache on this machine


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        word, _, rest = full.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def ignored(rel: str, patterns: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        if pattern.startswith("**/"):
            if fnmatch.fnmatch(name, pattern[3:]):
                return True
        elif fnmatch.fnmatch(rel, pattern.rstrip("/")):
            return True
    return False


def build_context(dest: Path) -> Path:
    """The repository as ``docker build .`` would send it (.dockerignore applied)."""
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [p.strip() for p in lines if p.strip() and not p.startswith("#")]

    def skip(directory: str, names: list[str]) -> set[str]:
        rel_dir = os.path.relpath(directory, REPO)
        rel = (lambda n: n) if rel_dir == "." else (lambda n: f"{rel_dir}/{n}")
        return {n for n in names if ignored(rel(n), patterns)}

    shutil.copytree(REPO, dest, ignore=skip, symlinks=True)
    return dest


def replay(context: Path, src: Path, env: dict[str, str]) -> list[str]:
    """Run the Dockerfile's steps from ``WORKDIR /src`` up to the last install RUN, with
    ``/src`` mapped to ``src``. Returns the RUN lines it ran."""
    steps = instructions(REPO / "Dockerfile")
    start = steps.index(("WORKDIR", "/src"))
    runs = [i for i, (word, args) in enumerate(steps) if word == "RUN" and "install.sh" in args]
    assert len(runs) == 2, "expected two install steps: dependencies, then the app"
    src.mkdir()
    ran: list[str] = []
    for word, args in steps[start + 1 : runs[-1] + 1]:
        if word == "COPY":
            *sources, target = args.split()
            for source in sources:
                origin = context / source
                where = src / target if target not in (".", "./") else src
                if origin.is_dir() and source in (".", "./"):
                    shutil.copytree(origin, src, dirs_exist_ok=True)
                elif target.endswith("/"):
                    where.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, where / origin.name)
                else:
                    shutil.copy2(origin, where)
        elif word == "RUN":
            assert "pip" not in args, f"pip outside docker/install.sh: {args}"
            command = args.replace("/src", str(src))
            done = subprocess.run(
                ["sh", "-c", command], cwd=src, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            ran.append(args)
        else:
            pytest.fail(f"unexpected {word} between the install steps: mirror it here")
    return ran


def test_the_image_install_steps_give_a_working_bot(tmp_path: Path) -> None:
    started = time.monotonic()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / "bin"
    env = {
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE"):
        if key in os.environ:
            env[key] = os.environ[key]

    context = build_context(tmp_path / "context")
    assert not (context / "tests").exists() and not (context / ".venv").exists()
    src = tmp_path / "src"
    ran = replay(context, src, env)
    assert [r.split()[2] for r in ran] == ["deps", "app"]

    # The source is gone: what runs now is the installed package.
    shutil.rmtree(src)
    shutil.rmtree(context)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_env = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"}

    def skilltree(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(bindir / "skilltree"), *args],
            cwd=elsewhere,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"skilltree {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    assert "usage: skilltree" in skilltree("--help").stdout

    where = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import curriculum, bot.db.migrations as m, bot.main.metrics, bot.main.app, pathlib;"
            "print(pathlib.Path(curriculum.__file__).parent);"
            "print(pathlib.Path(m.__file__).parent)",
        ],
        cwd=elsewhere,
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    package, migrations = (Path(p) for p in where.stdout.split())
    assert venv in package.parents, package  # site-packages, not a source tree
    data = sorted(package.glob("data/*.toml"))
    assert data, "the curriculum TOML is not package data"
    versions = sorted(p.name for p in (migrations / "versions").glob("*.py"))
    assert any(re.match(r"0001_", v) for v in versions), versions
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()

    out = skilltree("curriculum", "validate", str(data[0])).stdout
    assert ": OK — 7 parts, 29 chapters" in out, out

    assert "schema is up to date" in skilltree("db", "upgrade").stdout
    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"alembic_version", "users", "deliveries"} <= tables, tables

    took = time.monotonic() - started
    assert took < BUDGET_SECONDS, f"the install test took {took:.0f} s"
