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
from ..http import JSON, body, dumps, id_param, json_body, name_param, read, signed_in, store, user, write
from .views import room

TITLE_MAX = 200
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


def _content(request: Request, doc: dict, required: bool) -> dict:
    """title and blocks of a body, checked and bounded."""
    out: dict[str, Any] = {}
    if "title" in doc or required:
        t = doc.get("title")
        if not isinstance(t, str) or not t.strip() or len(t) > TITLE_MAX:
            raise ApiError(
                422, "bad_value", f"title must be a non-empty string of at most {TITLE_MAX} characters"
            )
        out["title"] = t.strip()
    if "blocks" in doc or required:
        cfg = request.app.state.config
        try:
            out["blocks"] = validate(doc.get("blocks", []), cfg.max_report_blocks)
        except BlockError as e:
            raise ApiError(422, "bad_block", str(e)) from None
        if len(dumps(out["blocks"])) > cfg.max_report_bytes:
            raise ApiError(
                413, "report_too_large", f"a report's blocks are at most {cfg.max_report_bytes} bytes of JSON"
            )
    return out


@endpoint("list reports", answer=m.Document)
async def list_reports(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        pid = access.project_id(c, s, u, e, p)
        return [dict(r._mapping) for r in s.reports.in_project(c, pid)]

    return JSON({"reports": await read(request, q)})


@endpoint("create report", answer=m.Document, status=201)
async def create_report(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    u = signed_in(request)
    doc = await json_body(request)
    unknown = set(doc) - {"title", "blocks"}
    if unknown:
        raise ApiError(422, "unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    f = _content(request, doc, required=True)
    s = store(request)

    def q(c: Any) -> dict:
        pid = access.project_id(c, s, u, e, p, access.WRITE)
        room(request, s.reports.count(c, pid), "reports per project")
        rid = s.reports.create(c, pid, f["title"], f["blocks"], u.id)
        s.audit.record(c, u, "report.create", f"{e}/{p}", report=rid)
        row, where = access.report(c, s, u, rid, access.WRITE)
        return _doc(c, request, row, where, True)

    return JSON(await write(request, q), status_code=201)


@endpoint("get report", answer=m.Document)
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


@endpoint("patch report", answer=m.Document)
async def patch_report(request: Request) -> Response:
    """{version, title?, blocks?}: saved as version+1 unless another edit saved first (409
    `version_conflict`, with the current report in `error.current`)."""
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    doc = await json_body(request)
    unknown = set(doc) - {"title", "blocks", "version"}
    if unknown:
        raise ApiError(422, "unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    base = doc.get("version")
    if isinstance(base, bool) or not isinstance(base, int):
        raise ApiError(422, "wrong_type", "version (the version the edit started from) must be an integer")
    f = _content(request, doc, required=False)
    s, keep = store(request), request.app.state.config.max_report_versions

    def q(c: Any) -> dict:
        row, where = access.report(c, s, u, rid, access.WRITE)
        ok, new = s.reports.save(
            c, rid, base, f.get("title", row.title), f.get("blocks", row.blocks), u.id, keep
        )
        if not ok:
            raise _conflict(c, request, new, where, base)
        return _doc(c, request, new, where, True)

    return JSON(await write(request, q))


@endpoint("delete report", answer=m.Document)
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


@endpoint("list versions", answer=m.Document)
async def list_versions(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        access.report(c, s, u, rid)
        return s.reports.versions(c, rid)

    return JSON({"versions": await read(request, q)})


@endpoint("get version", answer=m.Document)
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


@endpoint("restore version", answer=m.Document)
async def restore_version(request: Request) -> Response:
    """{version}: the content of an older version saved as a new one, with the same check as an edit."""
    rid = id_param(request, "report_id", "report")
    v = id_param(request, "version", "version")
    u = signed_in(request)
    base = (await json_body(request)).get("version")
    if isinstance(base, bool) or not isinstance(base, int):
        raise ApiError(422, "wrong_type", "version (the report's current version) must be an integer")
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
def _comment_body(request: Request, doc: dict) -> str:
    text, limit = doc.get("body"), request.app.state.config.max_comment_chars
    if set(doc) != {"body"} or not isinstance(text, str) or not text.strip() or len(text) > limit:
        raise ApiError(
            422, "bad_value", f'send {{"body": "<text>"}}, a non-empty text of at most {limit} characters'
        )
    return text


@endpoint("report comments", answer=m.Document)
async def report_comments(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        access.report(c, s, u, rid)
        return s.comments.listing(c, report_id=rid)

    return JSON({"comments": await read(request, q)})


@endpoint("add report comment", answer=m.Document, status=201)
async def add_report_comment(request: Request) -> Response:
    rid = id_param(request, "report_id", "report")
    u = signed_in(request)
    text = _comment_body(request, await json_body(request))
    s = store(request)

    def q(c: Any) -> dict:
        access.report(c, s, u, rid, access.WRITE)
        room(request, s.comments.count(c, report_id=rid), "comments per report")
        return s.comments.add(c, u.id, u.name, text, rid, None)

    return JSON(await write(request, q), status_code=201)


def _run_names(request: Request) -> tuple[str, str, str]:
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")


@endpoint("run comments", answer=m.Document)
async def run_comments(request: Request) -> Response:
    e, p, r = _run_names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.comments.listing(c, run_pk=access.run(c, s, u, e, p, r).id)

    return JSON({"comments": await read(request, q)})


@endpoint("add run comment", answer=m.Document, status=201)
async def add_run_comment(request: Request) -> Response:
    e, p, r = _run_names(request)
    u = signed_in(request)
    text = _comment_body(request, await json_body(request))
    s = store(request)

    def q(c: Any) -> dict:
        pk = access.run(c, s, u, e, p, r, access.WRITE).id
        room(request, s.comments.count(c, run_pk=pk), "comments per run")
        return s.comments.add(c, u.id, u.name, text, None, pk)

    return JSON(await write(request, q), status_code=201)


@endpoint("delete comment", answer=m.Document)
async def delete_comment(request: Request) -> Response:
    cid = id_param(request, "comment_id", "comment")
    u = signed_in(request)
    s = store(request)
    await write(request, lambda c: access.delete_comment(c, s, u, cid))
    return JSON({"deleted": cid})


# -- the read-only share link -------------------------------------------------------------------------
@endpoint("share report", answer=m.Document, status=201)
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


@endpoint("unshare report", answer=m.Document)
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
