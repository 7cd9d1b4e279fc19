"""``/help``, and the answers to every kind of mistake: suggestions and usage, never a crash."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.features import COMMANDS
from bot.options import CommandSpec
from bot.types import Actor, Place, Reply, UserRef
from tests.conftest import Person, flat
from tests.core.support import (
    fast_db,  # noqa: F401  (the ``db`` fixture)
    sqlite_backend,  # noqa: F401  (SQLite only)
)


async def test_help_lists_every_command_with_its_usage(person):
    reply = await person("alice")("/help")
    assert reply.title == "Commands"
    for spec in COMMANDS:
        line = f"`{spec.usage()}` — {spec.description}"
        if spec.admin_only:
            assert line not in reply.text  # members don't see admin commands
        else:
            assert line in reply.text
    assert "`/help COMMAND`" in (reply.footer or "")


async def test_help_for_one_command_shows_options_and_examples(person):
    reply = await person("alice")("/help reminders")
    assert reply.title == "/reminders"
    assert "View or set your weekly study reminder" in reply.text
    spec = next(c for c in COMMANDS if c.name == "reminders")
    assert f"`{spec.usage()}`" in reply.text
    assert spec.usage().startswith("/reminders [show|on|off|pause|resume")
    options = next(f.value for f in reply.fields if f.name == "Options")
    for name in ("action", "day", "time", "tz", "until"):
        assert f"`{name}` (optional)" in options
    examples = next(f.value for f in reply.fields if f.name == "Examples")
    assert "`/reminders day:wed time:19:30 tz:Europe/Berlin`" in examples


@pytest.mark.parametrize("typed", ["/help /done", "/help DONE", "/help command:done"])
async def test_help_accepts_a_slash_any_case_or_the_option_name(person, typed):
    reply = await person("alice")(typed)
    assert reply.title == "/done"


async def test_help_marks_required_options(person):
    reply = await person("alice")("/help chapter")
    assert "`id` (required)" in flat(reply)


async def test_help_for_an_unknown_command_suggests(person):
    reply = await person("alice")("/help prgress")
    assert reply.is_error
    assert "Did you mean `/progress`?" in reply.text


async def test_help_in_chinese(person):
    reply = await person("li", locale="zh")("/help")
    assert reply.title == "命令"
    assert "查看学习路线，或加入其中一条" in reply.text


async def test_unknown_command_suggests_the_closest(person):
    reply = await person("alice")("/prgress")
    assert reply.is_error
    assert reply.text.splitlines() == [
        "I don't know the command `/prgress`.",
        "Did you mean `/progress`?",
        "Type `/help` to see every command.",
    ]


async def test_unknown_command_without_a_close_match_points_to_help(person):
    reply = await person("alice")("/xyzzy")
    assert reply.is_error
    assert "Did you mean" not in reply.text
    assert "`/help`" in reply.text


async def test_commands_work_without_the_slash_and_in_any_case(person):
    reply = await person("alice")("PATH mlops")
    assert reply.kind == "success"


@pytest.mark.parametrize("line", ["", "   ", "/", " / "])
async def test_an_empty_line_asks_for_a_command(person, line):
    reply = await person("alice")(line)
    assert reply.is_error
    assert "Type a command" in reply.text


async def test_unclosed_quote_shows_usage(person):
    reply = await person("alice")('/chapter "4.2')
    assert reply.is_error
    assert "A quote is not closed." in reply.text
    assert "Usage: `/chapter CHAPTER`" in reply.text


async def test_unknown_option_shows_usage(person):
    reply = await person("alice")("/progress foo:bar")
    assert reply.is_error
    assert "`/progress` has no option `foo`." in reply.text
    assert "Usage: `/progress [USER]`" in reply.text


async def test_misspelt_option_name_is_suggested(person):
    reply = await person("alice")("/reminders tiem:19:30")
    assert reply.is_error
    assert "has no option `tiem`" in reply.text
    assert "Did you mean `time`?" in reply.text


async def test_too_many_arguments_shows_usage(person):
    reply = await person("alice")("/done 4.2 4.3")
    assert reply.is_error
    assert "`/done` takes fewer arguments: I can't place `4.3`." in reply.text
    assert "Usage: `/done [CHAPTER] [step:STEP]`" in reply.text


async def test_an_argument_to_a_command_without_options(person):
    reply = await person("alice")("/next please")
    assert reply.is_error
    assert "I can't place `please`" in reply.text
    assert "Usage: `/next`" in reply.text


async def test_an_option_given_twice(person):
    reply = await person("alice")("/reminders time:10:00 time:11:00")
    assert reply.is_error
    assert "Option `time` was given twice." in reply.text


async def test_a_missing_required_option(person):
    reply = await person("alice")("/skip")
    assert reply.is_error
    assert "`/skip` needs `chapter`." in reply.text


async def test_an_over_long_option_is_refused_politely(person):
    reply = await person("alice")("/path " + "x" * 300)
    assert reply.is_error
    assert "at most 200 characters" in reply.text


async def test_a_huge_line_is_cut_not_crashed(person):
    reply = await person("alice")("/chapter " + "4" * 100_000)
    assert reply.is_error
    assert len(reply.text) < 1000


async def test_bad_integer_for_step(person):
    reply = await person("alice")("/done step:abc")
    assert reply.is_error
    assert "`abc` is not a whole number." in reply.text


async def test_step_zero_is_explained_as_out_of_range(person):
    reply = await person("alice")("/done step:0")
    assert reply.is_error
    assert "not a whole number" not in reply.text


async def test_user_error_replies_are_ephemeral_errors_without_internals(person):
    for line in ["/path nope", "/chapter 9.9", "/progress @nobody", "/reminders tz:Mars/Base"]:
        reply = await person("alice")(line)
        assert reply.is_error and reply.ephemeral, line
        assert "Traceback" not in reply.text and "Error" not in reply.text, line


async def test_errors_are_translated(person):
    li = person("li", locale="zh")
    assert "我不认识命令 `/prgress`" in (await li("/prgress")).text
    assert "你是不是想输入 `/progress`" in (await li("/prgress")).text
    reply = await li('/chapter "4.2')
    assert "有一个引号没有闭合。" in reply.text
    assert "用法：`/chapter CHAPTER`" in reply.text


# --- the other entry points: Slack's (name, text) and Discord's (name, options) ------------


def who(locale="en") -> tuple[Actor, Place]:
    return Actor("test", "W1", "alice", display_name="alice", locale=locale), Place(
        "test", "W1", "study", channel_name="study"
    )


async def test_handle_command_text_is_slacks_entry(core):
    actor, place = who()
    reply = await core.handle_command_text(actor, place, "/path", "mlops")
    assert reply.kind == "success"
    reply = await core.handle_command_text(actor, place, "progres", "")
    assert "Did you mean `/progress`?" in reply.text


async def test_invoke_takes_typed_options_like_discord(core):
    actor, place = who()
    await core.invoke(actor, place, "path", {"name": "mlops"})
    reply = await core.invoke(actor, place, "done", {"step": 1})
    assert "Step 1 done" in reply.text
    reply = await core.invoke(actor, place, "progress", {"user": UserRef(user_id="alice")})
    assert reply.title == "alice — ⚙️ MLOps & Infrastructure Path"


async def test_invoke_ignores_blank_values_and_rejects_unknown_keys(core):
    actor, place = who()
    reply = await core.invoke(actor, place, "path", {"name": "  "})
    assert reply.title == "Learning paths"
    reply = await core.invoke(actor, place, "path", {"colour": "red"})
    assert reply.is_error
    assert "`/path` has no option `colour`." in reply.text


async def test_invoke_converts_and_checks_values(core):
    actor, place = who()
    reply = await core.invoke(actor, place, "reminders", {"time": "25:00"})
    assert reply.is_error
    assert "`25:00` is not a time of day" in reply.text


async def test_invoke_an_unknown_command(core):
    actor, place = who()
    reply = await core.invoke(actor, place, "progres", {})
    assert reply.is_error
    assert "`/progress`" in reply.text


async def test_autocomplete_sources(core):
    chapters = await core.autocomplete("chapters", "rag", "en")
    assert chapters == [("4.2", "4.2 How Retrieval-Augmented Generation (RAG) Works")]
    paths = await core.autocomplete("paths", "ops", "en")
    assert [v for v, _ in paths] == ["mlops"]
    zones = await core.autocomplete("timezones", "shang", "en")
    assert ("Asia/Shanghai", "Asia/Shanghai") in zones
    assert len(await core.autocomplete("chapters", "", "en")) == 25
    assert await core.autocomplete("nothing", "x", "en") == []


# --- admin-only commands and handler bugs, with a command set of our own ------------------


async def secret(ctx) -> Reply:
    return Reply(text="the secret")


async def broken(ctx) -> Reply:
    raise RuntimeError("boom at line 42")


@pytest.fixture
def custom_core(db, clock, curriculum) -> Core:
    return Core(
        curriculum=curriculum,
        db=db,
        clock=clock,
        commands=(
            *COMMANDS,
            CommandSpec("secret", "Admins only", secret, admin_only=True),
            CommandSpec("broken", "Always fails", broken),
        ),
    )


async def test_admin_only_command_is_refused_to_others_and_hidden_from_their_help(custom_core):
    member, admin = Person(custom_core, "alice"), Person(custom_core, "root", admin=True)
    refused = await member("/secret")
    assert refused.is_error
    assert "Only admins of this workspace can use `/secret`." in refused.text
    assert (await admin("/secret")).text == "the secret"
    assert "/secret" not in (await member("/help")).text
    admin_help = (await admin("/help")).text
    assert "/secret` — Admins only (admins only)" in admin_help
    for spec in COMMANDS:
        assert f"`{spec.usage()}`" in admin_help


async def test_a_handler_bug_is_an_apology_not_a_traceback(custom_core, caplog):
    reply = await Person(custom_core, "alice")("/broken")
    assert reply.is_error
    assert reply.text == (
        "Sorry, something went wrong on my side. Nothing was changed; please try again."
    )
    assert "boom" not in reply.text
    assert "Traceback" not in reply.text
    assert any("command /broken failed" in r.getMessage() for r in caplog.records)
    assert any(r.exc_info for r in caplog.records)


async def test_a_tab_after_the_command_name_separates_like_a_space(person):
    reply = await person("alice")("/path\tmlops")
    assert reply.kind == "success", reply.text


async def test_a_full_width_slash_from_a_chinese_ime_is_accepted(person):
    reply = await person("li", locale="zh")("／progress")
    assert "我不认识命令" not in reply.text


@pytest.mark.parametrize("entry", ["text", "invoke"])
async def test_a_command_is_resolved_and_its_actor_checked_once(person, monkeypatch, entry):
    import bot.core as core_module

    calls: list[str] = []
    find, sane = core_module.find_command, core_module.sane_actor

    def counted_find(name, commands):
        calls.append("find_command")
        return find(name, commands)

    def counted_sane(actor):
        calls.append("sane_actor")
        return sane(actor)

    monkeypatch.setattr(core_module, "find_command", counted_find)
    monkeypatch.setattr(core_module, "sane_actor", counted_sane)
    alice = person("alice")
    if entry == "text":
        reply = await alice("/path mlops")
    else:
        reply = await alice.core.invoke(alice.actor, alice.place, "path", {"name": "mlops"})
    assert not reply.is_error
    assert sorted(calls) == ["find_command", "sane_actor"]
