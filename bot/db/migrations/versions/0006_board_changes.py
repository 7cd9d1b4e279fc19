"""when a person's standing on a leaderboard last changed

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("board_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_users_board_changed_at", ["board_changed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_board_changed_at")
        batch_op.drop_column("board_changed_at")
