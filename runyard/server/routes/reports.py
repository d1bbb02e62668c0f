"""Reports: `/api/v1/projects/{entity}/{project}/reports` (list, create), `/api/v1/reports/{id}` (get,
edit with a version check, delete), its versions (list, read, restore), comments on reports and runs,
and the read-only share link (`/api/v1/reports/{id}/share`; the page it serves is public at
`/api/v1/shared/{token}`). A report follows its project (`access.report`): readers read it, members
edit it and comment. The blocks: wire/report_blocks.py."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...wire import api_models as m
from ...wire.report_blocks import BlockError, validate
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, body, dumps, id_param, name_param, read, signed_in, store, user, write
from .views import room

# The share page is the UI's static export: it needs no script, so none may run; styles are inline.
SHARED_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _doc(c: Any, request: Request, row: sa.Row, where: sa.Row, can_edit: bool) -> dict:
    names = store(request).reports.names(c, [row.created_by, row.updated_by])
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
        "shared_since": store(request).reports.shared_since(c, row.id),
        "can_edit": can_edit,
    }


def _can_edit(c: Any, request: Request, where: sa.Row) -> bool:
    return access.allows(c, user(request), access.WRITE, where.entity_id, where.visibility)


def _blocks(request: Request, blocks: list[dict]) -> list[dict]:
    """The blocks of a body, checked (wire/report_blocks.py) and bounded."""
    cfg = request.app.state.config
    try:
        validate(blocks, cfg.max_report_blocks)
    except BlockError as e:
        raise ApiError(422, "bad_block", str(e)) from None
    if len(dumps(blocks)) > cfg.max_report_bytes:
        raise ApiError(
            413, "report_too_large", f"a report's blocks are at most {cfg.max_report_bytes} bytes of JSON"
        )
    return blocks


@endpoint("list reports", answer=m.Reports)
async def list_reports(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        pid = access.project_id(c, s, u, e, p)
        return [dict(r._mapping) for r in s.reports.in_project(c, pid)]

    return JSON({"reports": await read(request, q)})


@endpoint("create report", body=m.NewReport, answer=m.Report, status=201)
async def create_report(request: Request, new: m.NewReport) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    u = signed_in(request)
    title, blocks = new.title.strip(), _blocks(request, new.blocks)
    s = store(request)

    def q(c: Any) -> dict:
        pid = access.project_id(c, s, u, e, p, access.WRITE)
        room(request, s.reports.count(c, pid), "reports per project")
        rid = s.reports.create(c, pid, title, blocks, u.id)
        s.audit.record(c, u, "report.create", f"{e}/{p}", report=rid)
        row, where = access.report(c, s, u, rid, access.WRITE)
        return _doc(c, request, row, where, True)

    return JSON(await write(request, q), status_code=201)


@endpoint("get report", answer=m.Report)
async def get_report(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        row, where = access.report(c, s, u, rid)
        return _doc(c, request, row, where, _can_edit(c, request, where))

    return JSON(await read(request, q))


def _conflict(c: Any, request: Request, row: sa.Row, where: sa.Row, base: int) -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        f"the report was saved by someone else (version {row.version}) since version {base} you edited",
        current=_doc(c, request, row, where, True),
    )


@endpoint("patch report", body=m.ReportEdit, answer=m.Report)
async def patch_report(request: Request, edit: m.ReportEdit) -> Response:
    """Saved as version+1 unless another edit saved first (409 `version_conflict`, with the current
    report in `error.current`)."""
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    title = edit.title.strip() if isinstance(edit.title, str) else None
    blocks = _blocks(request, edit.blocks) if isinstance(edit.blocks, list) else None
    s, keep = store(request), request.app.state.config.max_report_versions

    def q(c: Any) -> dict:
        row, where = access.report(c, s, u, rid, access.WRITE)
        ok, new = s.reports.save(
            c, rid, edit.version, title or row.title, row.blocks if blocks is None else blocks, u.id, keep
        )
        if not ok:
            raise _conflict(c, request, new, where, edit.version)
        return _doc(c, request, new, where, True)

    return JSON(await write(request, q))


@endpoint("delete report", answer=m.DeletedId)
async def delete_report(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    s = store(request)

    def q(c: Any) -> None:
        _, where = access.report(c, s, u, rid, access.WRITE)
        s.reports.delete(c, rid)
        s.audit.record(c, u, "report.delete", f"{where.entity}/{where.project}", report=rid)

    await write(request, q)
    return JSON({"deleted": rid})


@endpoint("list versions", answer=m.ReportVersions)
async def list_versions(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        access.report(c, s, u, rid)
        return s.reports.versions(c, rid)

    return JSON({"versions": await read(request, q)})


@endpoint("get version", answer=m.ReportContent)
async def get_version(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    v = id_param(request, "version", "version")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        access.report(c, s, u, rid)
        row = s.reports.version(c, rid, v)
        if row is None:
            raise ApiError(404, "unknown_version", f"report {rid} has no version {v} (or it was dropped)")
        return {
            "version": row.version,
            "title": row.title,
            "blocks": row.blocks,
            "created_at": row.created_at,
        }

    return JSON(await read(request, q))


@endpoint("restore version", body=m.ReportRestore, answer=m.Report)
async def restore_version(request: Request, restore: m.ReportRestore) -> Response:
    """The content of an older version saved as a new one, with the same check as an edit."""
    rid = id_param(request, "report_id", "report")
    v = id_param(request, "version", "version")
    u = signed_in(request)
    base = restore.version
    s, keep = store(request), request.app.state.config.max_report_versions

    def q(c: Any) -> dict:
        _, where = access.report(c, s, u, rid, access.WRITE)
        old = s.reports.version(c, rid, v)
        if old is None:
            raise ApiError(404, "unknown_version", f"report {rid} has no version {v} (or it was dropped)")
        ok, new = s.reports.save(c, rid, base, old.title, old.blocks, u.id, keep)
        if not ok:
            raise _conflict(c, request, new, where, base)
        return _doc(c, request, new, where, True)

    return JSON(await write(request, q))


# -- comments -----------------------------------------------------------------------------------------
def _comment_text(request: Request, comment: m.NewComment) -> str:
    limit = request.app.state.config.max_comment_chars
    if len(comment.body) > limit:
        raise ApiError(422, "out_of_range", f"a comment is at most {limit} characters", field="body")
    return comment.body


@endpoint("report comments", answer=m.Comments)
async def report_comments(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        access.report(c, s, u, rid)
        return s.comments.listing(c, report_id=rid)

    return JSON({"comments": await read(request, q)})


@endpoint("add report comment", body=m.NewComment, answer=m.Comment, status=201)
async def add_report_comment(request: Request, comment: m.NewComment) -> Response:
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    text = _comment_text(request, comment)
    s = store(request)

    def q(c: Any) -> dict:
        access.report(c, s, u, rid, access.WRITE)
        room(request, s.comments.count(c, report_id=rid), "comments per report")
        return s.comments.add(c, u.id, u.name, text, rid, None)

    return JSON(await write(request, q), status_code=201)


def _run_names(request: Request) -> tuple[str, str, str]:
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")


@endpoint("run comments", answer=m.Comments)
async def run_comments(request: Request) -> Response:
    e, p, r = _run_names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.comments.listing(c, run_pk=access.run(c, s, u, e, p, r).id)

    return JSON({"comments": await read(request, q)})


@endpoint("add run comment", body=m.NewComment, answer=m.Comment, status=201)
async def add_run_comment(request: Request, comment: m.NewComment) -> Response:
    e, p, r = _run_names(request)
    u = signed_in(request)
    text = _comment_text(request, comment)
    s = store(request)

    def q(c: Any) -> dict:
        pk = access.run(c, s, u, e, p, r, access.WRITE).id
        room(request, s.comments.count(c, run_pk=pk), "comments per run")
        return s.comments.add(c, u.id, u.name, text, None, pk)

    return JSON(await write(request, q), status_code=201)


@endpoint("delete comment", answer=m.DeletedId)
async def delete_comment(request: Request) -> Response:
    cid = id_param(request, "comment_id", "comment")
    u = signed_in(request)
    s = store(request)
    await write(request, lambda c: access.delete_comment(c, s, u, cid))
    return JSON({"deleted": cid})


# -- the read-only share link -------------------------------------------------------------------------
@endpoint("share report", raw="text/html", answer=m.ShareLink, status=201)
async def share_report(request: Request) -> Response:
    """The body is the page the link serves (the UI's static export, text/html); answers the token.
    Sharing again replaces the page and the token (the old link stops working)."""
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    if ctype != "text/html":
        raise ApiError(415, "unsupported_media_type", "send the page to share as text/html")
    raw = await body(request, request.app.state.config.max_share_bytes)
    try:
        html = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_encoding", "the page must be UTF-8") from None
    s = store(request)

    def q(c: Any) -> dict:
        _, where = access.report(c, s, u, rid, access.WRITE)
        token = s.reports.share(c, rid, html, u.id)
        s.audit.record(c, u, "report.share", f"{where.entity}/{where.project}", report=rid)
        return {"token": token, "path": f"/api/v1/shared/{token}"}

    return JSON(await write(request, q), status_code=201)


@endpoint("unshare report", answer=m.ShareRevoked)
async def unshare_report(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    s = store(request)

    def q(c: Any) -> bool:
        _, where = access.report(c, s, u, rid, access.WRITE)
        s.audit.record(c, u, "report.unshare", f"{where.entity}/{where.project}", report=rid)
        return s.reports.unshare(c, rid)

    return JSON({"revoked": await write(request, q)})


@endpoint("shared page", media="text/html")
async def shared_page(request: Request) -> Response:
    """Public: the token is the permission (random, stored hashed, revocable)."""
    token = request.path_params["token"]
    s = store(request)
    html = await read(request, lambda c: s.reports.shared_page(c, token)) if len(token) <= 64 else None
    if html is None:
        raise ApiError(404, "unknown_share", "this share link does not exist or was revoked")
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": SHARED_CSP, "Cache-Control": "no-store"},
    )


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
    Route("/api/v1/shared/{token}", shared_page, methods=["GET"]),
]
