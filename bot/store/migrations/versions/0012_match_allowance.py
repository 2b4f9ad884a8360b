"""match_allowance: a coordinator's "these two may be paired again"
(`match unexclude` on a pair that has been one before)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_allowance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("adept_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=True),
        sa.Column("created_at", bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["adept_id"], ["enrollment.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["enrollment.id"]),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "adept_id", "mentor_id"),
    )
    op.create_index(op.f("ix_match_allowance_program_id"), "match_allowance", ["program_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_match_allowance_program_id"), table_name="match_allowance")
    op.drop_table("match_allowance")
