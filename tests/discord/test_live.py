"""The real discord.py client, over real sockets, against the loopback fake Discord.

Each test starts ``serve_discord`` as the CLI does, injects gateway events, and reads what the
bot sent back over REST (every body also checked against Discord's OpenAPI description).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.features import COMMANDS
from bot.ports import DeliveryError, UserTarget
from bot.types import Button, Reply
from tests.discord.conftest import RunningBot
from tests.discord.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    autocomplete,
    button_press,
    custom_ids,
    interaction_payload,
    slash,
)
from tests.discord.test_commands import assert_matches_specs

EPHEMERAL = 64
ALICE = "2000000000000000001"


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


async def run(fake: FakeDiscord, name: str, /, **options: Any) -> dict[str, Any]:
    return await fake.answer(interaction_payload(2, slash(name, **options)))


async def test_path_mlops_names_the_path_and_its_first_step(bot: RunningBot, fake: FakeDiscord):
    message = await run(fake, "path", name="mlops")
    embed = message["embeds"][0]
    assert "MLOps" in embed["title"]
    assert "Step 1" in text_of(message) and "1.1" in text_of(message)
    assert message["flags"] & EPHEMERAL
    assert "st:done:step:1" in custom_ids(message)
    callback = fake.interactions[next(iter(fake.interactions))].callbacks[0]
    assert callback["type"] == 4  # answered directly: the core was fast


async def test_synced_commands_match_the_core_specs(bot: RunningBot, fake: FakeDiscord):
    assert list(fake.commands) == ["global"]
    assert_matches_specs(fake.commands["global"], COMMANDS)


async def test_everyday_commands_are_answered(bot: RunningBot, fake: FakeDiscord):
    await run(fake, "path", name="mlops")
    expectations = [
        (("progress",), {}, "Steps"),
        (("next",), {}, "Next up"),
        (("done",), {}, "Step 1 done"),
        (("chapter",), {"id": "4.2"}, "Retrieval-Augmented"),
        (("reminders",), {"action": "on", "day": "wed", "time": "19:30"}, "Wednesday"),
        (("privacy",), {"mode": "anonymous"}, "anonymous"),
        (("help",), {}, "/reminders"),
        (("help",), {"command": "done"}, "/done"),
    ]
    for (name,), options, expected in expectations:
        message = await run(fake, name, **options)
        assert message.get("embeds"), (name, message)  # not an error
        assert expected in text_of(message), (name, text_of(message))


async def test_someone_elses_progress_by_user_option(bot: RunningBot, fake: FakeDiscord):
    await fake.answer(interaction_payload(2, slash("path", name="app"), user_id="2001", name="bob"))
    message = await run(fake, "progress", user=("user", "2001", "bob"))
    assert "Application" in text_of(message)


async def test_a_button_from_before_a_restart_still_works(bot: RunningBot, fake: FakeDiscord):
    old = await run(fake, "path", name="mlops")
    assert fake.identifies == 1
    await bot.restart()  # a new discord.Client: nothing carried over in memory
    assert fake.identifies == 2
    press = interaction_payload(3, button_press(old, "st:done:step:1"), message=old)
    message = await fake.answer(press)
    assert "Step 1 done" in text_of(message)
    assert message["flags"] & EPHEMERAL
    puts = [r for r in fake.requests if r.method == "PUT"]
    assert len(puts) == 1, "unchanged commands are not synced again after a restart"


async def test_a_bad_option_value_gets_an_ephemeral_error(bot: RunningBot, fake: FakeDiscord):
    message = await run(fake, "reminders", time="25:99")
    assert message["flags"] & EPHEMERAL
    assert not message.get("embeds")
    assert "not a time of day" in message["content"]
    assert "Traceback" not in message["content"]


async def test_an_unknown_chapter_gets_suggestions(bot: RunningBot, fake: FakeDiscord):
    message = await run(fake, "chapter", id="44.2")
    assert "There is no chapter `44.2`" in message["content"]
    assert "Did you mean" in message["content"] and "`4.2`" in message["content"]
    assert message["flags"] & EPHEMERAL


async def test_autocomplete_offers_chapters(bot: RunningBot, fake: FakeDiscord):
    record = await fake.interact(interaction_payload(4, autocomplete("chapter", "id", "retrieval")))
    await fake.wait_for(lambda: record.callbacks)
    callback = record.callbacks[0]
    assert callback["type"] == 8
    values = [c["value"] for c in callback["data"]["choices"]]
    assert "4.2" in values and len(values) <= 25


async def test_a_slash_command_in_a_dm(bot: RunningBot, fake: FakeDiscord):
    message = await fake.answer(interaction_payload(2, slash("help"), dm=True))
    assert "/path" in text_of(message)


async def test_a_slash_command_in_a_dm_acts_on_the_persons_server_record(
    bot: RunningBot, fake: FakeDiscord
):
    await run(fake, "path", name="mlops")  # enrolled in the guild's study channel
    message = await fake.answer(interaction_payload(2, slash("progress"), dm=True))
    assert "MLOps" in text_of(message) and "0/10" in text_of(message)


async def test_a_button_under_a_dm_answer_acts_on_the_persons_server_record(
    bot: RunningBot, fake: FakeDiscord
):
    await run(fake, "path", name="mlops")
    press = interaction_payload(3, button_press({}, "st:done:step:1"), dm=True)
    message = await fake.answer(press)
    assert "Step 1 done" in text_of(message)


async def test_a_slow_core_is_deferred_then_edited(
    bot: RunningBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
):
    await bot.stop()
    bot.answer_budget = 0.05
    await bot.start()
    real = bot.core.invoke

    async def slow(*args: Any, **kwargs: Any) -> Reply:
        await asyncio.sleep(0.3)
        return await real(*args, **kwargs)

    monkeypatch.setattr(bot.core, "invoke", slow)
    record = await fake.interact(interaction_payload(2, slash("path", name="mlops")))
    await fake.wait_for(lambda: record.messages)
    assert record.callbacks[0] == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert "MLOps" in text_of(record.messages[-1])


async def test_a_crash_is_an_apology_not_a_traceback(
    bot: RunningBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
):
    async def boom(*args: Any, **kwargs: Any) -> Reply:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(bot.core, "invoke", boom)
    message = await run(fake, "next")
    assert "went wrong" in message["content"] and "secret" not in message["content"]
    assert message["flags"] & EPHEMERAL


async def test_a_429_is_waited_out_and_the_answer_arrives(bot: RunningBot, fake: FakeDiscord):
    fake.fail("POST", r"^/interactions/.+/callback$", 429)
    started = time.perf_counter()
    message = await run(fake, "next")
    assert time.perf_counter() - started >= 0.2
    assert message  # answered after the retry
    statuses = [r.status for r in fake.requests if r.path.endswith("/callback")]
    assert statuses == [429, 200]


async def test_a_5xx_is_retried(bot: RunningBot, fake: FakeDiscord):
    fake.fail("POST", r"^/interactions/.+/callback$", 500)
    message = await run(fake, "help")
    assert "/path" in text_of(message)
    statuses = [r.status for r in fake.requests if r.path.endswith("/callback")]
    assert statuses == [500, 200]


async def test_after_a_gateway_disconnect_the_bot_resumes(bot: RunningBot, fake: FakeDiscord):
    assert "Steps" not in text_of(await run(fake, "help"))
    await fake.drop_gateway()
    await fake.wait_for(lambda: fake.resumes == 1)
    assert fake.identifies == 1, "resumed, not re-identified"
    message = await run(fake, "path", name="mlops")
    assert "MLOps" in text_of(message)


# --- the notifier ------------------------------------------------------------------------------


def _nudge() -> Reply:
    return Reply(text="Time to study!", title="Weekly", buttons=(Button("Done", "done"),))


async def test_dm_is_sent_once_per_key_and_the_dm_channel_is_cached(
    bot: RunningBot, fake: FakeDiscord
):
    assert bot.notifier is not None
    target = UserTarget("discord", GUILD_ID, ALICE, fallback_channel=CHANNEL_ID)
    await bot.notifier.send_to_user(target, _nudge(), key="weekly:alice:2027-W10")
    await bot.notifier.send_to_user(target, _nudge(), key="weekly:alice:2027-W10")
    dm = fake.dm_channels[ALICE]
    assert len(fake.channel_messages[dm]) == 1, "the nonce dropped the duplicate"
    assert len([r for r in fake.requests if r.path == "/users/@me/channels"]) == 1
    sent = [r.body for r in fake.requests if r.path == "/channels/{channel_id}/messages"]
    assert sent[0]["nonce"] == sent[1]["nonce"] and sent[0]["enforce_nonce"] is True
    assert len(sent[0]["nonce"]) <= 25
    assert custom_ids(fake.channel_messages[dm][0]) == [f"st@{GUILD_ID}:done:"]


async def test_closed_dms_fall_back_to_the_study_channel(bot: RunningBot, fake: FakeDiscord):
    assert bot.notifier is not None
    fake.closed_dms.add(ALICE)
    target = UserTarget("discord", GUILD_ID, ALICE, fallback_channel=CHANNEL_ID)
    await bot.notifier.send_to_user(target, _nudge(), key="k1")
    [posted] = fake.channel_messages[CHANNEL_ID]
    assert posted["content"].startswith(f"<@{ALICE}>")
    assert "Time to study!" in text_of(posted)
    statuses = [r.status for r in fake.requests if r.path == "/channels/{channel_id}/messages"]
    assert statuses == [403, 200]


async def test_closed_dms_without_a_channel_is_a_permanent_failure(
    bot: RunningBot, fake: FakeDiscord
):
    assert bot.notifier is not None
    fake.closed_dms.add(ALICE)
    with pytest.raises(DeliveryError) as caught:
        await bot.notifier.send_to_user(UserTarget("discord", GUILD_ID, ALICE), _nudge(), key="k")
    assert caught.value.permanent


async def test_a_429_on_a_channel_post_is_waited_out(bot: RunningBot, fake: FakeDiscord):
    from bot.ports import ChannelTarget

    assert bot.notifier is not None
    fake.fail("POST", r"^/channels/\d+/messages$", 429)
    await bot.notifier.send_to_channel(
        ChannelTarget("discord", GUILD_ID, CHANNEL_ID), _nudge(), key="c1"
    )
    statuses = [r.status for r in fake.requests if r.path == "/channels/{channel_id}/messages"]
    assert statuses == [429, 200]
    assert len(fake.channel_messages[CHANNEL_ID]) == 1


async def test_attachments_are_uploaded_as_multipart(bot: RunningBot, fake: FakeDiscord):
    await run(fake, "path", name="mlops")
    message = await run(fake, "export-my-data")
    assert message["attachments"][0]["filename"].endswith(".json")
    [upload] = [r for r in fake.requests if r.files]
    assert upload.files == ["files[0]"] and upload.body["type"] == 4


async def test_every_body_sent_was_checked_against_the_spec(
    bot: RunningBot, fake: FakeDiscord, spec
):
    if spec is None:
        pytest.skip("shared/specs/discord-openapi.json not found in any parent directory")
    await run(fake, "path", name="mlops")
    assert bot.notifier is not None
    fake.closed_dms.add(ALICE)
    target = UserTarget("discord", GUILD_ID, ALICE, fallback_channel=CHANNEL_ID)
    await bot.notifier.send_to_user(target, _nudge(), key="k")
    assert fake.checked >= {
        ("PUT", "/applications/{application_id}/commands"),
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"),
        ("POST", "/users/@me/channels"),
        ("POST", "/channels/{channel_id}/messages"),
    }
    assert fake.spec_errors == []


async def test_the_token_is_never_logged(
    core, settings, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
):
    caplog.set_level("DEBUG")
    running = RunningBot(core, settings, fake)
    await running.start()
    try:
        await run(fake, "path", name="mlops")
        await fake.drop_gateway()
        await fake.wait_for(lambda: fake.resumes == 1)
    finally:
        await running.stop()
    token = settings.discord_token.get_secret_value()
    assert caplog.records and token not in caplog.text


async def test_a_dm_button_from_the_notifier_acts_in_its_guild(bot: RunningBot, fake: FakeDiscord):
    await run(fake, "path", name="mlops")  # enrolled in the guild, not in "dm"
    press = interaction_payload(3, button_press({}, f"st@{GUILD_ID}:next:"), dm=True)
    message = await fake.answer(press)
    assert "Next up" in text_of(message)


async def test_a_public_reply_after_a_deferral_is_a_public_followup(
    bot: RunningBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
):
    await bot.stop()
    bot.answer_budget = 0.05
    await bot.start()

    async def slow_public(*args: Any, **kwargs: Any) -> Reply:
        await asyncio.sleep(0.2)
        return Reply(text="Everyone: week 3 starts today", title="Study group", ephemeral=False)

    monkeypatch.setattr(bot.core, "invoke", slow_public)
    record = await fake.interact(interaction_payload(2, slash("next")))
    await fake.wait_for(lambda: any(r.method == "DELETE" for r in fake.requests))
    assert record.callbacks[0]["type"] == 5
    public = record.messages[-1]
    assert "week 3" in text_of(public)
    assert not public["flags"] & EPHEMERAL, "the answer everyone should see is not ephemeral"


async def test_guild_commands_are_synced_to_each_configured_guild(
    core, settings, fake: FakeDiscord
):
    settings.discord_guild_ids = [int(GUILD_ID)]
    running = RunningBot(core, settings, fake)
    await running.start()
    await running.stop()
    assert list(fake.commands) == [GUILD_ID]
    assert_matches_specs(fake.commands[GUILD_ID], COMMANDS)


async def test_a_lost_fingerprint_means_one_more_sync(bot: RunningBot, fake: FakeDiscord):
    from adapters.discord.commands import sync_state_path

    state = sync_state_path(bot.settings)
    assert state.is_file()
    state.unlink()
    await bot.restart()
    assert len([r for r in fake.requests if r.method == "PUT"]) == 2


async def test_a_failed_sync_does_not_stop_the_bot(core, settings, fake: FakeDiscord):
    from adapters.discord.commands import sync_state_path

    fake.fail("PUT", r"/commands$", 400)
    running = RunningBot(core, settings, fake)
    await running.start()
    try:
        assert "/path" in text_of(await run(fake, "help"))
    finally:
        await running.stop()
    assert not sync_state_path(settings).exists(), "retry the sync on the next start"


async def test_who_and_where_reach_the_core(
    bot: RunningBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
):
    seen: list[tuple[Any, ...]] = []
    real = bot.core.invoke

    async def spy(actor, place, command, options, source="slash"):
        seen.append((actor, place, command, options, source))
        return await real(actor, place, command, options, source)

    monkeypatch.setattr(bot.core, "invoke", spy)
    admin = interaction_payload(
        2, slash("done", step=2), locale="zh-CN", permissions="32", name="carol"
    )
    message = await fake.answer(admin)
    actor, place, command, options, source = seen[-1]
    assert (actor.platform, actor.workspace, actor.user_id) == ("discord", GUILD_ID, ALICE)
    assert actor.locale == "zh" and actor.is_admin and actor.display_name == "Carol"
    assert (place.channel_id, place.channel_name, place.is_dm) == (CHANNEL_ID, "study", False)
    assert (command, options, source) == ("done", {"step": 2}, "slash")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message["content"]), "answered in Chinese"

    await fake.answer(interaction_payload(2, slash("help"), dm=True, permissions="32"))
    actor, place, *_ = seen[-1]
    # Alice has no record anywhere yet (her /done was refused), so the DM is its own place.
    assert actor.workspace == "dm" and not actor.is_admin and place.is_dm


async def test_sync_now_overwrites_even_when_unchanged(bot: RunningBot, fake: FakeDiscord, capsys):
    from adapters.discord.runner import sync_now

    assert await sync_now(bot.settings) == 0
    assert len([r for r in fake.requests if r.method == "PUT"]) == 2
    assert "synced Discord commands" in capsys.readouterr().out


async def test_a_deleted_channel_is_a_permanent_failure(bot: RunningBot, fake: FakeDiscord):
    from bot.ports import ChannelTarget

    assert bot.notifier is not None
    fake.fail("POST", r"^/channels/\d+/messages$", 404)
    with pytest.raises(DeliveryError) as caught:
        await bot.notifier.send_to_channel(
            ChannelTarget("discord", GUILD_ID, CHANNEL_ID), _nudge(), key="gone"
        )
    assert caught.value.permanent
