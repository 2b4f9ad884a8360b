"""program_event.revision: how many times the event changed in a way a
calendar must take (the .ics files' SEQUENCE)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Events that exist already start at 0: the files sent so far had no SEQUENCE, which means 0.
    with op.batch_alter_table("program_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("program_event", schema=None) as batch_op:
        batch_op.drop_column("revision")
