"""Curated KB versions in the database; each bot reply records the KB version it used

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 02:00:00

kb_edits gains the topic file and the kind of edit, so the newest version of each
entry can be laid over the YAML seed files on every host; messages.kb_version says
which KB answered ("why did the bot tell my father X on 3 March").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_edits") as batch:
        batch.add_column(sa.Column("file", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("action", sa.String(length=32), nullable=False, server_default="")
        )
        batch.create_index("ix_kb_edits_entry_id", ["entry_id"], unique=False)
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("kb_version", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("kb_version")
    with op.batch_alter_table("kb_edits") as batch:
        batch.drop_index("ix_kb_edits_entry_id")
        batch.drop_column("action")
        batch.drop_column("file")
