"""What the scheduler's parts pass each other: a prompt, the decision about it, a tick's report.

Kept apart from ``service`` so that the queries, the decisions, the ledger and the sender can
all use them without importing the service that composes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.ports import ChannelTarget, UserTarget
from bot.types import Reply
from curriculum import Curriculum

Kind = Literal["reminder", "snooze", "channel", "nudge", "buddies"]
Hold = Literal["paused", "quiet", "stale"]  # why a personal prompt must wait (or is skipped)


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread to open under a channel prompt once it is posted: its name and first post."""

    name: str
    reply: Reply


@dataclass(frozen=True, slots=True)
class Prompt:
    """One prompt that is (or would be) sent: who, when in their zone, and what."""

    kind: Kind
    # "user:<id>", "channel:<id>" or "buddies:<group id>" (the Delivery key's); the dry run's
    # buddy groups are not stored, so theirs is "buddies:new:<member ids>".
    recipient: str
    platform: str
    target: UserTarget | ChannelTarget
    due_at: datetime  # UTC
    timezone: str
    period: str  # local ISO week of due_at, e.g. "2027-W11"; a snooze's local date, "2027-03-16"
    reply: Reply
    user_id: int | None = None
    dm_channel: str | None = None  # the DM channel id the directory holds for the person
    thread: Thread | None = None  # a channel prompt's thread for the week's questions
    members: tuple[UserTarget, ...] = ()  # study buddies: introduced to each other in target

    @property
    def local_time(self) -> datetime:
        return self.due_at.astimezone(ZoneInfo(self.timezone))

    @property
    def key(self) -> str:
        """Unique per logical message: Discord can drop a duplicate by this nonce."""
        return f"{self.recipient}:{self.kind}:{self.period}"


@dataclass(slots=True)
class RunReport:
    """What one tick did; counts for logs and tests."""

    sent: list[str] = field(default_factory=list)  # prompt keys
    failed: list[str] = field(default_factory=list)
    paused: int = 0
    quiet: int = 0  # due inside the person's quiet hours: held until they end
    stale: int = 0  # missed by more than the grace window: skipped
    not_sent: int = 0  # finished path, already delivered this week, nothing to say
    busy: int = 0  # claimed by another scheduler or changed meanwhile
    suspended: int = 0
    in_doubt: int = 0  # old "sending" claims marked "unknown"
    errors: int = 0  # bugs: logged with a traceback
    snapshots: list[str] = field(default_factory=list)  # "channel:<id>:week:2027-W09"

    def count(self, action: str) -> None:
        """Tally a decision that sends nothing (``send`` is tallied when it is sent)."""
        if action == "paused":
            self.paused += 1
        elif action == "quiet":
            self.quiet += 1
        elif action == "stale":
            self.stale += 1
        elif action == "skip":
            self.not_sent += 1


@dataclass(slots=True)
class Decision:
    action: Literal["send", "paused", "quiet", "stale", "skip"]
    advance_to: datetime | None = None  # weekly reminders: the new next_due_at
    prompt: Prompt | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """What every decision reads besides the database: the content, and how late is too late."""

    curriculum: Curriculum
    grace: timedelta
