"""Slash commands and buttons over real signed HTTP, answered through response_url."""

from __future__ import annotations

import asyncio
import json

from adapters.slack.surface import slash_command_names
from bot.features import COMMANDS
from tests.slack.conftest import buttons_of, text_of

ARGS = {
    "undo": "1.1",
    "skip": "1.2",
    "start": "2.1",
    "chapter": "4.2",
    "help": "reminders",
    "share": "2.1 https://example.org/demo",  # 2.1 is started by then
}


async def test_path_mlops_names_the_path_and_its_first_step(slack):
    payload = await slack.command("path", "mlops")
    assert payload["response_type"] == "ephemeral"
    assert payload["replace_original"] is False
    text = text_of(payload)
    assert "MLOps" in text
    assert "Step 1: 1.1–1.3" in text
    assert "You joined this channel's study group." in text
    assert payload["text"]  # the fallback for notifications and screen readers
    assert payload["blocks"][0]["type"] == "header"
    ids = [b["action_id"] for b in buttons_of(payload)]
    assert ids == [f"st:{c}:{n}" for n, c in enumerate(["done", "next", "progress"])]


def _args(name: str) -> str:
    """Arguments that make sense for ``name``: ours, else the spec's first example."""
    if name in ARGS:
        return ARGS[name]
    spec = next(c for c in COMMANDS if c.name == name)
    return spec.examples[0].removeprefix(f"/{name}").strip() if spec.examples else ""


async def test_every_command_is_answered(slack, fake_slack):
    admin = "UADMIN"  # settings.slack_admin_user_ids: admin-only commands run too
    await slack.command("path", "mlops", user=admin)
    for name in slash_command_names():
        if name == "forget-me":
            continue  # tested on its own: it would delete the enrolment the others use
        payload = await slack.command(name, _args(name), user=admin)
        assert payload["blocks"], name
        assert payload["text"], name
        assert ":warning:" not in text_of(payload), (name, text_of(payload))
    payload = await slack.command("forget-me", user=admin)
    assert "cannot be undone" in text_of(payload)
    assert [b["value"] for b in buttons_of(payload)] == ["forget-me confirm"]


async def test_admin_only_commands_refuse_others_clearly(slack):
    for spec in COMMANDS:
        if spec.admin_only:
            payload = await slack.command(spec.name, user="U5")
            assert ":warning:" in text_of(payload), spec.name


async def test_done_button_advances_progress(slack):
    enrolled = await slack.command("path", "mlops")
    done = next(b for b in buttons_of(enrolled) if b["action_id"].startswith("st:done:"))
    assert done["style"] == "primary"
    answer = await slack.click(done["value"], action_id=done["action_id"])
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    progress = text_of(await slack.command("progress"))
    assert "1/10" in progress
    assert "█" in progress  # the progress bar


async def test_users_info_gives_locale_timezone_and_admin_and_is_cached(slack, fake_slack):
    fake_slack.users["U7"] = {"locale": "zh-CN", "tz": "Asia/Shanghai", "is_owner": True}
    payload = await slack.command("path", "mlops", user="U7")
    assert "欢迎加入" in text_of(payload)
    await slack.command("progress", user="U7")
    assert [c.params["user"] for c in fake_slack.calls_of("users.info")] == ["U7"]


async def test_users_info_failure_still_answers_in_english(slack, fake_slack):
    fake_slack.fail_next("users.info", error="user_not_found")
    payload = await slack.command("path", "mlops", user="U8")
    assert "Welcome to the" in text_of(payload)


async def test_a_dm_is_no_study_group(slack):
    payload = await slack.command("path", "mlops", channel="D123", channel_name="directmessage")
    text = text_of(payload)
    assert "Welcome to the" in text
    assert "study group" not in text


async def test_export_goes_to_the_dm_as_a_file_and_inline(slack, fake_slack):
    await slack.command("path", "app")
    payload = await slack.command("export-my-data")
    text = text_of(payload)
    assert "```" in text  # small enough to read inline
    assert "skilltree-my-data.json" in text
    complete = fake_slack.calls_of("files.completeUploadExternal")
    assert len(complete) == 1
    assert complete[0].params["channel_id"] == "D1"  # the person's DM, not channel C1
    [data] = fake_slack.uploads.values()
    assert "app" in json.dumps(json.loads(data))


async def test_unknown_command_text_gets_a_clear_answer(slack):
    payload = await slack.command("done", "chapter:99.9 extra words here")
    assert payload["response_type"] == "ephemeral"
    assert ":warning:" in text_of(payload)


async def test_the_command_is_acked_before_the_core_runs(slack, fake_slack, core, monkeypatch):
    """Slack waits 3 s for the ack; the database may take longer."""
    release = asyncio.Event()
    original = core.handle_command_text

    async def slow(*args, **kwargs):
        await release.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(core, "handle_command_text", slow)
    body, key = slack.command_body("path", "mlops")
    resp = await asyncio.wait_for(slack.post(body, "application/x-www-form-urlencoded"), 2)
    assert resp.status == 200
    assert key not in fake_slack.responses
    release.set()
    assert "MLOps" in text_of(await fake_slack.response(key))


async def test_adapter_text_follows_the_locale(slack, fake_slack):
    fake_slack.users["U7"] = {"locale": "zh-CN"}
    answer = await slack.click("", action_id="st:done:0", user="U7")
    assert "按钮已失效" in text_of(answer)


async def test_progress_of_a_mentioned_person(slack):
    await slack.command("path", "research", user="U2")
    payload = await slack.command("progress", "<@U2|u2>", user="U1")  # should_escape: true
    text = text_of(payload)
    assert "u2" in text
    assert "0/" in text
    assert ":warning:" not in text
