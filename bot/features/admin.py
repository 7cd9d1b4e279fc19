"""``/admin``: a study group's settings and the admin's views (cohort, nudge, export, reset).

Every action is written to ``admin_log`` (who, what, when) in the same unit of work as the
change itself, so the log never claims a change that was rolled back.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from bot.context import Ctx
from bot.db.models import Channel, NudgeRequest
from bot.errors import UserError
from bot.features.common import log_admin_action as _log
from bot.features.leaderboard import group_channel
from bot.features.together import admin_together
from bot.i18n import N_, pN_, weekday_name
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
        "together": admin_together,
    }[action]
    return await handler(ctx, channel)


async def _schedule(ctx: Ctx, channel: Channel) -> Reply:
    day, at, tz = ctx.opts.get("day"), ctx.opts.get("time"), ctx.opts.get("tz")
    if day is None and at is None and tz is None:
        tz_now = channel.timezone or "UTC"
        return Reply(
            text=ctx.t(
                "Weekly prompt: {day} at {time} ({tz}). Change it with "
                "`/admin schedule day:DAY time:HH:MM tz:ZONE`.",
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
            "Weekly prompt set to {day} at {time} ({tz}).",
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
            return Reply(text=ctx.t("Admin role: {role}", role=channel.admin_role))
        raise UserError(N_("Name the role, e.g. `/admin role Moderators` or a role id."))
    channel.admin_role = str(value).strip()[:100]
    _log(ctx, channel, "role", channel.admin_role)
    return Reply(text=ctx.t("Admin role set to {role}.", role=channel.admin_role), kind="success")


async def _cohort(ctx: Ctx, channel: Channel) -> Reply:
    members = await lb.load_members(ctx.session, channel)
    rows = lb.cohort(ctx.curriculum, members, ctx.now)
    _log(ctx, channel, "cohort", f"{len(rows)} members")
    if not rows:
        return Reply(text=ctx.t("Nobody studies in this channel yet; people join with `/path`."))
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
                ctx.t("step {n}/{steps}", n=cur.index + 1, steps=len(r.status.steps))
                if cur
                else ctx.t("finished")
            )
            lines.append(f"{r.member.name}: {where} · {pace_phrase(ctx.locale, r.status.pace)}")
        fields.append(Field(path_title(path, ctx.locale), "\n".join(lines)[:1000], inline=False))
    unenrolled = [r.member.name for r in rows if r.status is None]
    if unenrolled:
        fields.append(
            Field(ctx.t("No path chosen yet"), ", ".join(unenrolled)[:1000], inline=False)
        )
    behind = sorted((r for r in rows if r.behind_days > 0), key=lambda r: -r.behind_days)
    text = ctx.t(
        "{members}; {behind} behind pace.",
        members=ctx.nt("{n} member", "{n} members", len(rows)),
        behind=len(behind),
    )
    if behind:
        text += "\n" + "\n".join(_behind_line(ctx, r) for r in behind)
    buttons = (Button(ctx.t("Nudge"), "admin", "nudge", style="primary"),) if behind else ()
    return Reply(
        title=ctx.t("Study group {channel}", channel=f"#{channel.name or channel.external_id}"),
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
        return Reply(text=ctx.t("Nobody is behind pace. Nothing to nudge."))
    lines = [
        ctx.nt("{n} nudge queued for delivery:", "{n} nudges queued for delivery:", len(queued))
    ]
    lines += [_behind_line(ctx, r) for r in queued]
    if skipped:
        lines.append(ctx.t("Already nudged in the last day: {names}", names=", ".join(skipped)))
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
        text=ctx.nt(
            "Progress of {n} member, as CSV.", "Progress of {n} members, as CSV.", len(rows)
        ),
        attachments=(
            Attachment(
                name,
                buf.getvalue().encode("utf-8"),
                "text/csv",
                alt=ctx.t("Study group progress (CSV)"),
            ),
        ),
    )


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def _reset(ctx: Ctx, channel: Channel) -> Reply:
    if str(ctx.opts.get("value") or "").casefold() != "confirm":
        return Reply(
            text=ctx.t(
                "Reset the leaderboards? They will count only chapters "
                "finished from now on. Nobody's progress changes, and past "
                "winners stay in `/leaderboard history`."
            ),
            buttons=(
                Button(ctx.t("Yes, reset the leaderboards"), "admin", "reset confirm", "danger"),
            ),
        )
    # Freeze finished periods first: after the reset they would be counted from zero.
    await lb.snapshot_closed_periods(ctx.session, ctx.curriculum, channel, ctx.now)
    channel.leaderboard_reset_at = ctx.now
    _log(ctx, channel, "reset", ctx.now.isoformat())
    return Reply(
        text=ctx.t(
            "Leaderboards reset: a fresh start from now. Progress and history are untouched."
        ),
        kind="success",
        ephemeral=False,
    )


def _behind_line(ctx: Ctx, row: lb.CohortRow) -> str:
    behind = ctx.nt("{n} day behind", "{n} days behind", row.behind_days)
    return ctx.t("• {name}: {behind}", name=row.member.name, behind=behind)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "admin"),
        N_("Study group settings, cohort view, nudges, export"),
        admin,
        options=(
            OptionSpec(
                "action",
                T.CHOICE,
                N_("What to do"),
                required=True,
                choices=(
                    Choice("schedule", N_("Weekly prompt day, time, zone")),
                    Choice("role", N_("The admin role")),
                    Choice("cohort", N_("Who is where, who is behind")),
                    Choice("nudge", N_("Nudge those behind pace")),
                    Choice("export", N_("Progress as a CSV file")),
                    Choice("reset", N_("Restart the leaderboards")),
                    Choice("together", N_("Turn study-together features on or off")),
                ),
            ),
            # Before ``value``, so typed text gives `plan` and `off` to these, not to it.
            OptionSpec(
                "feature",
                T.CHOICE,
                N_("A study-together feature (together)"),
                choices=(
                    Choice("buddies", N_("Study buddies")),
                    Choice("threads", N_("Weekly threads")),
                    Choice("plan", N_("/plan calendars")),
                    Choice("share", N_("/share posts")),
                ),
            ),
            OptionSpec(
                "switch",
                T.CHOICE,
                N_("On or off (together)"),
                choices=(Choice("on", N_("On")), Choice("off", N_("Off"))),
            ),
            OptionSpec(
                "value",
                T.STRING,
                N_("Role id or name (role); confirm (reset)"),
            ),
            OptionSpec("day", T.WEEKDAY, N_("Day of the week"), positional=False),
            OptionSpec(
                "time",
                T.TIME,
                N_("Local time, HH:MM (24h)"),
                positional=False,
            ),
            OptionSpec(
                "tz",
                T.TIMEZONE,
                N_("IANA timezone, e.g. Asia/Shanghai"),
                autocomplete="timezones",
                positional=False,
            ),
        ),
        admin_only=True,
        refusal=N_(
            "Sorry, `/{name}` is for admins of this workspace. Your own progress and rank:"
            " `/progress`."
        ),
        examples=(
            "/admin cohort",
            "/admin schedule day:mon time:09:00 tz:Europe/Berlin",
            "/admin role Moderators",
            "/admin export",
            "/admin reset",
            "/admin together",
            "/admin together share off",
        ),
    ),
)
