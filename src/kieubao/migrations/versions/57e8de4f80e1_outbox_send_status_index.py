"""outbox: index by send and status, for the follow-ups of a safety check

Revision ID: 57e8de4f80e1
Revises: d26b54bda179
"""

from collections.abc import Sequence

from alembic import op

revision: str = "57e8de4f80e1"
down_revision: str | None = "d26b54bda179"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_send_id"))
        batch_op.create_index("ix_outbox_messages_send_status", ["send_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_send_status")
        batch_op.create_index(batch_op.f("ix_outbox_messages_send_id"), ["send_id"], unique=False)
