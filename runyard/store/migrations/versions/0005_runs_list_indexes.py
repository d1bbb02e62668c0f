"""Runs list: an index per indexed sort (created, name, state), each ending in the run id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_runs_project_created", table_name="runs")
    op.create_index("ix_runs_project_created", "runs", ["project_id", "created_at", "id"])
    op.create_index("ix_runs_project_name", "runs", ["project_id", "name", "id"])
    op.create_index("ix_runs_project_state", "runs", ["project_id", "state", "id"])


def downgrade() -> None:
    op.drop_index("ix_runs_project_state", table_name="runs")
    op.drop_index("ix_runs_project_name", table_name="runs")
    op.drop_index("ix_runs_project_created", table_name="runs")
    op.create_index("ix_runs_project_created", "runs", ["project_id", "created_at"])
