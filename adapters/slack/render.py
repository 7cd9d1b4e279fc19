"""A Reply as Slack Block Kit, within Slack's limits.

Limits that shape this module (Block Kit reference): a message holds at most 50 blocks (a Home
tab 100); a section's text at most 3000 characters; a section at most 10 fields of at most
2000 characters each; a header at most 150 characters of plain text; an actions block at most
25 elements; a button label at most 75 characters, its value at most 2000, its action_id at
most 255. Anything longer is cut with "…" rather than rejected by Slack with ``invalid_blocks``.
"""

from __future__ import annotations

import re
from typing import Any

from bot.types import Attachment, Button, Field, Reply, text_bar

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_ACTIONS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_TEXT = 3000
# An export this small reads fine inline; larger ones are only uploaded as a file.
MAX_INLINE_ATTACHMENT = MAX_SECTION_TEXT - 20

ACTION_PREFIX = "st:"

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn control characters: keeps ``<!channel>`` in a display name inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """The core's markdown subset → Slack mrkdwn: ``**bold**`` is ``*bold*`` there."""
    return _BOLD.sub(r"*\1*", escape(text))


def plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def action_id(command: str, n: int) -> str:
    return f"{ACTION_PREFIX}{command}:{n}"


def button_value(button: Button) -> str:
    return f"{button.command} {button.args}".strip()


def fallback_text(reply: Reply) -> str:
    """The notification/screen-reader text Slack wants beside blocks."""
    parts = [plain(reply.title or ""), plain(reply.text)]
    return truncate("\n".join(p for p in parts if p) or "…", MAX_FALLBACK_TEXT)


def context_block(*texts: str) -> Block:
    """Small grey text; a context block holds at most 10 elements."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(x, MAX_SECTION_TEXT)} for x in texts[:10]],
    }


def header_block(text: str) -> Block:
    title = truncate(plain(text), MAX_HEADER)
    return {"type": "header", "text": {"type": "plain_text", "text": title}}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}}


def _field_text(f: Field) -> str:
    return f"*{mrkdwn(f.name)}*\n{mrkdwn(f.value)}"


def _fields(fields: tuple[Field, ...]) -> list[Block]:
    """Inline fields side by side (10 per section), the others each in their own section."""
    blocks: list[Block] = []
    run: list[Field] = []

    def flush() -> None:
        for i in range(0, len(run), MAX_FIELDS):
            chunk = run[i : i + MAX_FIELDS]
            blocks.append(
                {
                    "type": "section",
                    "fields": [
                        {"type": "mrkdwn", "text": truncate(_field_text(f), MAX_FIELD_TEXT)}
                        for f in chunk
                    ],
                }
            )
        run.clear()

    for f in fields:
        if f.inline:
            run.append(f)
        else:
            flush()
            blocks.append(_section(_field_text(f)))
    flush()
    return blocks


def _buttons(buttons: tuple[Button, ...], first_id: int) -> list[Block]:
    elements: list[Block] = []
    for n, b in enumerate(buttons, start=first_id):
        element: Block = {
            "type": "button",
            "text": {"type": "plain_text", "text": truncate(plain(b.label), MAX_BUTTON_LABEL)},
            "action_id": action_id(b.command, n),
            "value": button_value(b)[:MAX_BUTTON_VALUE],
        }
        if b.style in ("primary", "danger"):  # Slack has no "secondary": it is the default
            element["style"] = b.style
        elements.append(element)
    return [
        {"type": "actions", "elements": elements[i : i + MAX_ACTIONS]}
        for i in range(0, len(elements), MAX_ACTIONS)
    ]


def inline_attachment(att: Attachment) -> str | None:
    """A small text file as a code block, or None when it is binary or too long."""
    if att.is_image:
        return None
    try:
        text = att.data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    block = f"`{escape(att.filename)}`\n```{escape(text)}```"
    return block if len(block) <= MAX_INLINE_ATTACHMENT else None


def render_blocks(
    reply: Reply, *, first_action: int = 0, inline_files: bool = True, limit: int = MAX_BLOCKS
) -> list[Block]:
    """Blocks for ``reply``; button action ids are numbered from ``first_action`` so that
    several replies can share one view (the Home tab) with unique ids."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append(header_block(reply.title))
    if reply.text:
        prefix = ":warning: " if reply.is_error else ""
        blocks.append(_section(prefix + mrkdwn(reply.text)))
    if reply.progress is not None:
        bar = text_bar(reply.progress.fraction)
        label = f"  {mrkdwn(reply.progress.label)}" if reply.progress.label else ""
        blocks.append(context_block(bar + label))
    blocks.extend(_fields(reply.fields))
    if inline_files:
        for att in reply.attachments:
            inline = inline_attachment(att)
            if inline is not None:
                blocks.append(_section(inline))
    tail = _buttons(reply.buttons, first_action)
    if reply.footer:
        tail.append(context_block(mrkdwn(reply.footer)))
    if len(blocks) + len(tail) > limit:
        # Keep the buttons and footer; cut the body and say so.
        room = max(0, limit - len(tail) - 1)
        blocks = [*blocks[:room], context_block("…")]
    return (blocks + tail)[:limit]


def parse_action_value(value: object) -> str | None:
    """A button's value back into a command line without the slash; None when unusable."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_BUTTON_VALUE:
        return None
    return value
