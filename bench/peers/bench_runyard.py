"""runyard, offline mode: log() stamps the call and appends one tuple to an in-memory
deque; one background thread (runyard-writer) encodes batches (columnar, msgpack) and
appends them to the run's single log file, `runyard/offline-run-<ts>-<id>/run-<id>.rylog`;
finish() drains the queue, fsyncs and closes, so the run is durable when it returns.

Defaults kept (what a user gets): system-metrics sampling thread (every 10 s), console
capture, environment capture (git, requirements.txt) in a background thread.  The only
switch set is `silent` (no banner), as WANDB_SILENT is for wandb: every peer runs quiet.

This driver lives in the runyard repo (bench/peers/) and plugs into the peer benchmark harness
(common.py, runner.py, run_all.sh; PEER_HARNESS_DIR names its folder) via DRIVER_DIR; see bench/run.sh.
"""

import os
import sys

_HARNESS = os.environ.get("PEER_HARNESS_DIR", "")
if not os.path.isfile(os.path.join(_HARNESS, "common.py")):
    sys.exit("bench_runyard.py needs the peer benchmark harness: set PEER_HARNESS_DIR to its folder")
sys.path.insert(0, _HARNESS)

import common  # noqa: E402  first peer-relevant import: its import is t=0


class Adapter(common.Adapter):
    name = "runyard"
    dist = "runyard"
    variants = ("default",)

    def env(self):
        return {
            "RUNYARD_MODE": "offline",  # nothing is sent anywhere (init also passes mode="offline")
            "RUNYARD_SILENT": "true",  # no console banner (all peers run quiet)
            "RUNYARD_DIR": self.workdir,  # store inside the private work dir
        }

    def import_lib(self):
        import runyard

        self.runyard = runyard
        self.run = None

    def version(self):
        try:
            return super().version()
        except Exception:  # running from a source tree without an installed dist
            return getattr(self.runyard, "__version__", None)

    def start_run(self, run_name):
        ry = self.runyard
        self.run = ry.init(
            project=common.PROJECT,
            name=run_name,
            dir=self.workdir,
            mode="offline",
            settings=ry.Settings(silent=True),
        )

    def logger(self):
        log = self.runyard.log

        def f(metrics, step):
            log(metrics, step=step)

        return f

    def image_logger(self):
        Image = getattr(self.runyard, "Image", None)
        if Image is None:
            raise common.Unsupported("media types arrive with the media issue")
        log = self.runyard.log

        def f(step, img, scalar):
            log({common.W4_IMAGE_KEY: Image(img), common.W4_SCALAR_KEY: scalar}, step=step)

        return f

    def finish(self):
        # Returns once the writer thread has drained the queue, written and fsynced the log.
        self.runyard.finish()

    def run_ref(self):
        d = self.run.sync_dir if self.run is not None else None
        # relative to the work dir: W5 reads a *copy* of the work dir (run_all.sh w5_from)
        return {"run_rel": os.path.relpath(d, self.workdir) if d else None}

    # W5: the public offline reader, runyard.runlog.read(run_dir) -> RunData (no server).
    def _run_dir(self, ref):
        return os.path.join(self.args.source, ref["run_rel"])

    def open_reader(self, ref):
        import runyard.runlog as rl

        self.rd = rl.read(self._run_dir(ref))
        return self.rd

    def read_one(self, ref, key):
        return self.rd.series(key)

    def read_all(self, ref, keys):
        out = {}
        for k in keys:
            steps, values = self.rd.series(k)
            out[k] = len(values)
        return out

    def read_extras(self, ref, keys):
        # The whole path in one go, from a fresh reader: open + 10 series.
        import time

        import runyard.runlog as rl

        t0 = time.perf_counter()
        rd = rl.read(self._run_dir(ref))
        n = sum(len(rd.series(k)[1]) for k in keys)
        t1 = time.perf_counter()
        rows = sum(1 for _ in rd.history())
        t2 = time.perf_counter()
        return {
            "reopen_plus_read_all_s": t1 - t0,
            "reopen_points": n,
            "history_rows_s": t2 - t1,
            "history_rows": rows,
        }


if __name__ == "__main__":
    sys.exit(common.main(Adapter))
