"""MLflow side of bench/bench_server_peers.py (runs in MLflow's own venv, local stores only).

    python mlflow_peer.py ingest --store file|sqlite --dir D --steps N --keys K [--api batch|log_metrics]
    python mlflow_peer.py read --store file|sqlite --dir D --run-id R --key K [--expect N]

ingest: replays N steps x K metrics (m00.. with the values of the runyard run) into a fresh local store,
  either through `MlflowClient.log_batch` (1,000 metrics per call, MLflow's limit; the fastest path)
  or `mlflow.log_metrics(d, step=s)` once per step (what a training loop calls). Building the
  `Metric` objects is inside the clock. Synchronous logging (MLflow's default): the data is in the
  store when the call returns.
read: fresh process; `MlflowClient.get_metric_history(run_id, key)` (the first call includes opening
  the store), then 3 warm calls; and the store's sampled chart read (`get_metric_history_bulk_interval`,
  what MLflow's UI uses: up to 1,000 sampled steps, no min/max), if present.
Prints one JSON line. Offline/telemetry switches and the store location come from the environment.
"""

import argparse
import json
import os
import statistics
import sys
import time

t_start = time.perf_counter()


def uri(store, d):
    if store == "sqlite":
        return "sqlite:///" + os.path.join(d, "mlflow.db")
    return "file://" + os.path.join(d, "mlruns")


def du(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


def ingest(a):
    t = time.perf_counter()
    import mlflow
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    import_s = time.perf_counter() - t
    u = uri(a.store, a.dir)
    names = [f"m{j:02d}" for j in range(a.keys)]
    t0 = time.perf_counter()
    mlflow.set_tracking_uri(u)
    client = MlflowClient(tracking_uri=u)
    exp = client.create_experiment("bench")
    run = client.create_run(exp, run_name="r")
    run_id = run.info.run_id
    t1 = time.perf_counter()
    ts = int(time.time() * 1000)
    if a.api == "batch":
        batch = []
        for s in range(a.steps):
            for j, k in enumerate(names):
                batch.append(Metric(k, s * 0.001 + j, ts + s, s))
            if len(batch) + a.keys > 1000:
                client.log_batch(run_id, metrics=batch)
                batch = []
        if batch:
            client.log_batch(run_id, metrics=batch)
        client.set_terminated(run_id)
    else:
        mlflow.start_run(run_id=run_id)
        for s in range(a.steps):
            mlflow.log_metrics({k: s * 0.001 + j for j, k in enumerate(names)}, step=s)
        mlflow.end_run()
    t2 = time.perf_counter()
    return {
        "import_s": import_s,
        "open_s": t1 - t0,
        "ingest_s": t2 - t1,
        "total_s": t2 - t0,
        "run_id": run_id,
        "points": a.steps * a.keys,
        "disk_bytes": du(a.dir),
        "version": mlflow.__version__,
    }


def read(a):
    t = time.perf_counter()
    from mlflow.tracking import MlflowClient

    import_s = time.perf_counter() - t
    t0 = time.perf_counter()
    client = MlflowClient(tracking_uri=uri(a.store, a.dir))
    hist = client.get_metric_history(a.run_id, a.key)
    steps, vals = [m.step for m in hist], [m.value for m in hist]
    first_s = time.perf_counter() - t0
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        hist = client.get_metric_history(a.run_id, a.key)
        steps, vals = [m.step for m in hist], [m.value for m in hist]
        warm.append(time.perf_counter() - t)
    out = {"import_s": import_s, "first_s": first_s, "warm_s": statistics.median(warm), "points": len(vals)}
    store = getattr(getattr(client, "_tracking_client", None), "store", None)
    if store is not None and hasattr(store, "get_metric_history_bulk_interval"):
        t = time.perf_counter()
        sampled = store.get_metric_history_bulk_interval([a.run_id], a.key, 1000, None, None)
        out["sampled_s"] = time.perf_counter() - t
        out["sampled_points"] = len(sampled)
    if a.expect is not None:
        assert len(vals) == a.expect and sorted(steps) == list(range(a.expect)), (len(vals), a.expect)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["ingest", "read"])
    ap.add_argument("--store", choices=["file", "sqlite"], required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--api", choices=["batch", "log_metrics"], default="batch")
    ap.add_argument("--run-id")
    ap.add_argument("--key", default="m00")
    ap.add_argument("--expect", type=int)
    a = ap.parse_args()
    out = ingest(a) if a.cmd == "ingest" else read(a)
    out["process_s"] = time.perf_counter() - t_start
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
