"""reminder snooze, skipped study weeks, cached DM channel

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_prefs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snooze_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skipped_days", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dm_channel_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("dm_channel_id")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_column("skipped_days")
    with op.batch_alter_table("reminder_prefs", schema=None) as batch_op:
        batch_op.drop_column("snooze_until")
