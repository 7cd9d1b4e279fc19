"""studying together: shared work on chapters, study buddies, per-channel switches

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SWITCHES = ("buddies_enabled", "threads_enabled", "plan_enabled", "share_enabled")


def upgrade() -> None:
    with op.batch_alter_table("chapter_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share_url", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("share_note", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("share_channel_id", ID, nullable=True))
        batch_op.create_foreign_key(
            "fk_chapter_progress_share_channel",
            "channels",
            ["share_channel_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_chapter_progress_share_channel_id", ["share_channel_id"])
    with op.batch_alter_table("channels", schema=None) as batch_op:
        for name in SWITCHES:
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
            )
    op.create_table(
        "buddy_optins",
        sa.Column("user_id", ID, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "channel_id",
            ID,
            sa.ForeignKey("channels.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("opted_in_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "buddy_groups",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "channel_id",
            ID,
            sa.ForeignKey("channels.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("member_key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conversation_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("channel_id", "week", "member_key"),
    )
    op.create_index("ix_buddy_groups_channel_id", "buddy_groups", ["channel_id"])
    op.create_table(
        "buddy_group_members",
        sa.Column(
            "group_id",
            ID,
            sa.ForeignKey("buddy_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", ID, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_buddy_group_members_user_id", "buddy_group_members", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_buddy_group_members_user_id", table_name="buddy_group_members")
    op.drop_table("buddy_group_members")
    op.drop_index("ix_buddy_groups_channel_id", table_name="buddy_groups")
    op.drop_table("buddy_groups")
    op.drop_table("buddy_optins")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        for name in SWITCHES:
            batch_op.drop_column(name)
    with op.batch_alter_table("chapter_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_chapter_progress_share_channel_id")
        batch_op.drop_constraint("fk_chapter_progress_share_channel", type_="foreignkey")
        for name in ("share_channel_id", "shared_at", "share_note", "share_url"):
            batch_op.drop_column(name)
