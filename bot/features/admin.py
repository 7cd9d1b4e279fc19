"""``/admin``: a study group's settings and the admin's views (cohort, nudge, export, reset).

Every action is written to ``admin_log`` (who, what, when) in the same unit of work as the
change itself, so the log never claims a change that was rolled back.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from bot.context import Ctx
from bot.db.models import AdminLog, Channel, NudgeRequest
from bot.errors import UserError
from bot.features.leaderboard import group_channel
from bot.i18n import L, weekday_name
from bot.labels import NUDGE_COOLDOWN, path_title
from bot.options import Choice, CommandSpec, OptionSpec
from bot.options import OptionType as T
from bot.pace import pace_phrase
from bot.services import leaderboard as lb
from bot.types import Attachment, Button, Field, Reply

CSV_COLUMNS = (
    "user",
    "display_name",
    "path",
    "steps_done",
    "steps_total",
    "days_done",
    "days_total",
    "pace",
    "behind_days",
    "enrolled_at",
    "last_activity",
)


async def admin(ctx: Ctx) -> Reply:
    action = str(ctx.opts["action"])
    channel = await group_channel(ctx)
    handler = {
        "schedule": _schedule,
        "role": _role,
        "cohort": _cohort,
        "nudge": _nudge,
        "export": _export,
        "reset": _reset,
    }[action]
    return await handler(ctx, channel)


def _log(ctx: Ctx, channel: Channel, action: str, detail: str = "") -> None:
    ctx.session.add(
        AdminLog(
            channel_id=channel.id,
            actor=ctx.inv.actor.user_id,
            action=action,
            detail=detail[:2000],
            at=ctx.now,
        )
    )


async def _schedule(ctx: Ctx, channel: Channel) -> Reply:
    day, at, tz = ctx.opts.get("day"), ctx.opts.get("time"), ctx.opts.get("tz")
    if day is None and at is None and tz is None:
        tz_now = channel.timezone or "UTC"
        return Reply(
            text=ctx.t(
                "admin.schedule_show",
                day=weekday_name(ctx.locale, channel.prompt_weekday),
                time=channel.prompt_time,
                tz=tz_now,
            )
        )
    if isinstance(day, int):
        channel.prompt_weekday = day
    if isinstance(at, str):
        channel.prompt_time = at
    if isinstance(tz, str):
        channel.timezone = tz
    tz_now = channel.timezone or "UTC"
    detail = f"weekday={channel.prompt_weekday} time={channel.prompt_time} tz={tz_now}"
    _log(ctx, channel, "schedule", detail)
    return Reply(
        text=ctx.t(
            "admin.schedule_set",
            day=weekday_name(ctx.locale, channel.prompt_weekday),
            time=channel.prompt_time,
            tz=tz_now,
        ),
        kind="success",
    )


async def _role(ctx: Ctx, channel: Channel) -> Reply:
    value = ctx.opts.get("value")
    if not value:
        if channel.admin_role:
            return Reply(text=ctx.t("admin.role_show", role=channel.admin_role))
        raise UserError("admin.role_missing")
    channel.admin_role = str(value).strip()[:100]
    _log(ctx, channel, "role", channel.admin_role)
    return Reply(text=ctx.t("admin.role_set", role=channel.admin_role), kind="success")


async def _cohort(ctx: Ctx, channel: Channel) -> Reply:
    members = await lb.load_members(ctx.session, channel)
    rows = lb.cohort(ctx.curriculum, members, ctx.now)
    _log(ctx, channel, "cohort", f"{len(rows)} members")
    if not rows:
        return Reply(text=ctx.t("admin.no_members"))
    fields: list[Field] = []
    for path in ctx.curriculum.paths:
        on_path = [r for r in rows if r.status is not None and r.status.path.id == path.id]
        if not on_path:
            continue
        lines = []
        for r in sorted(on_path, key=lambda r: -(r.status.steps_done if r.status else 0)):
            assert r.status is not None
            cur = r.status.current
            where = (
                ctx.t("admin.at_step", n=cur.index + 1, steps=len(r.status.steps))
                if cur
                else ctx.t("pace.finished")
            )
            lines.append(f"{r.member.name}: {where} · {pace_phrase(ctx.locale, r.status.pace)}")
        fields.append(Field(path_title(path, ctx.locale), "\n".join(lines)[:1000], inline=False))
    unenrolled = [r.member.name for r in rows if r.status is None]
    if unenrolled:
        fields.append(Field(ctx.t("admin.no_path"), ", ".join(unenrolled)[:1000], inline=False))
    behind = sorted((r for r in rows if r.behind_days > 0), key=lambda r: -r.behind_days)
    text = ctx.t("admin.cohort_text", members=len(rows), behind=len(behind))
    if behind:
        text += "\n" + "\n".join(
            ctx.t("admin.behind_line", name=r.member.name, days=r.behind_days) for r in behind
        )
    buttons = (
        (Button(ctx.t("admin.nudge_button"), "admin", "nudge", style="primary"),) if behind else ()
    )
    return Reply(
        title=ctx.t("admin.cohort_title", channel=f"#{channel.name or channel.external_id}"),
        text=text,
        fields=tuple(fields),
        buttons=buttons,
    )


async def _nudge(ctx: Ctx, channel: Channel) -> Reply:
    """Queue a nudge for everyone behind pace; the scheduler's Notifier delivers the queue."""
    members = await lb.load_members(ctx.session, channel)
    behind = [r for r in lb.cohort(ctx.curriculum, members, ctx.now) if r.behind_days > 0]
    recent = set(
        (
            await ctx.session.execute(
                select(NudgeRequest.user_id).where(
                    NudgeRequest.channel_id == channel.id,
                    NudgeRequest.requested_at > ctx.now - NUDGE_COOLDOWN,
                )
            )
        )
        .scalars()
        .all()
    )
    queued = [r for r in behind if r.member.user_id not in recent]
    for r in queued:
        ctx.session.add(
            NudgeRequest(
                channel_id=channel.id,
                user_id=r.member.user_id,
                requested_at=ctx.now,
                requested_by=ctx.inv.actor.user_id,
                behind_days=r.behind_days,
            )
        )
    skipped = [r.member.name for r in behind if r.member.user_id in recent]
    # The count, not who: the log outlives a nudged person's /forget-me.
    _log(ctx, channel, "nudge", f"{len(queued)} queued")
    if not behind:
        return Reply(text=ctx.t("admin.nudge_nobody"))
    lines = [ctx.t("admin.nudge_queued", count=len(queued))]
    lines += [ctx.t("admin.behind_line", name=r.member.name, days=r.behind_days) for r in queued]
    if skipped:
        lines.append(ctx.t("admin.nudge_recent", names=", ".join(skipped)))
    return Reply(text="\n".join(lines), kind="success")


async def _export(ctx: Ctx, channel: Channel) -> Reply:
    """One CSV row per member. Admins see every name, whatever the member's leaderboard
    privacy: privacy modes govern public boards, and admins can already open anyone's
    ``/progress``. Cells that a spreadsheet would run as a formula are defused."""
    members = await lb.load_members(ctx.session, channel)
    rows = lb.cohort(ctx.curriculum, members, ctx.now)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        m, s = r.member, r.status
        last = m.last_activity
        writer.writerow(
            [
                _cell(m.external_id),
                _cell(m.name),
                s.path.id if s else "",
                s.steps_done if s else "",
                len(s.steps) if s else "",
                f"{s.days_done:.2f}" if s else "",
                s.total_days if s else "",
                s.pace.kind if s else "",
                r.behind_days if s else "",
                m.enrolled_at.isoformat() if m.enrolled_at and s else "",
                last.isoformat() if last else "",
            ]
        )
    _log(ctx, channel, "export", f"{len(rows)} rows")
    name = f"skilltree-{channel.name or channel.external_id}-{ctx.now:%Y%m%d}.csv"
    return Reply(
        text=ctx.t("admin.export_text", count=len(rows)),
        attachments=(
            Attachment(
                name, buf.getvalue().encode("utf-8"), "text/csv", alt=ctx.t("admin.csv_alt")
            ),
        ),
    )


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def _reset(ctx: Ctx, channel: Channel) -> Reply:
    if str(ctx.opts.get("value") or "").casefold() != "confirm":
        return Reply(
            text=ctx.t("admin.reset_confirm"),
            buttons=(Button(ctx.t("admin.reset_button"), "admin", "reset confirm", "danger"),),
        )
    # Freeze finished periods first: after the reset they would be counted from zero.
    await lb.snapshot_closed_periods(ctx.session, ctx.curriculum, channel, ctx.now)
    channel.leaderboard_reset_at = ctx.now
    _log(ctx, channel, "reset", ctx.now.isoformat())
    return Reply(text=ctx.t("admin.reset_done"), kind="success", ephemeral=False)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "admin",
        L(
            "Study group settings, cohort view, nudges, export",
            "学习小组设置、成员概览、提醒、导出",
        ),
        admin,
        options=(
            OptionSpec(
                "action",
                T.CHOICE,
                L("What to do", "操作"),
                required=True,
                choices=(
                    Choice(
                        "schedule", L("Weekly prompt day, time, zone", "每周提示的日期时间时区")
                    ),
                    Choice("role", L("The admin role", "管理员角色")),
                    Choice("cohort", L("Who is where, who is behind", "成员进度与落后情况")),
                    Choice("nudge", L("Nudge those behind pace", "提醒落后的成员")),
                    Choice("export", L("Progress as a CSV file", "导出 CSV 进度表")),
                    Choice("reset", L("Restart the leaderboards", "重置排行榜")),
                ),
            ),
            OptionSpec(
                "value",
                T.STRING,
                L(
                    "Role id or name (role); confirm (reset)",
                    "角色 ID 或名称（role）；confirm（reset）",
                ),
            ),
            OptionSpec("day", T.WEEKDAY, L("Day of the week", "星期几"), positional=False),
            OptionSpec(
                "time",
                T.TIME,
                L("Local time, HH:MM (24h)", "当地时间，HH:MM（24 小时制）"),
                positional=False,
            ),
            OptionSpec(
                "tz",
                T.TIMEZONE,
                L("IANA timezone, e.g. Asia/Shanghai", "IANA 时区，如 Asia/Shanghai"),
                autocomplete="timezones",
                positional=False,
            ),
        ),
        admin_only=True,
        examples=(
            "/admin cohort",
            "/admin schedule day:mon time:09:00 tz:Europe/Berlin",
            "/admin role Moderators",
            "/admin export",
            "/admin reset",
        ),
    ),
)
