"""identity.spoke_at: when the account first wrote to the bot (names resolve
only to people who have)

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spoke_at", bot.store.models.UTCDateTime(), nullable=True))
    # Accounts that exist already: one whose person carries a name other than
    # the account's own id got it from the platform's profile, so it wrote.
    # One named only by a coordinator (a mention, a key) keeps NULL until it
    # writes. The person's creation time stands in for the first message.
    op.execute(
        "UPDATE identity SET spoke_at = (SELECT person.created_at FROM person WHERE person.id = identity.person_id)"
        " WHERE EXISTS (SELECT 1 FROM person WHERE person.id = identity.person_id"
        " AND lower(person.name) <> lower(identity.user_id) AND person.created_at IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.drop_column("spoke_at")
