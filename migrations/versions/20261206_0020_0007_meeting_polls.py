"""meeting polls

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 23:54:24.977835+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import bot.store.models


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("past_offers", sa.JSON(), nullable=False),
        sa.Column("booked_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("booked_on", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.Column("invite_start", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminder_id", sa.String(length=32), nullable=True),
        sa.Column("reminder_channel", sa.String(length=32), nullable=True),
        sa.Column("checkin_due_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_meeting_polls_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_polls")),
        sa.UniqueConstraint("group_id", name=op.f("uq_meeting_polls_group_id")),
    )
    op.create_table(
        "meeting_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("answered_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_meeting_answers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["meeting_polls.id"],
            name=op.f("fk_meeting_answers_poll_id_meeting_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_answers")),
        sa.UniqueConstraint(
            "poll_id", "member_id", name=op.f("uq_meeting_answers_poll_id_member_id")
        ),
    )
    with op.batch_alter_table("meeting_answers", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_answers_member", ["member_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("meeting_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_answers_member")

    op.drop_table("meeting_answers")
    op.drop_table("meeting_polls")
