"""lifecycle: the coordinator's chosen program, program close and cohorts, pair goals and checks

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinating_program_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_person_coordinating_program", "program", ["coordinating_program_id"], ["id"])
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", bot.store.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_program_previous", "program", ["previous_id"], ["id"])
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goals", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("checks", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_column("checks")
        batch_op.drop_column("goals")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_constraint("fk_program_previous", type_="foreignkey")
        batch_op.drop_column("previous_id")
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint("fk_person_coordinating_program", type_="foreignkey")
        batch_op.drop_column("coordinating_program_id")
