"""The dry run at any instant: what a bot ticking continuously from now sends at ``at``.

The database holds each reminder's *next* due instant as of now; weeks ahead a running bot
will have moved it on week by week, so reading it as the tick does would list nobody. Instead,
for each reminder the forecast takes the slot a running bot would be holding at ``at`` (the
latest occurrence of the person's weekday and time in their zone at or before ``at``, DST
included; never earlier than the stored one), puts it on an unsaved copy of the row and runs
the tick's own decision at ``at`` (``kinds.personal``; ``kinds.channel`` recomputes its slot
itself, and ``kinds.buddies`` pairs the channel's buddies as of then without storing the
groups; ``kinds.nudge`` as is). A prompt is listed when the bot first sends it within the
tick interval before ``at``:

* at its slot, or when the quiet hours it fell in end (``personal.first_sent_at``);
* never when the tick at its slot finds the person paused (that tick moves it past the pause);
* something already due now goes out at the first tick, now (with the grace rule), so asking
  about now answers what ``run_once(now)`` sends.

Reads only, in ``Database.reading()``: nothing is written (a write would raise) or sent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import inspect, or_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.db.models import Enrollment, ReminderPref, User
from bot.labels import SNOOZE
from scheduler import due as due_queries
from scheduler.kinds import buddies as buddies_kind
from scheduler.kinds import channel as channel_kind
from scheduler.kinds import nudge as nudge_kind
from scheduler.kinds import personal
from scheduler.kinds.channel import last_weekly
from scheduler.model import Prompt, Rules


@dataclass(frozen=True, slots=True)
class Window:
    """The tick at ``at``: it sends what first became sendable in ``(at - interval, at]``;
    what was sendable before ``now`` goes out at the first tick, now."""

    now: datetime
    at: datetime
    interval: timedelta

    def sends(self, instant: datetime | None) -> bool:
        if instant is None:
            return False
        sent = max(instant, self.now)
        return self.at - self.interval < sent <= self.at


def unsaved(pref: ReminderPref, **changes: Any) -> ReminderPref:
    """A copy of ``pref`` outside any session: changing it can never be flushed."""
    values = {a.key: getattr(pref, a.key) for a in inspect(ReminderPref).column_attrs}
    return ReminderPref(**(values | changes))


def held_slot(pref: ReminderPref, tz: str, window: Window) -> datetime | None:
    """The ``next_due_at`` a running bot holds just before its tick at ``window.at``; None
    when it holds one after ``at`` (a pause or a skipped week moved it there already)."""
    stored = pref.next_due_at
    if stored is None or stored > window.at:
        return None
    slot = max(stored, last_weekly(window.at, pref.weekday, pref.local_time, tz))
    if slot < window.now and slot != stored:
        return None  # missed while the bot was down: the first tick moves past it
    return slot


async def _rows(
    session: AsyncSession, window: Window, platforms: Collection[str] | None
) -> list[tuple[ReminderPref, User, Enrollment]]:
    """Every reminder that is on and has a slot or a snooze by ``at``, saved or default."""
    stmt = (
        due_queries.reminders_on(ReminderPref, User, Enrollment, platforms=platforms)
        .where(or_(ReminderPref.next_due_at <= window.at, ReminderPref.snooze_until <= window.at))
        .order_by(ReminderPref.user_id)
    )
    rows = list((await session.execute(stmt)).tuples().all())
    chosen = None if platforms is None else set(platforms)
    for pref in await due_queries.default_prefs(session, window.now, chosen):
        user = await session.get(User, pref.user_id)
        enrollment = await session.get(Enrollment, pref.user_id)
        if user is not None and enrollment is not None:
            rows.append((pref, user, enrollment))
    return rows


async def _personal(
    session: AsyncSession,
    rules: Rules,
    window: Window,
    pref: ReminderPref,
    user: User,
    enrollment: Enrollment,
) -> list[Prompt]:
    """A person's weekly reminder and snooze at ``at``, as ``PromptService._person`` runs
    them: the weekly one first, and a weekly one sent since the snooze replaces it."""
    tz = personal.user_zone(pref, user, await personal.user_channels(session, user))
    prompts: list[Prompt] = []
    weekly_sent: datetime | None = None
    slot = held_slot(pref, tz, window)
    sent = None if slot is None else personal.first_sent_at(pref, slot, tz)
    snooze = pref.snooze_until
    snooze_sent = None if snooze is None else personal.first_sent_at(pref, snooze, tz)
    snooze_due = snooze is not None and snooze <= window.at and window.sends(snooze_sent)
    if slot is not None and sent is not None and (window.sends(sent) or snooze_due):
        # Decided at the tick that sends it: this one, or an earlier one (then only to know
        # whether it replaces the snooze).
        tick = window.at if window.sends(sent) else max(sent, window.now)
        copy = unsaved(pref, next_due_at=slot)
        decision = await personal.decide_reminder(session, rules, copy, user, enrollment, tick)
        if decision.prompt is not None:
            weekly_sent = tick
            if tick == window.at:
                prompts.append(decision.prompt)
    if snooze_due:
        assert snooze is not None
        replaced = weekly_sent is not None and snooze - SNOOZE < weekly_sent <= window.at
        decision = await personal.decide_snooze(session, rules, pref, user, enrollment, window.at)
        if decision.prompt is not None and not replaced:
            prompts.append(decision.prompt)
    return prompts


async def forecast(
    db: Database,
    rules: Rules,
    at: datetime,
    *,
    now: datetime,
    interval: timedelta,
    platforms: Collection[str] | None = None,
) -> list[Prompt]:
    """Every prompt a bot ticking every ``interval`` since ``now`` sends at its tick at ``at``,
    rendered as of ``at``; ``platforms`` None means all. Writes and sends nothing."""
    window = Window(now, at, interval)
    chosen = None if platforms is None else set(platforms)
    prompts: list[Prompt] = []
    async with db.reading() as session:
        for pref, user, enrollment in await _rows(session, window, platforms):
            prompts += await _personal(session, rules, window, pref, user, enrollment)
        for channel in await due_queries.channels(session, chosen):
            prompt = await channel_kind.decide_channel(session, rules, channel, at)
            if prompt is not None and window.sends(prompt.due_at):
                prompts.append(prompt)  # with the week's thread, where the channel has them
            # Its study buddies are paired at the same moment (``PromptService._buddies``).
            for intro in await buddies_kind.preview_buddies(session, rules, channel.id, at):
                if window.sends(intro.due_at):
                    prompts.append(intro)
        nudged: set[str] = set()
        for nudge in await due_queries.pending_nudges(session, chosen):
            _, prompt = await nudge_kind.decide_nudge(session, rules, nudge, at)
            # One nudge per person per tick: the next one finds the cooldown.
            sent = prompt is not None and window.sends(nudge.requested_at)
            if prompt is not None and sent and prompt.recipient not in nudged:
                nudged.add(prompt.recipient)
                prompts.append(prompt)
    return sorted(prompts, key=lambda p: (p.due_at, p.kind, p.recipient))
