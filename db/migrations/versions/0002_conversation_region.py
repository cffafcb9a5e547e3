"""conversations.region_code: the veteran's region, for region-scoped staff figures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:00:00

Existing conversations keep NULL (counted for the default region) until the
veteran's next message stores it: the state is encrypted and a migration has no key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("region_code", sa.String(length=32), nullable=True))
        batch.create_index("ix_conversations_region_code", ["region_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_region_code")
        batch.drop_column("region_code")
