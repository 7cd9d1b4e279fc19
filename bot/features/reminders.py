"""``/reminders``: view and set the weekly reminder; snooze it or skip a week.

Delivery is the scheduler's job; this handler keeps ``next_due_at`` (and ``snooze_until``)
right so the scheduler's query finds the person at the right instant.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import Delivery, ReminderPref, User
from bot.errors import UserError
from bot.features.base import PersonalData
from bot.features.common import user_timezone
from bot.i18n import N_, format_date, format_when, pN_, weekday_name
from bot.labels import SNOOZE
from bot.options import Choice, CommandSpec, OptionError, OptionSpec, parse_time
from bot.options import OptionType as T
from bot.pace import local_date
from bot.services import deliveries, personal, store
from bot.timing import iso_period, next_weekly, quiet_end_at
from bot.types import Field, Reply

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
    snooze_until = pref.snooze_until if pref else None
    quiet = (
        (pref.quiet_start, pref.quiet_end) if pref and pref.quiet_start and pref.quiet_end else None
    )
    today = local_date(ctx.now, tz)
    if paused_until is not None and paused_until <= today:
        paused_until = None
    if snooze_until is not None and snooze_until <= ctx.now:
        snooze_until = None

    message = ""
    changed = False
    if "day" in ctx.opts:
        weekday, changed = int(ctx.opts["day"]), True
    if "time" in ctx.opts:
        local_time, changed = str(ctx.opts["time"]), True
    if "tz" in ctx.opts:
        tz, changed = str(ctx.opts["tz"]), True
        today = local_date(ctx.now, tz)
    if "quiet" in ctx.opts:
        quiet, changed = parse_quiet(str(ctx.opts["quiet"])), True
    if changed:
        message = ctx.t("Saved.")
    not_before: date | None = None
    if action == "on":
        enabled, paused_until, message = True, None, ctx.t("Reminders are on.")
    elif action == "off":
        enabled, snooze_until, message = (
            False,
            None,
            ctx.t("Reminders are off. `/reminders on` brings them back."),
        )
    elif action == "resume":
        enabled, paused_until, message = True, None, ctx.t("Reminders resumed.")
    elif action == "pause" or "until" in ctx.opts:
        until = ctx.opts.get("until")
        until = until if isinstance(until, date) else today + timedelta(days=DEFAULT_PAUSE_DAYS)
        if until <= today:
            raise UserError(
                N_("{date} is not in the future; pick a later date."),
                date=format_date(ctx.locale, until),
            )
        # Pausing means "not until then", so reminders come back afterwards even if off now.
        enabled, paused_until, snooze_until = True, until, None
        message = ctx.t(
            "Reminders paused until {date}. `/reminders resume` restarts them sooner.",
            date=format_date(ctx.locale, until),
        )
    elif action == "snooze":
        if not enabled:
            raise UserError(
                N_(
                    "Reminders are off, so there is nothing to snooze. "
                    "`/reminders on` turns them on."
                )
            )
        snooze_until = ctx.now + SNOOZE
        local = snooze_until.astimezone(ZoneInfo(tz))
        message = ctx.t(
            "Snoozed: I'll remind you again at {when}.",
            when=f"{format_when(ctx.locale, local)} ({tz})",
        )
    elif action == "skip":
        message = await _skip_week(ctx, tz)
        snooze_until = None
    if action == "skip" or await deliveries.has_record(
        ctx.session, f"user:{ctx.user.id}", "skip", iso_period(ctx.now, tz)
    ):
        # A skipped week stays skipped whatever is changed later: the next one is next week's.
        not_before = today - timedelta(days=today.weekday()) + timedelta(days=7)

    next_due = (
        next_weekly(ctx.now, weekday, local_time, tz, not_before=max_date(paused_until, not_before))
        if enabled
        else None
    )
    if action != "show" or changed:
        await store.save_reminder(
            ctx.session,
            ctx.user.id,
            enabled=enabled,
            weekday=weekday,
            local_time=local_time,
            # Only a zone the person chose is stored; otherwise it follows their platform's.
            timezone=ctx.opts.get("tz") or (pref.timezone if pref else None),
            paused_until=paused_until,
            next_due_at=next_due,
            snooze_until=snooze_until,
            quiet=quiet,
            now=ctx.now,
        )
    if next_due is not None and quiet:
        # Due inside quiet hours: the scheduler holds it until they end; say when it arrives.
        next_due = quiet_end_at(next_due, *quiet, tz) or next_due
    return _reply(ctx, message, enabled, weekday, local_time, tz, paused_until, next_due, quiet)


_QUIET = re.compile(r"^\s*(\S+?)\s*(?:-|–|~|到|至)\s*(\S+)\s*$")


def parse_quiet(raw: str) -> tuple[str, str] | None:
    """``22:00-07:00`` (or ``10pm-7am``) → the window; ``off`` → none."""
    if raw.strip().casefold() in ("off", "none", "no", "关闭", "无"):
        return None
    m = _QUIET.match(raw)
    try:
        if not m:
            raise OptionError(
                N_("`{value}` is not a quiet-hours window; write it like `22:00-07:00`, or `off`."),
                value=raw,
            )
        start, end = parse_time(m.group(1)), parse_time(m.group(2))
    except OptionError:
        raise UserError(
            N_("`{value}` is not a quiet-hours window; write it like `22:00-07:00`, or `off`."),
            value=raw,
        ) from None
    if start == end:
        raise UserError(
            N_("`{value}` is not a quiet-hours window; write it like `22:00-07:00`, or `off`."),
            value=raw,
        )
    return start, end


def max_date(a: date | None, b: date | None) -> date | None:
    return max((d for d in (a, b) if d is not None), default=None)


async def _skip_week(ctx: Ctx, tz: str) -> str:
    """Move the person's plan on by a week, once per local week however often it is pressed.

    The skip is recorded as a Delivery row keyed (person, "skip", week): the same unique key
    that keeps prompts to once a week makes a second press a no-op.
    """
    enrollment = await store.get_enrollment(ctx.session, ctx.user.id)
    period = iso_period(ctx.now, tz)
    first = await deliveries.record_once(
        ctx.session,
        Delivery,
        recipient=f"user:{ctx.user.id}",
        user_id=ctx.user.id,
        kind="skip",
        period=period,
        now=ctx.now,
    )
    if not first:
        return ctx.t("This week is already skipped; nothing changed.")
    if enrollment is not None:
        enrollment.skipped_days = (enrollment.skipped_days or 0) + 7
        ctx.user.board_changed_at = ctx.now  # the plan moved: so does the progress bar
    return ctx.t(
        "Skipping this week: no more reminders until next week, and "
        "your plan moves on a week so you won't fall behind for it."
    )


def _reply(
    ctx: Ctx,
    message: str,
    enabled: bool,
    weekday: int,
    local_time: str,
    tz: str,
    paused_until: date | None,
    next_due: datetime | None,
    quiet: tuple[str, str] | None,
) -> Reply:
    status = ctx.t("on") if enabled else ctx.t("off")
    if enabled and paused_until is not None:
        status = ctx.t("paused until {date}", date=format_date(ctx.locale, paused_until))
    if next_due is not None:
        local = next_due.astimezone(ZoneInfo(tz))
        nxt = ctx.t("{when} ({tz})", when=format_when(ctx.locale, local), tz=tz)
    else:
        nxt = ctx.t("none while it is off")
    fields: tuple[Field, ...] = (
        Field(ctx.t("Status"), status),
        Field(
            ctx.t("When"),
            ctx.t(
                "{weekday} {time} ({tz})",
                weekday=weekday_name(ctx.locale, weekday),
                time=local_time,
                tz=tz,
            ),
        ),
        Field(ctx.t("Next reminder"), nxt, inline=False),
    )
    if quiet:
        fields += (Field(ctx.t("Quiet hours"), f"{quiet[0]}–{quiet[1]} ({tz})"),)
    kind: Literal["success", "info"] = "success" if message else "info"
    return Reply(
        title=ctx.t("Weekly reminder"),
        text=message,
        fields=fields,
        footer=ctx.t(
            "Change it: `/reminders day:wed time:19:30 tz:Europe/Berlin`, "
            "`/reminders off`, `/reminders pause 2027-01-10`."
        ),
        kind=kind,
        form="reminders",
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "reminders"),
        N_("View or set your weekly study reminder"),
        reminders,
        options=(
            OptionSpec(
                "action",
                T.CHOICE,
                N_("What to do"),
                choices=(
                    Choice("show", N_("Show my settings")),
                    Choice("on", N_("Turn on")),
                    Choice("off", N_("Turn off")),
                    Choice("pause", N_("Pause until a date")),
                    Choice("resume", N_("Resume now")),
                    Choice("snooze", N_("Remind me again in a day")),
                    Choice("skip", N_("Skip this week")),
                ),
            ),
            OptionSpec("day", T.WEEKDAY, N_("Day of the week")),
            OptionSpec("time", T.TIME, N_("Local time, HH:MM (24h)")),
            OptionSpec(
                "tz",
                T.TIMEZONE,
                N_("IANA timezone, e.g. Asia/Shanghai"),
                autocomplete="timezones",
            ),
            OptionSpec(
                "until",
                T.DATE,
                N_("Pause until this date (YYYY-MM-DD)"),
            ),
            OptionSpec(
                "quiet",
                T.STRING,
                N_("Quiet hours, e.g. 22:00-07:00 (or off): nothing is sent then"),
                positional=False,
            ),
        ),
        examples=(
            "/reminders",
            "/reminders day:wed time:19:30 tz:Europe/Berlin",
            "/reminders pause 2027-01-10",
            "/reminders quiet:22:00-07:00",
            "/reminders off",
        ),
        # Showing the settings only reads; any other action or option saves them.
        reads=lambda options: (
            set(options) <= {"action"} and options.get("action") in (None, "show")
        ),
    ),
)


async def _export_reminder(session: AsyncSession, user: User) -> dict[str, Any]:
    reminder = await store.get_reminder(session, user.id)
    return {"reminder": personal.plain_row(reminder) if reminder else None}


async def _forget_reminder(session: AsyncSession, user: User) -> None:
    await store.forget_rows(session, ReminderPref, user.id)


async def _export_deliveries(session: AsyncSession, user: User) -> dict[str, Any]:
    rows = await personal.delivery_rows(session, user.id)
    return {"deliveries": [personal.plain_row(d, skip=("user_id", "id")) for d in rows]}


async def _forget_deliveries(session: AsyncSession, user: User) -> None:
    await store.forget_rows(session, Delivery, user.id)


REMINDER = PersonalData("reminder", (ReminderPref,), _export_reminder, _forget_reminder)
# What the scheduler sent the person: their reminders, and the prompts and nudges by DM.
DELIVERIES = PersonalData("deliveries", (Delivery,), _export_deliveries, _forget_deliveries)
PERSONAL_DATA: tuple[PersonalData, ...] = (REMINDER, DELIVERIES)
