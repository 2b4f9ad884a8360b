"""trust: organisation_tenant (the workspaces and tenants each organisation
allows) and link_code (one-time codes that link two identities of a person)

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bot.store.models import UTCDateTime

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_tenant",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("organisation_id", "platform", "tenant"),
    )
    op.create_index(op.f("ix_organisation_tenant_tenant"), "organisation_tenant", ["tenant"], unique=False)
    op.create_table(
        "link_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("issued_to", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_link_code_code_hash"), "link_code", ["code_hash"], unique=True)
    op.create_index(op.f("ix_link_code_person_id"), "link_code", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_link_code_person_id"), table_name="link_code")
    op.drop_index(op.f("ix_link_code_code_hash"), table_name="link_code")
    op.drop_table("link_code")
    op.drop_index(op.f("ix_organisation_tenant_tenant"), table_name="organisation_tenant")
    op.drop_table("organisation_tenant")
