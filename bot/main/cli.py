"""``skilltree``: start the bot, try it in a terminal, and manage its data."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings
from curriculum import CurriculumError, load_curriculum
from curriculum.export import curriculum_to_dict

log = logging.getLogger("skilltree")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="skilltree",
        description="A study-group bot for the LLM Skill Tree. With no command, starts the"
        " console when no platform token is set.",
    )
    sub = p.add_subparsers(dest="cmd")

    c = sub.add_parser("console", help="try the bot in this terminal (no tokens needed)")
    c.add_argument("--user", default="me", help="who you are (default: me)")
    c.add_argument("--channel", default=None, help="a channel name; default is a DM")
    c.add_argument("--admin", action="store_true", help="act as a workspace admin")
    c.add_argument("--locale", default=None, help="en or zh (default: DEFAULT_LOCALE)")
    c.add_argument("--tz", default=None, help="your IANA timezone, e.g. Asia/Shanghai")
    c.add_argument("-v", "--verbose", action="store_true", help="log to stderr")

    sub.add_parser("run", help="start every adapter whose credentials are set")

    dc = sub.add_parser("discord", help="Discord application commands")
    dc_sub = dc.add_subparsers(dest="discord_cmd", required=True)
    dc_sub.add_parser("commands", help="print the command payloads that would be synced (JSON)")
    dc_sub.add_parser("sync", help="overwrite the application commands now")

    rem = sub.add_parser("reminders", help="weekly prompts")
    rem_sub = rem.add_subparsers(dest="reminders_cmd", required=True)
    due = rem_sub.add_parser("due", help="dry run: every prompt due at an instant; sends nothing")
    due.add_argument(
        "--at", default=None, help="ISO instant, e.g. 2027-03-15T13:00:00Z (default: now)"
    )
    due.add_argument("--json", action="store_true", help="print JSON")

    cur = sub.add_parser("curriculum", help="inspect or check curriculum files")
    cur_sub = cur.add_subparsers(dest="curriculum_cmd", required=True)
    exp = cur_sub.add_parser("export", help="print the curriculum as JSON")
    exp.add_argument("--file", type=Path, default=None, help="a curriculum file (default: ours)")
    val = cur_sub.add_parser("validate", help="check a curriculum file")
    val.add_argument("file", type=Path)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_cmd", required=True)
    db_sub.add_parser("upgrade", help="create or upgrade the schema")
    return p


def _setup_logging(settings: Settings, level: str | None = None) -> None:
    """stderr, in LOG_FORMAT (text or json), every secret of ``settings`` redacted."""
    from bot.logging_setup import setup_logging

    setup_logging(settings, level)


def settings_problem(exc: ValidationError) -> str:
    """Which environment variables are unusable and why, one per line. The values are never
    repeated: a mistyped setting may be a secret."""
    lines = ["skilltree: some settings are not usable (fix them in the environment or .env):"]
    for err in exc.errors(include_input=False, include_url=False):
        name = str(err["loc"][0]).upper() if err["loc"] else "?"
        lines.append(f"  {name}: {err['msg']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(settings_problem(exc), file=sys.stderr)
        return 2
    try:
        if args.cmd == "curriculum":
            return _curriculum(args)
        if args.cmd == "db":
            _setup_logging(settings)
            return asyncio.run(_db_upgrade(settings))
        if args.cmd == "discord":
            return _discord(settings, args)
        if args.cmd == "reminders":
            return _reminders(settings, args)
        if args.cmd == "run" or (args.cmd is None and settings.has_platform_token):
            _setup_logging(settings)
            return _run(settings)
        return _console(settings, args)
    except CurriculumError as exc:
        print(f"skilltree: the curriculum file is not usable:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _curriculum(args: argparse.Namespace) -> int:
    if args.curriculum_cmd == "export":
        cur = load_curriculum(args.file)
        print(json.dumps(curriculum_to_dict(cur), ensure_ascii=False, indent=2))
        return 0
    cur = load_curriculum(args.file)
    chapters = sum(len(p.chapters) for p in cur.parts)
    totals = ", ".join(f"{p.id} {p.total_days} days" for p in cur.paths)
    print(f"{args.file}: OK — {len(cur.parts)} parts, {chapters} chapters, paths: {totals}")
    return 0


async def _db_upgrade(settings: Settings) -> int:
    from bot.db import DatabaseUnavailable
    from bot.db.engine import redact_url
    from bot.main.bootstrap import open_database

    db = open_database(settings)
    try:
        await db.upgrade()
    except DatabaseUnavailable as exc:
        print(
            f"skilltree: cannot reach {redact_url(settings.database_url)}: {exc}", file=sys.stderr
        )
        return 1
    finally:
        await db.close()
    print(f"schema is up to date at {redact_url(settings.database_url)}")
    return 0


def _run(settings: Settings) -> int:
    from bot.db import DatabaseUnavailable
    from bot.db.engine import redact_url
    from bot.main.app import run

    if not settings.has_platform_token:
        log.warning("no DISCORD_TOKEN or SLACK_BOT_TOKEN: serving only HTTP and the scheduler")
    try:
        asyncio.run(run(settings))
    except DatabaseUnavailable as exc:
        log.error("cannot reach %s: %s", redact_url(settings.database_url), exc)
        return 1
    return 0


def _discord(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.discord.commands import print_commands
    from adapters.discord.runner import sync_now

    if args.discord_cmd == "commands":
        return print_commands()
    _setup_logging(settings)
    return asyncio.run(sync_now(settings))


def _reminders(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.main.dryrun import due_command, parse_at

    try:
        at = parse_at(args.at) if args.at else datetime.now(UTC)
    except ValueError as exc:
        print(f"skilltree: --at: {exc}", file=sys.stderr)
        return 2
    return due_command(settings, at, args.json)


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.console import ConsoleAdapter
    from bot.db import DatabaseUnavailable
    from bot.db.engine import redact_url
    from bot.main.bootstrap import build_core

    verbose = bool(getattr(args, "verbose", False))
    _setup_logging(settings, None if verbose else "WARNING")

    async def go() -> int:
        try:
            core = await build_core(settings)
        except DatabaseUnavailable as exc:
            print(
                f"skilltree: cannot reach {redact_url(settings.database_url)}: {exc}",
                file=sys.stderr,
            )
            return 1
        from adapters.console import ConsoleNotifier
        from scheduler.job import PromptScheduler
        from scheduler.service import PromptService

        prompts: PromptScheduler | None = None
        try:
            adapter = ConsoleAdapter(
                core,
                user=getattr(args, "user", "me"),
                channel=getattr(args, "channel", None),
                admin=bool(getattr(args, "admin", False)),
                locale=getattr(args, "locale", None) or settings.default_locale,
                timezone=getattr(args, "tz", None),
                output_dir=settings.output_dir,
            )
            # Weekly prompts come to the console too, printed between replies.
            service = PromptService(core, {"console": ConsoleNotifier(adapter.write)})
            prompts = PromptScheduler(
                service, core.clock, interval_seconds=settings.scheduler_interval_seconds
            )
            prompts.start()
            await adapter.run()
        finally:
            if prompts is not None:
                await prompts.shutdown()
            await core.db.close()
        return 0

    return asyncio.run(go())


if __name__ == "__main__":
    raise SystemExit(main())
