"""Running ``python -m bot.main.cli run`` as a separate process, as an orchestrator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    """A clean environment: none of the caller's settings leak in, only ``settings``."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update(
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        HOST="127.0.0.1",
        PORT=str(port),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        OUTPUT_DIR=str(tmp_path / "out"),
    )
    env.update(settings)
    return env


def start_bot(env: dict[str, str], cwd: Path, out: IO[bytes]) -> subprocess.Popen[bytes]:
    """``python -m bot.main.cli run`` with stdout and stderr into ``out`` (a file: DEBUG output
    would fill a pipe nobody reads)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.main.cli", "run"],
        cwd=cwd,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"the bot exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                body: bytes = resp.read()
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Last resort in a ``finally``: kill a bot a failed test left running."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
