"""Ctrl-C and SIGTERM act at once while the main thread is blocked, whatever runyard's threads do.

runyard's background threads block SIGINT/SIGTERM/SIGHUP (sdk/threads.py), so the kernel always
hands these signals to the main thread, which wakes from sleep() or a queue wait. Without that, a
signal landing on a background thread only set a flag and the training loop slept on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from runyard.runlog import read
from runyard.sdk.threads import signals_blocked, start
from tests.conftest import REPO, only_run_dir, wait_until_blocked

# Every kind of runyard thread an offline run starts: writer, system monitor (fast), console
# capture in redirect mode (one reader thread per stream), environment capture; then the main
# thread blocks the way training loops do.
#
# A program started in a terminal has Python's KeyboardInterrupt handler. One started by a background
# job of a shell without job control (a CI script's `cmd &`, nohup) inherits SIGINT ignored, and
# Python then installs no handler: the child puts back what a foreground program has.
CHILD = """
import queue, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import runyard
runyard.init(project='p', mode='offline',
             settings=runyard.Settings(console='redirect', x_stats_sampling_interval=0.05))
for i in range(20):
    runyard.log({'a': i})
print('ready', flush=True)
if sys.argv[1] == 'sleep':
    time.sleep(600)
else:  # a data-loader wait
    queue.Queue().get()
"""

ROUNDS = 50
AT_ONCE = 5  # children in flight together: more load on the machine, same number of signals
DEADLINE = 60.0  # generous: a child that ignores the signal sleeps for 600 s


def _busy_core() -> subprocess.Popen:
    """A second busy core: a spinning process pinned to the CPU the children share with it."""
    code = "import os\nif hasattr(os, 'sched_setaffinity'): os.sched_setaffinity(0, {0})\nwhile True: pass\n"
    return subprocess.Popen([sys.executable, "-c", code])


def _spawn(tmp, i: int, wait: str) -> subprocess.Popen:
    cwd = tmp / f"c{i}"
    cwd.mkdir()
    (cwd / "child.py").write_text(CHILD)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    env.update(PYTHONPATH=str(REPO), RUNYARD_HOME=str(cwd / "home"))
    p = subprocess.Popen(
        [sys.executable, "child.py", wait],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(p.pid, {0})  # on the busy loop's CPU
    return p


def _expect(sig: int) -> tuple[int, str]:
    # SIGTERM: runyard's handler marks the run crashed with 128+15, then the default action ends the
    # process. SIGINT: KeyboardInterrupt ends the main thread; the run is crashed with 130.
    return (128 + signal.SIGTERM, "crashed") if sig == signal.SIGTERM else (130, "crashed")


def _signal_batch(tmp_path, procs: list) -> None:
    for _case, p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        wait_until_blocked(p.pid)
    for (_i, sig, _w), p in procs:
        p.send_signal(sig)
    for (i, sig, wait), p in procs:
        try:
            rc = p.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"child {i} ({signal.Signals(sig).name} while blocked in {wait}) hung")
        finally:
            if p.stdout is not None:
                p.stdout.close()
        assert rc == -sig, (i, rc)
        rd = read(only_run_dir(tmp_path / f"c{i}"))
        code, state = _expect(sig)
        assert (rd.state, rd.exit["exit_code"]) == (state, code), i
        assert rd.series("a")[1] == list(range(20))


def test_signals_reach_a_blocked_main_thread_every_time(tmp_path):
    busy = _busy_core()
    try:
        cases = [
            (i, signal.SIGTERM if i % 2 else signal.SIGINT, "sleep" if i % 4 < 2 else "queue")
            for i in range(ROUNDS)
        ]
        for batch in range(0, ROUNDS, AT_ONCE):
            procs = [(case, _spawn(tmp_path, case[0], case[2])) for case in cases[batch : batch + AT_ONCE]]
            try:
                _signal_batch(tmp_path, procs)
            finally:
                for _case, p in procs:  # a failed round leaves no child sleeping on
                    if p.poll() is None:
                        p.kill()
                        p.wait()
    finally:
        busy.kill()
        busy.wait()


def test_runyard_threads_block_the_signals_and_leave_the_caller_as_it_was():
    seen: list[set] = []
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    t = start(threading.Thread(target=lambda: seen.append(signal.pthread_sigmask(signal.SIG_BLOCK, []))))
    t.join()
    assert {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} <= seen[0]
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as ex:
        with signals_blocked():
            fut = ex.submit(lambda: signal.pthread_sigmask(signal.SIG_BLOCK, []))
        assert signal.SIGINT in fut.result()
