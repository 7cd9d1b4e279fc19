"""SIGTERM, as ``docker stop`` sends it: the bot stops taking work, closes cleanly, exits 0."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.ops.support import bot_env, free_port, start_bot, stop, wait_http


def test_sigterm_stops_cleanly_with_exit_code_0(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as out:
        proc = start_bot(bot_env(tmp_path, port), tmp_path, out)
        try:
            assert wait_http(f"http://127.0.0.1:{port}/healthz", proc) == b'{"ok": true}'
            ready = wait_http(f"http://127.0.0.1:{port}/readyz", proc)
            assert b'"database": true' in ready
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=10)
            took = time.monotonic() - sent
        finally:
            stop(proc)
    log = log_path.read_text()
    assert code == 0, log
    assert took < 5, f"took {took:.1f} s to stop\n{log}"
    lines = log.splitlines()
    assert any(
        line.endswith("stopping: no new work; finishing in-flight deliveries") for line in lines
    )
    assert any(line.endswith("weekly prompt scheduler stopped") for line in lines), log
    assert lines[-1].endswith("bot.main.app: stopped"), log
    assert "Traceback" not in log
