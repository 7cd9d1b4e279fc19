"""Logging for the CLI: text or JSON lines on stderr, with secrets redacted from every record.

``RedactingFilter`` sits on the handlers (not on loggers), so it also sees every record that
libraries (discord.py, Bolt, aiohttp, SQLAlchemy) propagate to the root logger. It removes
every secret value the settings hold (each ``SecretStr``, the database password) and anything
shaped like a platform token, from the message, its arguments, the traceback and stack text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from pydantic import SecretStr

from bot.config import Settings

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4  # shorter values would shred ordinary words; they protect nothing anyway

# Token shapes, whatever the settings say: Slack bot/user/app/refresh tokens, Discord bot tokens
# (three base64url parts), Authorization header values, and the token in Discord webhook and
# interaction-callback URLs.
TOKEN_PATTERNS: tuple[str, ...] = (
    r"\bxox[a-z]-[\w-]+",
    r"\bxapp-[\w-]+",
    r"\b[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,}",
    r"\bBot\s+[\w.~+/=-]{16,}",  # "Bot " + a short word is ordinary prose
    r"\bBearer\s+[\w.~+/=-]{8,}",
)
_URL_TOKEN = re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?#'\"]+")
# A token or secret field in a dumped payload (discord.py logs gateway events at DEBUG, with
# each interaction's token): ``'token': '…'``, ``"client_secret": "…"``, ``token=…``.
_KEYED = re.compile(
    r"""((?:['"]|\b)(?:\w*token|\w*secret|password)['"]?\s*[:=]\s*['"]?)([^'"\s,&}]+)""",
    re.IGNORECASE,
)

_NOISY = ("alembic.runtime.plugins", "apscheduler")
_MARK = "_skilltree_handler"


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold: each ``SecretStr`` field and the database password."""
    values: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
    try:
        from sqlalchemy.engine import make_url

        password = make_url(settings.database_url).password
    except Exception:
        password = None
    if password:
        values.append(str(password))
    return [v for v in values if len(v) >= MIN_SECRET_LENGTH]


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no secret reaches a handler's output; never drops one."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        literal = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        parts = [re.escape(s) for s in literal] + list(TOKEN_PATTERNS)
        self._pattern = re.compile("|".join(parts))

    def redact(self, text: str) -> str:
        text = self._pattern.sub(REDACTED, text)
        text = _KEYED.sub(lambda m: m.group(1) + REDACTED, text)
        return _URL_TOKEN.sub(rf"\1{REDACTED}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we can show safely
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, and exc/stack when present."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(
    settings: Settings,
    level: str | None = None,
    *,
    fmt: str | None = None,
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Log to ``stream`` (stderr) at ``level`` (default LOG_LEVEL) in ``fmt`` (default
    LOG_FORMAT: ``text`` or ``json``), redacting secrets. Calling it again replaces the handler
    it installed before; other handlers on the root logger get the redacting filter too."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _MARK, True)
    kind = (fmt or settings.log_format).strip().lower()
    handler.setFormatter(JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT))
    redactor = RedactingFilter(secret_values(settings))
    root.addHandler(handler)
    for h in root.handlers:
        for f in [f for f in h.filters if isinstance(f, RedactingFilter)]:
            h.removeFilter(f)
        h.addFilter(redactor)
    root.setLevel(getattr(logging, (level or settings.log_level).upper(), logging.INFO))
    # Chatty at INFO: a line per plugin at start, two lines per scheduler tick.
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler
