"""A core ``Reply`` as a Discord message: an embed, button rows and files.

Buttons carry their whole action in ``custom_id`` (``st:<command>:<args>``), so pressing one is
routed by its id alone: no in-memory callback, and messages sent before a restart keep working.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.types import Button, Reply, text_bar

log = logging.getLogger(__name__)

PREFIX = "st"
MAX_CUSTOM_ID = 100
MAX_LABEL = 80
MAX_PER_ROW = 5
MAX_ROWS = 5

# Embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000
MAX_CONTENT = 2000

COLOURS = {"info": 0x5865F2, "success": 0x57F287, "error": 0xED4245}
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "danger": discord.ButtonStyle.danger,
}


class SpecFile(discord.File):
    """A file whose attachment entry names its upload index as a string snowflake, as the
    API description types ``attachments[].id`` (discord.py sends an int, also accepted)."""

    def to_dict(self, index: int) -> dict[str, Any]:
        payload = super().to_dict(index)
        payload["id"] = str(payload["id"])
        return payload


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def encode_custom_id(button: Button, workspace: str | None = None) -> str | None:
    """``st:<command>:<args>``, or ``st@<workspace>:...`` for buttons sent into a DM by the
    notifier, so a press there acts in the guild the message is about. None when too long."""
    head = PREFIX if workspace is None else f"{PREFIX}@{workspace}"
    custom_id = f"{head}:{button.command}:{button.args}"
    return custom_id if len(custom_id) <= MAX_CUSTOM_ID else None


@dataclass(frozen=True, slots=True)
class ButtonAction:
    command: str
    args: str
    workspace: str | None = None

    @property
    def line(self) -> str:
        """The typed line the core parses, as if the person had written it."""
        return f"/{self.command} {self.args}".rstrip()


def decode_custom_id(custom_id: str) -> ButtonAction | None:
    """The action a button stands for, or None when the id is not one of ours."""
    head, sep, rest = custom_id.partition(":")
    if not sep:
        return None
    if head == PREFIX:
        workspace = None
    elif head.startswith(f"{PREFIX}@") and len(head) > len(PREFIX) + 1:
        workspace = head[len(PREFIX) + 1 :]
    else:
        return None
    command, _, args = rest.partition(":")
    if not command:
        return None
    return ButtonAction(command, args, workspace)


def _embed(reply: Reply) -> discord.Embed:
    lines = [reply.text] if reply.text else []
    if reply.progress is not None:
        bar = text_bar(reply.progress.fraction)
        lines.append(f"{reply.progress.label} `{bar}`" if reply.progress.label else f"`{bar}`")
    embed = discord.Embed(
        title=_cut(reply.title, MAX_TITLE) if reply.title else None,
        description=_cut("\n".join(lines), MAX_DESCRIPTION) if lines else None,
        colour=COLOURS.get(reply.kind, COLOURS["info"]),
    )
    budget = MAX_EMBED_TOTAL - len(embed.title or "") - len(embed.description or "")
    if reply.footer:
        footer = _cut(reply.footer, min(MAX_FOOTER, max(budget, 1)))
        embed.set_footer(text=footer)
        budget -= len(footer)
    for item in reply.fields[:MAX_FIELDS]:
        name = _cut(item.name or "\u200b", MAX_FIELD_NAME)
        value = _cut(item.value or "\u200b", MAX_FIELD_VALUE)
        if len(name) + len(value) > budget:
            log.warning(
                "embed too long; dropped %d field(s)", len(reply.fields) - len(embed.fields)
            )
            break
        embed.add_field(name=name, value=value, inline=item.inline)
        budget -= len(name) + len(value)
    return embed


def build_view(buttons: tuple[Button, ...], workspace: str | None = None) -> discord.ui.View | None:
    """Buttons in rows of five. The view is stopped before it is sent, so discord.py never keeps
    it in memory: presses reach ``on_interaction`` and are routed by custom_id."""
    view = discord.ui.View(timeout=None)
    seen: set[str] = set()
    for button in buttons:
        if len(view.children) >= MAX_PER_ROW * MAX_ROWS:
            log.warning("reply has more than %d buttons; dropped the rest", MAX_PER_ROW * MAX_ROWS)
            break
        custom_id = encode_custom_id(button, workspace)
        if custom_id is None:
            log.warning(
                "button /%s: custom_id over %d chars; dropped", button.command, MAX_CUSTOM_ID
            )
            continue
        if custom_id in seen:  # Discord wants unique ids; a twin does the same thing anyway
            continue
        seen.add(custom_id)
        view.add_item(
            discord.ui.Button(
                label=_cut(button.label, MAX_LABEL),
                custom_id=custom_id,
                style=STYLES.get(button.style, discord.ButtonStyle.secondary),
                row=len(view.children) // MAX_PER_ROW,
            )
        )
    if not view.children:
        return None
    view.stop()
    return view


@dataclass
class Rendered:
    """Keyword arguments for discord.py's send/edit methods, built fresh for each send
    (``discord.File`` objects are consumed by a send)."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    files: list[discord.File] = field(default_factory=list)
    ephemeral: bool = True

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.content is not None:
            out["content"] = self.content
        if self.embed is not None:
            out["embed"] = self.embed
        if self.view is not None:
            out["view"] = self.view
        if self.files:
            out["files"] = self.files
        return out


def render(reply: Reply, *, workspace: str | None = None) -> Rendered:
    """Errors are plain ephemeral text (short, and readable in notifications); anything else
    is an embed with its buttons and attachments."""
    files: list[discord.File] = [
        SpecFile(io.BytesIO(a.data), filename=a.filename, description=a.alt or None)
        for a in reply.attachments[:10]
    ]
    if reply.is_error:
        return Rendered(content=_cut(reply.text, MAX_CONTENT) or "…", files=files, ephemeral=True)
    embed = _embed(reply)
    image = next((a for a in reply.attachments if a.is_image), None)
    if image is not None:
        embed.set_image(url=f"attachment://{image.filename}")
    return Rendered(
        embed=embed,
        view=build_view(reply.buttons, workspace),
        files=files,
        ephemeral=reply.ephemeral,
    )
