"""Reports: `/api/v1/projects/{entity}/{project}/reports` (list, create), `/api/v1/reports/{id}` (get,
edit with a version check, delete), its versions (list, read, restore), comments on reports and runs,
and the read-only share link (`/api/v1/reports/{id}/share`: the UI's page `/shared/{token}` shows the
report live, reading `/api/v1/share` and the data of the projects the report shows with the token in
`X-Runyard-Share`, `access.shared_report`). A report follows its project (`access.report`): readers
read it, members edit it and comment. The blocks: wire/report_blocks.py."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...wire import api_models as m
from ...wire.report_blocks import Block, as_json, problem
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, dumps, id_param, name_param, read, run_names, signed_in, store, user, write
from .views import room


def _doc(conn: Any, request: Request, row: sa.Row, where: sa.Row, can_edit: bool) -> dict:
    names = store(request).reports.names(conn, [row.created_by, row.updated_by])
    return {
        "id": row.id,
        "entity": where.entity,
        "project": where.project,
        "title": row.title,
        "blocks": row.blocks,
        "version": row.version,
        "created_at": row.created_at,
        "created_by": names.get(row.created_by),
        "updated_at": row.updated_at,
        "updated_by": names.get(row.updated_by),
        "shared_since": store(request).reports.shared_since(conn, row.id),
        "can_edit": can_edit,
    }


def _can_edit(conn: Any, request: Request, where: sa.Row) -> bool:
    return access.allows(conn, user(request), access.WRITE, where.entity_id, where.visibility)


def _blocks(request: Request, blocks: list[Block]) -> list[dict]:
    """The blocks of a body (their shapes checked by its model) bounded, as the JSON to store."""
    cfg = request.app.state.config
    if why := problem(blocks, cfg.max_report_blocks):
        raise ApiError(422, "bad_block", why, field="blocks")
    doc = as_json(blocks)
    if len(dumps(doc)) > cfg.max_report_bytes:
        raise ApiError(
            413, "report_too_large", f"a report's blocks are at most {cfg.max_report_bytes} bytes of JSON"
        )
    return doc


@endpoint("list reports", answer=m.Reports)
async def list_reports(request: Request) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        pid = access.documents_of(conn, repos, caller, entity, project)
        return [dict(row._mapping) for row in repos.reports.in_project(conn, pid)]

    return JSON({"reports": await read(request, in_txn)})


@endpoint("create report", body=m.NewReport, answer=m.Report, status=201)
async def create_report(request: Request, new: m.NewReport) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    caller = signed_in(request)
    title, blocks = new.title.strip(), _blocks(request, new.blocks)
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        pid = access.project_id(conn, repos, caller, entity, project, access.WRITE)
        room(request, repos.reports.count(conn, pid), "reports per project")
        rid = repos.reports.create(conn, pid, title, blocks, caller.id)
        repos.audit.record(conn, caller, "report.create", f"{entity}/{project}", report=rid)
        row, where = access.report(conn, repos, caller, rid, access.WRITE)
        return _doc(conn, request, row, where, True)

    return JSON(await write(request, in_txn), status_code=201)


@endpoint("get report", answer=m.Report)
async def get_report(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        row, where = access.report(conn, repos, caller, rid)
        return _doc(conn, request, row, where, _can_edit(conn, request, where))

    return JSON(await read(request, in_txn))


def _conflict(conn: Any, request: Request, row: sa.Row, where: sa.Row, base: int) -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        f"the report was saved by someone else (version {row.version}) since version {base} you edited",
        current=_doc(conn, request, row, where, True),
    )


@endpoint("patch report", body=m.ReportEdit, answer=m.Report)
async def patch_report(request: Request, edit: m.ReportEdit) -> Response:
    """Saved as version+1 unless another edit saved first (409 `version_conflict`, with the current
    report in `error.current`)."""
    rid = id_param(request, "report_id", "report")
    caller = signed_in(request)
    title = edit.title.strip() if isinstance(edit.title, str) else None
    blocks = _blocks(request, edit.blocks) if isinstance(edit.blocks, list) else None
    repos, keep = store(request), request.app.state.config.max_report_versions

    def in_txn(conn: Any) -> dict:
        row, where = access.report(conn, repos, caller, rid, access.WRITE)
        ok, new = repos.reports.save(
            conn,
            rid,
            edit.version,
            title or row.title,
            row.blocks if blocks is None else blocks,
            caller.id,
            keep,
        )
        if not ok:
            raise _conflict(conn, request, new, where, edit.version)
        return _doc(conn, request, new, where, True)

    return _saved(request, await write(request, in_txn))


def _saved(request: Request, doc: dict) -> Response:
    """A saved report: when it is shared, its link reads what the new blocks show from now on."""
    if doc["shared_since"] is not None:
        _forget_shares(request)
    return JSON(doc)


@endpoint("delete report", answer=m.DeletedId)
async def delete_report(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> None:
        _, where = access.report(conn, repos, caller, rid, access.WRITE)
        repos.reports.delete(conn, rid)
        repos.audit.record(conn, caller, "report.delete", f"{where.entity}/{where.project}", report=rid)

    await write(request, in_txn)
    return JSON({"deleted": rid})


@endpoint("list versions", answer=m.ReportVersions)
async def list_versions(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        access.report(conn, repos, caller, rid)
        return repos.reports.versions(conn, rid)

    return JSON({"versions": await read(request, in_txn)})


@endpoint("get version", answer=m.ReportContent)
async def get_version(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    version = id_param(request, "version", "version")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        access.report(conn, repos, caller, rid)
        row = repos.reports.version(conn, rid, version)
        if row is None:
            raise ApiError(
                404, "unknown_version", f"report {rid} has no version {version} (or it was dropped)"
            )
        return {
            "version": row.version,
            "title": row.title,
            "blocks": row.blocks,
            "created_at": row.created_at,
        }

    return JSON(await read(request, in_txn))


@endpoint("restore version", body=m.ReportRestore, answer=m.Report)
async def restore_version(request: Request, restore: m.ReportRestore) -> Response:
    """The content of an older version saved as a new one, with the same check as an edit."""
    rid = id_param(request, "report_id", "report")
    version = id_param(request, "version", "version")
    caller = signed_in(request)
    base = restore.version
    repos, keep = store(request), request.app.state.config.max_report_versions

    def in_txn(conn: Any) -> dict:
        _, where = access.report(conn, repos, caller, rid, access.WRITE)
        old = repos.reports.version(conn, rid, version)
        if old is None:
            raise ApiError(
                404, "unknown_version", f"report {rid} has no version {version} (or it was dropped)"
            )
        ok, new = repos.reports.save(conn, rid, base, old.title, old.blocks, caller.id, keep)
        if not ok:
            raise _conflict(conn, request, new, where, base)
        return _doc(conn, request, new, where, True)

    return _saved(request, await write(request, in_txn))


# -- comments -----------------------------------------------------------------------------------------
def _comment_text(request: Request, comment: m.NewComment) -> str:
    limit = request.app.state.config.max_comment_chars
    if len(comment.body) > limit:
        raise ApiError(422, "out_of_range", f"a comment is at most {limit} characters", field="body")
    return comment.body


@endpoint("report comments", answer=m.Comments)
async def report_comments(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        access.report(conn, repos, caller, rid)
        return repos.comments.listing(conn, report_id=rid)

    return JSON({"comments": await read(request, in_txn)})


@endpoint("add report comment", body=m.NewComment, answer=m.Comment, status=201)
async def add_report_comment(request: Request, comment: m.NewComment) -> Response:
    rid = id_param(request, "report_id", "report")
    caller = signed_in(request)
    text = _comment_text(request, comment)
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        access.report(conn, repos, caller, rid, access.WRITE)
        room(request, repos.comments.count(conn, report_id=rid), "comments per report")
        return repos.comments.add(conn, caller.id, caller.name, text, rid, None)

    return JSON(await write(request, in_txn), status_code=201)


@endpoint("run comments", answer=m.Comments)
async def run_comments(request: Request) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        access.run_comments(caller)
        return repos.comments.listing(
            conn, run_pk=access.run(conn, repos, caller, entity, project, run_id).id
        )

    return JSON({"comments": await read(request, in_txn)})


@endpoint("add run comment", body=m.NewComment, answer=m.Comment, status=201)
async def add_run_comment(request: Request, comment: m.NewComment) -> Response:
    entity, project, run_id = run_names(request)
    caller = signed_in(request)
    text = _comment_text(request, comment)
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        pk = access.run(conn, repos, caller, entity, project, run_id, access.WRITE).id
        room(request, repos.comments.count(conn, run_pk=pk), "comments per run")
        return repos.comments.add(conn, caller.id, caller.name, text, None, pk)

    return JSON(await write(request, in_txn), status_code=201)


@endpoint("delete comment", answer=m.DeletedId)
async def delete_comment(request: Request) -> Response:
    cid = id_param(request, "comment_id", "comment")
    caller = signed_in(request)
    repos = store(request)
    await write(request, lambda conn: access.delete_comment(conn, repos, caller, cid))
    return JSON({"deleted": cid})


# -- the read-only share link -------------------------------------------------------------------------
@endpoint("share report", answer=m.ShareLink, status=201)
async def share_report(request: Request) -> Response:
    """A read-only link that shows the report live to anyone holding it; answers the token. Sharing
    again replaces the token (the old link stops working)."""
    rid = id_param(request, "report_id", "report")
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> dict:
        _, where = access.report(conn, repos, caller, rid, access.WRITE)
        token = repos.reports.share(conn, rid, caller.id)
        repos.audit.record(conn, caller, "report.share", f"{where.entity}/{where.project}", report=rid)
        return {"token": token, "path": f"/shared/{token}"}

    answer = await write(request, in_txn)
    _forget_shares(request)
    return JSON(answer, status_code=201)


@endpoint("unshare report", answer=m.ShareRevoked)
async def unshare_report(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    caller = signed_in(request)
    repos = store(request)

    def in_txn(conn: Any) -> bool:
        _, where = access.report(conn, repos, caller, rid, access.WRITE)
        repos.audit.record(conn, caller, "report.unshare", f"{where.entity}/{where.project}", report=rid)
        return repos.reports.unshare(conn, rid)

    revoked = await write(request, in_txn)
    _forget_shares(request)
    return JSON({"revoked": revoked})


def _forget_shares(request: Request) -> None:
    """A replaced or revoked link ends at once: cached principals are dropped (live streams re-check)."""
    request.app.state.auth_epoch = getattr(request.app.state, "auth_epoch", 0) + 1


@endpoint("shared report", answer=m.Report)
async def shared_report(request: Request) -> Response:
    """The report a share link shows: the caller is the link (its token in `X-Runyard-Share`)."""
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        row, where = access.shared_report(conn, repos, caller)
        return _doc(conn, request, row, where, False) | {"shared_since": None}

    return JSON(await read(request, in_txn))


routes = [
    Route("/api/v1/projects/{entity}/{project}/reports", list_reports, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/reports", create_report, methods=["POST"]),
    Route("/api/v1/reports/{report_id}", get_report, methods=["GET"]),
    Route("/api/v1/reports/{report_id}", patch_report, methods=["PATCH"]),
    Route("/api/v1/reports/{report_id}", delete_report, methods=["DELETE"]),
    Route("/api/v1/reports/{report_id}/versions", list_versions, methods=["GET"]),
    Route("/api/v1/reports/{report_id}/versions/{version}", get_version, methods=["GET"]),
    Route("/api/v1/reports/{report_id}/versions/{version}/restore", restore_version, methods=["POST"]),
    Route("/api/v1/reports/{report_id}/comments", report_comments, methods=["GET"]),
    Route("/api/v1/reports/{report_id}/comments", add_report_comment, methods=["POST"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/comments", run_comments, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/comments", add_run_comment, methods=["POST"]),
    Route("/api/v1/comments/{comment_id}", delete_comment, methods=["DELETE"]),
    Route("/api/v1/reports/{report_id}/share", share_report, methods=["POST"]),
    Route("/api/v1/reports/{report_id}/share", unshare_report, methods=["DELETE"]),
    Route("/api/v1/share", shared_report, methods=["GET"]),
]
