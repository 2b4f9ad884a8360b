"""person.started_locale: the language a person began in (their first
intake's), which a later change of the program's language does not flip

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("started_locale", sa.String(), nullable=True))
    # Those who have begun an intake keep the language it was asked in.
    bind = op.get_bind()
    dialog = sa.table("dialog_state", sa.column("id"), sa.column("person_id"), sa.column("data", sa.JSON()))
    person = sa.table("person", sa.column("id"), sa.column("started_locale"))
    first: dict[int, str] = {}
    for person_id, data in bind.execute(sa.select(dialog.c.person_id, dialog.c.data).order_by(dialog.c.id)):
        locale = (data or {}).get("locale") if isinstance(data, dict) else None
        if locale in ("sv", "en") and person_id not in first:
            first[person_id] = locale
    # A finished intake keeps no language: it was the program's (they had none of their own).
    enrollment = sa.table(
        "enrollment", sa.column("id"), sa.column("person_id"), sa.column("program_id"), sa.column("status")
    )
    program = sa.table("program", sa.column("id"), sa.column("locale"))
    begun = (
        sa.select(enrollment.c.person_id, program.c.locale)
        .join(program, program.c.id == enrollment.c.program_id)
        .where(enrollment.c.status.in_(("onboarding", "pending", "active")))
        .order_by(enrollment.c.id)
    )
    for person_id, locale in bind.execute(begun):
        if locale in ("sv", "en") and person_id not in first:
            first[person_id] = locale
    for person_id, locale in first.items():
        bind.execute(sa.update(person).where(person.c.id == person_id).values(started_locale=locale))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("started_locale")
