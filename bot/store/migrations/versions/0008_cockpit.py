"""cockpit: event RSVPs, calendar feeds, short-lived shared files

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_rsvp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("coming", sa.Boolean(), nullable=False),
        sa.Column("at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["program_event.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "person_id"),
    )
    op.create_index(op.f("ix_event_rsvp_event_id"), "event_rsvp", ["event_id"], unique=False)
    op.create_index(op.f("ix_event_rsvp_person_id"), "event_rsvp", ["person_id"], unique=False)
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_calendar_feed_person_id"), "calendar_feed", ["person_id"], unique=False)
    op.create_index(op.f("ix_calendar_feed_token"), "calendar_feed", ["token"], unique=True)
    op.create_table(
        "shared_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_shared_file_token"), "shared_file", ["token"], unique=True)
    op.create_index(op.f("ix_shared_file_person_id"), "shared_file", ["person_id"], unique=False)
    op.create_index(op.f("ix_shared_file_expires_at"), "shared_file", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("shared_file")
    op.drop_table("calendar_feed")
    op.drop_table("event_rsvp")
