"""Teams: viewer role, project visibility, key scopes, passwords, browser sessions, one-time links
(password setup/reset, invitations) and the audit log.

Existing data keeps its meaning: team members keep their role ("admin" for the team's creator,
"member" for the others, as recorded before), projects become "team" (visible to their team, as
before), keys become read-write and unlimited (as before), users have no password until they set one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("entities") as b:
        b.add_column(sa.Column("password_hash", sa.String(length=256), nullable=True))
    with op.batch_alter_table("projects") as b:
        b.add_column(sa.Column("visibility", sa.String(length=8), nullable=False, server_default="team"))
    with op.batch_alter_table("api_keys") as b:
        b.add_column(sa.Column("scope", sa.String(length=8), nullable=False, server_default="write"))
        b.add_column(sa.Column("entity_id", ID, nullable=True))
        b.create_foreign_key("fk_api_keys_entity", "entities", ["entity_id"], ["id"], ondelete="CASCADE")
    op.create_table(
        "sessions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_seen_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ip", sa.String(length=64)),
        sa.Column("user_agent", sa.String(length=256)),
        sa.Column("revoked_at", sa.Float()),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "one_time_links",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE")),
        sa.Column("team_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE")),
        sa.Column("role", sa.String(length=16)),
        sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_at", sa.Float()),
        sa.Column("used_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("revoked_at", sa.Float()),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor_id", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=1024), nullable=False),
        sa.Column("detail", JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("one_time_links")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("api_keys") as b:
        b.drop_constraint("fk_api_keys_entity", type_="foreignkey")
        b.drop_column("entity_id")
        b.drop_column("scope")
    with op.batch_alter_table("projects") as b:
        b.drop_column("visibility")
    with op.batch_alter_table("entities") as b:
        b.drop_column("password_hash")
