"""``/help``: generated from the command specs, so it can never drift from them."""

from __future__ import annotations

from bot.context import Ctx
from bot.i18n import N_, pN_
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
        required, optional = ctx.t("required"), ctx.t("optional")
        if spec.options:
            fields.append(
                Field(
                    ctx.t("Options"),
                    "\n".join(
                        f"`{o.name}` ({required if o.required else optional})"
                        f" — {ctx.t(o.description)}"
                        for o in spec.options
                    ),
                    inline=False,
                )
            )
        if spec.examples:
            fields.append(
                Field(ctx.t("Examples"), "\n".join(f"`{e}`" for e in spec.examples), inline=False)
            )
        admin = " " + ctx.t("(admins only)") if spec.admin_only else ""
        return Reply(
            title=f"/{spec.name}",
            text=f"{ctx.t(spec.description)}{admin}\n`{spec.usage()}`",
            fields=tuple(fields),
        )
    lines = [
        f"`{spec.usage()}` — {ctx.t(spec.description)}"
        + (" " + ctx.t("(admins only)") if spec.admin_only else "")
        for spec in commands.values()
        if ctx.inv.actor.is_admin or not spec.admin_only
    ]
    return Reply(
        title=ctx.t("Commands"),
        text="\n".join(lines),
        footer=ctx.t("`/help COMMAND` shows one command in detail."),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "help"),
        N_("Every command, or one in detail"),
        help_cmd,
        options=(OptionSpec("command", T.STRING, N_("A command name")),),
        examples=("/help", "/help reminders"),
        reads=always,
    ),
)
