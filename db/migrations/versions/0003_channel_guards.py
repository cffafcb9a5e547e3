"""Channel guards: WeChat nonces, rate counters, per-user dedupe keys, masked unanswered

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 02:00:00

- ``seen_nonces``: a signed WeChat callback's nonce, so a signature copied from a log
  cannot sign another body (rows expire with the timestamp window).
- ``rate_counts``: hits per subject and fixed window (messages per user and channel,
  web requests per address, wrong lookup codes per ticket number).
- ``inbound_receipts.key`` grows to 255 characters: WeChat keys are now FromUserName
  plus MsgId, because MsgIds of two users can collide. Receipts stored under a bare
  MsgId no longer match (they only served retries within seconds of the upgrade).
- ``unanswered.text`` is masked (ID numbers, phones) in the rows stored before masking.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.crypto import redact

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_nonces",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.String(length=20), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", "timestamp", name=op.f("pk_seen_nonces")),
    )
    op.create_index("ix_seen_nonces_expires_at", "seen_nonces", ["expires_at"], unique=False)
    op.create_table(
        "rate_counts",
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=160), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "subject", "bucket", name=op.f("pk_rate_counts")),
    )
    op.create_index("ix_rate_counts_expires_at", "rate_counts", ["expires_at"], unique=False)
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.alter_column(
            "key", existing_type=sa.String(length=160), type_=sa.String(length=255)
        )
    _mask_unanswered()


def _mask_unanswered() -> None:
    conn = op.get_bind()
    table = sa.table("unanswered", sa.column("id", sa.Integer), sa.column("text", sa.Text))
    for row_id, text in conn.execute(sa.select(table.c.id, table.c.text)).all():
        masked = redact(text or "")
        if masked != text:
            conn.execute(table.update().where(table.c.id == row_id).values(text=masked))


def downgrade() -> None:
    with op.batch_alter_table("inbound_receipts") as batch:
        batch.alter_column(
            "key", existing_type=sa.String(length=255), type_=sa.String(length=160)
        )
    op.drop_index("ix_rate_counts_expires_at", table_name="rate_counts")
    op.drop_table("rate_counts")
    op.drop_index("ix_seen_nonces_expires_at", table_name="seen_nonces")
    op.drop_table("seen_nonces")
