"""Run filters a hostile key holder sends: catastrophic regexes, deep nesting, values no database
binds. Each is answered (a result or a 4xx in the envelope) while the server stays responsive."""

from __future__ import annotations

import json
import threading
import time

import pytest

from .attack import assert_alive, assert_client_error, http, ingest, run_log

EVIL = "a" * 30 + "!"
QUERY = "/api/v1/projects/admin/p/runs/query"


@pytest.fixture
def c(server):
    with http(server.url, server.api_key) as c:
        r = ingest(c, "evil", run_log("evil", name=EVIL))
        assert r.status_code == 200, r.text
        yield c


def test_catastrophic_regex_does_not_stall_the_server(server, c):
    """`^(a+)+$` against 'aaa…a!' backtracks for minutes in Python's `re`; the health endpoint must
    keep answering meanwhile, and the filter must be answered too."""
    flt = {"name": {"$regex": "^(a+)+$"}}
    answers: dict = {}

    def attack() -> None:
        with http(server.url, server.api_key) as a:
            answers["query"] = a.post(QUERY, json={"filter": flt})
            answers["get"] = a.get("/api/v1/projects/admin/p/runs", params={"filter": json.dumps(flt)})

    t = threading.Thread(target=attack, daemon=True)
    t.start()
    deadline = time.monotonic() + 10  # the old server did not answer for tens of seconds
    while t.is_alive() and time.monotonic() < deadline:
        assert c.get("/api/v1/health", timeout=deadline - time.monotonic()).status_code == 200
    t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not t.is_alive(), "the regex filter was not answered within 10 s"
    for r in answers.values():
        assert r.status_code == 200 or 400 <= r.status_code < 500, r.text
        if r.status_code == 200:
            assert r.json()["runs"] == []  # the name ends in '!': no match
    # the same regex without the '!' trap matches, so RE2 is really matching
    r = c.post(QUERY, json={"filter": {"name": {"$regex": "^(a+)+!$"}}})
    assert [x["name"] for x in r.json()["runs"]] == [EVIL]


def test_regex_bounds_and_syntax(c):
    err = assert_client_error(c.post(QUERY, json={"filter": {"name": {"$regex": "a" * 10_000}}}), 422)
    assert "limit" in err["message"]
    err = assert_client_error(c.post(QUERY, json={"filter": {"name": {"$regex": "(a)\\1"}}}), 422)
    assert "RE2" in err["message"]
    assert_client_error(c.post(QUERY, json={"filter": {"created_at": {"$regex": "1"}}}), 422)
    assert_alive(c)


BAD_FILTERS = [
    {"config.lr": 2**70},  # beyond int64
    {"last_step": {"$gt": -(2**64)}},
    {"name\x00": "x"},  # NUL in a key
    {"name": "a\x00b"},  # NUL in a value
    {"name": {"$in": [{"a": 1}, {"b": 2}]}},  # objects in $in
    {"config.lr": {"$in": [{"a": 1}]}},
    {"tags": {"$in": [{"a": 1}]}},
    {"state": 5},  # a string column compared with a number
    {"created_at": "yesterday"},  # a number column compared with a string
    {"created_at": {"$gt": {"x": 1}}},
    {"state": True},
    {"config.lr": {"$gt": [1, 2]}},
    {"summary.loss": float("inf")},
]


@pytest.mark.parametrize("flt", BAD_FILTERS, ids=[repr(f)[:40] for f in BAD_FILTERS])
def test_malformed_filter_is_a_client_error(c, flt):
    body = json.dumps({"filter": flt}, allow_nan=True)
    assert_client_error(c.post(QUERY, content=body, headers={"Content-Type": "application/json"}))
    assert_alive(c)


def test_deep_filter_is_refused(c):
    r = c.post(QUERY, content=_dump_deep(20_000))
    err = assert_client_error(r, 400)
    assert "nests deeper" in err["message"]
    r = c.get("/api/v1/projects/admin/p/runs", params={"filter": _dump_deep(2_000, wrap=False)})
    assert_client_error(r, 400)
    moderate = _dump_deep(100, wrap=False)  # parses, but nests past the filter's bound
    assert_client_error(c.post(QUERY, content=b'{"filter": ' + moderate.encode() + b"}"))
    assert_alive(c)


def _dump_deep(n: int, wrap: bool = True) -> str:
    """A filter `{"$and": [{"$and": [... {"name": "x"} ...]}]}` n levels deep, built as text
    (json.dumps itself would overflow the stack)."""
    inner = '{"$and": [' * n + '{"name": "x"}' + "]}" * n
    return '{"filter": ' + inner + "}" if wrap else inner


def test_query_parameters_beyond_int64(c):
    for params in ({"limit": str(2**70)}, {"offset": str(2**64)}, {"offset": "-" + "9" * 30}):
        assert_client_error(c.get("/api/v1/projects/admin/p/runs", params=params))
    assert_client_error(c.get("/api/v1/runs/admin/p/evil/history/raw", params={"min_step": str(2**63)}))
    assert_client_error(c.delete("/api/v1/keys/" + "9" * 30))
    assert_client_error(c.post(QUERY, json={"offset": 2**70}), 400)  # in a JSON body as well
    assert_alive(c)


def test_graphql_filters_are_bounded(server, c):
    """The wandb protocol's runs(filters:) uses the same compiler: same bounds, no 500."""
    import base64

    basic = base64.b64encode(f"api:{server.api_key}".encode()).decode()
    q = 'query($f: JSONString) { project(name: "p", entityName: "admin") { runs(filters: $f) { edges { node { name } } } } }'
    for flt in ({"name": {"$regex": "^(a+)+$"}}, {"config.lr": 2**70}, _dump_deep(20_000, wrap=False)):
        f = flt if isinstance(flt, str) else json.dumps(flt)
        r = c.post(
            "/graphql", json={"query": q, "variables": {"f": f}}, headers={"Authorization": f"Basic {basic}"}
        )
        assert r.status_code in (200, 400), r.text
        if r.status_code == 200 and r.json().get("data", {}).get("project"):
            runs = r.json()["data"]["project"]["runs"]
            assert runs is None or runs["edges"] == []
    assert_alive(c)


def test_forged_cursors_are_refused(c):
    """A page cursor is client input too: values a filter could not compare with are refused."""
    import base64

    def cursor(raw: str) -> str:
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    for raw in ('[{"a": 1}, 2]', f"[{2**70}, 2]", '["a\\u0000b", 2]', "[" * 3000 + "]" * 3000):
        assert_client_error(c.post(QUERY, json={"cursor": cursor(raw)[:4096]}))
        assert_client_error(c.get("/api/v1/projects/admin/p/runs", params={"cursor": cursor(raw)[:4096]}))
    assert_alive(c)
