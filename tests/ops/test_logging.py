"""Log output: text or JSON lines, and no secret in either."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.logging_setup import REDACTED, RedactingFilter, secret_values, setup_logging

DISCORD = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"
SLACK_BOT = "xoxb-1234-5678-abcdefSECRET"
SIGNING = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
WEB = "correct horse battery staple"
DB_PASSWORD = "pg-pass-w0rd"


def settings(**extra: str) -> Settings:
    values: dict[str, str] = {
        "discord_token": DISCORD,
        "slack_bot_token": SLACK_BOT,
        "slack_signing_secret": SIGNING,
        "web_secret": WEB,
        "database_url": f"postgresql+asyncpg://bot:{DB_PASSWORD}@db:5432/skilltree",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    filters = {h: list(h.filters) for h in handlers}
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    for h, fs in filters.items():
        h.filters[:] = fs
    root.setLevel(level)


def test_every_secret_setting_and_the_database_password_are_known() -> None:
    found = set(secret_values(settings(slack_client_secret="oauth-client-secret")))
    assert {DISCORD, SLACK_BOT, SIGNING, WEB, DB_PASSWORD, "oauth-client-secret"} <= found


EXAMPLE_DISCORD_TOKEN_PARTS = ("NzkyNzE1NDU0MTk2MDg4ODQy", "X-hvzA", "Ovy4MCQywSkoMRRclStW4xAYK7I")


@pytest.mark.parametrize(
    "text",
    [
        f"connecting with {DISCORD}",
        f"Authorization: Bot {DISCORD}",
        f"token={SLACK_BOT}&channel=C1",
        f"signing with {SIGNING}",
        f"link secret {WEB}!",
        f"postgresql+asyncpg://bot:{DB_PASSWORD}@db/skilltree",
        "a Slack token we were never told about: xoxp-999-888-777-abc",
        "an app-level token xapp-1-A0-123-deadbeef",
        # Discord's documented example token, assembled so that no scanner mistakes this
        # file for a leaked credential.
        "another bot's Discord token " + ".".join(EXAMPLE_DISCORD_TOKEN_PARTS),
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
    ],
)
def test_filter_redacts_known_secrets_and_token_shapes(text: str) -> None:
    out = RedactingFilter(secret_values(settings())).redact(text)
    assert REDACTED in out
    for secret in (DISCORD, SLACK_BOT, SIGNING, WEB, DB_PASSWORD, "xoxp-999", "xapp-1", "NzkyN"):
        assert secret not in out


def test_filter_keeps_ordinary_text() -> None:
    f = RedactingFilter(secret_values(settings()))
    text = "command /path by slack:U123 → ok in 3.2 ms; Bot skilltree logged in as 1100000000"
    assert f.redact(text) == text


def test_webhook_and_interaction_tokens_in_urls_are_redacted() -> None:
    f = RedactingFilter()
    out = f.redact("POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb24/callback")
    assert out.endswith("/interactions/123/[redacted]/callback")
    out = f.redact("PATCH /webhooks/456/aW50ZXJhY3Rpb246MTIz/messages/@original")
    assert out == "PATCH /webhooks/456/[redacted]/messages/@original"


def test_token_fields_in_dumped_payloads_are_redacted() -> None:
    f = RedactingFilter()
    event = "{'id': '15', 'type': 2, 'token': 'aW50ZXJhY3Rpb246MTU', 'version': 1}"
    assert f.redact(event) == "{'id': '15', 'type': 2, 'token': '[redacted]', 'version': 1}"
    assert f.redact('{"client_secret": "s3cr3t-value", "ok": true}') == (
        '{"client_secret": "[redacted]", "ok": true}'
    )
    assert f.redact("GET /oauth?code=1&refresh_token=abc123&x=2") == (
        "GET /oauth?code=1&refresh_token=[redacted]&x=2"
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_setup_logging_redacts_messages_args_and_tracebacks(fmt: str, restore_root: None) -> None:
    stream = io.StringIO()
    setup_logging(settings(), "DEBUG", fmt=fmt, stream=stream)
    log = logging.getLogger("skilltree.test")
    log.debug("token %s, secret %r", DISCORD, {"signing": SIGNING})
    try:
        raise RuntimeError(f"login failed for {SLACK_BOT} with {WEB}")
    except RuntimeError:
        log.exception("adapter crashed")
    logging.getLogger("discord.http").info("PATCH /webhooks/1/%s/messages", "tok3n-interaction")
    out = stream.getvalue()
    for secret in (DISCORD, SIGNING, SLACK_BOT, WEB, "tok3n-interaction"):
        assert secret not in out
    assert out.count(REDACTED) >= 5
    assert "RuntimeError" in out and "adapter crashed" in out
    if fmt == "json":
        records = [json.loads(line) for line in out.splitlines()]
        assert [r["level"] for r in records] == ["DEBUG", "ERROR", "INFO"]
        assert records[1]["logger"] == "skilltree.test"
        assert "Traceback" in records[1]["exc"]
        assert records[0]["ts"].endswith("+00:00")
    else:
        assert " DEBUG skilltree.test: token [redacted]" in out


def test_setup_logging_twice_keeps_one_handler(restore_root: None) -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    setup_logging(settings(), "INFO", stream=io.StringIO())
    setup_logging(settings(), "INFO", stream=io.StringIO())
    assert len(root.handlers) == before + 1
    assert all(sum(isinstance(f, RedactingFilter) for f in h.filters) == 1 for h in root.handlers)


def test_log_format_setting_reads_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert Settings(_env_file=None).log_format == "json"
