"""``/privacy``, ``/export-my-data``, ``/forget-me``: a person's say over their data."""

from __future__ import annotations

import json
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot import features  # the registry; read at call time, it imports this module
from bot.context import Ctx
from bot.db.models import User
from bot.features.base import PersonalData
from bot.i18n import L
from bot.options import Choice, CommandSpec, OptionSpec
from bot.options import OptionType as T
from bot.services import store
from bot.types import Attachment, Button, Reply


async def privacy(ctx: Ctx) -> Reply:
    mode = ctx.opts.get("mode")
    if mode:
        ctx.user.privacy = str(mode)
        ctx.user.board_changed_at = ctx.now  # kept leaderboards re-rank the person
        text = ctx.t("privacy.set", mode=ctx.t(f"privacy.{mode}"))
        kind: Literal["success", "info"] = "success"
    else:
        text = ctx.t("privacy.current", mode=ctx.t(f"privacy.{ctx.user.privacy}"))
        kind = "info"
    return Reply(title=ctx.t("privacy.title"), text=text, footer=ctx.t("privacy.modes"), kind=kind)


async def export_my_data(ctx: Ctx) -> Reply:
    await ctx.session.flush()
    data: dict[str, Any] = {}
    for part in features.PERSONAL_DATA:
        data.update(await part.export(ctx.session, ctx.user))
    data["exported_at"] = ctx.now.isoformat()
    blob = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return Reply(
        title=ctx.t("export.title"),
        text=ctx.t("export.text", chapters=len(data["chapters"]), groups=len(data["study_groups"])),
        attachments=(
            Attachment("skilltree-my-data.json", blob, "application/json", alt=ctx.t("export.alt")),
        ),
    )


async def forget_me(ctx: Ctx) -> Reply:
    if ctx.opts.get("confirm") != "confirm":
        return Reply(
            text=ctx.t("forget.confirm"),
            buttons=(Button(ctx.t("button.forget_confirm"), "forget-me", "confirm", "danger"),),
        )
    for part in features.PERSONAL_DATA:
        if part.forget is not None:
            await part.forget(ctx.session, ctx.user)
    await store.delete_user(ctx.session, ctx.user.id)  # last: every row above hangs from it
    ctx.session.expunge(ctx.user)  # the row is gone; never flush the stale object again
    return Reply(text=ctx.t("forget.done"), kind="success")


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "privacy",
        L("How you appear on leaderboards", "你在排行榜上的显示方式"),
        privacy,
        options=(
            OptionSpec(
                "mode",
                T.CHOICE,
                L("Leaderboard visibility", "排行榜可见性"),
                choices=(
                    Choice("shown", L("Show my name", "显示名字")),
                    Choice("anonymous", L("Count me without my name", "匿名计入")),
                    Choice("hidden", L("Leave me out", "不上榜")),
                ),
            ),
        ),
        examples=("/privacy", "/privacy anonymous"),
    ),
    CommandSpec(
        "export-my-data",
        L("Everything stored about you, as a JSON file", "以 JSON 文件导出关于你的全部数据"),
        export_my_data,
        examples=("/export-my-data",),
    ),
    CommandSpec(
        "forget-me",
        L("Delete everything stored about you", "删除关于你的全部数据"),
        forget_me,
        options=(
            OptionSpec(
                "confirm",
                T.CHOICE,
                L("Type confirm to delete", "输入 confirm 确认删除"),
                choices=(Choice("confirm", L("Yes, delete everything", "确认删除全部数据")),),
            ),
        ),
        examples=("/forget-me", "/forget-me confirm"),
    ),
)


async def _export_account(session: AsyncSession, user: User) -> dict[str, Any]:
    return {"user": store.plain_row(user, skip=("id",))}


# The person's own row (name, locale, zone, this feature's privacy mode): /forget-me deletes
# it last, so it has no forget of its own.
ACCOUNT = PersonalData("account", (User,), _export_account, None)
PERSONAL_DATA: tuple[PersonalData, ...] = (ACCOUNT,)
