"""`wandb.Api()` (the official client, 0.31.0) reading from a runyard server, checked against runyard's API.

Two runs logged by the official client, then one read script: `api.runs` with MongoDB filters, order
and paging, `api.run`, `.config`, `.summary`, `run.history()` (full and with keys), `run.scan_history()`
(all keys and with keys: RunHistoryKeys -> RunParquetHistory -> HistoryPage / SampledHistoryPage),
`run.files()` and a download.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from tests.compat_server.test_official_client import api, client_run, wandb_env  # noqa: F401

LOG = textwrap.dedent("""
    import json, wandb
    ids = []
    for lr, n in ((0.1, 40), (0.01, 25)):
        run = wandb.init(project="rd", config={"lr": lr, "arch": {"depth": 3}}, tags=["lr%g" % lr])
        for i in range(n):
            row = {"loss": 1.0 / (i + 1), "label": "s%d" % i}
            if i % 3 == 0:
                row["acc"] = i * 0.01
            run.log(row)
        run.summary["best"] = lr * 10
        with open(run.dir + "/extra.txt", "w") as f:
            f.write("extra %g\\n" % lr)
        run.save(run.dir + "/extra.txt", base_path=run.dir, policy="now")
        ids.append(run.id)
        run.finish()
    print("EXPECT " + json.dumps({"ids": ids}), flush=True)
""")

READ = textwrap.dedent("""
    import json, os, sys, wandb
    api = wandb.Api()
    fast, slow = sys.argv[1], sys.argv[2]
    out = {}
    out["all"] = sorted(r.id for r in api.runs("admin/rd"))
    out["filtered"] = [r.id for r in api.runs("admin/rd", filters={"config.lr.value": 0.1})]
    out["gt"] = [r.id for r in api.runs("admin/rd", filters={"$and": [{"summary_metrics.best": {"$gt": 0.5}},
                                                                         {"tags": {"$in": ["lr0.1"]}}]})]
    out["paged"] = [r.id for r in api.runs("admin/rd", order="-created_at", per_page=1)]
    out["count"] = len(api.runs("admin/rd", filters={"state": "finished"}))
    run = api.run("admin/rd/" + fast)
    out["run"] = {"id": run.id, "name": run.name, "state": run.state, "tags": run.tags,
                  "config": dict(run.config), "summary": dict(run.summary), "path": run.path,
                  "last": run.lastHistoryStep}
    out["history"] = run.history(pandas=False, samples=1000)
    out["history_keys"] = run.history(keys=["acc"], pandas=False)
    out["scan"] = list(run.scan_history(page_size=7))
    out["scan_keys"] = list(run.scan_history(keys=["acc", "loss"], page_size=5))
    out["scan_range"] = [r["_step"] for r in run.scan_history(min_step=5, max_step=12)]
    files = {f.name: (f.size, f.md5) for f in run.files()}
    out["files"] = files
    f = run.file("extra.txt")
    with f.download(root="dl", replace=True) as fh:
        out["extra"] = fh.read()
    out["missing"] = None
    try:
        api.run("admin/rd/nosuchrun").state
    except Exception as e:  # wandb.errors.CommError / ValueError
        out["missing"] = type(e).__name__
    print("EXPECT " + json.dumps(out), flush=True)
""")


def test_wandb_api_reads(wandb_python, wandb_env, server, tmp_path):  # noqa: F811
    ids = client_run(wandb_python, wandb_env, tmp_path, LOG)["ids"]
    fast = ids[0]
    got = client_run(wandb_python, wandb_env, tmp_path, READ, fast, ids[1])
    ry = api(server)
    mine = ry.run(f"admin/rd/{fast}")
    assert got["all"] == sorted(ids)
    assert got["filtered"] == [fast] and got["gt"] == [fast]
    assert got["paged"] == [r.id for r in ry.runs("admin/rd", order="-created_at")] == ids[::-1]
    assert got["count"] == 2
    r = got["run"]
    assert r["id"] == fast and r["name"] == mine.name and r["state"] == "finished"
    assert r["tags"] == ["lr0.1"] and r["path"] == ["admin", "rd", fast]
    assert r["config"]["lr"] == 0.1 and r["config"]["arch"] == {"depth": 3}
    assert {k: v for k, v in r["summary"].items() if not k.startswith("_")} == {
        k: v for k, v in mine.summary.items() if not k.startswith("_")
    }
    assert r["summary"]["best"] == 1.0 and r["last"] == 39
    # full history: every row, every value, as runyard's own reader has them
    ref = list(mine.scan_history())
    assert len(ref) == 40
    assert got["history"] == ref == got["scan"]
    assert [(x["_step"], x["acc"]) for x in got["history_keys"]] == [
        (x["_step"], x["acc"]) for x in ref if "acc" in x
    ]
    assert got["scan_keys"] == [
        {k: x[k] for k in ("_step", "_runtime", "_timestamp", "acc", "loss")} for x in ref if "acc" in x
    ]
    assert got["scan_range"] == list(range(5, 12))
    rfiles = {f.name: f.size for f in mine.files()}
    assert {k: v[0] for k, v in got["files"].items()} == rfiles
    assert all(v[1] for v in got["files"].values())  # md5 of each file
    assert got["extra"] == "extra 0.1\n"
    assert got["missing"] is not None


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("the wandb client venv fixture is POSIX-only")
_ = json
