"""``skilltree``: start the bot, try it in a terminal, and manage its data."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

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


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    try:
        if args.cmd == "curriculum":
            return _curriculum(args)
        if args.cmd == "db":
            _setup_logging(settings.log_level)
            return asyncio.run(_db_upgrade(settings))
        if args.cmd == "run" or (args.cmd is None and settings.has_platform_token):
            _setup_logging(settings.log_level)
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
    from bot.db import Database, DatabaseUnavailable
    from bot.db.engine import redact_url

    db = Database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
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
    names = [
        n
        for n, v in (("Discord", settings.discord_token), ("Slack", settings.slack_bot_token))
        if v
    ]
    print(
        f"skilltree: {', '.join(names)} credentials are set, but this build has no"
        f" {'/'.join(names)} adapter yet. Unset the token(s) to use `skilltree console`.",
        file=sys.stderr,
    )
    return 2


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.console import ConsoleAdapter
    from bot.bootstrap import build_core
    from bot.db import DatabaseUnavailable
    from bot.db.engine import redact_url

    verbose = bool(getattr(args, "verbose", False))
    _setup_logging(settings.log_level if verbose else "WARNING")

    async def go() -> int:
        try:
            core = await build_core(settings)
        except DatabaseUnavailable as exc:
            print(
                f"skilltree: cannot reach {redact_url(settings.database_url)}: {exc}",
                file=sys.stderr,
            )
            return 1
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
            await adapter.run()
        finally:
            await core.db.close()
        return 0

    return asyncio.run(go())


if __name__ == "__main__":
    raise SystemExit(main())
