"""Run by test_kill9: one ``PromptService.run_once`` over a SQLite file, sending into a fake
Slack. Usage: ``python -m tests.fault.fanout_child DB_URL SLACK_API_URL ISO_INSTANT``."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from adapters.slack.client import make_web_client
from adapters.slack.notifier import SlackNotifier
from bot.clock import FixedClock
from bot.config import Settings
from bot.core import Core
from bot.db import Database
from bot.features import COMMANDS
from curriculum import load_curriculum
from scheduler.service import PromptService
from tests.slack.fake_slack import BOT_TOKEN


async def main(db_url: str, api_url: str, at: datetime) -> None:
    db = Database(db_url)
    core = Core(commands=COMMANDS, curriculum=load_curriculum(), db=db, clock=FixedClock(at))
    settings = Settings(_env_file=None, slack_bot_token=BOT_TOKEN, slack_api_url=api_url)  # type: ignore[call-arg]
    service = PromptService(core, {"slack": SlackNotifier(make_web_client(settings))})
    print("started", flush=True)
    report = await service.run_once(at)
    print(f"sent {len(report.sent)} in_doubt {report.in_doubt}", flush=True)
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])))
