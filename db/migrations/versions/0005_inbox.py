"""inbox: every channel message is stored before it is acknowledged; token refresh claims

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 10:00:00

``inbox`` holds each inbound channel message (keyed by channel + dedupe key) from the
moment it arrives until the transaction that handled it marks it done, so a restarted
server finishes what was received. ``api_tokens.refreshing_until`` lets one process
fetch a new access token without holding a database transaction during the HTTP call.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "key", name=op.f("uq_inbox_channel")),
    )
    op.create_index("ix_inbox_due", "inbox", ["status", "lease_until"], unique=False)
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("refreshing_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("refreshing_until")
    op.drop_index("ix_inbox_due", table_name="inbox")
    op.drop_table("inbox")
