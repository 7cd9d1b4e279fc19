"""Command payloads: parity with the core's specs, Discord's limits, and the OpenAPI schema."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.discord.commands import (
    MANAGE_GUILD,
    command_payload,
    command_payloads,
    fingerprint,
    print_commands,
    sync_state_path,
)
from bot.config import Settings
from bot.features import COMMANDS
from bot.i18n import tr
from bot.options import CommandSpec, OptionSpec, OptionType
from tests.discord.fake_discord import SpecValidator

DISCORD_TYPE = {
    OptionType.INTEGER: 4,
    OptionType.USER: 6,
}


async def _noop(ctx):  # pragma: no cover - never called
    raise AssertionError


ADMIN = CommandSpec(
    "nudge",
    "Nudge the people who are behind",  # in no catalogue: Discord shows it as it is
    _noop,
    options=(OptionSpec("user", OptionType.USER, "Who"),),
    admin_only=True,
)
ZH = "zh-CN"  # the Discord locale the zh_Hans catalogue is written for


def zh(message: str) -> dict[str, str]:
    """What Discord gets for ``message`` in Chinese: nothing when the catalogue has none."""
    text = tr("zh", message)
    return {ZH: text} if text != message else {}


def assert_matches_specs(payloads: list[dict], commands: tuple[CommandSpec, ...]) -> None:
    """The parity check: what Discord has is what the core declares."""
    assert [p["name"] for p in payloads] == [c.name for c in commands]
    for payload, spec in zip(payloads, commands, strict=True):
        assert payload["description"] == spec.description
        assert payload["description_localizations"] == zh(spec.description)
        by_name = {o["name"]: o for o in payload.get("options", [])}
        assert set(by_name) == {o.name for o in spec.options}
        for option in spec.options:
            sent = by_name[option.name]
            assert sent["required"] is option.required, (spec.name, option.name)
            assert sent["description"] == option.description
            assert sent["description_localizations"] == zh(option.description)
            assert sent["type"] == DISCORD_TYPE.get(option.type, 3)
            if option.choices:
                assert [c["value"] for c in sent["choices"]] == [c.value for c in option.choices]
                assert [c["name"] for c in sent["choices"]] == [c.label for c in option.choices]
                assert [c["name_localizations"] for c in sent["choices"]] == [
                    zh(c.label) for c in option.choices
                ]
            if option.type in (OptionType.CHAPTER, OptionType.TIMEZONE, OptionType.PATH):
                assert sent["autocomplete"] is True
            if option.type is OptionType.WEEKDAY:
                assert len(sent["choices"]) == 7
            if option.type is OptionType.INTEGER:
                assert sent.get("min_value") == option.min_value
                assert sent.get("max_value") == option.max_value
        required = [o["required"] for o in payload.get("options", [])]
        assert required == sorted(required, reverse=True), "required options must come first"
        if spec.admin_only:
            assert payload["default_member_permissions"] == str(MANAGE_GUILD) == "32"
            assert payload["contexts"] == [0]
        else:
            assert "default_member_permissions" not in payload
            assert payload["contexts"] == [0, 1]


async def test_payloads_match_the_core_specs():
    assert_matches_specs(await command_payloads(), COMMANDS)


async def test_admin_only_commands_need_manage_server_and_a_guild():
    assert_matches_specs(await command_payloads((ADMIN,)), (ADMIN,))


async def test_payloads_respect_discord_limits():
    payloads = await command_payloads()
    assert len(payloads) <= 100
    for payload in payloads:
        assert 1 <= len(payload["name"]) <= 32 and payload["name"] == payload["name"].lower()
        assert len(payload["description"]) <= 100
        assert len(payload.get("options", [])) <= 25
        for option in payload.get("options", []):
            assert len(option["description"]) <= 100
            assert len(option.get("choices", [])) <= 25
            assert not (option.get("choices") and option.get("autocomplete"))


async def test_payloads_validate_against_the_openapi_description(require_spec: SpecValidator):
    create = require_spec.component("ApplicationCommandCreateRequest")
    for payload in [*await command_payloads(), await command_payload(ADMIN)]:
        assert require_spec.errors(create, payload) == [], payload["name"]
    for path in (
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ):
        assert require_spec.check("PUT", path, await command_payloads()) == []


async def test_the_validator_catches_a_bad_body(require_spec: SpecValidator):
    bad = {**(await command_payloads())[0], "description": "x" * 101, "options": [{"type": 3}]}
    errors = require_spec.errors(require_spec.component("ApplicationCommandCreateRequest"), bad)
    assert errors


def test_print_commands_prints_the_sync_payload(capsys):
    assert print_commands() == 0
    assert json.loads(capsys.readouterr().out) == asyncio.run(command_payloads())


async def test_fingerprint_changes_with_commands_app_and_guilds():
    payloads = await command_payloads()
    base = fingerprint(payloads, 1, [])
    assert base == fingerprint(await command_payloads(), 1, [])
    assert base != fingerprint(payloads[:-1], 1, [])
    assert base != fingerprint(payloads, 2, [])
    assert base != fingerprint(payloads, 1, [5])
    assert fingerprint(payloads, 1, [5, 6]) == fingerprint(payloads, 1, [6, 5])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///data/bot.db", Path("data/bot.db.discord-commands.json")),
        ("postgresql+asyncpg://u:p@db/skilltree", Path("out/discord-commands.json")),
        ("sqlite+aiosqlite:///:memory:", Path("out/discord-commands.json")),
    ],
)
def test_sync_state_lives_next_to_the_database(url: str, expected: Path):
    settings = Settings(_env_file=None, database_url=url, output_dir=Path("out"))  # type: ignore[call-arg]
    assert sync_state_path(settings) == expected
