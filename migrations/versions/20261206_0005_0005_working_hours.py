"""members' working days and hours

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 00:05:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("work_days", sa.SmallInteger(), server_default="31", nullable=False)
        )
        batch_op.add_column(
            sa.Column("work_start", sa.SmallInteger(), server_default="540", nullable=False)
        )
        batch_op.add_column(
            sa.Column("work_end", sa.SmallInteger(), server_default="1020", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_members_working_week"),
            "work_days BETWEEN 1 AND 127 AND work_start >= 0 AND work_end <= 1440 "
            "AND work_start < work_end",
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_members_working_week"), type_="check")
        batch_op.drop_column("work_end")
        batch_op.drop_column("work_start")
        batch_op.drop_column("work_days")
