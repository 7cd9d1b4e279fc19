"""The App Home tab: the person's dashboard (progress, reminders, the last action's answer)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import replace

from adapters.slack.identity import PLATFORM
from adapters.slack.modal import open_button
from adapters.slack.render import (
    MAX_HOME_BLOCKS,
    Block,
    context_block,
    header_block,
    render_blocks,
)
from bot.core import INTERNAL_ERROR, Core
from bot.i18n import tr
from bot.types import Actor, Place, Reply

log = logging.getLogger(__name__)


async def safely(actor: Actor, work: Awaitable[Reply]) -> Reply:
    """The core already turns failures into Replies; this guards the adapter's own glue."""
    try:
        return await work
    except Exception:
        log.exception("slack: handling a request failed")
        return Reply(text=tr(actor.locale, INTERNAL_ERROR), kind="error")


async def home_blocks(core: Core, actor: Actor, last: Reply | None = None) -> list[Block]:
    """``/progress`` and ``/reminders`` as they would answer (without pictures: the Home tab
    cannot show files), under the last action's answer when there is one."""
    place = Place(PLATFORM, actor.workspace, None)
    blocks: list[Block] = [header_block(tr(actor.locale, "Your study dashboard"))]
    parts: list[Reply] = []
    if last is not None:
        blocks.append(context_block(tr(actor.locale, "Last action")))
        parts.append(last)
    for line in ("/progress", "/reminders"):
        reply = await safely(actor, core.handle_text(actor, place, line, "text", draw=False))
        parts.append(replace(reply, kind="info") if reply.kind == "error" else reply)
    first_action = 0
    for i, reply in enumerate(parts):
        if i:
            blocks.append({"type": "divider"})
        blocks += render_blocks(reply, first_action=first_action, inline_files=False)
        first_action += len(reply.buttons)
    blocks.append(open_button(actor.locale))
    blocks.append(
        context_block(
            tr(
                actor.locale,
                "Type `/path` in any channel to pick a learning path; `/help` lists every command.",
            )
        )
    )
    return blocks[:MAX_HOME_BLOCKS]
