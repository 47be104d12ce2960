"""invitations, the home channel (was the announce channel), nudges, the team profile field

Revision ID: 0004
Revises: a15d15c0ffee
Create Date: 2026-12-05 22:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0004"
down_revision: str | None = "a15d15c0ffee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("invited_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("joined_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_invitations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", name=op.f("uq_invitations_workspace_id_slack_user_id")
        ),
    )
    # The announce channel becomes the home channel: existing values carry over.
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.alter_column(
            "announce_channel",
            new_column_name="home_channel",
            existing_type=sa.String(length=32),
            existing_nullable=True,
        )
        batch_op.add_column(sa.Column("team_field", sa.String(length=32), nullable=True))
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_nudge_at", bot.store.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("nudges_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.alter_column("nudges_off", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("nudges_off")
        batch_op.drop_column("last_nudge_at")
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("team_field")
        batch_op.alter_column(
            "home_channel",
            new_column_name="announce_channel",
            existing_type=sa.String(length=32),
            existing_nullable=True,
        )
    op.drop_table("invitations")
