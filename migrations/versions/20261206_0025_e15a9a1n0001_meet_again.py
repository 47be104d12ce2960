"""meet_again: a group that chose to meet again, nudged in its DM every 1, 2 or 4 weeks

Revision ID: e15a9a1n0001
Revises: 0007
Create Date: 2026-12-06 00:25:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "e15a9a1n0001"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meet_again",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.SmallInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("active", "stopped", name="meet_again_state", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("due_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("nudges", sa.SmallInteger(), nullable=False),
        sa.Column("answered", sa.SmallInteger(), nullable=False),
        sa.Column("met_again", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("weeks IN (1, 2, 4)", name=op.f("ck_meet_again_weeks_choice")),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_meet_again_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_meet_again_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meet_again")),
        sa.UniqueConstraint("group_id", name=op.f("uq_meet_again_group_id")),
    )
    with op.batch_alter_table("meet_again", schema=None) as batch_op:
        batch_op.create_index("ix_meet_again_state_due", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meet_again", schema=None) as batch_op:
        batch_op.drop_index("ix_meet_again_state_due")
    op.drop_table("meet_again")
