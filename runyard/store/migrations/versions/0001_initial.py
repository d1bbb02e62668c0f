"""Initial schema: entities (users/teams), API keys, projects, runs, segments, metric chunks, console, files.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_keys",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_used_at", sa.Float(), nullable=True),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False)
    op.create_table(
        "projects",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_id", "name", name="uq_projects_entity_name"),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["entities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "runs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("summary", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("summary_state", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("tags", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("flags", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("metadata", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("group_name", sa.String(length=256), nullable=True),
        sa.Column("job_type", sa.String(length=128), nullable=True),
        sa.Column("sweep_id", sa.String(length=128), nullable=True),
        sa.Column("host", sa.String(length=256), nullable=True),
        sa.Column("program", sa.Text(), nullable=True),
        sa.Column("sdk", sa.String(length=64), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("runtime", sa.Float(), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("history_points", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["entities.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "run_id", name="uq_runs_project_run"),
    )
    op.create_index("ix_runs_project_created", "runs", ["project_id", "created_at"], unique=False)
    op.create_table(
        "console_lines",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("gseq", sa.BigInteger(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("stream", sa.SmallInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_run_gseq", "console_lines", ["run_pk", "gseq"], unique=False)
    op.create_table(
        "metric_keys",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("next_chunk_no", sa.Integer(), nullable=False),
        sa.Column("open_chunk_id", sa.BigInteger(), nullable=True),
        sa.Column("open_n", sa.Integer(), nullable=False),
        sa.Column("open_any_chunk_id", sa.BigInteger(), nullable=True),
        sa.Column("open_any_n", sa.Integer(), nullable=False),
        sa.Column("step_min", sa.BigInteger(), nullable=True),
        sa.Column("step_max", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_pk", "kind", "key", name="uq_metric_keys_run_kind_key"),
    )
    op.create_table(
        "run_files",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_pk", "path", name="uq_files_run_path"),
    )
    op.create_table(
        "run_segments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("segment", sa.String(length=64), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("acked_offset", sa.BigInteger(), nullable=False),
        sa.Column("starting_step", sa.BigInteger(), nullable=False),
        sa.Column("resumed", sa.Boolean(), nullable=False),
        sa.Column("start_time", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_pk", "segment", name="uq_segments_run_segment"),
    )
    op.create_table(
        "metric_chunks",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chunk_no", sa.Integer(), nullable=False),
        sa.Column("numeric", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("step_min", sa.BigInteger(), nullable=False),
        sa.Column("step_max", sa.BigInteger(), nullable=False),
        sa.Column("ts_min", sa.Float(), nullable=False),
        sa.Column("ts_max", sa.Float(), nullable=False),
        sa.Column("v_min", sa.Float(), nullable=True),
        sa.Column("v_max", sa.Float(), nullable=True),
        sa.Column("v_sum", sa.Float(), nullable=True),
        sa.Column("v_count", sa.Integer(), nullable=True),
        sa.Column("v_last", sa.Float(), nullable=True),
        sa.Column("steps", sa.LargeBinary(), nullable=False),
        sa.Column("vals", sa.LargeBinary(), nullable=False),
        sa.Column("aux", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["metric_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_id", "chunk_no", name="uq_chunks_key_no"),
    )
    op.create_index("ix_chunks_key_steps", "metric_chunks", ["key_id", "step_min", "step_max"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_chunks_key_steps", table_name="metric_chunks")
    op.drop_table("metric_chunks")
    op.drop_table("run_segments")
    op.drop_table("run_files")
    op.drop_table("metric_keys")
    op.drop_index("ix_console_run_gseq", table_name="console_lines")
    op.drop_table("console_lines")
    op.drop_index("ix_runs_project_created", table_name="runs")
    op.drop_table("runs")
    op.drop_table("team_members")
    op.drop_table("projects")
    op.drop_index(op.f("ix_api_keys_user_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("entities")
