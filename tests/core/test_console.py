"""The console adapter: the whole bot through a terminal, driven with in-memory streams."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter, render_text
from bot.types import Button, Field, ProgressBar, Reply
from tests.core.support import (
    fast_db,  # noqa: F401  (the ``db`` fixture)
    sqlite_backend,  # noqa: F401  (SQLite only)
)


@pytest.fixture
def console(core, tmp_path: Path) -> ConsoleAdapter:
    return ConsoleAdapter(
        core,
        user="alice",
        channel="study",
        output_dir=tmp_path / "out",
        stdin=io.StringIO(),
        stdout=io.StringIO(),
    )


async def test_handle_line_enrols_and_shows_progress(console):
    out = await console.handle_line("/path mlops")
    assert "== Welcome to the ⚙️ MLOps & Infrastructure Path! ==" in out
    assert "Step 1: 1.1–1.3" in out
    assert "[1] Done (/done step:1)" in out
    out = await console.handle_line("/progress")
    assert "== alice — ⚙️ MLOps & Infrastructure Path ==" in out
    assert "░" in out and " 0%" in out
    assert "Steps: 0/10" in out


async def test_a_number_presses_a_button_of_the_last_reply(console):
    await console.handle_line("/path mlops")
    out = await console.handle_line("1")  # [1] Done (/done step:1)
    assert "Step 1 done: 1.1, 1.2, 1.3. 7/62 study days." in out
    again = await console.handle_line("/progress")
    assert "Steps: 1/10" in again
    pressed = await console.handle_line("3")  # [3] Progress
    assert "== alice — ⚙️ MLOps & Infrastructure Path ==" in pressed


async def test_a_number_with_no_such_button(console):
    await console.handle_line("/path mlops")
    out = await console.handle_line("9")
    assert out == "! There is no button 9; choose 1–3."


async def test_a_number_before_any_buttons_is_typed_text(console):
    out = await console.handle_line("1")
    assert out.startswith("! ")
    assert "I don't know the command `/1`." in out


async def test_done_via_console(console):
    await console.handle_line("/path mlops")
    out = await console.handle_line("/done")
    assert "Step 1 done" in out
    assert "Up next:" in out


async def test_meta_user_switches_who_is_typing(console):
    await console.handle_line("/path mlops")
    assert await console.handle_line(":user bob") == "(you are now bob)"
    out = await console.handle_line("/progress")
    assert "haven't picked a path" in out
    out = await console.handle_line("/progress @alice")
    assert "== alice — ⚙️ MLOps & Infrastructure Path ==" in out


async def test_meta_lang_switches_to_chinese(console):
    assert await console.handle_line(":lang zh") == "（语言：中文 (简体)）"
    out = await console.handle_line("/path mlops")
    assert "欢迎加入⚙️ MLOps 工程路线！" in out
    assert await console.handle_line(":lang en") == "(language: English)"


async def test_the_consoles_own_lines_follow_the_language(console):
    await console.handle_line(":lang zh")
    assert await console.handle_line(":channel dm") == "（现在在私信中）"
    assert await console.handle_line(":user bob") == "（你现在是 bob）"
    assert await console.handle_line(":admin on") == "（管理员：开）"
    assert (await console.handle_line(":bogus")).startswith("! 控制台命令：")
    await console.handle_line("/path")  # a reply with buttons
    assert (await console.handle_line("9")).startswith("! 没有第 9 个按钮")


async def test_meta_channel_admin_and_unknown(console):
    assert await console.handle_line(":channel dm") == "(now in a DM)"
    assert console.place.is_dm
    assert await console.handle_line(":channel general") == "(now in #general)"
    assert console.place.channel_id == "general"
    assert await console.handle_line(":admin on") == "(admin on)"
    assert console.actor.is_admin
    assert (await console.handle_line(":bogus")).startswith("! Console commands:")


async def test_meta_channel_with_a_hash_is_echoed_once(console):
    assert await console.handle_line(":channel #general") == "(now in #general)"


async def test_errors_are_prefixed_and_have_no_traceback(console):
    out = await console.handle_line("/prgress")
    assert out.splitlines()[0] == "! I don't know the command `/prgress`."
    assert "Traceback" not in out


async def test_export_writes_the_attachment_to_the_output_dir(console, tmp_path: Path):
    await console.handle_line("/path mlops")
    await console.handle_line("/done")
    out = await console.handle_line("/export-my-data")
    saved = tmp_path / "out" / "alice-skilltree-my-data.json"
    assert f"[saved {saved}]" in out
    data = json.loads(saved.read_text("utf-8"))
    assert len(data["chapters"]) == 3


async def test_export_file_name_cannot_escape_the_output_dir(console, tmp_path: Path):
    await console.handle_line(":user ../../evil/name")
    out = await console.handle_line("/export-my-data")
    saved = [p for p in (tmp_path / "out").iterdir()]
    assert len(saved) == 1
    assert saved[0].parent == tmp_path / "out"
    assert "/" not in saved[0].name
    assert f"[saved {saved[0]}]" in out


async def test_run_reads_lines_until_eof_and_prints_each_reply(core, tmp_path: Path):
    stdin = io.StringIO(
        "/path mlops\n"
        "\n"
        "# a comment\n"
        "/progress\n"
        "/done\n"
        "1\n"
        ":user bob\n"
        "/progress\n"
        ":lang zh\n"
        "/path 应用开发\n"
    )
    stdout = io.StringIO()
    adapter = ConsoleAdapter(core, user="alice", output_dir=tmp_path, stdin=stdin, stdout=stdout)
    await adapter.run()
    out = stdout.getvalue()
    assert "MLOps & Infrastructure Path" in out
    assert "Step 1 done" in out
    assert "Step 2 done" in out  # the button [1] of /done's reply is Done step:2
    assert "(you are now bob)" in out
    assert "haven't picked a path" in out
    assert "欢迎加入👨💻 应用开发路线！" in out
    assert "skilltree console" not in out  # no banner or prompt when not a terminal
    assert "Traceback" not in out


async def test_run_stops_at_quit(core, tmp_path: Path):
    stdin = io.StringIO("/help\nquit\n/path mlops\n")
    stdout = io.StringIO()
    await ConsoleAdapter(core, stdin=stdin, stdout=stdout, output_dir=tmp_path).run()
    assert "== Commands ==" in stdout.getvalue()
    assert "Welcome" not in stdout.getvalue()


def test_render_text_shows_every_part_of_a_reply():
    reply = Reply(
        title="**T**",
        text="hello **world**\nline two",
        fields=(Field("A", "1"), Field("B", "x\ny"), Field("C", "long", inline=False)),
        progress=ProgressBar(1, 4),
        buttons=(Button("Go", "next"), Button("Done", "done", "step:2")),
        footer="foot",
    )
    assert render_text(reply).splitlines() == [
        "== T ==",
        "hello world",
        "line two",
        "█████░░░░░░░░░░░░░░░ 25%",
        "A: 1",
        "B:",
        "  x",
        "  y",
        "C:",
        "  long",
        "[1] Go (/next)  [2] Done (/done step:2)",
        "foot",
    ]


def test_render_text_marks_errors():
    assert render_text(Reply(text="bad\nworse", kind="error")) == "! bad\n! worse"


async def test_plan_saves_plan_ics_and_share_prints_the_card(console, tmp_path: Path):
    await console.handle_line("/path mlops")
    out = await console.handle_line("/plan")
    saved = tmp_path / "out" / "alice-plan.ics"
    assert f"[saved {saved}]" in out
    assert saved.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    await console.handle_line("/done")
    out = await console.handle_line("/share 1.1 https://example.org/notes my notes")
    assert "alice finished 1.1" in out and "https://example.org/notes" in out


async def test_the_console_prints_a_weekly_thread_and_a_buddies_introduction():
    from adapters.console.notifier import ConsoleNotifier
    from bot.ports import ChannelTarget, UserTarget
    from bot.types import Reply

    out: list[str] = []
    notifier = ConsoleNotifier(out.append)
    study = ChannelTarget("console", "local", "study")
    message = await notifier.send_to_channel(study, Reply(text="Week 10"), key="c:W10")
    await notifier.open_thread(study, message, "Questions for 2027-W10", Reply(text="Ask"), key="t")
    users = [UserTarget("console", "local", u) for u in ("ann", "bob")]
    where = await notifier.introduce(study, users, Reply(text="Meet"), key="b")
    assert '(thread "Questions for 2027-W10" in #study)' in out[1] and "Ask" in out[1]
    assert out[2].startswith("(group message for ann, bob, from #study)") and where
