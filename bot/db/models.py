"""Typed tables.

Progress belongs to the chapter (user x chapter), not to an enrolment, so switching paths
keeps every finished chapter. Every table that holds a person's data hangs off ``users`` with
``ON DELETE CASCADE`` so ``/forget-me`` is one delete.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which drops tzinfo) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        from datetime import UTC

        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        from datetime import UTC

        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "workspace", "external_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    privacy: Mapped[str] = mapped_column(String(16), default="shown")
    # Discord needs a DM channel per person; caching its id makes each later DM one request.
    dm_channel_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the person's chapters or path last changed: a kept leaderboard re-reads only the
    # members changed since it was read (bot/services/board_cache.py).
    board_changed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True, index=True
    )


class Enrollment(Base):
    """The path a person currently follows; pace is counted from ``enrolled_at``."""

    __tablename__ = "enrollments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    path_id: Mapped[str] = mapped_column(String(32))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Weeks the person chose to skip ("Skip this week") move their plan, and so their pace.
    skipped_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def plan_start(self) -> datetime:
        """Where the pace plan starts: enrolment, moved on by every skipped week."""
        return self.enrolled_at + timedelta(days=self.skipped_days or 0)


class ChapterProgress(Base):
    __tablename__ = "chapter_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    chapter_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # in_progress | done | skipped
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # /share: the work shown for this chapter (http/https only), where and when it was posted.
    share_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    share_note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    share_channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), nullable=True, index=True
    )


class Channel(Base):
    """A study group: a channel where people enrolled, with its own schedule settings."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "workspace", "external_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    prompt_weekday: Mapped[int] = mapped_column(Integer, default=0)
    prompt_time: Mapped[str] = mapped_column(String(5), default="09:00")
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prompts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Issue 6: the platform's admin role (Discord role id or name), and the instant of the last
    # leaderboard reset (leaderboards count only completions after it; progress is untouched).
    admin_role: Mapped[str | None] = mapped_column(String(100), nullable=True)
    leaderboard_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Studying together, each on unless an admin turns it off for this channel.
    buddies_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    threads_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    plan_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    share_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BuddyOptIn(Base):
    """A person who asked for a study buddy in a channel (``/buddy``)."""

    __tablename__ = "buddy_optins"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    opted_in_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BuddyGroup(Base):
    """One week's pair (or three) in a channel; unique per channel, week and members, so a
    replica or a restart that pairs the same week again finds it taken."""

    __tablename__ = "buddy_groups"
    __table_args__ = (UniqueConstraint("channel_id", "week", "member_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2027-W10
    member_key: Mapped[str] = mapped_column(String(200))  # sorted member ids, "12-15"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class BuddyGroupMember(Base):
    __tablename__ = "buddy_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("buddy_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ReminderPref(Base):
    """A person's weekly reminder; ``next_due_at`` is kept in UTC for the scheduler's query."""

    __tablename__ = "reminder_prefs"
    __table_args__ = (Index("ix_reminder_prefs_due", "enabled", "next_due_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    local_time: Mapped[str] = mapped_column(String(5), default="09:00")
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    paused_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Daily quiet hours, local "HH:MM" (the window may wrap midnight): nothing is sent inside.
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    # "Snooze 1 day": one extra reminder at this instant, apart from the weekly slot.
    snooze_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """One prompt sent (or claimed); the unique key makes "at most once per period" a fact."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("recipient", "kind", "period"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(160))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- leaderboards & admin (issue 6) -------------------------------------------------------
# Channel.admin_role and Channel.leaderboard_reset_at are declared on ``Channel`` above.


class LeaderboardSnapshot(Base):
    """The top three of a finished period, frozen so history survives resets and undos.

    ``label`` is what the board showed (a name, or "anonymous #k"); ``user_id`` goes NULL when
    the person deletes their data, and the history then shows a neutral label instead.
    """

    __tablename__ = "leaderboard_snapshots"
    __table_args__ = (UniqueConstraint("channel_id", "period_kind", "period_key", "rank"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    period_kind: Mapped[str] = mapped_column(String(8))  # week | month
    period_key: Mapped[str] = mapped_column(String(16))  # 2027-W09 | 2027-02
    rank: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    label: Mapped[str] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    days: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NudgeRequest(Base):
    """An admin asked to nudge someone; the scheduler delivers it and sets ``delivered_at``."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_pending", "delivered_at", "requested_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[str] = mapped_column(String(64))  # the admin's platform user id
    behind_days: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AdminLog(Base):
    """Who did what to a study group, for accountability; kept when the admin leaves."""

    __tablename__ = "admin_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(64))  # platform user id of the admin
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- Slack OAuth installs (issue 4) ---------------------------------------------------------
# slack_sdk's AsyncSQLAlchemyInstallationStore and AsyncSQLAlchemyOAuthStateStore read and write
# these tables; they are declared here, column for column as the stores build them
# (``build_installations_table``, ``build_bots_table``, ``build_oauth_states_table``), so that
# our migrations create them (0004) and tests/slack/test_oauth.py fails if slack_sdk changes
# them. Installations are workspace data (a bot token per workspace), not a person's: nothing
# here references ``users``, and /forget-me leaves them alone. Timestamps are naive UTC, as the
# stores write them.

slack_installations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),  # the Slack user who installed the app
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
