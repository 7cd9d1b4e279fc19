"""``skilltree console`` with a broken CURRICULUM_FILE refuses to start and names the fault."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = resources.files("curriculum").joinpath("data", "llm-skill-tree.toml")


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


CASES = {
    "not-toml": (lambda t: t + "\n[[paths\n", ["not valid TOML"]),
    "zero-days": (lambda t: _edit(t, "days = 7\n", "days = 0\n"), ["paths[0].steps[0].days"]),
    "unknown-chapter": (
        lambda t: _edit(t, 'chapters = ["1.1"', 'chapters = ["9.9"'),
        ["'9.9'"],
    ),
    "not-utf8": (None, ["utf"]),
    "missing": (None, ["cannot read the file"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_console_refuses_a_broken_curriculum(case: str, tmp_path: Path) -> None:
    mutate, expected = CASES[case]
    path = tmp_path / f"{case}.toml"
    if case == "not-utf8":
        path.write_bytes(PACKAGED.read_text("utf-8").encode("utf-16"))
    elif case != "missing":
        assert mutate is not None
        text = PACKAGED.read_text("utf-8")
        if case == "unknown-chapter" and 'chapters = ["1.1"' not in text:
            pytest.skip("the packaged file's layout changed; see tests/curriculum")
        path.write_text(mutate(text), "utf-8")
    env = {
        **os.environ,
        "CURRICULUM_FILE": str(path),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": "",
        "SLACK_BOT_TOKEN": "",
        "SLACK_APP_TOKEN": "",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot.main.cli", "console", "--user", "alice"],
        input="/path mlops\n/done\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode != 0, proc.stdout
    assert str(path) in proc.stderr, proc.stderr  # names the file …
    for fragment in expected:  # … and the fault
        assert fragment.lower() in proc.stderr.lower(), proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Step 1 done" not in proc.stdout  # it did not start anyway
