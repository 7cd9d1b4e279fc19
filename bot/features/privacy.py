"""``/privacy``, ``/export-my-data``, ``/forget-me``: a person's say over their data."""

from __future__ import annotations

import json
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot import features  # the registry; read at call time, it imports this module
from bot.context import Ctx
from bot.db.models import User
from bot.features.base import PersonalData
from bot.i18n import N_, pN_
from bot.options import Choice, CommandSpec, OptionSpec
from bot.options import OptionType as T
from bot.services import personal, store
from bot.types import Attachment, Button, Reply

MODE_NAMES = {"shown": N_("shown"), "anonymous": N_("anonymous"), "hidden": N_("hidden")}


async def privacy(ctx: Ctx) -> Reply:
    mode = ctx.opts.get("mode")
    if mode:
        ctx.user.privacy = str(mode)
        ctx.user.board_changed_at = ctx.now  # kept leaderboards re-rank the person
        text = ctx.t("Leaderboard visibility is now **{mode}**.", mode=ctx.t(MODE_NAMES[str(mode)]))
        kind: Literal["success", "info"] = "success"
    else:
        text = ctx.t(
            "Your setting: **{mode}**.",
            mode=ctx.t(MODE_NAMES.get(ctx.user.privacy, ctx.user.privacy)),
        )
        kind = "info"
    return Reply(
        title=ctx.t("Leaderboard visibility"),
        text=text,
        footer=ctx.t(
            "`shown`: your name on leaderboards · `anonymous`: counted "
            "without your name · `hidden`: not on leaderboards at all."
        ),
        kind=kind,
    )


async def export_my_data(ctx: Ctx) -> Reply:
    await ctx.session.flush()
    data: dict[str, Any] = {}
    for part in features.PERSONAL_DATA:
        data.update(await part.export(ctx.session, ctx.user))
    data["exported_at"] = ctx.now.isoformat()
    blob = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return Reply(
        title=ctx.t("Your data"),
        text=ctx.t(
            "Everything I store about you is in the attached JSON file: "
            "{chapters} chapter records, {groups} study groups.",
            chapters=len(data["chapters"]),
            groups=len(data["study_groups"]),
        ),
        attachments=(
            Attachment(
                "skilltree-my-data.json", blob, "application/json", alt=ctx.t("Your data (JSON)")
            ),
        ),
    )


async def forget_me(ctx: Ctx) -> Reply:
    if ctx.opts.get("confirm") != "confirm":
        return Reply(
            text=ctx.t(
                "This deletes everything I store about you: your path, "
                "progress, reminders, study groups and delivery history. It "
                "cannot be undone. Press the button or type `/forget-me "
                "confirm`."
            ),
            buttons=(Button(ctx.t("Yes, delete everything"), "forget-me", "confirm", "danger"),),
        )
    for part in features.PERSONAL_DATA:
        if part.forget is not None:
            await part.forget(ctx.session, ctx.user)
    await store.delete_user(ctx.session, ctx.user.id)  # last: every row above hangs from it
    ctx.session.expunge(ctx.user)  # the row is gone; never flush the stale object again
    return Reply(text=ctx.t("Done. Everything I stored about you is deleted."), kind="success")


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "privacy"),
        N_("How you appear on leaderboards"),
        privacy,
        options=(
            OptionSpec(
                "mode",
                T.CHOICE,
                N_("Leaderboard visibility"),
                choices=(
                    Choice("shown", N_("Show my name")),
                    Choice("anonymous", N_("Count me without my name")),
                    Choice("hidden", N_("Leave me out")),
                ),
            ),
        ),
        examples=("/privacy", "/privacy anonymous"),
    ),
    CommandSpec(
        pN_("command name", "export-my-data"),
        N_("Everything stored about you, as a JSON file"),
        export_my_data,
        examples=("/export-my-data",),
    ),
    CommandSpec(
        pN_("command name", "forget-me"),
        N_("Delete everything stored about you"),
        forget_me,
        options=(
            OptionSpec(
                "confirm",
                T.CHOICE,
                N_("Type confirm to delete"),
                choices=(Choice("confirm", N_("Yes, delete everything")),),
            ),
        ),
        examples=("/forget-me", "/forget-me confirm"),
    ),
)


async def _export_account(session: AsyncSession, user: User) -> dict[str, Any]:
    return {"user": personal.plain_row(user, skip=("id",))}


# The person's own row (name, locale, zone, this feature's privacy mode): /forget-me deletes
# it last, so it has no forget of its own.
ACCOUNT = PersonalData("account", (User,), _export_account, None)
PERSONAL_DATA: tuple[PersonalData, ...] = (ACCOUNT,)
