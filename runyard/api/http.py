"""The client's transport: http_client's persistent connection, plus msgpack answers and typed errors."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import ApiError
from ..sdk import http_client

_OK = tuple(range(200, 300))


def quote(s: str) -> str:
    return urllib.parse.quote(s, safe="")


class Http(http_client.Client):
    """`get/post/patch/delete` return decoded JSON (or msgpack with `msgpack=True`)."""

    def call(
        self,
        method: str,
        path: str,
        params: dict | None = None,
        body: Any = None,
        msgpack: bool = False,
        answer: Any = None,
    ) -> Any:
        """The decoded answer: as the `answer` model (runyard/wire/api_models) when given, which the
        server's declared answer for the route is."""
        data = None if body is None else json.dumps(body).encode()
        raw, ctype = self._send(method, path, params, data, "application/x-msgpack" if msgpack else None)
        return _decode(raw, ctype, answer, method, path)

    def get_deferred(self, path: str, answer: str) -> Callable[[], Any]:
        """GET `path` now (an error status raises here); the returned function decodes the answer
        as the model named `answer` (in runyard/wire/api_models), as `call` does. msgspec and the
        models (~15 ms to import) load only for a caller that reads the answer: `api.run(path)`
        followed by `history()` reads none of the run's document."""
        raw, ctype = self._send("GET", path, None, None, None)

        def decode() -> Any:
            from ..wire import api_models

            return _decode(raw, ctype, getattr(api_models, answer), "GET", path)

        return decode

    def stream(
        self, path: str, params: dict | None = None, chunk: int = 1 << 20, signed: bool = False
    ) -> Iterator[bytes]:
        """The body of a GET in pieces (file downloads). `signed`: a 307 to a URL the server signed
        (its object store) is followed, without the API key."""
        conn, resp = self._open(
            "GET", self._url(path, params), None, None, ok=(200, 307) if signed else (200,)
        )
        store = None
        try:
            if resp.status == 307:
                location = resp.getheader("Location") or ""
                resp.read()
                store, spath = http_client.signed_url_client(location)
                resp = store.open_stream(spath, ok=(200,))
            while data := resp.read(chunk):
                yield data
        finally:
            resp.close()
            self.close()  # the connection is not reusable until the body has been read
            if store is not None:
                store.close()

    # -- plumbing ---------------------------------------------------------------------------------
    def _url(self, path: str, params: dict | None) -> str:
        url = self.prefix + path
        if params:
            url += "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return url

    def _headers(self, data: bytes | None, accept: str | None) -> dict[str, str]:
        h = {"Accept": accept or "application/json", "User-Agent": "runyard-api"}
        if data is not None:
            h["Content-Type"] = "application/json"
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key
        return h

    def _open(
        self, method: str, url: str, data: bytes | None, accept: str | None, ok: tuple[int, ...] = _OK
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """http_client's request loop; 5xx answers are retried only for idempotent methods."""

        def send(conn: http.client.HTTPConnection) -> None:
            conn.request(method, url, body=data, headers=self._headers(data, accept))

        resp = self._respond(send, ok, retry_5xx=method in ("GET", "DELETE"))
        return self._connection(), resp

    def _send(
        self, method: str, path: str, params: dict | None, data: bytes | None, accept: str | None
    ) -> tuple[bytes, str]:
        _conn, resp = self._open(method, self._url(path, params), data, accept)
        return resp.read(), resp.getheader("Content-Type") or ""


def _decode(raw: bytes, ctype: str, answer: Any, method: str, path: str) -> Any:
    if answer is not None and ctype.startswith("application/json"):
        import msgspec  # here, not above: see get_deferred

        try:
            return msgspec.json.decode(raw, type=answer)
        except msgspec.ValidationError as e:
            raise ApiError(
                0, "bad_answer", f"the server's answer to {method} {path} is malformed: {e}"
            ) from None
    if ctype.startswith("application/x-msgpack"):
        import msgpack as mp

        return mp.unpackb(raw, raw=False)
    return json.loads(raw) if raw else {}
