"""Run-log records a hostile (or broken) client uploads: declared sizes that lie, numbers no column
holds, nesting no parser should follow. Each is a 400 in the envelope naming the problem, the
connection stays usable, and a lying size costs the server no memory."""

from __future__ import annotations

import pytest

from runyard.wire.history_codec import encode_history
from runyard.wire.records import RT

from .attack import ServerProcess, assert_alive, assert_client_error, history, http, ingest, run_log

MiB = 1024 * 1024


def _nested(depth: int) -> dict:
    d: dict = {"leaf": 1}
    for _ in range(depth - 1):
        d = {"k": d}
    return d


def _huge_history() -> dict:
    """253 bytes that declare 2**36 fragments (the old server sized arrays by `n` before checking)."""
    return {"n": 2**36, "seq": 0, "step": 0, "ts": b"", "commit": 1, "groups": [[["loss"], None, 2**36, []]]}


MALFORMED = {
    "history declares more points than it holds": (RT.HISTORY, _huge_history()),
    "history step beyond int64": (RT.HISTORY, encode_history([(0, 1, 2**63, 1.0e9, 1, ("loss",), (0.5,))])),
    "history column shorter than its count": (
        RT.HISTORY,
        {**history(0, 1), "groups": [[["loss"], None, 2, [["f8", b"\0" * 8]]]]},
    ),
    "history timestamp NaN": (RT.HISTORY, {**history(0), "ts": b"\x00\x00\x00\x00\x00\x00\xf8\x7f"}),
    "history value nested 500 deep": (
        RT.HISTORY,
        {**history(0), "groups": [[["obj"], None, 1, [["any", [_nested(500)]]]]]},
    ),
    "history column nested 500 deep": (
        RT.HISTORY,
        {**history(0), "groups": [[["obj"], None, 1, [_nested(500)]]]},
    ),
    "console seq inf": (RT.CONSOLE, {"lines": [[float("inf"), 1.0e9, 1, "hello"]]}),
    "console ts NaN": (RT.CONSOLE, {"lines": [[1, float("nan"), 1, "hello"]]}),
    "console line not a list": (RT.CONSOLE, {"lines": [5]}),
    "exit code inf": (RT.EXIT, {"exit_code": float("inf"), "state": "finished"}),
    "exit code beyond int64": (RT.EXIT, {"exit_code": 2**64 - 1}),
    "exit state unknown": (RT.EXIT, {"exit_code": 0, "state": {"x": 1}}),
    "config nested 500 deep": (RT.CONFIG, {"update": {"deep": _nested(500)}}),
    "config update not a map": (RT.CONFIG, {"update": [1, 2]}),
    "system sample ts NaN": (RT.SYSTEM, {"samples": [[1, float("nan"), {"cpu": 1.0}]]}),
    "files entry not a map": (RT.FILES, {"files": ["a.txt"]}),
    "run update tags not a list": (RT.RUN_UPDATE, {"tags": 5}),
    "seq beyond int64": (RT.SUMMARY, {"update": {"a": 1}, "seq": 2**64 - 1}),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_record_is_refused(server, case):
    rtype, payload = MALFORMED[case]
    with http(server.url, server.api_key) as c:
        err = assert_client_error(ingest(c, "r1", run_log("r1", (rtype, payload))), 400)
        assert "record" in err["message"] or "HISTORY" in err["message"], err
        assert_alive(c)


@pytest.mark.parametrize(
    "fields",
    [{"tags": 5}, {"name": 5}, {"start_time": "yesterday"}, {"starting_step": 2**64 - 1}, {"notes": ["x"]}],
    ids=str,
)
def test_run_record_fields_of_the_wrong_type(server, fields):
    from runyard.wire.framing import file_header, frame
    from runyard.wire.records import packb

    run = {"run_id": "r2", "segment": "seg1", "start_time": 1.0e9, "seq": 0, **fields}
    with http(server.url, server.api_key) as c:
        err = assert_client_error(ingest(c, "r2", file_header() + frame(RT.RUN, packb(run))), 400)
        assert "RUN record" in err["message"]
        assert_alive(c)


def test_a_good_run_still_arrives(server):
    with http(server.url, server.api_key) as c:
        r = ingest(
            c,
            "ok",
            run_log("ok", (RT.HISTORY, history(0, 1, 2)), (RT.CONFIG, {"update": {"d": _nested(20)}})),
        )
        assert r.status_code == 200, r.text
        assert c.get("/api/v1/runs/admin/p/ok").json()["last_step"] == 2


def test_huge_declared_history_costs_no_memory(home, db_url):
    """The 253-byte record that took +509 MB is refused before anything is sized by it."""
    with ServerProcess(home, db_url) as srv, http(srv.url, srv.key) as c:
        assert_alive(c)
        before = srv.rss_bytes()
        for i in range(3):
            assert_client_error(ingest(c, f"h{i}", run_log(f"h{i}", (RT.HISTORY, _huge_history()))), 400)
        assert srv.peak_rss_bytes() - before < 50 * MiB
        assert_alive(c)


def test_wandb_file_stream_malformed_values(server):
    """The wandb protocol feeds the same ingest: its malformed values are 4xx too, never a 500."""
    import base64
    import json

    basic = {"Authorization": "Basic " + base64.b64encode(f"api:{server.api_key}".encode()).decode()}
    url = "/files/admin/p/fs/file_stream"

    def line(**kw) -> str:
        return json.dumps({"_timestamp": 1.0e9, "_runtime": 1.0, "loss": 0.5, **kw})

    bodies = [
        {"files": {"wandb-history.jsonl": {"offset": 0, "content": [line(_step=0)]}}},
        {"files": {"wandb-history.jsonl": {"offset": 1, "content": [line(_step=2**63)]}}},
        {"files": {"wandb-history.jsonl": {"offset": 1, "content": [line(_step=1, deep=_nested(500))]}}},
        {"files": {"wandb-history.jsonl": {"offset": 9**40, "content": [line(_step=2)]}}},
        {"complete": True, "exitcode": float("inf")},
    ]
    with http(server.url, server.api_key) as c:
        for body in bodies:
            r = c.post(url, content=json.dumps(body), headers=basic)
            assert r.status_code < 500, (body, r.status_code, r.text[:300])
            assert_alive(c)
        run = c.get("/api/v1/runs/admin/p/fs").json()
        assert run["state"] == "finished" and run["exit_code"] == 0  # inf is no exit code: the default
