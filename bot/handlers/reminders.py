"""``/reminders``: view and set the weekly reminder (delivery is the scheduler's job)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.context import Ctx
from bot.errors import UserError
from bot.handlers.common import user_timezone
from bot.i18n import weekday_name
from bot.pace import local_date
from bot.services import store
from bot.types import Field, Reply
from scheduler.timing import next_weekly

DEFAULT_WEEKDAY = 0
DEFAULT_TIME = "09:00"
DEFAULT_PAUSE_DAYS = 7


async def reminders(ctx: Ctx) -> Reply:
    pref = await store.get_reminder(ctx.session, ctx.user.id)
    action = ctx.opts.get("action") or "show"
    enabled = pref.enabled if pref else True
    weekday = pref.weekday if pref else DEFAULT_WEEKDAY
    local_time = pref.local_time if pref else DEFAULT_TIME
    tz = await user_timezone(ctx)
    paused_until = pref.paused_until if pref else None
    today = local_date(ctx.now, tz)
    if paused_until is not None and paused_until <= today:
        paused_until = None

    message = ""
    changed = pref is None
    if "day" in ctx.opts:
        weekday, changed = int(ctx.opts["day"]), True
    if "time" in ctx.opts:
        local_time, changed = str(ctx.opts["time"]), True
    if "tz" in ctx.opts:
        tz, changed = str(ctx.opts["tz"]), True
    if changed and action == "show":
        message = ctx.t("reminders.saved")
    if action == "on":
        enabled, paused_until, message = True, None, ctx.t("reminders.turned_on")
    elif action == "off":
        enabled, message = False, ctx.t("reminders.turned_off")
    elif action == "resume":
        enabled, paused_until, message = True, None, ctx.t("reminders.resumed")
    elif action == "pause":
        until = ctx.opts.get("until")
        until = until if isinstance(until, date) else today + timedelta(days=DEFAULT_PAUSE_DAYS)
        if until <= today:
            raise UserError("reminders.pause_past", date=until.isoformat())
        paused_until, message = until, ctx.t("reminders.paused", date=until.isoformat())
    elif "until" in ctx.opts:
        paused_until = ctx.opts["until"]
        if paused_until is None or paused_until <= today:
            raise UserError("reminders.pause_past", date=str(ctx.opts["until"]))
        message = ctx.t("reminders.paused", date=paused_until.isoformat())

    next_due = (
        next_weekly(ctx.now, weekday, local_time, tz, not_before=paused_until) if enabled else None
    )
    if action != "show" or changed or "until" in ctx.opts:
        await store.save_reminder(
            ctx.session,
            ctx.user.id,
            enabled=enabled,
            weekday=weekday,
            local_time=local_time,
            timezone=tz,
            paused_until=paused_until,
            next_due_at=next_due,
            now=ctx.now,
        )

    status = ctx.t("reminders.on") if enabled else ctx.t("reminders.off")
    if enabled and paused_until is not None:
        status = ctx.t("reminders.paused_until", date=paused_until.isoformat())
    if next_due is not None:
        local = next_due.astimezone(ZoneInfo(tz))
        nxt = f"{weekday_name(ctx.locale, local.weekday())} {local:%Y-%m-%d %H:%M} ({tz})"
    else:
        nxt = ctx.t("reminders.none_next")
    fields = (
        Field(ctx.t("reminders.status"), status),
        Field(
            ctx.t("reminders.when"),
            ctx.t(
                "reminders.when_value",
                weekday=weekday_name(ctx.locale, weekday),
                time=local_time,
                tz=tz,
            ),
        ),
        Field(ctx.t("reminders.next"), nxt, inline=False),
    )
    footer = ctx.t("reminders.hint")
    return Reply(
        title=ctx.t("reminders.title"),
        text=message,
        fields=fields,
        footer=footer,
        kind="success" if message else "info",
    )
