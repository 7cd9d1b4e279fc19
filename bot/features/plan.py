"""``/plan``: the caller's remaining steps as a calendar, attached and to subscribe to.

The file is built from the same standing as ``/progress`` (``bot.ical``), so its dates are
the pace model's; the subscription address serves the live plan from the database
(``bot.calendar_web``), so a skipped week or a new path shows up in the calendar app by
itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.db.models import User
from bot.errors import UserError
from bot.features.common import standing, zone_in
from bot.features.together import ensure_on
from bot.i18n import N_, format_date, pN_
from bot.ical import due_date, plan_calendar, remaining_steps
from bot.labels import path_title
from bot.options import CommandSpec, always
from bot.pace import path_status
from bot.services import store
from bot.types import Attachment, Field, Reply
from bot.weblinks import person_binding
from curriculum import Curriculum

FILENAME = "plan.ics"
MIME = "text/calendar"


def binding(user: User) -> str:
    """What a subscription link is tied to: this very row (see ``person_binding``)."""
    return person_binding(user.platform, user.workspace, user.external_id, user.created_at)


async def plan_document(
    session: AsyncSession, curriculum: Curriculum, user: User, now: datetime
) -> bytes | None:
    """The person's plan as iCalendar bytes, in their language and zone; None without a
    path. The subscription route calls this on every poll."""
    enrollment = await store.get_enrollment(session, user.id)
    if enrollment is None or enrollment.path_id not in curriculum.path_by_id:
        return None
    tz = await zone_in(session, user)
    status = path_status(
        curriculum.path_by_id[enrollment.path_id],
        await store.chapter_states(session, user.id),
        enrollment.plan_start,
        now,
        tz,
    )
    return plan_calendar(
        curriculum, status, locale=user.locale, tz=tz, person=str(user.id), now=now
    )


async def plan(ctx: Ctx) -> Reply:
    await ensure_on(ctx, "plan")
    found = await standing(ctx)
    if found is None:
        raise UserError(N_("Pick a path first with `/path NAME`; then `/plan` makes its calendar."))
    status = found.status(ctx.now)
    data = plan_calendar(
        ctx.curriculum,
        status,
        locale=ctx.locale,
        tz=found.tz,
        person=str(ctx.user.id),
        now=ctx.now,
    )
    left = remaining_steps(status)
    lines = [
        ctx.nt(
            "{n} step left, each on the day it is due ({tz}).",
            "{n} steps left, each on the day it is due ({tz}).",
            len(left),
            tz=found.tz,
        )
        if left
        else ctx.t("Every step is done. Congratulations!")
    ]
    fields: list[Field] = []
    if left:
        fields.append(
            Field(
                ctx.t("Next due"),
                ctx.t(
                    "step {n}: {date}",
                    n=left[0].index + 1,
                    date=format_date(ctx.locale, due_date(status, left[0])),
                ),
            )
        )
        fields.append(
            Field(ctx.t("Planned finish"), format_date(ctx.locale, due_date(status, left[-1])))
        )
    signer = ctx.calendar_links
    if signer is not None:
        url = signer.url(ctx.user.id, binding(ctx.user), ctx.now)
        lines.append(
            ctx.t(
                "Subscribe to keep your calendar current (Google Calendar: Other calendars → "
                "From URL; Outlook: Add calendar → Subscribe from web):"
            )
        )
        lines.append(url)
        lines.append(
            ctx.t(
                "The address works until {date}. Keep it to yourself: whoever has it can "
                "read your plan.",
                date=format_date(ctx.locale, signer.expiry(ctx.now)),
            )
        )
    else:
        lines.append(
            ctx.t(
                "Calendar subscriptions are off on this bot, so import the file instead, and "
                "run `/plan` again when you skip a week or change path."
            )
        )
    return Reply(
        title=ctx.t("Your plan: {path}", path=path_title(status.path, ctx.locale)),
        text="\n".join(lines),
        fields=tuple(fields),
        attachments=(Attachment(FILENAME, data, MIME, alt=ctx.t("Your study plan (iCalendar)")),),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        pN_("command name", "plan"),
        N_("Your remaining steps as a calendar file and a subscription link"),
        plan,
        examples=("/plan",),
        reads=always,
    ),
)
