"""The access policy: who may read, write or administer what. Every path asks it (REST routes, ingest,
GraphQL resolvers, file_stream, live streams, signed URLs, lineage and blob references); the store
only answers questions of fact (who is a member of what, which artifact holds which blob).

A principal is the `User` a request authenticated as: by API key (`key_id` names the key, `scope`
and `scope_entity` what it may do), by browser session (`session_id`), or the anonymous viewer
(`anonymous`, only where the server lets anonymous viewers read public projects). An action is READ,
WRITE or ADMIN on an entity (a user or a team) and its projects. The rules, all here:

- The server admin may do anything; a user may do anything in its own entity.
- In a team, the role decides: `admin` may do anything, `member` may read and write, `viewer` read.
- A project's visibility refines READ: `private` projects are read only by their entity's admins
  and members (not viewers), `team` projects (the default) by every member of the entity,
  `public` projects also by any signed-in user and, where allowed, by anonymous viewers.
- A key's scope caps the rest: a "read" key only reads; a key limited to one entity acts nowhere else.
- A report's share link (`User.share`) reads that report (`shared_report`) and the projects its
  blocks show now (their runs, metrics, files, artifacts and live stream), nothing else: no other
  report, view, comment or entity-wide list. A rule that knows no project refuses it.

Refusals are `ApiError`s: an entity, project or run that does not exist answers 404, one that exists
but is not the caller's 403 (names are not secret between users of one server; contents are).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..store import Store, User
from ..store.ingest import Decoded
from ..store.ingest import Result as IngestResult
from ..store.tables import entities, projects, team_members
from ..wire.names import valid_entity_name
from ..wire.records import RT
from .errors import ApiError

READ, WRITE, ADMIN = "read", "write", "admin"
SHARE_HEADER = "X-Runyard-Share"  # a share link's token: the UI of the link sends it on every call
ACTIONS = (READ, WRITE, ADMIN)
VISIBILITIES = ("private", "team", "public")
ROLE_ACTIONS = {"admin": {READ, WRITE, ADMIN}, "member": {READ, WRITE}, "viewer": {READ}}
PRIVATE_READERS = ("admin", "member")


def _scope_allows(principal: User, action: str, entity_id: int | None) -> bool:
    if principal.scope == "read" and action != READ:
        return False
    return principal.scope_entity is None or principal.scope_entity == entity_id


def _roles(conn: Connection, principal: User) -> dict[int, str]:
    """entity id -> the principal's role there ("admin" in its own entity)."""
    if principal.anonymous:
        return {}
    q = sa.select(team_members.c.team_id, team_members.c.role).where(team_members.c.user_id == principal.id)
    return {principal.id: "admin", **{r.team_id: r.role for r in conn.execute(q)}}


def _role(conn: Connection, principal: User, entity_id: int) -> str | None:
    if principal.anonymous:
        return None
    if principal.id == entity_id:
        return "admin"
    q = sa.select(team_members.c.role).where(
        team_members.c.team_id == entity_id, team_members.c.user_id == principal.id
    )
    return conn.execute(q).scalar()


def _role_allows(principal: User, role: str | None, action: str, visibility: str | None) -> bool:
    if principal.is_admin:
        return True
    if role is not None and action in ROLE_ACTIONS.get(role, ()):
        return visibility != "private" or role in PRIVATE_READERS
    return action == READ and visibility == "public"  # signed in, or anonymous where the server allows


def allows(
    conn: Connection,
    principal: User,
    action: str,
    entity_id: int,
    visibility: str | None = None,
    project_id: int | None = None,
) -> bool:
    """May `principal` do `action` on entity `entity_id`, or on its project of `visibility` (and id
    `project_id`) when given (without one, READ means reading what the entity holds outside any
    project)?"""
    assert action in ACTIONS, action
    if principal.share is not None:
        return action == READ and project_id in principal.share.project_ids
    if not _scope_allows(principal, action, entity_id):
        return False
    return _role_allows(
        principal, None if principal.is_admin else _role(conn, principal, entity_id), action, visibility
    )


def entity_ids(conn: Connection, principal: User, action: str = READ) -> list[int] | None:
    """The entities on which `principal` may do `action` whatever a project's visibility (None: all
    of them, for the server admin)."""
    if principal.share is not None:
        return []
    if principal.is_admin:
        if not _scope_allows(principal, action, principal.scope_entity):  # a read key asked to write
            return []
        return None if principal.scope_entity is None else [principal.scope_entity]
    return [
        e
        for e, role in _roles(conn, principal).items()
        if action in ROLE_ACTIONS.get(role, ()) and _scope_allows(principal, action, e)
    ]


def readable_projects(conn: Connection, principal: User) -> sa.ColumnElement[bool] | None:
    """A condition on `projects` rows: those `principal` may read (None: every project)."""
    if principal.share is not None:
        return projects.c.id.in_(sorted(principal.share.project_ids))
    if principal.is_admin and principal.scope_entity is None:
        return None
    roles = {e: r for e, r in _roles(conn, principal).items() if _scope_allows(principal, READ, e)}
    if principal.is_admin:  # limited to one entity
        return projects.c.entity_id == principal.scope_entity
    full = [e for e, r in roles.items() if r in PRIVATE_READERS]
    viewer = [e for e, r in roles.items() if r not in PRIVATE_READERS]
    conds: list[sa.ColumnElement[bool]] = [
        projects.c.entity_id.in_(full),
        sa.and_(projects.c.entity_id.in_(viewer), projects.c.visibility != "private"),
    ]
    public = projects.c.visibility == "public"
    if principal.scope_entity is not None:
        public = sa.and_(public, projects.c.entity_id == principal.scope_entity)
    conds.append(public)
    return sa.or_(*conds)


def current(conn: Connection, store: Store, principal: User) -> User | None:
    """The principal as it stands now (None once its key or session was revoked): long-lived
    requests (live streams) re-check with it."""
    if principal.share is not None:  # the link's grant as it is now (the report's blocks may change)
        grant = store.reports.share_grant(conn, principal.share.token_hash)
        return None if grant is None else dataclasses.replace(principal, share=grant)
    if principal.anonymous:
        return principal
    if principal.key_id is not None:
        return store.entities.user_for_key_id(conn, principal.key_id)
    if principal.session_id is not None and store.sessions.alive(conn, principal.session_id):
        return store.entities.user_by_id(conn, principal.id)
    return None


def readable(conn: Connection, store: Store, principal: User) -> Callable[[str], bool]:
    """A predicate on "entity" or "entity/project" names (cached for one request): may `principal`
    read that entity, or that project?"""
    seen: dict[str, bool] = {}

    def check(name: str) -> bool:
        if name not in seen:
            e, _, p = name.partition("/")
            ent = store.entities.get(conn, e)
            row = store.projects.get(conn, ent.id, p) if ent is not None and p else None
            seen[name] = ent is not None and allows(
                conn,
                principal,
                READ,
                ent.id,
                row.visibility if row is not None else None,
                row.id if row is not None else None,
            )
        return seen[name]

    return check


def _share_only() -> ApiError:
    return ApiError(403, "forbidden", "a share link reads only the report it shows and its data")


def _denied(principal: User, action: str, entity: str) -> ApiError:
    verb = "has no access to" if action == READ else f"cannot {action}"
    return ApiError(403, "forbidden", f"user {principal.name!r} {verb} entity {entity!r}")


def entity_id(conn: Connection, store: Store, principal: User, entity: str, action: str = READ) -> int:
    ent = store.entities.get(conn, entity)
    if ent is None:
        raise ApiError(404, "unknown_entity", f"entity {entity!r} does not exist")
    if not allows(conn, principal, action, ent.id):
        raise _denied(principal, action, entity)
    return int(ent.id)


def may_create(principal: User, entity: str) -> bool:
    """A missing entity is created on first write by the server admin (any name, as a team) or by the
    user it is named after (which exists already; kept for stores where it was deleted)."""
    return principal.is_admin or entity == principal.name


def writable_entity(conn: Connection, store: Store, principal: User, entity: str) -> int:
    """The entity to write to, created (as a team the principal administers) on first write."""
    ent = store.entities.get(conn, entity)
    if ent is not None:
        if not allows(conn, principal, WRITE, ent.id):
            raise _denied(principal, WRITE, entity)
        return int(ent.id)
    if not may_create(principal, entity):
        raise ApiError(404, "unknown_entity", f"entity {entity!r} does not exist")
    if not valid_entity_name(entity):
        raise ApiError(400, "bad_name", f"invalid entity name {entity!r}")
    return store.entities.get_or_create_team(conn, entity, principal)


def check_writable(conn: Connection, store: Store, principal: User, entity: str) -> None:
    """`writable_entity` without creating anything (a check before the write transaction)."""
    ent = store.entities.get(conn, entity)
    if ent is None:
        if not may_create(principal, entity):
            raise ApiError(404, "unknown_entity", f"entity {entity!r} does not exist")
        if not valid_entity_name(entity):
            raise ApiError(400, "bad_name", f"invalid entity name {entity!r}")
    elif not allows(conn, principal, WRITE, ent.id):
        raise _denied(principal, WRITE, entity)


def writable_project(conn: Connection, store: Store, principal: User, entity: str, project: str) -> int:
    return store.projects.get_or_create(conn, writable_entity(conn, store, principal, entity), project)


def project(
    conn: Connection, store: Store, principal: User, entity: str, project: str, action: str = READ
) -> sa.Row:
    """The project row (id, entity_id, visibility, ...) once `principal` may do `action` on it."""
    ent = store.entities.get(conn, entity)
    if ent is None:
        raise ApiError(404, "unknown_entity", f"entity {entity!r} does not exist")
    row = store.projects.get(conn, ent.id, project)
    if row is None:
        if not allows(conn, principal, action, ent.id):
            raise _denied(principal, action, entity)
        raise ApiError(404, "unknown_project", f"project {entity}/{project} does not exist")
    if not allows(conn, principal, action, ent.id, row.visibility, row.id):
        raise _denied(principal, action, f"{entity}/{project}")
    return row


def project_id(
    conn: Connection, store: Store, principal: User, entity: str, project_name: str, action: str = READ
) -> int:
    return int(project(conn, store, principal, entity, project_name, action).id)


def project_or_entity(conn: Connection, store: Store, principal: User, entity: str, name: str) -> None:
    """READ on a project, or on its entity while the project does not exist yet (a live stream that
    waits for the first run of a new project)."""
    ent = store.entities.get(conn, entity)
    row = store.projects.get(conn, ent.id, name) if ent is not None else None
    if row is None:
        entity_id(conn, store, principal, entity, READ)
    elif not allows(conn, principal, READ, row.entity_id, row.visibility, row.id):
        raise _denied(principal, READ, f"{entity}/{name}")


def run(
    conn: Connection,
    store: Store,
    principal: User,
    entity: str,
    project: str,
    run_id: str,
    action: str = READ,
) -> sa.Row:
    loc = store.runs.locate(conn, entity, project, run_id)
    if loc is None:
        raise ApiError(404, "unknown_run", f"run {entity}/{project}/{run_id} does not exist")
    if not allows(conn, principal, action, loc.entity_id, loc.visibility, loc.project_id):
        raise _denied(principal, action, f"{entity}/{project}")
    return loc


def sweep(
    conn: Connection,
    store: Store,
    principal: User,
    entity: str,
    project_name: str,
    sweep_id: str,
    action: str = READ,
    lock: bool = False,
) -> sa.Row:
    """The sweep's row (`Sweeps.locate`) once `principal` may do `action` on its project; a missing
    sweep is told apart from a missing or forbidden project as `project` does."""
    row = store.sweeps.locate(conn, entity, project_name, sweep_id, lock=lock)
    if row is None:
        project(conn, store, principal, entity, project_name, action)
        raise ApiError(404, "unknown_sweep", f"sweep {entity}/{project_name}/{sweep_id} does not exist")
    if not allows(conn, principal, action, row.entity_id, row.visibility, row.project_id):
        raise _denied(principal, action, f"{entity}/{project_name}")
    return row


# -- saved views, reports, comments (they follow their project) ---------------------------------------
def _in_project(conn: Connection, store: Store, principal: User, project_id: int, action: str) -> sa.Row:
    proj = store.projects.by_id(conn, project_id)
    assert proj is not None  # the view or report's foreign key
    if principal.share is not None:  # a share link reads its report through `shared_report` only
        raise _share_only()
    if not allows(conn, principal, action, proj.entity_id, proj.visibility):
        raise _denied(principal, action, f"{proj.entity}/{proj.project}")
    return proj


def documents_of(conn: Connection, store: Store, principal: User, entity: str, project_name: str) -> int:
    """The id of a project whose saved views and reports `principal` may list: its readers', not a
    share link's (it shows its report's data, not the project's other documents)."""
    if principal.share is not None:
        raise _share_only()
    return project_id(conn, store, principal, entity, project_name)


def view(conn: Connection, store: Store, principal: User, view_id: int, action: str = READ) -> sa.Row:
    """A saved view once `principal` may do `action` on it: a shared view is the project's (members
    change it, readers read it); a personal view only its owner sees, and changes with read access."""
    row = store.views.get(conn, view_id)
    if row is None or (not row.shared and row.owner_id != principal.id):
        raise ApiError(404, "unknown_view", f"view {view_id} does not exist")
    _in_project(conn, store, principal, row.project_id, action if row.shared else READ)
    return row


def report(
    conn: Connection, store: Store, principal: User, report_id: int, action: str = READ
) -> tuple[sa.Row, sa.Row]:
    """A report and its project (entity, project, visibility) once `principal` may do `action` on it:
    readers of the project read it, members edit it."""
    row = store.reports.get(conn, report_id)
    if row is None:
        raise ApiError(404, "unknown_report", f"report {report_id} does not exist")
    return row, _in_project(conn, store, principal, row.project_id, action)


def shared_report(conn: Connection, store: Store, principal: User) -> tuple[sa.Row, sa.Row]:
    """The report a share link shows, and its project (to a share link's viewer only)."""
    if principal.share is None:
        raise ApiError(400, "not_a_share_link", f"send the share link's token in {SHARE_HEADER}")
    row = store.reports.get(conn, principal.share.report_id)
    proj = store.projects.by_id(conn, row.project_id) if row is not None else None
    if row is None or proj is None:
        raise ApiError(404, "unknown_share", "this share link does not exist or was revoked")
    return row, proj


def run_comments(principal: User) -> None:
    """Comments are the team's discussion: a share link shows the report and its data, not them."""
    if principal.share is not None:
        raise _share_only()


def delete_comment(conn: Connection, store: Store, principal: User, comment_id: int) -> None:
    """Its author deletes a comment (while still a reader of its project), or an admin of the project."""
    row = store.comments.get(conn, comment_id)
    if row is None:
        raise ApiError(404, "unknown_comment", f"comment {comment_id} does not exist")
    project_id = store.comments.project_id(conn, row)
    action = READ if row.author_id == principal.id and not principal.anonymous else ADMIN
    _in_project(conn, store, principal, project_id, action)
    store.comments.delete(conn, comment_id)


def visible_entities(conn: Connection, principal: User) -> list[dict]:
    q = sa.select(entities.c.id, entities.c.name, entities.c.kind)
    ids = entity_ids(conn, principal, READ)
    if ids is not None:
        q = q.where(entities.c.id.in_(ids))
    return [dict(r._mapping) for r in conn.execute(q.order_by(entities.c.name))]


# -- the model registry ----------------------------------------------------------------------------
def registry(
    conn: Connection, store: Store, principal: User, entity: str, name: str, action: str = READ
) -> sa.Row:
    """A registry of `entity` once `principal` may do `action` on the entity (READ: its members and
    viewers; WRITE: those who may write there). A registry holds links, never files: a linked
    version's content and lineage stay under its own project's rules (`readable`)."""
    row = store.registries.get(conn, entity_id(conn, store, principal, entity, action), name)
    if row is None:
        raise ApiError(404, "unknown_registry", f"registry {entity}/{name} does not exist")
    return row


def writable_registry(conn: Connection, store: Store, principal: User, entity: str, name: str) -> sa.Row:
    """The registry to link into, created on first link by someone who may write the entity."""
    return store.registries.get_or_create(
        conn, entity_id(conn, store, principal, entity, WRITE), name, principal
    )


# -- lineage ------------------------------------------------------------------------------------------
def require_links(
    conn: Connection, store: Store, principal: User, where: tuple[str, str], links: Iterable[tuple[str, dict]]
) -> None:
    """A run of `where` (entity, project) that records artifact links: using ("input") an artifact of
    another entity needs READ there, logging ("output") one into another entity needs WRITE there.
    Otherwise a run could read another tenant's artifact metadata through its lineage, or appear in it."""
    for kind, body in links:
        entity = str(body.get("entity") or where[0])
        if entity == where[0]:
            continue
        if kind == "input":
            entity_id(conn, store, principal, entity, READ)
        else:
            check_writable(conn, store, principal, entity)


def apply_run_log(
    conn: Connection,
    store: Store,
    principal: User,
    entity: str,
    project: str,
    run_id: str,
    segment: str,
    dec: Decoded,
    live: bool = False,
) -> IngestResult:
    """The one write path of run logs (REST ingest and the wandb layer): checked, then applied."""
    writable_entity(conn, store, principal, entity)
    links = [
        ("output" if f.type == RT.ARTIFACT else "input", f.body)
        for f in dec.frames
        if f.type in (RT.ARTIFACT, RT.USE_ARTIFACT) and isinstance(f.body, dict)
    ]
    require_links(conn, store, principal, (entity, project), links)
    res = store.ingest.apply(conn, principal, entity, project, run_id, segment, dec, live)
    if res.created:
        store.audit.record(conn, principal, "run.create", f"{entity}/{project}/{run_id}")
    return res


# -- blobs --------------------------------------------------------------------------------------------
def usable_blobs(conn: Connection, store: Store, principal: User, shas: Iterable[str]) -> set[str]:
    """Those of `shas` that `principal` may name in a manifest (and be told exist): blobs it uploaded
    into an entity it can write, or that an artifact or run file it can read already holds. Holding a
    hash is not holding the bytes; uploading them is the proof."""
    return store.blob_refs.usable(
        conn, list(shas), entity_ids(conn, principal, WRITE), entity_ids(conn, principal, READ)
    )
