"""Aliases of versions ("latest", "production"), as artifact collections (`artifact_aliases`) and
registry collections (`registry_aliases`) keep them: tables of one shape (collection_id, version_id,
alias), where an alias names one version of its collection and assigning it again moves it. The rules
both follow, given the table."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .errors import StoreError

ALIAS_RE = re.compile(r"^[^/\\:#?%\x00-\x1f]{1,128}$")
VERSION_RE = re.compile(r"^v([0-9]{1,18})$")  # within int64
LATEST = "latest"


def check_alias(alias: Any) -> str:
    if not isinstance(alias, str) or not ALIAS_RE.match(alias) or VERSION_RE.match(alias):
        raise StoreError(
            "bad_value",
            f"alias {alias!r} must be 1-128 characters without / \\ : # ? % and not look like vN",
        )
    return alias


def version_index(ref: str) -> int | None:
    """N when `ref` is "vN" (a version's number, not an alias)."""
    m = VERSION_RE.match(ref)
    return int(m.group(1)) if m else None


def of_versions(conn: Connection, table: sa.Table, version_ids: list[int]) -> dict[int, list[str]]:
    """version id -> its aliases, sorted (an empty list for a version without any)."""
    out: dict[int, list[str]] = {v: [] for v in version_ids}
    if not version_ids:
        return out
    q = (
        sa.select(table.c.version_id, table.c.alias)
        .where(table.c.version_id.in_(version_ids))
        .order_by(table.c.alias)
    )
    for vid, alias in conn.execute(q):
        out[vid].append(alias)
    return out


def move(conn: Connection, table: sa.Table, collection_id: int, version_id: int, alias: str) -> None:
    """Point `alias` at `version_id`, taking it from whichever version of the collection had it."""
    conn.execute(sa.delete(table).where(table.c.collection_id == collection_id, table.c.alias == alias))
    conn.execute(sa.insert(table).values(collection_id=collection_id, version_id=version_id, alias=alias))


def remove(conn: Connection, table: sa.Table, version_id: int, alias: str) -> bool:
    """Take `alias` off `version_id`; False when that version did not have it."""
    gone = conn.execute(sa.delete(table).where(table.c.version_id == version_id, table.c.alias == alias))
    return bool(gone.rowcount)


def named(query: sa.Select, table: sa.Table, version_id: Any, alias: str) -> sa.Select:
    """`query` (over versions whose id is the column `version_id`) kept to the one `alias` names."""
    return query.join(table, table.c.version_id == version_id).where(table.c.alias == alias)
