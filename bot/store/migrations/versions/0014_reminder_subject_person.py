"""reminder (subject, person_id): one person's rows of one event or survey
are found by an index seek, not by reading every participant's rows of it

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The new index begins with `subject`: it serves every lookup the old one did.
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_subject_person", ["subject", "person_id"], unique=False)
        batch_op.drop_index("ix_reminder_subject")


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_subject", ["subject"], unique=False)
        batch_op.drop_index("ix_reminder_subject_person")
