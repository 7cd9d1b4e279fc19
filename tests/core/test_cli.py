"""The real ``skilltree`` command line, run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.main.cli import main

TOKEN_VARS = ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")


def cli_env(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TOKEN_VARS}
    env["DATABASE_URL"] = database_url or f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env["OUTPUT_DIR"] = str(tmp_path / "out")
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("DEFAULT_LOCALE", None)
    return env


def skilltree(
    tmp_path: Path, *args: str, stdin: str = "", database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.main.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,  # no stray .env, and nothing written into the repository
        env=cli_env(tmp_path, database_url),
        timeout=60,
    )


def test_console_reads_commands_from_a_pipe(tmp_path: Path):
    run = skilltree(tmp_path, "console", "--user", "alice", stdin="/path mlops\n/progress\n/done\n")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == ""
    out = run.stdout
    assert "Welcome to the ⚙️ MLOps & Infrastructure Path!" in out
    assert "== alice — ⚙️ MLOps & Infrastructure Path ==" in out
    assert "Step 1 done: 1.1, 1.2, 1.3. 7/62 study days." in out
    assert (tmp_path / "cli.db").exists()


def test_console_with_an_unreachable_database_says_so(tmp_path: Path):
    run = skilltree(
        tmp_path,
        "console",
        stdin="/path mlops\n",
        database_url="postgresql+asyncpg://postgres:s3cret@127.0.0.1:1/x",
    )
    assert run.returncode == 1
    assert "skilltree: cannot reach" in run.stderr
    assert "s3cret" not in run.stderr
    assert "Traceback" not in run.stderr


# The other subcommands run in-process through the same ``main`` (a subprocess costs a second).


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.chdir(tmp_path)
    for key, value in cli_env(tmp_path).items():
        if key in ("DATABASE_URL", "OUTPUT_DIR"):
            monkeypatch.setenv(key, value)
    for key in TOKEN_VARS:
        monkeypatch.delenv(key, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_curriculum_export_is_the_curriculum_as_json(cli):
    code, out, _ = cli("curriculum", "export")
    assert code == 0
    data = json.loads(out)
    assert data["parts"][0]["chapters"][0]["id"] == "1.1"
    paths = {p["id"]: p for p in data["paths"]}
    assert paths["mlops"]["total_days"] == 62
    assert "应用开发" in out


def test_curriculum_validate_accepts_the_packaged_file(cli, tmp_path: Path):
    from importlib import resources

    good = tmp_path / "good.toml"
    good.write_text(
        resources.files("curriculum").joinpath("data", "llm-skill-tree.toml").read_text("utf-8"),
        "utf-8",
    )
    code, out, _ = cli("curriculum", "validate", str(good))
    assert code == 0
    assert "good.toml: OK — 7 parts, 29 chapters" in out
    assert "mlops 62 days" in out


@pytest.mark.parametrize(
    "content",
    ['title = { zh = "技能树", en = \n', "[meta]\nname = 1\n", ""],
    ids=["invalid-toml", "wrong-shape", "empty"],
)
def test_curriculum_validate_rejects_a_broken_file_naming_it(cli, tmp_path: Path, content: str):
    bad = tmp_path / "broken-team.toml"
    bad.write_text(content, "utf-8")
    code, _, err = cli("curriculum", "validate", str(bad))
    assert code != 0
    assert "broken-team.toml" in err
    assert "Traceback" not in err


def test_curriculum_validate_of_a_missing_file(cli, tmp_path: Path):
    code, _, err = cli("curriculum", "validate", str(tmp_path / "nope.toml"))
    assert code != 0
    assert "nope.toml" in err


def test_curriculum_validate_broken_file_exits_non_zero_as_a_process(tmp_path: Path):
    bad = tmp_path / "broken-team.toml"
    bad.write_text("not = [valid\n", "utf-8")
    run = skilltree(tmp_path, "curriculum", "validate", str(bad))
    assert run.returncode == 2
    assert "broken-team.toml" in run.stderr
    assert "Traceback" not in run.stderr


def test_db_upgrade_creates_the_schema_and_is_repeatable(cli, tmp_path: Path):
    code, out, _ = cli("db", "upgrade")
    assert code == 0
    assert "schema is up to date" in out
    assert (tmp_path / "cli.db").exists()
    code, _, _ = cli("db", "upgrade")
    assert code == 0


def test_db_upgrade_of_an_unreachable_database_fails_politely(cli, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres:s3cret@127.0.0.1:1/x")
    code, _, err = cli("db", "upgrade")
    assert code == 1
    assert "cannot reach" in err
    assert "s3cret" not in err


def test_an_unusable_setting_is_named_without_a_traceback_or_its_value(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    env["PORT"] = "not-a-port-s3cr3t"
    env["DISCORD_REQUESTS_PER_SECOND"] = "500"
    result = subprocess.run(
        [sys.executable, "-m", "bot.main.cli", "console"],
        input="",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "PORT:" in result.stderr and "DISCORD_REQUESTS_PER_SECOND:" in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cr3t" not in result.stderr
