"""Over 100,000 generated inputs through every parser and payload decoder: no exception escapes
except the ones the callers handle (``UnknownCommand``, ``UserError``). Each of the 25,000
rounds generates six inputs (a command line, argument text for every spec in turn, a Slack
button value with a user payload, a Discord custom_id, interaction data, a button to round-trip).
Seeded, so a failure reproduces; the failing input is in the assertion message."""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from adapters.discord.client import focused_option, options_from
from adapters.discord.render import ButtonAction, decode_custom_id, encode_custom_id
from adapters.slack.identity import UserDirectory, is_dm, place_for
from adapters.slack.render import MAX_BUTTON_VALUE, button_value, parse_action_value
from bot.errors import UserError
from bot.features import COMMANDS
from bot.parser import UnknownCommand, find_command, parse_args, split_command, tokenize
from bot.types import Button

SEED = 20270301
N = 25_000  # rounds; six generated inputs each
TODAY = date(2027, 3, 1)
SPECS = {c.name: c for c in COMMANDS}

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 :=/-_.,@#<>!?'\"“”‘’「」\\`*~|"
    "\t\n\r\x00\x07\x1b\u200b\u202e\ufeff 学习路线应用开发第章 ／ 😀🧠 éÉß"
)
WORDS = [
    *SPECS,
    *(o.name for c in COMMANDS for o in c.options),
    "mon", "wed", "sunday", "19:30", "7pm", "25:99", "Asia/Shanghai", "UTC+8", "Mars/Base",
    "2027-03-09", "2027/13/40", "4.2", "p4c2", "99.99", "RAG", "mlops", "应用开发", "on",
    "off", "pause", "snooze", "step:3", "step:-1", "step:99999999999999999999", "@alice",
    "<@U123>", "<@!42>", '"', "'", '""', "day:", ":", "=", "tz=", "until:", "a" * 300,
]  # fmt: skip


def rand_text(rng: random.Random, max_len: int = 60) -> str:
    kind = rng.random()
    if kind < 0.45:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))
    if kind < 0.9:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, max_len)))
    return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 20)))


def rand_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.5:
        return rng.choice(
            [None, True, 0, -1, 2**63, 1.5, "", rand_text(rng, 20), rng.choice(WORDS)]
        )
    if roll < 0.75:
        return [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rand_text(rng, 8): rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def discord_data(rng: random.Random) -> dict[str, Any]:
    """Shaped like an interaction's ``data`` (Discord's schema), with random contents."""
    options = []
    users: dict[str, Any] = {}
    for _ in range(rng.randint(0, 5)):
        kind = rng.choice([3, 4, 5, 6, 10, rng.randint(0, 12)])
        option: dict[str, Any] = {"name": rng.choice(WORDS), "type": kind}
        if rng.random() < 0.9:
            option["value"] = rand_json(rng, 2)
        if kind == 6 and rng.random() < 0.7:
            uid = str(option.get("value"))
            users[uid] = {"id": uid, "username": rand_text(rng, 10)}
            if rng.random() < 0.5:
                users[uid]["global_name"] = rand_json(rng, 2)
        if rng.random() < 0.1:
            option["focused"] = rng.choice([True, False, None])
        options.append(option)
    data: dict[str, Any] = {"name": rng.choice(WORDS), "type": 1, "options": options}
    if users or rng.random() < 0.1:
        data["resolved"] = {"users": users, "members": {u: {"nick": None} for u in users}}
    return data


def fail(what: str, value: Any, exc: BaseException) -> str:
    return f"{what}({value!r}) raised {type(exc).__name__}: {exc}"


def test_every_parser_and_decoder_survives_100k_inputs() -> None:
    rng = random.Random(SEED)
    directory = UserDirectory(client=None)  # type: ignore[arg-type]  # _parse needs no client
    started = time.monotonic()
    handled = 0
    for i in range(N):
        line = rand_text(rng, 120)
        if rng.random() < 0.5:
            line = f"/{rng.choice(list(SPECS))} {line}"
        try:
            name, rest = split_command(line)
            assert isinstance(name, str) and isinstance(rest, str)
            spec = find_command(name, SPECS)
            parse_args(spec, rest, TODAY)
        except (UnknownCommand, UserError):
            handled += 1
        except Exception as exc:
            raise AssertionError(fail("text command", line, exc)) from exc
        # Every spec gets every kind of argument text, not only the one the line named.
        spec = COMMANDS[i % len(COMMANDS)]
        text = rand_text(rng, 80)
        try:
            parse_args(spec, text, TODAY)
            tokenize(text)
        except UserError:
            pass
        except Exception as exc:
            raise AssertionError(fail(f"parse_args[{spec.name}]", text, exc)) from exc

        value: Any = rand_json(rng) if rng.random() < 0.2 else rand_text(rng, 200)
        try:
            parsed = parse_action_value(value)
            assert parsed is None or (isinstance(parsed, str) and len(parsed) <= MAX_BUTTON_VALUE)
            if parsed is not None:
                split_command(parsed)
            channel = rng.choice([None, "", "D123", "C999", rand_text(rng, 12)])
            cname = rng.choice([None, "directmessage", "general", rand_text(rng, 12)])
            is_dm(channel, cname)
            place_for(rand_text(rng, 10), channel, cname)
            profile = rand_json(rng)
            user = {
                "profile": profile if isinstance(profile, dict) else {},
                "tz": rand_json(rng, 2),
                "locale": rng.choice([None, "zh-CN", "en-US", "xx", rand_text(rng, 6)]),
                "is_admin": rand_json(rng, 2),
                "real_name": rand_json(rng, 2),
            }
            directory._parse(rand_text(rng, 10), user)
        except Exception as exc:
            raise AssertionError(fail("slack payload", (value, user), exc)) from exc

        custom_id = rand_text(rng, 110)
        if rng.random() < 0.3:
            custom_id = "st" + rng.choice([":", "@", "@W:", "::", ""]) + custom_id
        data = discord_data(rng)
        try:
            action = decode_custom_id(custom_id)
            assert action is None or isinstance(action, ButtonAction)
            if action is not None:
                split_command(action.line)
            options_from(data)
            focused_option(data)
        except Exception as exc:
            raise AssertionError(fail("discord payload", (custom_id, data), exc)) from exc

        # Round trips: what we encode decodes to the same action.
        button = Button(rand_text(rng, 10), rng.choice(list(SPECS)), rand_text(rng, 40))
        encoded = encode_custom_id(button, rng.choice([None, "1200000000000000001"]))
        if encoded is not None:
            decoded = decode_custom_id(encoded)
            assert decoded is not None and decoded.command == button.command
            assert decoded.args == button.args
        assert parse_action_value(button_value(button)) in (None, button_value(button).strip())
    elapsed = time.monotonic() - started
    print(f"{N} rounds ({6 * N} inputs) in {elapsed:.1f} s; {handled} lines were user errors")
    assert handled > 0
