"""privacy: message ids for Exit, when a profile was last used, operators' blocks, people
who blocked the bot

Revision ID: c8e1f2a3b4d6
Revises: 7a2c4e6f8d10
Create Date: 2026-12-05 24:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c8e1f2a3b4d6"
down_revision: str | None = "7a2c4e6f8d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_users_seen_at", ["seen_at"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "chat_messages",
        sa.Column("chat_key", sa.String(64), nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_key", "message_id", name="pk_chat_messages"),
    )
    op.create_index("ix_chat_messages_sent_at", "chat_messages", ["sent_at"])
    op.create_table(
        "person_blocks",
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("blocked_by", sa.String(64), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name="pk_person_blocks"),
    )


def downgrade() -> None:
    op.drop_table("person_blocks")
    op.drop_index("ix_chat_messages_sent_at", table_name="chat_messages")
    op.drop_table("chat_messages")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("left_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_seen_at")
        batch.drop_column("seen_at")
