"""The SDK's HTTP client for the tracking server: where the key and URL come from, the connection and request loop.

Credentials are resolved at call time, first hit wins:

1. `RUNYARD_API_KEY` / `RUNYARD_BASE_URL`, then `WANDB_API_KEY` / `WANDB_BASE_URL` (env vars);
2. `RUNYARD_HOME/settings`, written by `runyard login` (JSON: base_url, api_key);
3. `RUNYARD_HOME/credentials`, written (mode 600) by a local `runyard server` at its first start:
   a user on the same machine is logged in without ceremony.

`RUNYARD_HOME` defaults to `~/.runyard`. Only the standard library is used (one persistent
`http.client` connection per client), so the SDK gains no dependency.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ApiError
from ..wire.home import CREDENTIALS_NAME, runyard_home

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
STREAM_BLOCK = 1 << 20  # bytes per read/write of streamed bodies
SENDFILE_BLOCK = 8 << 20  # bytes per os.sendfile call of `send_file` (one progress report each)
SETTINGS_NAME = "settings"
DIRECT_MIN = 1 << 20  # run files from this size on go to the object store directly where the server signs


def _read_json(path: Path) -> dict:
    try:
        with open(path) as f:
            doc = json.load(f)
        return doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}


@dataclass
class Credentials:
    base_url: str
    api_key: str | None
    source: str  # where the key came from, for messages


def resolve_credentials(
    base_url: str | None = None, api_key: str | None = None, environ: Mapping[str, str] | None = None
) -> Credentials:
    env = os.environ if environ is None else environ
    home = runyard_home(env)
    layers = [
        ("argument", base_url, api_key),
        ("RUNYARD_* env", env.get("RUNYARD_BASE_URL"), env.get("RUNYARD_API_KEY")),
        ("WANDB_* env", env.get("WANDB_BASE_URL"), env.get("WANDB_API_KEY")),
    ]
    for name in (SETTINGS_NAME, CREDENTIALS_NAME):
        doc = _read_json(home / name)
        layers.append((str(home / name), doc.get("base_url"), doc.get("api_key")))
    url = next((u for _n, u, _k in layers if u), None)
    key_src = next(((n, k) for n, _u, k in layers if k), None)
    if key_src and url is None:
        url = next((u for n, u, _k in layers if n == key_src[0] and u), None)
    return Credentials(
        (url or DEFAULT_BASE_URL).rstrip("/"),
        key_src[1] if key_src else None,
        key_src[0] if key_src else "none",
    )


class Client:
    """A small HTTP client for the runyard API over one persistent connection (reconnects on failure)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float = 60.0, retries: int = 4):
        u = urllib.parse.urlsplit(base_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"server URL must look like http://host:port, got {base_url!r}")
        self.scheme, self.host, self.port = u.scheme, u.hostname, u.port
        self.prefix = u.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self._conn: http.client.HTTPConnection | None = None
        self._conn_used = False  # it has carried an answer: the server may since have closed it idle
        self.direct = True  # the server may sign URLs for blob uploads (until it says it cannot)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __del__(self) -> None:
        # A client dropped without close() (runyard.Api() has none to call) still closes its
        # kept-alive connection rather than leaving the socket to the garbage collector.
        with contextlib.suppress(Exception):
            self.close()

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
            self._conn_used = False
        return self._conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        params: dict | None = None,
        content_type: str = "application/octet-stream",
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, dict]:
        """Send one request; retries connection failures and 5xx with backoff. Returns (status, JSON body)."""
        url = self.prefix + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = "Bearer " + self.api_key

        def send(conn: http.client.HTTPConnection) -> None:
            conn.request(method, url, body=body, headers=headers)

        return self._exchange(send, ok)

    def _respond(
        self,
        send: Callable[[http.client.HTTPConnection], None],
        ok: tuple[int, ...] = (200,),
        retry_5xx: bool = True,
    ) -> http.client.HTTPResponse:
        """Run `send` on the connection and return the response unread when its status is in `ok`.
        Connection failures and 5xx answers are retried with backoff (`send` must be repeatable);
        any other status raises ApiError with the server's error envelope."""
        delay = 0.5
        attempt = 0
        while attempt <= self.retries:
            try:
                kept = self._conn is not None and self._conn_used
                conn = self._connection()
                send(conn)
                resp = conn.getresponse()
                self._conn_used = True
            except (TimeoutError, OSError, http.client.HTTPException) as e:
                self.close()
                if kept and not isinstance(e, TimeoutError):
                    # most likely a kept-alive connection the server (or a proxy) closed while idle
                    # (uvicorn does after 5 s, an agent's heartbeat interval): once, a fresh
                    # connection at once, neither a backoff nor a retry spent (`send` is repeatable)
                    continue
                if attempt == self.retries:
                    raise ApiError(
                        0, "unreachable", f"cannot reach {self.scheme}://{self.host}:{self.port}: {e}"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
                attempt += 1
                continue
            if resp.status in ok:
                return resp
            raw = resp.read()
            if resp.status >= 500 and retry_5xx and attempt < self.retries:
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
                attempt += 1
                continue
            doc = _json(raw)
            err = doc.get("error") if isinstance(doc, dict) else None
            err = err if isinstance(err, dict) else {}
            raise ApiError(
                resp.status, str(err.get("code", "http_error")), str(err.get("message", raw[:200])), doc
            )
        raise AssertionError("unreachable")

    def _exchange(
        self, send: Callable[[http.client.HTTPConnection], None], ok: tuple[int, ...] = (200,)
    ) -> tuple[int, dict]:
        """`_respond`, then the JSON answer."""
        resp = self._respond(send, ok)
        return resp.status, _json(resp.read())

    def get_json(self, path: str, params: dict | None = None) -> dict:
        return self.request("GET", path, params=params)[1]

    # -- the calls of `runyard sync` --------------------------------------------------------------
    def viewer(self) -> dict:
        return self.get_json("/api/v1/viewer")

    def acked_offset(self, entity: str, project: str, run_id: str, segment: str) -> int:
        doc = self.get_json(_ingest_path(entity, project, run_id), {"segment": segment})
        return int(doc["acked_offset"])

    def ingest(
        self,
        entity: str,
        project: str,
        run_id: str,
        segment: str,
        offset: int,
        data: bytes,
        live: bool = False,
    ) -> dict:
        """Upload whole frames starting at `offset`. A 409 answer carries the server's offset to resume at.

        `live`: sent by the run's own process, so also a heartbeat (`data` may then be empty)."""
        params: dict = {"segment": segment, "offset": offset}
        if live:
            params["live"] = 1
        status, doc = self.request(
            "POST",
            _ingest_path(entity, project, run_id),
            body=data,
            params=params,
            ok=(200, 409),
        )
        if status == 409:
            doc = dict(doc.get("error") or {}, conflict=True)
        return doc

    def list_files(self, entity: str, project: str, run_id: str) -> list[dict]:
        return self.get_json(_run_path(entity, project, run_id) + "/files")["files"]

    def upload_run_file(self, entity: str, project: str, run_id: str, rel: str, src: Path) -> dict:
        """Upload the file `src` as the run's file `rel`, streamed from disk. A large one goes to the
        object store through a signed URL where the server's store signs them, and is then named
        by its sha256 (the server checks the caller may use that blob)."""
        path = _run_path(entity, project, run_id) + "/files/" + urllib.parse.quote(rel)
        with open(src, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size >= DIRECT_MIN and self.direct:
                from ..wire.hashing import sha256_file

                sha = sha256_file(src)
                if self.put_blob_direct(sha, f, size):
                    return self.request("PUT", path, body=b"", params={"sha256": sha})[1]
            return self.send_file(path, f, size)

    def put_blob_direct(self, sha: str, f: Any, size: int, progress: Any = None) -> bool:
        """Upload blob `sha` (the `size` bytes of the file `f`) through a URL the server signs, then
        have the server adopt it (the caller owns it, as after a PUT). False where the server's store
        cannot sign: the caller uploads through the API instead."""
        if not self.direct:
            return False
        try:
            grant = self.post_json(f"/api/v1/blobs/{sha}/direct", {"size": size})
        except ApiError as e:
            if e.status in (404, 405):  # an older server
                self.direct = False
                return False
            raise
        if not grant.get("direct"):
            if not grant.get("signs", True):  # the local disk: no use asking again
                self.direct = False
            return False
        store, spath = signed_url_client(str(grant["url"]))
        try:
            store.send_file(spath, f, size, progress, headers=dict(grant.get("headers") or {}))
        except ApiError as e:
            if e.status == 400:  # the store checked the signed sha256 (BadDigest) or the length
                raise ApiError(
                    400, "upload_refused", f"the object store refused blob {sha}: {e.message}"
                ) from None
            raise
        finally:
            store.close()
        self.post_json(f"/api/v1/blobs/{sha}/direct/finish", {"upload_id": grant["upload_id"], "size": size})
        return True

    def update_run(self, entity: str, project: str, run_id: str, **fields: Any) -> dict:
        return self.request(
            "PATCH",
            _run_path(entity, project, run_id),
            body=json.dumps(fields).encode(),
            content_type="application/json",
        )[1]

    # -- streaming transfers (artifacts): bodies and answers never held whole in memory --------------
    def put_stream(
        self, path: str, f: Any, size: int, progress: Any = None, params: dict | None = None
    ) -> dict:
        """PUT the `size` bytes of the seekable binary file `f` in 1 MiB blocks (retried from the start)."""
        url = self.prefix + path + ("?" + urllib.parse.urlencode(params) if params else "")
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
            "Accept": "application/json",
        }
        if self.api_key:
            headers["Authorization"] = "Bearer " + self.api_key
        start = f.tell()

        def send(conn: http.client.HTTPConnection) -> None:
            f.seek(start)
            conn.blocksize = STREAM_BLOCK
            conn.request("PUT", url, body=_Reading(f, progress), headers=headers)

        return self._exchange(send)[1]

    def send_file(
        self,
        path: str,
        f: Any,
        size: int,
        progress: Any = None,
        params: dict | None = None,
        method: str = "PUT",
        headers: dict[str, str] | None = None,
    ) -> dict:
        """Like `put_stream`, but the body goes from the file to the socket with `socket.sendfile`
        (zero-copy `os.sendfile` on plain HTTP; TLS sockets fall back to reads and sends by themselves).

        `f` must be a real, seekable file. A file that ends before `size` bytes (it shrank meanwhile)
        raises ApiError code `source_changed` rather than leaving the server waiting for the rest.
        `headers` are sent as well (those a signed URL requires)."""
        if not hasattr(f, "fileno"):
            return self.put_stream(path, f, size, progress, params)
        url = self.prefix + path + ("?" + urllib.parse.urlencode(params) if params else "")
        sent_headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
            "Accept": "application/json",
            **(headers or {}),
        }
        if self.api_key:
            sent_headers["Authorization"] = "Bearer " + self.api_key
        start = f.tell()

        def send(conn: http.client.HTTPConnection) -> None:
            conn.putrequest(method, url, skip_accept_encoding=True)
            for k, v in sent_headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            sock = conn.sock
            assert sock is not None
            sent = 0
            while sent < size:
                n = sock.sendfile(f, start + sent, min(SENDFILE_BLOCK, size - sent))
                if not n:
                    self.close()  # the server still expects the rest of the body
                    raise ApiError(0, "source_changed", f"the file ended {size - sent} bytes early")
                sent += n
                if progress is not None:
                    progress(n)

        return self._exchange(send)[1]

    def open_stream(
        self, path: str, headers: dict | None = None, ok: tuple[int, ...] = (200, 206)
    ) -> http.client.HTTPResponse:
        """GET `path` and return the response unread (status 200/206), for the caller to read in pieces.

        The caller must read it to the end (the connection is then reused) or call `close()` on the client.
        An error status raises ApiError (the body, an error envelope, is read first). `ok`: the statuses
        returned (307 too for a caller that follows the server's redirect to a signed URL itself)."""
        h = {"Accept": "*/*", **(headers or {})}
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key

        def send(conn: http.client.HTTPConnection) -> None:
            conn.request("GET", self.prefix + path, headers=h)

        return self._respond(send, ok)

    def post_json_stream(self, path: str, doc: Any) -> http.client.HTTPResponse:
        """POST a JSON document and return the response unread (status 200), like `open_stream`:
        for answers too large to hold whole (batched blob downloads). Retried like `request`."""
        h = {"Accept": "*/*", "Content-Type": "application/json"}
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key
        data = json.dumps(doc).encode()

        def send(conn: http.client.HTTPConnection) -> None:
            conn.request("POST", self.prefix + path, body=data, headers=h)

        return self._respond(send)

    def post_json(self, path: str, doc: Any) -> dict:
        return self.request("POST", path, body=json.dumps(doc).encode(), content_type="application/json")[1]

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port else "") + self.prefix


def signed_url_client(url: str, timeout: float = 300.0) -> tuple[Client, str]:
    """A client without credentials for a URL the server signed (the object store's), and the path
    (with the signature's query) to request on it: the API key never goes to another host."""
    u = urllib.parse.urlsplit(url)
    path = (u.path or "/") + ("?" + u.query if u.query else "")
    return Client(f"{u.scheme}://{u.netloc}", None, timeout=timeout), path


def _json(raw: bytes) -> dict:
    try:
        doc = json.loads(raw) if raw else {}
    except ValueError:
        return {"error": {"code": "bad_response", "message": raw[:200].decode(errors="replace")}}
    return doc if isinstance(doc, dict) else {"value": doc}


def _q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def _ingest_path(entity: str, project: str, run_id: str) -> str:
    return f"/api/v1/ingest/{_q(entity)}/{_q(project)}/{_q(run_id)}"


def _run_path(entity: str, project: str, run_id: str) -> str:
    return f"/api/v1/runs/{_q(entity)}/{_q(project)}/{_q(run_id)}"


class _Reading:
    """A file object for http.client's body loop that reports progress as it is read."""

    def __init__(self, f: Any, progress: Any):
        self.f, self.progress = f, progress

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        if data and self.progress is not None:
            self.progress(len(data))
        return data
