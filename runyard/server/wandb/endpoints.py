"""HTTP endpoints of the wandb protocol (mounted next to runyard's own API by server/app.py).

    POST /graphql                                          GraphQL (graphql_schema.py)
    POST /files/{entity}/{project}/{run_id}/file_stream   history, events, summary, console, exit
    PUT  /wandb/upload/{token}                             run file upload (signed URL, no credentials)
    POST /sdk/otel/v1/{signal}                             the client's own telemetry: discarded
    GET  /wandb/files/{entity}/{project}/{run_id}/{path}   run file download (API key)

wandb sends `Authorization: Basic base64("api:<key>")`; it is checked here with the helpers of
server/auth.py (the /api/ middleware is not involved). Errors are JSON (`{"errors": [...]}` on
/graphql); nothing here closes a connection on bad input.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import anyio.from_thread
from graphql import ExecutionResult, GraphQLError, execute, parse, validate
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ...store import User
from .. import access
from ..auth import key_from_header, usage
from ..errors import ApiError
from ..headers import user_file_headers
from ..http import body, name_problem, parse_json
from ..routes.artifacts import store_redirect
from ..uploads import receive_blob
from .artifacts import WandbArtifacts
from .graphql_schema import Context, Root, schema
from .query_limits import Bounds, limits_rule
from .runs import WandbError, WandbRuns, valid_file
from .state import RunKey
from .sweeps import AnswerStatus, WandbSweeps
from .tokens import Signer

log = logging.getLogger("runyard.server.wandb")

AUTH_CACHE_SECONDS = 10.0
_ROOT = Root()


class _Service:
    """Per-app state of the protocol: the run bridge, the URL signer, the key cache."""

    def __init__(self, app: Any):
        broker = app.state.broker

        def publish(event: dict) -> None:
            try:
                anyio.from_thread.run_sync(broker.publish, event)
            except RuntimeError:  # not on a worker thread of the event loop (direct calls in tests)
                pass

        self.runs = WandbRuns(
            app.state.store, publish, app.state.config.max_file_bytes, app.state.config.gc_grace
        )
        self.signer = Signer(app.state.store, app.state.config.signed_url_seconds)
        self.arts = WandbArtifacts(self.runs)
        self.sweeps = WandbSweeps(app.state.store, app.state.config.sweep_heartbeat_timeout)
        self.auth: dict[str, tuple[User, float, int]] = {}


def _service(request: Request) -> _Service:
    svc = getattr(request.app.state, "wandb_service", None)
    if svc is None:
        svc = request.app.state.wandb_service = _Service(request.app)
    return svc  # type: ignore[no-any-return]


def _runs(request: Request) -> WandbRuns:
    return _service(request).runs


def _signer(request: Request) -> Signer:
    return _service(request).signer


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}], "error": message}, status_code=status)


async def _user(request: Request) -> User | JSONResponse:
    raw = request.headers.get("authorization")
    key = key_from_header(raw)
    if key is None:
        return _error(401, "missing or malformed API key: set WANDB_API_KEY to a runyard API key")
    app = request.app
    cache = _service(request).auth
    now, epoch = time.monotonic(), getattr(app.state, "auth_epoch", 0)
    hit = cache.get(key)
    store = app.state.store
    if hit and hit[1] > now and hit[2] == epoch:
        usage(app).note(store, hit[0])
        return hit[0]
    user = await run_in_threadpool(store.db.read, lambda conn: store.entities.user_for_key(conn, key))
    if user is None:
        return _error(401, "the API key is not valid (unknown or revoked)")
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (user, now + AUTH_CACHE_SECONDS, epoch)
    usage(app).note(store, user)
    return user


def _file_too_large(message: str) -> Exception:
    return WandbError(message, 413)


async def _json(request: Request) -> Any:
    """The JSON body, bounded before and after decompression like every body (server/http.py)."""
    try:
        data = await body(request, request.app.state.config.max_wandb_body_bytes)
        return parse_json(request, data) if data.strip() else {}
    except ApiError as e:
        raise WandbError(e.message, e.status) from None


async def graphql_endpoint(request: Request) -> Response:
    user = await _user(request)
    if isinstance(user, Response):
        return user
    try:
        doc = await _json(request)
    except WandbError as e:
        return _error(e.status, e.message)
    if not isinstance(doc, dict) or not isinstance(doc.get("query"), str):
        return _error(400, "send a JSON object with a GraphQL 'query' string")
    variables = doc.get("variables")
    svc = _service(request)
    ctx = Context(svc.runs, user, str(request.base_url), svc.signer, svc.arts, svc.sweeps)

    cfg = request.app.state.config
    bounds = Bounds(cfg.graphql_max_depth, cfg.graphql_max_aliases, cfg.graphql_max_fields)

    def run() -> ExecutionResult | str:
        """The result, or why the document is refused as too large (answered 400)."""
        try:
            document = parse(doc["query"], max_tokens=cfg.graphql_max_tokens)
        except RecursionError:
            return "the query nests too deeply to parse"
        except GraphQLError as e:
            if "tokens" in e.message:  # the token limit: a refusal, not a syntax error
                return f"the query has more than {cfg.graphql_max_tokens} tokens, the server's limit"
            if "Parsing aborted" in e.message:  # graphql-core's own nesting limit
                return "the query nests too deeply to parse"
            return ExecutionResult(None, [e])
        over = validate(schema(), document, [limits_rule(bounds)])
        if over:
            return over[0].message
        errors = validate(schema(), document)
        if errors:
            return ExecutionResult(None, errors)
        result = execute(
            schema(),
            document,
            root_value=_ROOT,
            context_value=ctx,
            variable_values=variables if isinstance(variables, dict) else None,
            operation_name=doc.get("operationName") or None,
        )
        assert isinstance(result, ExecutionResult)  # resolvers are synchronous
        return result

    result = await run_in_threadpool(run)
    if isinstance(result, str):
        return _error(400, result)
    status = 200
    for err in result.errors or ():
        if err.original_error is not None and not isinstance(err.original_error, (WandbError, GraphQLError)):
            log.error("wandb GraphQL resolver failed", exc_info=err.original_error)
        if isinstance(err.original_error, AnswerStatus):
            status = err.original_error.status
    return JSONResponse(result.formatted, status_code=status)


async def file_stream(request: Request) -> Response:
    user = await _user(request)
    if isinstance(user, Response):
        return user
    try:
        key = _key(request)
        doc = await _json(request)
        if not isinstance(doc, dict):
            raise WandbError("file_stream body must be a JSON object")
        await run_in_threadpool(_runs(request).file_stream, user, key, doc)
        uploaded = doc.get("uploaded")
        if isinstance(uploaded, list) and uploaded:
            await run_in_threadpool(_runs(request).adopt_uploaded, user, key, uploaded)
    except WandbError as e:
        return _error(e.status, e.message)
    return JSONResponse({"exitcode": None, "limits": {}})


async def _authorised(
    request: Request, kinds: tuple[str | None, ...]
) -> tuple[dict[str, Any], User] | Response:
    """The grant of the URL's token and its user, re-authorised now: the token is genuine and unexpired,
    the key it was minted with is not revoked, and the access policy still allows what it grants."""
    grant = _signer(request).verify(request.path_params["token"])
    if grant is None:
        return _error(403, "this URL is invalid or expired: the client asks for a new one")
    if grant.get("k") not in kinds:
        return _error(403, "this URL does not grant this request")
    svc, store = _service(request), request.app.state.store

    def check(conn: Any) -> User | str:
        kid = grant.get("kid")
        user = store.entities.user_for_key_id(conn, kid) if isinstance(kid, int) else None
        if user is None or user.name != grant.get("u"):
            return "the API key this URL was made with is revoked"
        kind = grant.get("k")
        try:
            if kind is None:  # a run file
                access.check_writable(conn, store, user, str(grant["e"]))
            elif kind in ("af", "am"):
                access.check_writable(conn, store, user, svc.arts.pending_entity(str(grant["a"]), user))
            else:
                version = svc.arts.version_in(
                    conn, user, str(grant["e"]), str(grant["p"]), str(grant["n"]), str(grant["d"])
                )
                if version is None or (
                    kind == "ad" and store.artifacts.has_blob(conn, version.id, str(grant["s"])) is None
                ):
                    return "the artifact version is gone or no longer yours to read"
        except (ApiError, WandbError) as e:
            return e.message
        return user

    got = await run_in_threadpool(store.db.read, check)
    if isinstance(got, str):
        return _error(403, got)
    return grant, got


async def upload(request: Request) -> Response:
    got = await _authorised(request, (None, "af", "am"))
    if isinstance(got, Response):
        return got
    grant, user = got
    if grant.get("k") in ("af", "am"):
        return await _artifact_upload(request, grant, user)
    key = RunKey(grant["e"], grant["p"], grant["r"])
    path = str(grant["f"])
    store = request.app.state.store
    limit = request.app.state.config.max_file_bytes
    keep = path == "wandb-metadata.json"
    head = bytearray()
    md5 = hashlib.md5()

    def observe(chunk: bytes) -> None:
        if keep and len(head) < 1 << 20:
            head.extend(chunk)
        md5.update(chunk)

    try:
        sha, size = await receive_blob(request, store.blobs, limit, _file_too_large, observe)
        await run_in_threadpool(_runs(request).md5.add, sha, md5.hexdigest())
    except WandbError as e:
        return _error(e.status, e.message)
    try:
        await run_in_threadpool(
            _runs(request).add_file, user, key, path, size, sha, bytes(head) if keep else None
        )
    except WandbError as e:
        return _error(e.status, e.message)
    return Response(status_code=200)


async def _artifact_upload(request: Request, grant: dict[str, Any], user: User) -> Response:
    """PUT of an artifact file (`af`) or of the artifact's manifest (`am`) to a signed URL."""
    store = request.app.state.store
    limit = request.app.state.config.max_file_bytes
    md5 = hashlib.md5()

    def verify(_sha256: str) -> None:
        if md5.hexdigest() != grant.get("m", md5.hexdigest()):
            raise WandbError("the content's MD5 is not the one announced in CreateArtifactFiles", 400)

    try:
        sha, size = await receive_blob(request, store.blobs, limit, _file_too_large, md5.update, verify)
        await run_in_threadpool(store.db.write, lambda conn: store.blob_refs.add_owner(conn, [sha], user.id))
    except WandbError as e:
        return _error(e.status, e.message)
    svc = _service(request)
    try:
        await run_in_threadpool(svc.runs.md5.add, sha, md5.hexdigest())
        await run_in_threadpool(svc.arts.uploaded, grant, sha, size, md5.hexdigest())
    except WandbError as e:
        return _error(e.status, e.message)
    return Response(status_code=200)


async def artifact_download(request: Request) -> Response:
    """GET of an artifact's manifest (`amd`) or file (`ad`): signed URLs, fetched without credentials.
    Where blobs live in an object store, once the grant is re-authorised the answer is a 307 to a URL of
    the store (ranges included) and the bytes never pass through the API; the client follows it as it
    follows wandb's own presigned URLs."""
    got = await _authorised(request, ("ad", "amd"))
    if isinstance(got, Response):
        return got
    grant, user = got
    store = request.app.state.store
    if grant["k"] == "amd":
        svc = _service(request)
        version = await run_in_threadpool(
            svc.arts.version, user, str(grant["e"]), str(grant["p"]), str(grant["n"]), str(grant["d"])
        )
        if version is None:
            return _error(404, "the artifact version no longer exists")
        own = await run_in_threadpool(svc.arts.client_manifest, version)
        if own is not None and (moved := store_redirect(request, own)) is not None:
            return moved
        doc = await run_in_threadpool(svc.arts.manifest, str(grant["e"]), str(grant["p"]), version)
        return JSONResponse(doc)
    sha = str(grant["s"])
    exists = await run_in_threadpool(store.blobs.exists, sha)
    if not exists:
        return _error(404, "the artifact file no longer exists")
    if (moved := store_redirect(request, sha)) is not None:
        return moved
    return StreamingResponse(
        store.blobs.iter_bytes(sha),
        media_type="application/octet-stream",
        headers={"ETag": f'"{sha}"', **user_file_headers(sha)},
    )


async def download(request: Request) -> Response:
    user = await _user(request)
    if isinstance(user, Response):
        return user
    try:
        key = _key(request)
    except WandbError as e:
        return _error(e.status, e.message)
    path = valid_file(request.path_params["path"])
    if path is None:
        return _error(400, "bad file path")
    row = await run_in_threadpool(_runs(request).file_row, user, key, path)
    if row is None:
        return _error(404, f"run {key.path} has no file {path!r}")
    store = request.app.state.store
    return StreamingResponse(
        store.blobs.iter_bytes(row.sha256),
        media_type=row.content_type,
        headers={
            "Content-Length": str(row.size),
            "ETag": f'"{row.sha256}"',
            **user_file_headers(path, row.content_type),
        },
    )


async def client_telemetry(request: Request) -> Response:
    """wandb 0.31 pushes its own OpenTelemetry metrics to the server it logs to: accepted, discarded."""
    async for _chunk in request.stream():
        pass
    return Response(status_code=200)


def _key(request: Request) -> RunKey:
    pp = request.path_params
    for name in ("entity", "project", "run_id"):
        problem = name_problem(name, pp[name])
        if problem:
            raise WandbError(problem)
    return RunKey(pp["entity"], pp["project"], pp["run_id"])


routes = [
    Route("/graphql", graphql_endpoint, methods=["POST"]),
    Route("/files/{entity}/{project}/{run_id}/file_stream", file_stream, methods=["POST"]),
    Route("/wandb/upload/{token}", upload, methods=["PUT"]),
    Route("/wandb/files/{entity}/{project}/{run_id}/{path:path}", download, methods=["GET"]),
    Route("/wandb/artifact/{token}", artifact_download, methods=["GET"]),
    Route("/sdk/otel/v1/{signal}", client_telemetry, methods=["POST"]),
]
