"""``/help``: generated from the command specs, so it can never drift from them."""

from __future__ import annotations

from bot.context import Ctx
from bot.i18n import L
from bot.options import CommandSpec, OptionSpec, always
from bot.options import OptionType as T
from bot.parser import find_command
from bot.types import Field, Reply


async def help_cmd(ctx: Ctx) -> Reply:
    commands = ctx.commands
    name = ctx.opts.get("command")
    if name:
        spec = find_command(str(name).lstrip("/").casefold(), commands)
        fields = []
        if spec.options:
            fields.append(
                Field(
                    ctx.t("help.options"),
                    "\n".join(
                        f"`{o.name}` ({ctx.t('help.required' if o.required else 'help.optional')})"
                        f" — {o.description.get(ctx.locale)}"
                        for o in spec.options
                    ),
                    inline=False,
                )
            )
        if spec.examples:
            fields.append(
                Field(
                    ctx.t("help.examples"), "\n".join(f"`{e}`" for e in spec.examples), inline=False
                )
            )
        admin = f" {ctx.t('help.admin_only')}" if spec.admin_only else ""
        return Reply(
            title=f"/{spec.name}",
            text=f"{spec.description.get(ctx.locale)}{admin}\n`{spec.usage()}`",
            fields=tuple(fields),
        )
    lines = [
        f"`{spec.usage()}` — {spec.description.get(ctx.locale)}"
        + (f" {ctx.t('help.admin_only')}" if spec.admin_only else "")
        for spec in commands.values()
        if ctx.inv.actor.is_admin or not spec.admin_only
    ]
    return Reply(title=ctx.t("help.title"), text="\n".join(lines), footer=ctx.t("help.footer"))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "help",
        L("Every command, or one in detail", "查看所有命令或某个命令的详情"),
        help_cmd,
        options=(OptionSpec("command", T.STRING, L("A command name", "命令名")),),
        examples=("/help", "/help reminders"),
        reads=always,
    ),
)
