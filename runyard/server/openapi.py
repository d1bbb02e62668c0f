"""The OpenAPI 3.1 description of /api/v1, generated from the routes' contracts (contract.py).

Every request and response body has a component schema (the models in runyard/wire/api_models);
query parameters come from each route's Query model, path parameters from its path. The web UI's
types are generated from this document (web/scripts/gen-api.mjs).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import msgspec
from starlette.routing import Route

from .. import __version__
from ..wire.api_models import Error, RunMetadata
from .access import SHARE_HEADER
from .auth import PUBLIC
from .contract import Contract, contract_of

SHARE_PATH = "/api/v1/share"  # the report of a share link (routes/reports.py)

REF = "#/components/schemas/{name}"
PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
PATH_DOCS = {"version": "vN, an alias such as latest, or a digest", "path": "a file path inside the run"}
ID = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}  # numeric path ids (http.id_param)
PATH_SCHEMAS = {
    **{n: ID for n in ("key_id", "session_id", "invitation_id", "report_id", "view_id", "comment_id")}
}
BINARY = {"type": "string", "format": "binary"}
MSGPACK = "application/x-msgpack"


def _routes() -> list[tuple[Route, Contract]]:
    from .routes import ROUTES

    out = []
    for r in ROUTES:
        c = contract_of(r)
        if not isinstance(r, Route) or c is None:
            raise TypeError(f"route {getattr(r, 'path', r)!r} has no @endpoint contract")
        out.append((r, c))
    return out


def _operation_id(route: Route) -> str:
    """Unique across the API: the resource module and the handler (two modules have a get_version)."""
    fn = route.endpoint
    return f"{fn.__module__.rsplit('.', 1)[-1]}_{fn.__name__}"


def _parameters(path: str, query: dict | None) -> list[dict]:
    params = [
        {"name": n, "in": "path", "required": True, "schema": PATH_SCHEMAS.get(n, {"type": "string"})}
        | ({"description": PATH_DOCS[n]} if n in PATH_DOCS else {})
        for n in PATH_PARAM.findall(path)
    ]
    for name, schema in (query or {}).get("properties", {}).items():
        schema = {k: v for k, v in schema.items() if v is not None or k != "default"}
        alts = [a for a in schema.pop("anyOf", []) if a != {"type": "null"}]  # a query has no null
        if alts:
            schema |= alts[0] if len(alts) == 1 else {"anyOf": alts}
        p = {"name": name, "in": "query", "required": name in query.get("required", ())}  # type: ignore[union-attr]
        if "description" in schema:
            p["description"] = schema.pop("description")
        params.append(p | {"schema": schema})
    return params


def _open_models(types: list[Any], schemas: dict[str, Any]) -> None:
    """Models that take fields beyond those they name (`Answer.open`) say so in their schema."""
    seen: set[type] = set()

    def walk(t: Any) -> None:
        info = t if isinstance(t, msgspec.inspect.Type) else msgspec.inspect.type_info(t)
        if isinstance(info, msgspec.inspect.StructType):
            if info.cls in seen:
                return
            seen.add(info.cls)
            if getattr(info.cls, "open", False):
                schemas[info.cls.__name__]["additionalProperties"] = True
            for f in info.fields:
                walk(f.type)
        for attr in ("type", "item_type", "value_type", "types"):
            sub = getattr(info, attr, None)
            for x in sub if isinstance(sub, tuple) else [sub]:
                if isinstance(x, msgspec.inspect.Type):
                    walk(x)

    for t in types:
        walk(t)


def _open_objects(node: Any) -> None:
    """Mark free-form objects (config, summary, metadata) as such: `additionalProperties: true` is
    what JSON Schema assumes anyway, but TypeScript generators read its absence as "no properties"."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" not in node and "$ref" not in node:
            node.setdefault("additionalProperties", True)
        for v in node.values():
            _open_objects(v)
    elif isinstance(node, list):
        for v in node:
            _open_objects(v)


def _content(media: str, schema: dict) -> dict:
    return {"content": {media: {"schema": schema}}}


@functools.cache
def spec() -> dict[str, Any]:
    routes = _routes()
    types: list[Any] = [Error, RunMetadata]  # RunMetadata: referenced from RunDetail.metadata
    for _r, c in routes:
        types += [t for t in (c.answer, c.body, c.query, c.events, *c.other.values()) if t is not None]
    refs, schemas = msgspec.json.schema_components(types, ref_template=REF)
    ref_of = dict(zip(map(id, types), refs))
    queries = {c.query: schemas[c.query.__name__] for _r, c in routes if c.query is not None}
    for q in queries:  # query models become parameters, not components
        schemas.pop(q.__name__, None)
    _open_objects(schemas)
    _open_models(types, schemas)
    err = {"description": "error envelope", **_content("application/json", ref_of[id(Error)])}
    paths: dict[str, dict] = {}
    for r, c in routes:
        ok: dict[str, Any] = {"description": c.summary}
        if c.answer is not None:
            ok |= _content("application/json", ref_of[id(c.answer)])
            if c.msgpack:
                ok["content"][MSGPACK] = {"schema": ref_of[id(c.answer)]}
        elif c.media is not None:
            ok |= _content(c.media, {"type": "string"} if c.media.startswith("text/") else BINARY)
            if c.events is not None:
                ok["content"][c.media]["x-event-data"] = ref_of[id(c.events)]
        op: dict[str, Any] = {
            "summary": c.summary.split(". ")[0],
            "description": c.summary,
            "operationId": _operation_id(r),
            "parameters": _parameters(r.path, queries.get(c.query)),
            "responses": {
                str(c.status): ok,
                **{
                    str(st): {"description": c.summary, **_content("application/json", ref_of[id(t)])}
                    for st, t in c.other.items()
                },
                "4XX": err,
                "5XX": err,
            },
        }
        if c.body is not None:
            op["requestBody"] = {"required": True, **_content("application/json", ref_of[id(c.body)])}
        elif c.raw is not None:
            op["requestBody"] = {"required": True, **_content(c.raw, BINARY)}
        for method in sorted(r.methods or ()):
            if method == "HEAD":
                continue
            path = PATH_PARAM.sub(r"{\1}", r.path)
            # one list of routes without credentials: the authentication middleware's
            paths.setdefault(path, {})[method.lower()] = op | (
                {"security": []}
                if (method, path) in PUBLIC
                else {"security": [{"share": []}]}
                if path == SHARE_PATH
                else {}
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "runyard tracking server",
            "version": __version__,
            "description": 'Every call needs `Authorization: Bearer <key>` (or `Basic base64("api:"+key)`), or a '
            "browser session cookie plus `X-CSRF-Token` on state-changing requests (docs/teams.md). "
            'Errors are always `{"error": {"code", "message"}}`; a request that does not match its '
            "schema is answered 400 or 422 with `error.field` naming the offending field. A report's "
            f"share link reads with its token in `{SHARE_HEADER}` instead: `{SHARE_PATH}` (its report) "
            "and the reads of the projects that report shows (docs/reports.md).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
                "share": {"type": "apiKey", "in": "header", "name": SHARE_HEADER},
            },
        },
        "security": [{"bearer": []}, {"basic": []}],
    }
