"""What adapters may ask the core to remember about platform objects.

Adapters know their platform and nothing of the database; when one needs a fact the core
stores (a channel's admin role, a person's cached Discord DM channel), it asks here.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db import Database
from bot.db.models import Channel, Enrollment, ReminderPref, User


class Directory:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def channel_admin_role(
        self, platform: str, workspace: str, channel_id: str
    ) -> str | None:
        """The role ``/admin role`` set for a channel, if any. Raises ``DatabaseUnavailable``."""
        async with self._db.transaction() as session:
            return (
                await session.execute(
                    select(Channel.admin_role).where(
                        Channel.platform == platform,
                        Channel.workspace == workspace,
                        Channel.external_id == channel_id,
                    )
                )
            ).scalar_one_or_none()

    async def home_workspace(self, platform: str, user_id: str, *, not_: str) -> str | None:
        """Where a person studies, for a command sent from outside any workspace (a Discord DM
        belongs to no server): the workspace of their latest enrolment, else of their latest
        record; ``not_`` names the pseudo-workspace of such messages."""
        async with self._db.transaction() as session:
            return (
                await session.execute(
                    select(User.workspace)
                    .outerjoin(Enrollment, Enrollment.user_id == User.id)
                    .where(
                        User.platform == platform,
                        User.external_id == user_id,
                        User.workspace != not_,
                    )
                    .order_by(Enrollment.enrolled_at.desc().nulls_last(), User.created_at.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()

    async def reminder_settings(
        self, platform: str, workspace: str, user_id: str
    ) -> tuple[int, str, str | None]:
        """(weekday, local time, chosen zone) of a person's weekly reminder, for a settings
        form to start from; Monday 09:00 and no zone when they never set one."""
        async with self._db.transaction() as session:
            row = (
                await session.execute(
                    select(ReminderPref.weekday, ReminderPref.local_time, ReminderPref.timezone)
                    .join(User, User.id == ReminderPref.user_id)
                    .where(
                        User.platform == platform,
                        User.workspace == workspace,
                        User.external_id == user_id,
                    )
                )
            ).first()
        return (row[0], row[1], row[2]) if row else (0, "09:00", None)

    async def dm_channel(self, platform: str, workspace: str, user_id: str) -> str | None:
        async with self._db.transaction() as session:
            stored = (
                await session.execute(
                    select(User.dm_channel_id).where(
                        User.platform == platform,
                        User.workspace == workspace,
                        User.external_id == user_id,
                    )
                )
            ).scalar_one_or_none()
        return stored or None

    async def set_dm_channel(
        self, platform: str, user_id: str, channel_id: str | None, *, replacing: str | None = None
    ) -> None:
        """Remember (or, with ``None``, forget) a person's DM channel on every row of theirs:
        it belongs to the person, whatever the workspace. ``replacing``: only where that stale
        id is still stored, so a newer id someone else just saved survives."""
        where = [User.platform == platform, User.external_id == user_id]
        if replacing is not None:
            where.append(User.dm_channel_id == replacing)
        async with self._db.transaction() as session:
            await session.execute(update(User).where(*where).values(dm_channel_id=channel_id))
