"""admins' control: confirmed settings, skip and preview, who takes part

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 21:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "settings_confirmed_at",
                bot.store.models.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("skip_period", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("preview_period", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("preview_seed", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("preview_rerolled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("participation_channels", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("excluded_user_ids", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("excluded_usergroup_ids", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("include_guests", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Workspaces that already ran a round were set up under the old rules: their rounds carry
    # on. New installs wait for an admin to confirm the settings once.
    op.execute(
        "UPDATE workspaces SET settings_confirmed_at = created_at "
        "WHERE EXISTS (SELECT 1 FROM rounds WHERE rounds.workspace_id = workspaces.id)"
    )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name in (
            "preview_rerolled",
            "participation_channels",
            "excluded_user_ids",
            "excluded_usergroup_ids",
            "include_guests",
        ):
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name in (
            "include_guests",
            "excluded_usergroup_ids",
            "excluded_user_ids",
            "participation_channels",
            "preview_rerolled",
            "preview_seed",
            "preview_period",
            "skip_period",
            "settings_confirmed_at",
        ):
            batch_op.drop_column(name)
