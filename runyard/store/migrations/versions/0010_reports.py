"""Saved workspace views, reports (with their versions and read-only share links) and comments.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_saved_views_project_id", "saved_views", ["project_id"])
    op.create_table(
        "reports",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("blocks", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_reports_project_id", "reports", ["project_id"])
    op.create_table(
        "report_shares",
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "report_versions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("blocks", JSON, nullable=False),
        sa.Column("author_id", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("report_id", "version", name="uq_report_versions_version"),
    )
    op.create_table(
        "comments",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE")),
        sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE")),
        sa.Column("author_id", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_comments_report_id", "comments", ["report_id"])
    op.create_index("ix_comments_run_pk", "comments", ["run_pk"])


def downgrade() -> None:
    op.drop_index("ix_comments_run_pk", table_name="comments")
    op.drop_index("ix_comments_report_id", table_name="comments")
    op.drop_table("comments")
    op.drop_table("report_versions")
    op.drop_table("report_shares")
    op.drop_index("ix_reports_project_id", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_saved_views_project_id", table_name="saved_views")
    op.drop_table("saved_views")
