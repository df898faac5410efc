"""processed updates: handle an update delivered twice only once

Revision ID: 5e1d7c9a0b3f
Revises: 2cd27a50d575
Create Date: 2026-11-23 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1d7c9a0b3f"
down_revision: str | None = "2cd27a50d575"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index(
        op.f("ix_processed_updates_seen_at"), "processed_updates", ["seen_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_updates_seen_at"), table_name="processed_updates")
    op.drop_table("processed_updates")
