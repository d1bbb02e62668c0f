"""A report's share link shows the report live (the UI, reading through the link's grant), so the
static page it used to serve is no longer kept. Existing links stay valid and now show the live report.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_shares") as b:
        b.drop_column("html")


def downgrade() -> None:
    with op.batch_alter_table("report_shares") as b:
        b.add_column(sa.Column("html", sa.Text(), nullable=False, server_default=""))
