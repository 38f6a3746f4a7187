"""outbox: index by send and status; WhatsApp templates and when people last wrote

Revision ID: 57e8de4f80e1
Revises: 165862ef9edf
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kieubao.platform.db

revision: str = "57e8de4f80e1"
down_revision: str | None = "165862ef9edf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_last_heard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("at", kieubao.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_last_heard")),
        sa.UniqueConstraint("channel", "address", name=op.f("uq_outbox_last_heard_channel")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template", sa.JSON(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_send_id"))
        batch_op.create_index("ix_outbox_messages_send_status", ["send_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_send_status")
        batch_op.create_index(batch_op.f("ix_outbox_messages_send_id"), ["send_id"], unique=False)
        batch_op.drop_column("template")
    op.drop_table("outbox_last_heard")
