"""Property-based fuzzing of the run-log decoder and the server's ingest.

Two properties, over run logs a hostile or buggy client could send:
- the local reader (`runyard.runlog.read`) never raises anything but `RunLogError` on a corrupt file,
  and keeps every record before the first corrupt byte;
- the server answers every ingest chunk with a status below 500, and a run ingested before the
  fuzzing reads back identically after it (SQLite and PostgreSQL).

Frames are checksummed correctly on purpose: random bytes would mostly stop at the CRC, while
well-framed hostile payloads reach the decoders and the database.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runyard.runlog import RunLogError, read
from runyard.wire.framing import file_header, frame
from runyard.wire.history_codec import encode_history
from runyard.wire.records import RT, packb

INT64 = 2**63
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-INT64, max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.binary(max_size=24),
)
value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)


def _deep(n: int) -> dict:
    d: dict = {}
    for _ in range(n):
        d = {"k": d}
    return d


# Field names each record type uses (docs/run-log-format.md): hostile values land where decoders look.
FIELDS = {
    RT.CONFIG: ["update", "remove"],
    RT.SUMMARY: ["update", "remove"],
    RT.SYSTEM: ["samples"],
    RT.CONSOLE: ["lines"],
    RT.FILES: ["files"],
    RT.METRIC: ["name", "glob", "step_metric", "summary", "hidden", "goal"],
    RT.ENVIRONMENT: ["metadata"],
    RT.ALERT: ["title", "text", "level", "wait_duration"],
    RT.EXIT: ["exit_code", "state", "end_time", "runtime"],
    RT.RUN_UPDATE: ["name", "tags", "notes", "flags"],
    RT.ARTIFACT: ["name", "type", "digest", "entity", "project", "aliases", "client_id", "files", "size"],
    RT.USE_ARTIFACT: ["name", "digest", "version", "entity", "project"],
}
special = st.sampled_from(
    [math.inf, -math.inf, math.nan, INT64, -INT64 - 1, 2**64 - 1, "\x00", "../../etc/passwd", _deep(600)]
)
field_value = st.one_of(value, special)


@st.composite
def plain_record(draw) -> tuple[int, dict]:
    rtype = draw(st.sampled_from(sorted(FIELDS)))
    names = FIELDS[rtype]
    body = draw(st.dictionaries(st.sampled_from(names), field_value, max_size=len(names)))
    body["seq"] = draw(st.one_of(st.integers(0, 1000), field_value))
    if rtype == RT.CONSOLE and draw(st.booleans()):
        body["lines"] = [[draw(field_value), draw(field_value), draw(field_value), draw(field_value)]]
    if rtype == RT.SYSTEM and draw(st.booleans()):
        body["samples"] = [[draw(field_value), draw(field_value), {"system/cpu": draw(field_value)}]]
    return int(rtype), body


@st.composite
def history_record(draw) -> tuple[int, dict]:
    n = draw(st.integers(1, 5))
    keys = tuple(sorted(draw(st.sets(st.text(min_size=1, max_size=6), min_size=1, max_size=3))))
    frags = [
        ("h", i, draw(st.integers(-5, 50)), 1.0e9 + i, 1, keys, tuple(draw(leaf) for _ in keys))
        for i in range(n)
    ]
    body = encode_history(frags)
    # then break one field of the well-formed batch
    victim = draw(st.sampled_from(["", "n", "seq", "step", "ts", "commit", "groups", "groups.0"]))
    if victim == "groups.0":
        g = list(body["groups"][0])
        g[draw(st.integers(0, 3))] = draw(field_value)
        body["groups"] = [g]
    elif victim:
        body[victim] = draw(st.one_of(field_value, st.integers(0, 2**62)))
    return int(RT.HISTORY), body


record = st.one_of(plain_record(), history_record())


def run_log(
    run_id: str, segment: str, records: list[tuple[int, dict]], run_extra: dict | None = None
) -> bytes:
    run = {"run_id": run_id, "segment": segment, "project": "fuzz", "start_time": 1.0e9, "seq": 0}
    run.update(run_extra or {})
    return file_header() + frame(RT.RUN, packb(run)) + b"".join(frame(t, packb(b)) for t, b in records)


FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples every run: a CI failure reproduces locally
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@FUZZ
@given(records=st.lists(record, min_size=1, max_size=5), cut=st.integers(0, 64))
def test_local_reader_never_crashes_on_a_corrupt_log(tmp_path, records, cut):
    intact = run_log("r1", "s1", [(int(RT.CONFIG), {"seq": 1, "update": {"lr": 0.1}})])
    data = intact + run_log("r1", "s1", records)[16:]
    path = tmp_path / "run-r1.rylog"
    path.write_bytes(data[: len(data) - cut])
    try:
        rd = read(path)
        rd.history()
        _ = rd.summary, rd.state, rd.config
    except RunLogError:
        return
    assert rd.config.get("lr") == 0.1  # the intact prefix survives whatever follows


@pytest.fixture
def known_run(client):
    """A well-formed run ingested before the fuzzing, and how it reads back."""
    frags = [("h", i, i, 1.0e9 + i, 1, ("loss", "acc"), (1.0 / (i + 1), i / 10)) for i in range(50)]
    body = run_log(
        "known",
        "k1",
        [
            (int(RT.CONFIG), {"seq": 1, "update": {"lr": 0.01, "layers": [1, 2]}}),
            (int(RT.HISTORY), encode_history(frags)),
            (int(RT.EXIT), {"seq": 2, "exit_code": 0, "state": "finished", "end_time": 1.0e9 + 60}),
        ],
    )
    r = client.post("/api/v1/ingest/admin/fuzz/known?segment=k1&offset=0", content=body)
    assert r.status_code == 200, r.text

    def snapshot() -> tuple:
        run = client.get("/api/v1/runs/admin/fuzz/known").json()
        rows = client.get("/api/v1/runs/admin/fuzz/known/history/rows").json()
        return run["config"], run["summary"], run["state"], rows

    return snapshot, snapshot()


_ids = itertools.count()


@FUZZ
@given(
    records=st.lists(record, min_size=1, max_size=5),
    run_extra=st.dictionaries(
        st.sampled_from(
            ["name", "tags", "notes", "group", "start_time", "resumed", "starting_step", "entity", "project"]
        ),
        field_value,
        max_size=3,
    ),
    split=st.booleans(),
)
def test_ingest_answers_every_hostile_chunk_below_500(client, known_run, records, run_extra, split):
    snapshot, before = known_run
    rid = f"f{next(_ids)}"
    body = run_log(rid, "s", records, run_extra)
    url = f"/api/v1/ingest/admin/fuzz/{rid}?segment=s"
    if split:  # the first frame alone, then the rest at its offset: exercises the resume path
        first_end = 16 + 8 + int.from_bytes(body[16:20], "little")
        r = client.post(url + "&offset=0", content=body[:first_end])
        assert r.status_code < 500, r.text
        r = client.post(url + f"&offset={first_end}", content=body[first_end:])
    else:
        r = client.post(url + "&offset=0", content=body)
    assert r.status_code < 500, r.text
    if r.status_code == 200:  # what was accepted must read back without a server error
        for path in ("", "/history/rows", "/console", "/keys"):
            got = client.get(f"/api/v1/runs/admin/fuzz/{rid}{path}")
            assert got.status_code < 500, (path, got.text)
    assert snapshot() == before
