"""Request bodies a hostile key holder sends: compressed bombs, and GraphQL documents that are cheap
to send and costly to answer. Each is refused promptly, in the envelope, without the server's
memory following the body's claims."""

from __future__ import annotations

import base64
import gzip
import zlib

import httpx
import pytest

from .attack import ServerProcess, assert_alive, assert_client_error, http, run_log

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """256 MiB of JSON whitespace, gzipped to a few hundred KB."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * MiB
    return b"".join([z.compress(block) for _ in range(256)] + [z.flush()])


def _basic(key: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"api:{key}".encode()).decode()}


def test_gzip_bomb_is_refused_without_inflating(home, db_url, bomb):
    assert len(bomb) < MiB
    with ServerProcess(home, db_url) as srv, http(srv.url, srv.key) as c:
        gz = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        assert (
            c.post("/graphql", json={"query": "{ viewer { id } }"}, headers=_basic(srv.key)).status_code
            == 200
        )
        before = srv.rss_bytes()
        for path, extra in (
            ("/graphql", _basic(srv.key)),
            ("/files/admin/p/r1/file_stream", _basic(srv.key)),
            ("/api/v1/projects/admin/p/runs/query", {}),
        ):
            r = c.post(path, content=bomb, headers={**gz, **extra})
            assert r.status_code == 413, (path, r.status_code, r.text[:300])
            assert "limit" in r.text
        grown = srv.peak_rss_bytes() - before
        assert grown < 100 * MiB, f"the server grew by {grown / MiB:.0f} MiB"
        assert_alive(c)


def test_compressed_bodies_within_the_limits_work(server):
    with http(server.url, server.api_key) as c:
        body = gzip.compress(b'{"filter": {"state": "running"}}')
        r = c.post(
            "/api/v1/projects/admin/p/runs/query",
            content=body,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )
        assert r.status_code in (200, 404), r.text  # no such project yet: 404, but the body was read
        r = c.post(
            "/graphql",
            content=zlib.compress(b'{"query": "{ viewer { id } }"}'),
            headers={"Content-Encoding": "deflate", **_basic(server.api_key)},
        )
        assert r.status_code == 200 and r.json()["data"]["viewer"], r.text
        for enc, data in (("gzip", b"not gzip"), ("br", b"{}"), ("gzip", gzip.compress(b"{}")[:-6])):
            r = c.post("/api/v1/projects/admin/p/runs/query", content=data, headers={"Content-Encoding": enc})
            assert_client_error(r)
        r = c.post(
            "/api/v1/ingest/admin/p/z",
            params={"segment": "seg1", "offset": 0},
            content=gzip.compress(run_log("z")),
            headers={"Content-Encoding": "gzip"},
        )
        assert r.status_code == 200, r.text  # a gzipped run log is inflated like any body
        assert_alive(c)


def test_ingest_bomb_is_refused(server, bomb):
    with http(server.url, server.api_key) as c:
        r = c.post(
            "/api/v1/ingest/admin/p/b",
            params={"segment": "seg1", "offset": 0},
            content=bomb,
            headers={"Content-Encoding": "gzip"},
        )
        # 256 MiB inflated is over the 64 MiB ingest limit
        assert_client_error(r, 413)


def _graphql(server, c: httpx.Client, query: str) -> httpx.Response:
    return c.post("/graphql", json={"query": query}, headers=_basic(server.api_key), timeout=10)


def test_graphql_aliases_depth_and_fragment_bombs_are_refused(server):
    with http(server.url, server.api_key) as c:
        aliases = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(2000)) + " }"
        deep = "{ " + "viewer { " * 60 + "id" + " }" * 61
        frags = "fragment F0 on User { id name }\n" + "\n".join(
            f"fragment F{i} on User {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 40)
        )
        bomb = frags + "\n{ viewer { ...F39 } }"
        tokens = "{ viewer { " + " ".join(["id"] * 50_000) + " } }"
        nested = "{ a " * 5_000 + "}" * 5_000  # within the token limit, too deep for the parser
        for name, q in (
            ("aliases", aliases),
            ("depth", deep),
            ("fragments", bomb),
            ("tokens", tokens),
            ("nested", nested),
        ):
            # the client's timeout (10 s) is the deadline: the old server took 13 s for the aliases
            r = _graphql(server, c, q)
            assert r.status_code == 400, (name, r.status_code, r.text[:300])
            assert "limit" in r.json()["errors"][0]["message"] or "deep" in r.text, r.text[:300]
        ok = _graphql(server, c, "{ a: viewer { id } b: viewer { username } }")
        assert ok.status_code == 200 and ok.json()["data"]["a"]["id"], ok.text
        assert _graphql(server, c, "{ nope }").status_code == 200  # an ordinary validation error stays 200
        assert_alive(c)
