"""``skilltree reminders due --at ... [--json]``: the dry run, for operators.

Prints every prompt the running bot sends at an instant, any instant ahead (weeks, months,
across DST changes), rendered, without sending or writing anything.
``bot/main/cli.py`` owns the argument parsing and calls ``due_command``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.db import DatabaseUnavailable
from bot.db.engine import redact_url
from bot.ports import UserTarget
from bot.types import Reply
from scheduler.service import Prompt, PromptService


def parse_at(raw: str) -> datetime:
    """ISO 8601 (``2027-03-08T09:00+01:00``, ``...Z``); a time without an offset is UTC."""
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def reply_text(reply: Reply) -> str:
    """A Reply as plain lines, the way the console adapter would show it."""
    lines = [f"**{reply.title}**"] if reply.title else []
    if reply.text:
        lines.append(reply.text)
    for f in reply.fields:
        lines.append(f"{f.name}: {f.value}")
    if reply.footer:
        lines.append(reply.footer)
    if reply.buttons:
        lines.append(
            " ".join(
                f"[{b.label} → /{b.command} {b.args}]".replace(" ]", "]") for b in reply.buttons
            )
        )
    return "\n".join(lines)


def prompt_dict(prompt: Prompt) -> dict[str, Any]:
    target = prompt.target
    where = target.user_id if isinstance(target, UserTarget) else target.channel_id
    return {
        "kind": prompt.kind,
        "recipient": prompt.recipient,
        "platform": prompt.platform,
        "workspace": target.workspace,
        "target": where,
        "due_at": prompt.due_at.isoformat(),
        "local_time": prompt.local_time.isoformat(),
        "timezone": prompt.timezone,
        "period": prompt.period,
        "key": prompt.key,
        "title": prompt.reply.title,
        "text": reply_text(prompt.reply),
        "buttons": [
            {"label": b.label, "command": b.command, "args": b.args} for b in prompt.reply.buttons
        ],
        # A channel prompt's thread for the week's questions, opened under it once posted.
        "thread": None
        if prompt.thread is None
        else {"name": prompt.thread.name, "text": reply_text(prompt.thread.reply)},
        # Study buddies introduced to each other (their platform ids).
        "members": [m.user_id for m in prompt.members],
    }


async def due_prompts(settings: Settings, at: datetime, clock: Clock | None = None) -> list[Prompt]:
    """What the running bot sends at its tick at ``at``, any instant ahead: it is taken to
    run from now on, ticking every ``SCHEDULER_INTERVAL_SECONDS`` (``scheduler.forecast``).
    Read-only: the schema is not upgraded, nothing is written."""
    from bot.main.bootstrap import build_core

    core = await build_core(settings, clock=clock, upgrade=False)
    try:
        service = PromptService(
            core,
            {},
            grace=timedelta(hours=settings.reminder_grace_hours),
            concurrency=settings.delivery_concurrency,
        )
        return await service.forecast(
            at,
            now=core.clock.now(),
            interval=timedelta(seconds=settings.scheduler_interval_seconds),
            all_platforms=True,
        )
    finally:
        await core.db.close()


def due_command(
    settings: Settings, at: datetime, as_json: bool, *, clock: Clock | None = None
) -> int:
    """Print what the running bot sends at ``at`` (aware; naive means UTC). Returns an exit
    code. ``clock``: what "now" is (tests)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    try:
        prompts = asyncio.run(due_prompts(settings, at, clock))
    except DatabaseUnavailable as exc:
        print(
            f"skilltree: cannot reach {redact_url(settings.database_url)}: {exc}", file=sys.stderr
        )
        return 1
    if as_json:
        print(json.dumps([prompt_dict(p) for p in prompts], ensure_ascii=False, indent=2))
        return 0
    if not prompts:
        print(f"nothing due at {at.isoformat()}")
        return 0
    print(f"{len(prompts)} prompt(s) due at {at.isoformat()}:")
    for p in prompts:
        d = prompt_dict(p)
        print(
            f"\n— {p.kind} to {p.platform}:{d['workspace']}:{d['target']} ({p.recipient}),"
            f" due {p.local_time:%a %Y-%m-%d %H:%M} {p.timezone}, period {p.period}"
        )
        if p.members:
            print("  introduces " + ", ".join(d["members"]))
        print("  " + reply_text(p.reply).replace("\n", "\n  "))
        if p.thread is not None:
            print(f"  then opens the thread “{p.thread.name}”:")
            print("    " + d["thread"]["text"].replace("\n", "\n    "))
    return 0
