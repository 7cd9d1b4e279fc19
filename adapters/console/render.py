"""A Reply as terminal text: the same document the chat platforms get, in plain lines."""

from __future__ import annotations

import re

from bot.types import Reply, text_bar

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def render_text(reply: Reply, saved: list[str] | None = None) -> str:
    """Render ``reply``; ``saved`` lists where its attachments were written, if anywhere."""
    out: list[str] = []
    if reply.title:
        out.append(f"== {_plain(reply.title)} ==")
    if reply.text:
        prefix = "! " if reply.is_error else ""
        out.extend(prefix + _plain(line) for line in reply.text.splitlines())
    if reply.progress is not None:
        out.append(text_bar(reply.progress.fraction))
    for field in reply.fields:
        lines = _plain(field.value).splitlines() or [""]
        if len(lines) == 1 and field.inline:
            out.append(f"{field.name}: {lines[0]}")
        else:
            out.append(f"{field.name}:")
            out.extend(f"  {line}" for line in lines)
    for path in saved or []:
        out.append(f"[saved {path}]")
    if reply.buttons:
        out.append(
            "  ".join(
                f"[{i}] {b.label} (/{b.command}{' ' + b.args if b.args else ''})"
                for i, b in enumerate(reply.buttons, start=1)
            )
        )
    if reply.footer:
        out.append(_plain(reply.footer))
    return "\n".join(out)
