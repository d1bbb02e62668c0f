"""One run: `/api/v1/runs/{entity}/{project}/{run_id}` (GET, PATCH, DELETE) and its console."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.jsonsafe import jsonable
from ...store.runs import STATES
from .. import access
from ..errors import ApiError
from ..http import JSON, int_param, json_body, name_param, name_problem, read, store, user, write


def _names(request: Request) -> tuple[str, str, str]:
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")


async def get_run(request: Request) -> Response:
    e, p, r = _names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        loc = access.run(c, s, u, e, p, r)
        return s.runs.detail(c, loc.id) | {"entity": e, "project": p}

    return JSON(await read(request, q))


_PATCHABLE = {
    "name": str,
    "notes": str,
    "group": str,
    "job_type": str,
    "tags": list,
    "state": str,
    "config": dict,
    "summary": dict,
}


def _move_target(doc: dict, e: str, p: str) -> str | None:
    """The project a PATCH moves the run to (None: no move); `entity` may only name the current one."""
    ent = doc.pop("entity", None)
    if ent is not None and ent != e:
        if not isinstance(ent, str):
            raise ApiError(422, "wrong_type", "entity must be a string")
        raise ApiError(422, "bad_value", "runs can only move between projects of the same entity")
    target = doc.pop("project", None)
    if target is None or target == p:
        return None
    if not isinstance(target, str):
        raise ApiError(422, "wrong_type", "project must be a string")
    problem = name_problem("project", target)
    if problem:
        raise ApiError(422, "bad_value", problem)
    return target


async def patch_run(request: Request) -> Response:
    e, p, r = _names(request)
    doc = await json_body(request)
    target = _move_target(doc, e, p)
    values: dict[str, Any] = {}
    for k, v in doc.items():
        if k not in _PATCHABLE:
            raise ApiError(
                422, "unknown_field", f"cannot update {k!r}; updatable: {', '.join(sorted(_PATCHABLE))}"
            )
        if v is not None and not isinstance(v, _PATCHABLE[k]):
            raise ApiError(422, "wrong_type", f"{k} must be a {_PATCHABLE[k].__name__}")
        if k == "tags" and v is not None and not all(isinstance(tag, str) for tag in v):
            raise ApiError(422, "wrong_type", "tags must be a list of strings")
        if k == "state" and v not in STATES:
            raise ApiError(422, "bad_value", f"state must be one of {', '.join(STATES)}")
        values[{"group": "group_name"}.get(k, k)] = jsonable(v)
    summary = values.pop("summary", None)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        loc = access.run(c, s, u, e, p, r, access.WRITE)
        if values:
            s.runs.update(c, loc.id, **values)
        if summary is not None:
            s.runs.replace_summary(c, loc.id, summary)
        if target is not None:
            to = s.projects.get_or_create(c, loc.entity_id, target)
            if s.runs.pk(c, to, r) is not None:
                raise ApiError(409, "run_exists", f"project {e}/{target} already has a run {r!r}")
            s.runs.move(c, loc.id, to, p)
            s.projects.touch(c, to)
            s.audit.record(c, u, "run.move", f"{e}/{p}/{r}", to=f"{e}/{target}")
        if values or summary is not None:
            fields = sorted([*values, *(["summary"] if summary is not None else [])])
            s.audit.record(c, u, "run.update", f"{e}/{target or p}/{r}", fields=fields)
        return s.runs.detail(c, loc.id) | {"entity": e, "project": target or p}

    out = await write(request, q)
    broker = request.app.state.broker
    if target is None:
        broker.publish(
            {
                "type": "run.updated",
                "entity": e,
                "project": p,
                "run_id": r,
                "state": out["state"],
                "points": 0,
            }
        )
    else:  # gone from the old project's stream, new in the target's
        broker.publish({"type": "run.deleted", "entity": e, "project": p, "run_id": r, "moved_to": target})
        broker.publish(
            {
                "type": "run.created",
                "entity": e,
                "project": target,
                "run_id": r,
                "state": out["state"],
                "points": 0,
            }
        )
    return JSON(out)


async def delete_run(request: Request) -> Response:
    e, p, r = _names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> None:
        s.runs.delete(c, access.run(c, s, u, e, p, r, access.WRITE).id)
        s.audit.record(c, u, "run.delete", f"{e}/{p}/{r}")

    await write(request, q)
    request.app.state.broker.publish({"type": "run.deleted", "entity": e, "project": p, "run_id": r})
    return JSON({"deleted": f"{e}/{p}/{r}"})


async def console(request: Request) -> Response:
    e, p, r = _names(request)
    after = int_param(request, "after", -1)
    limit = int_param(request, "limit", 1000, lo=1, hi=10_000)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.console.lines(c, access.run(c, s, u, e, p, r).id, after, limit)  # type: ignore[arg-type]

    lines = await read(request, q)
    return JSON({"lines": lines, "next_after": lines[-1]["cursor"] if len(lines) == limit else None})


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}", get_run, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}", patch_run, methods=["PATCH"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}", delete_run, methods=["DELETE"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/console", console, methods=["GET"]),
]
