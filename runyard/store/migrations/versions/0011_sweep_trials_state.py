"""sweep_trials: an index on (sweep, state), so an agent's next assignment reads only the sweep's
unfinished trials instead of all of them (store/sweeps.py `next`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sweep_trials_state", "sweep_trials", ["sweep_pk", "state"])


def downgrade() -> None:
    op.drop_index("ix_sweep_trials_state", table_name="sweep_trials")
