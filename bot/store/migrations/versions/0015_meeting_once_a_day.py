"""meeting (pairing_id, held_on) unique: a pair's meeting of a day is logged
once, also when both members say "we met" at the same moment on PostgreSQL
(two turns that each looked first and found none both inserted one)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A day logged twice already: the first logging stays (its length, its logger), the later ones go.
    meeting = sa.table("meeting", sa.column("id"), sa.column("pairing_id"), sa.column("held_on"))
    first = sa.select(sa.func.min(meeting.c.id)).group_by(meeting.c.pairing_id, meeting.c.held_on)
    op.get_bind().execute(sa.delete(meeting).where(meeting.c.id.not_in(first)))
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index("uq_meeting_pairing_day", ["pairing_id", "held_on"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("uq_meeting_pairing_day")
