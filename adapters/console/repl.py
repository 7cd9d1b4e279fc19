"""Read commands line by line from a terminal or a pipe and print the bot's replies.

``printf '/path mlops\\n/progress\\n' | skilltree console --user alice`` works the same as
typing. A number presses a button of the last reply; ``:user bob`` switches who is typing,
``:channel study`` or ``:channel dm`` where, ``:admin on|off``, ``:lang zh|en``.
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from adapters.console.render import render_text
from bot.core import Core
from bot.i18n import N_, catalogues, locales, tr
from bot.types import Actor, Button, Place, Reply, normalize_locale

PLATFORM = "console"
WORKSPACE = "local"
_SAFE = re.compile(r"[^\w.-]+")


class ConsoleAdapter:
    def __init__(
        self,
        core: Core,
        *,
        user: str = "me",
        channel: str | None = None,
        admin: bool = False,
        locale: str = "en",
        timezone: str | None = None,
        output_dir: Path = Path("skilltree-out"),
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.core = core
        self.actor = Actor(
            PLATFORM,
            WORKSPACE,
            user,
            display_name=user,
            locale=normalize_locale(locale),
            is_admin=admin,
            timezone=timezone,
        )
        self.place = self._place(channel)
        self.output_dir = output_dir
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._buttons: tuple[Button, ...] = ()

    @staticmethod
    def _place(channel: str | None) -> Place:
        if channel is None or channel.lower() == "dm":
            return Place(PLATFORM, WORKSPACE, None)
        name = channel.lstrip("#")
        return Place(PLATFORM, WORKSPACE, name, channel_name=name)

    def _prompt(self) -> str:
        where = f"#{self.place.channel_id}" if self.place.channel_id else "dm"
        return f"{self.actor.user_id}@{where}> "

    async def run(self) -> None:
        interactive = self.stdin.isatty()
        if interactive:
            self._write(self._t(N_("skilltree console — type /help, or quit to leave.")))
        while True:
            if interactive:
                self.stdout.write(self._prompt())
                self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("quit", "exit", ":q"):
                break
            output = await self.handle_line(line)
            if output:
                self._write(output)

    async def handle_line(self, line: str) -> str:
        """One typed line → the text to print (also used by tests)."""
        if line.startswith(":"):
            return self._meta(line[1:])
        if line.isdigit() and self._buttons:
            index = int(line) - 1
            if not 0 <= index < len(self._buttons):
                return self._t(
                    N_("! There is no button {n}; choose 1–{count}."),
                    n=line,
                    count=len(self._buttons),
                )
            button = self._buttons[index]
            reply = await self.core.handle_text(
                self.actor, self.place, f"/{button.command} {button.args}", source="button"
            )
        else:
            reply = await self.core.handle_text(self.actor, self.place, line)
        return self._show(reply)

    def _show(self, reply: Reply) -> str:
        self._buttons = reply.buttons
        saved = [str(self._save(a.filename, a.data)) for a in reply.attachments]
        return render_text(reply, saved)

    def _save(self, filename: str, data: bytes) -> Path:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        stem = _SAFE.sub("_", self.actor.user_id)
        path = self.output_dir / f"{stem}-{_SAFE.sub('_', filename)}"
        path.write_bytes(data)
        return path

    def _t(self, key: str, **kwargs: object) -> str:
        """The console's own lines, in the language of whoever is typing."""
        return tr(self.actor.locale, key, **kwargs)

    def _meta(self, command: str) -> str:
        name, _, arg = command.strip().partition(" ")
        arg = arg.strip()
        if name == "user" and arg:
            self.actor = replace(self.actor, user_id=arg, display_name=arg)
            return self._t(N_("(you are now {user})"), user=arg)
        if name == "channel" and arg:
            self.place = self._place(arg)
            if self.place.is_dm:
                return self._t(N_("(now in a DM)"))
            return self._t(N_("(now in #{channel})"), channel=arg.lstrip("#"))
        if name == "admin" and arg in ("on", "off"):
            self.actor = replace(self.actor, is_admin=arg == "on")
            return self._t(N_("(admin on)") if arg == "on" else N_("(admin off)"))
        if name in ("lang", "locale") and arg:
            self.actor = replace(self.actor, locale=normalize_locale(arg))
            language = catalogues().babel(self.actor.locale).get_display_name() or self.actor.locale
            return self._t(N_("(language: {language})"), language=language)
        return self._t(
            N_(
                "! Console commands: :user NAME, :channel NAME|dm, :admin on|off, :lang {languages}"
            ),
            languages="|".join(locales()),
        )

    def write(self, text: str) -> None:
        """Print a block (a reply, or a prompt from the scheduler) followed by a blank line."""
        self._write(text)

    def _write(self, text: str) -> None:
        self.stdout.write(text + "\n\n")
        self.stdout.flush()
