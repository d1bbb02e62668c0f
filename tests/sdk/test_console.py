"""Console capture: the terminal sees exactly what it saw before, and the lines come out right.

What reaches the real terminal is checked in child processes (their stdout/stderr are pipes we
read byte for byte); line assembly is checked in-process on top of pytest's own capture.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from runyard.sdk.console import MAX_LINE_CHARS, STDERR, STDOUT, ConsoleCapture

REPO = Path(__file__).resolve().parents[2]

PRELUDE = """\
import json, os, sys
from runyard.sdk.console import ConsoleCapture, STDOUT, STDERR
MODE, RECORDS = sys.argv[1], sys.argv[2]
records = []
cap = ConsoleCapture(lambda s, ts, line: records.append([s, ts, line]),
                     mode="wrap" if MODE == "off" else MODE)
if MODE != "off":
    cap.start()
"""

EPILOGUE = """
cap.stop()
with open(RECORDS, "w") as f:
    json.dump({"records": records, "mode": cap.mode, "emit_errors": cap.emit_errors}, f)
"""


def run_script(tmp_path: Path, body: str, mode: str, **kwargs) -> tuple[subprocess.CompletedProcess, dict]:
    """Run PRELUDE + body + EPILOGUE in a child; return its raw output and what emit received."""
    script = tmp_path / f"script_{mode}.py"
    script.write_text(PRELUDE + textwrap.dedent(body) + EPILOGUE, encoding="utf-8")
    records = tmp_path / f"records_{mode}.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    proc = subprocess.run(
        [sys.executable, str(script), mode, str(records)], env=env, timeout=60, check=False, **kwargs
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace") if proc.stderr else proc
    data = json.loads(records.read_text(encoding="utf-8"))
    return proc, data


def lines_of(data: dict, stream: int) -> list[str]:
    return [line for s, _, line in data["records"] if s == stream]


@pytest.fixture
def capture(capsys):
    """A capture whose records land in the returned list, stopped at teardown. Tests start it:
    pytest re-installs its own sys.stdout when the test body begins, over anything a fixture set."""
    records: list[tuple[int, float, str]] = []
    cap = ConsoleCapture(lambda s, ts, line: records.append((s, ts, line)))
    yield cap, records
    cap.stop()


def out_lines(records) -> list[str]:
    return [line for s, _, line in records if s == STDOUT]


MIXED_OUTPUT = r"""
import logging
print("hello", 42)
sys.stdout.write("no newline yet")
sys.stdout.write(" ... done\n")
print("to stderr", file=sys.stderr)
sys.stdout.writelines(["a\n", "b\n"])
for i in range(1, 1001):
    sys.stderr.write(f"\rprogress {i}/1000")
    sys.stderr.flush()
sys.stderr.write("\n")
print("crlf line\r\n", end="")
print("ünïcødé ✓ \x1b[31mred\x1b[0m")
logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(message)s")
logging.warning("warned")
print("flushed", flush=True)
print("tail", end="")
"""


@pytest.mark.parametrize("mode", ["wrap", "redirect"])
def test_terminal_output_is_byte_identical_and_lines_are_recorded(tmp_path, mode):
    plain, off = run_script(tmp_path, MIXED_OUTPUT, "off")
    captured, data = run_script(tmp_path, MIXED_OUTPUT, mode)

    assert off["records"] == []
    assert data["mode"] == mode
    assert captured.stdout == plain.stdout
    assert captured.stderr == plain.stderr
    assert lines_of(data, STDOUT) == [
        "hello 42",
        "no newline yet ... done",
        "a",
        "b",
        "crlf line",
        "ünïcødé ✓ \x1b[31mred\x1b[0m",
        "flushed",
        "tail",
    ]
    assert lines_of(data, STDERR) == ["to stderr", "progress 1000/1000", "WARNING warned"]
    stamps = [ts for _, ts, _ in data["records"]]
    assert all(isinstance(ts, float) for ts in stamps)


def test_print_variants_reach_the_original_stream(capture, capsys):
    cap, records = capture
    cap.start()
    print("one")
    print("two", file=sys.stderr)
    sys.stdout.write("three\n")
    sys.stdout.writelines(iter(["four\n", "five\n"]))  # a one-shot iterator must reach both sides
    print("six", flush=True)
    cap.stop()
    seen = capsys.readouterr()
    assert seen.out == "one\nthree\nfour\nfive\nsix\n"
    assert seen.err == "two\n"
    assert records == [
        (STDOUT, records[0][1], "one"),
        (STDERR, records[1][1], "two"),
        (STDOUT, records[2][1], "three"),
        (STDOUT, records[3][1], "four"),
        (STDOUT, records[4][1], "five"),
        (STDOUT, records[5][1], "six"),
    ]


def test_timestamp_is_when_the_line_completes(capture):
    import time

    cap, records = capture
    cap.start()
    sys.stdout.write("started ")
    time.sleep(0.05)
    before = time.time()
    sys.stdout.write("finished\n")
    after = time.time()
    assert records[0][2] == "started finished"
    assert before <= records[0][1] <= after


def test_progress_bar_redraws_are_stored_as_the_final_line(capture, capsys):
    cap, records = capture
    cap.start()
    for i in range(1, 1001):
        sys.stderr.write(f"\rtraining: {i / 10:5.1f}% |{'#' * (i // 50):<20}| {i}/1000")
    sys.stderr.write("\n")
    print("next line")
    cap.stop()
    assert [line for _, _, line in records] == [
        "training: 100.0% |####################| 1000/1000",
        "next line",
    ]
    assert [s for s, _, _ in records] == [STDERR, STDOUT]
    assert capsys.readouterr().err.count("\r") == 1000  # the terminal still got every redraw


def test_tqdm_style_padding_and_clearing_leave_no_garbage(capture):
    cap, records = capture
    cap.start()
    err = sys.stderr
    # tqdm: "\r" + status + spaces to blank a longer previous status
    err.write("\rbar 10% long status text")
    err.write("\rbar 20%" + " " * 18)
    # tqdm.write(): clear the bar ("\r" + spaces + "\r"), print the message, redraw the bar
    err.write("\r" + " " * 25 + "\r")
    err.write("message between redraws\n")
    err.write("\rbar 30%")
    # leave=True close: final status and newline
    err.write("\rbar 100%")
    err.write("\n")
    # leave=False close: the bar is blanked and the cursor left at column 0
    err.write("\rsecond bar 50%")
    err.write("\r" + " " * 14 + "\r")
    cap.stop()
    assert [line for _, _, line in records] == ["message between redraws", "bar 100%"]


def test_nested_progress_bars_do_not_produce_a_line_per_redraw(capture):
    # What tqdm writes for `for epoch in trange(2): for b in tqdm(..., leave=False)` with
    # tqdm.write() after each epoch: the inner bar lives one row down, reached with "\n" and left
    # with cursor-up (ESC[A).
    cap, records = capture
    cap.start()
    err = sys.stderr
    last = {0: 0, 1: 0}

    def sp(pos: int, text: str) -> None:
        err.write("\r" + text + " " * max(last[pos] - len(text), 0))
        last[pos] = len(text)

    def show(pos: int, text: str) -> None:
        err.write("\n" * pos)
        sp(pos, text)
        err.write("\x1b[A" * pos)

    show(0, "outer 0/2")
    for epoch in range(2):
        for i in range(1, 101):
            show(1, f"inner {i}/100")
        show(1, "")  # inner closes with leave=False: blanked in place
        sp(0, "")  # tqdm.write(): clear the outer bar, print, redraw it
        err.write("\r")
        err.write(f"epoch {epoch} done\n")
        sp(0, f"outer {epoch + 1}/2")
    sp(0, "outer 2/2")  # outer closes with leave=True
    err.write("\n")
    err.write("after the bars\n")
    assert records[-1][2] == "after the bars"  # back to emitting each line as it ends
    err.write("next line\n")
    assert records[-1][2] == "next line"
    cap.stop()
    assert [line for _, _, line in records] == [
        "outer 0/2",  # shown once: the bar's first state, before the cursor ever went up
        "epoch 0 done",
        "epoch 1 done",
        "outer 2/2",
        "after the bars",
        "next line",
    ]


def test_cursor_up_without_a_line_to_return_to_is_harmless(capture):
    cap, records = capture
    cap.start()
    sys.stdout.write("\x1b[A\x1b[3Fstart\n")
    print("plain")
    cap.stop()
    assert out_lines(records) == ["start", "plain"]


def test_erase_in_line_sequences_are_applied_and_colours_kept(capture):
    cap, records = capture
    cap.start()
    sys.stdout.write("\x1b[32mgreen\x1b[0m plain\n")
    sys.stdout.write("stale text\x1b[2Kfresh\n")  # erase entire line
    sys.stdout.write("spinner |\r\x1b[Kdone\n")  # home, erase to end of line
    sys.stdout.write("\x1b[1mbold\x1b[K\n")  # erase to end of line at the end: nothing to drop
    cap.stop()
    assert out_lines(records) == ["\x1b[32mgreen\x1b[0m plain", "fresh", "done", "\x1b[1mbold"]


def test_crlf_ends_a_line_even_when_split_across_writes(capture):
    cap, records = capture
    cap.start()
    sys.stdout.write("windows line\r\n")
    sys.stdout.write("split pair\r")
    sys.stdout.write("\nafter\r\n")
    sys.stdout.write("overwritten\r")
    sys.stdout.write("replacement\n")
    sys.stdout.write("\r\n")  # a bare \r\n is an empty line, as on the terminal
    cap.stop()
    assert out_lines(records) == ["windows line", "split pair", "after", "replacement", ""]


def test_empty_lines_are_kept(capture):
    cap, records = capture
    cap.start()
    print("a")
    print()
    print("")
    print("b")
    cap.stop()
    assert out_lines(records) == ["a", "", "", "b"]


def test_partial_line_is_emitted_on_stop(capture):
    cap, records = capture
    cap.start()
    sys.stdout.write("no newline")
    sys.stderr.write("progress 3/3\r")  # cursor home, but the terminal still shows the text
    assert records == []
    cap.stop()
    assert sorted((s, line) for s, _, line in records) == [(STDOUT, "no newline"), (STDERR, "progress 3/3")]


def test_partial_blank_line_is_not_emitted(capture):
    cap, records = capture
    cap.start()
    sys.stdout.write("   ")
    cap.stop()
    assert records == []


def test_long_line_is_emitted_in_capped_pieces(capture):
    cap, records = capture
    cap.start()
    total = 3 * MAX_LINE_CHARS + 1234
    chunk = "x" * 1000
    for _ in range(total // 1000):
        sys.stdout.write(chunk)
    sys.stdout.write("x" * (total % 1000))
    # the pieces come out while the line is still open: memory stays bounded
    assert [len(line) for line in out_lines(records)] == [MAX_LINE_CHARS] * 3
    sys.stdout.write("\n")
    cap.stop()
    assert [len(line) for line in out_lines(records)] == [MAX_LINE_CHARS] * 3 + [1234]


def test_stderr_is_tagged(capture):
    cap, records = capture
    cap.start()
    print("err line", file=sys.stderr)
    logging.getLogger("runyard-test").addHandler(handler := logging.StreamHandler())  # sys.stderr now
    try:
        logging.getLogger("runyard-test").error("from logging")
    finally:
        logging.getLogger("runyard-test").removeHandler(handler)
    cap.stop()
    assert [(s, line) for s, _, line in records] == [(STDERR, "err line"), (STDERR, "from logging")]


def test_handler_configured_before_start_is_captured_and_restored(capsys):
    # The common script: logging.basicConfig() at the top, init() later.
    logger = logging.getLogger("runyard-test-early")
    handler = logging.StreamHandler(sys.stderr)
    logger.addHandler(handler)
    original = sys.stderr
    records: list = []
    cap = ConsoleCapture(lambda s, ts, line: records.append((s, line)))
    cap.start()
    try:
        logger.error("early handler")
    finally:
        cap.stop()
    try:
        assert handler.stream is original
        logger.error("after stop")
    finally:
        logger.removeHandler(handler)
    assert capsys.readouterr().err == "early handler\nafter stop\n"
    assert records == [(STDERR, "early handler")]


def test_handler_retargeting_can_be_turned_off(capsys):
    logger = logging.getLogger("runyard-test-early-off")
    handler = logging.StreamHandler(sys.stderr)
    logger.addHandler(handler)
    records: list = []
    cap = ConsoleCapture(lambda *rec: records.append(rec), retarget_logging=False)
    cap.start()
    try:
        logger.error("early handler")  # holds the original stream: shown, not captured
    finally:
        cap.stop()
        logger.removeHandler(handler)
    assert capsys.readouterr().err == "early handler\n"
    assert records == []


def test_handler_reconfigured_during_capture_is_left_alone(capsys):
    import io

    logger = logging.getLogger("runyard-test-reconfigured")
    handler = logging.StreamHandler(sys.stderr)
    logger.addHandler(handler)
    cap = ConsoleCapture(lambda *rec: None)
    cap.start()
    theirs = io.StringIO()
    try:
        handler.setStream(theirs)
    finally:
        cap.stop()
        logger.removeHandler(handler)
    assert handler.stream is theirs


def test_handler_created_during_capture_keeps_working_after_stop(capsys):
    records: list = []
    cap = ConsoleCapture(lambda *rec: records.append(rec))
    cap.start()
    logger = logging.getLogger("runyard-test-late")
    handler = logging.StreamHandler(sys.stdout)  # this is the tee
    logger.addHandler(handler)
    try:
        logger.error("while capturing")
        cap.stop()
        logger.error("after stop")  # pass-through only
    finally:
        logger.removeHandler(handler)
    assert capsys.readouterr().out == "while capturing\nafter stop\n"
    assert [line for _, _, line in records] == ["while capturing"]


def test_threads_writing_whole_lines_produce_whole_lines(capture):
    cap, records = capture
    cap.start()
    n_threads, n_lines = 8, 500
    barrier = threading.Barrier(n_threads)
    log = logging.getLogger("runyard-test-threads")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.propagate = False

    def work(i: int) -> None:
        barrier.wait()
        for j in range(n_lines):
            if j % 2:
                sys.stdout.write(f"thread {i} line {j}\n")
            else:
                log.warning("thread %d line %d", i, j)

    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        log.removeHandler(handler)
    cap.stop()
    expected = {f"thread {i} line {j}" for i in range(n_threads) for j in range(n_lines)}
    got = out_lines(records)
    assert len(got) == len(expected)
    assert set(got) == expected
    for i in range(n_threads):  # each thread's own lines stay in order
        mine = [line for line in got if line.startswith(f"thread {i} ")]
        assert mine == [f"thread {i} line {j}" for j in range(n_lines)]


def test_threaded_prints_are_stored_as_the_terminal_shows_them(tmp_path):
    # print() is two writes (text, then "\n"), so threads can interleave them on the terminal, with
    # or without capture; what is stored must be exactly what the terminal got.
    body = """
    import threading
    def work(i):
        for j in range(3000):
            print(f"thread {i} line {j}")
    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads: t.start()
    for t in threads: t.join()
    """
    proc, data = run_script(tmp_path, body, "wrap")
    assert lines_of(data, STDOUT) == proc.stdout.decode().splitlines()
    assert sum(line.count("thread") for line in lines_of(data, STDOUT)) == 6 * 3000


def test_emit_that_raises_does_not_break_printing(capsys):
    calls = []

    def emit(stream, ts, line):
        calls.append(line)
        raise RuntimeError("tracker trouble")

    cap = ConsoleCapture(emit)
    cap.start()
    try:
        print("first")
        print("second", file=sys.stderr)
        print("third", end="")
    finally:
        cap.stop()
    seen = capsys.readouterr()
    assert (seen.out, seen.err) == ("first\nthird", "second\n")
    assert calls == ["first", "second", "third"]
    assert cap.emit_errors == 3


def test_output_written_by_emit_is_shown_but_not_captured(capsys):
    records = []

    def emit(stream, ts, line):
        records.append(line)
        print(f"[emit saw {line}]")  # would recurse forever if it were captured

    cap = ConsoleCapture(emit)
    cap.start()
    try:
        print("user line")
    finally:
        cap.stop()
    assert capsys.readouterr().out == "user line\n[emit saw user line]\n"
    assert records == ["user line"]


def test_original_write_errors_still_propagate(capture):
    cap, records = capture
    cap.start()
    with pytest.raises(TypeError):
        sys.stdout.write(b"bytes on a text stream")
    print("still fine")
    cap.stop()
    assert out_lines(records) == ["still fine"]


def test_wrapper_is_transparent():
    orig_out, orig_err = sys.stdout, sys.stderr
    cap = ConsoleCapture(lambda *rec: None)
    cap.start()
    try:
        tee = sys.stdout
        assert tee is not orig_out and sys.stderr is not orig_err
        assert tee.isatty() == orig_out.isatty()
        for attr in ("encoding", "errors", "closed", "name", "mode", "line_buffering", "newlines"):
            if hasattr(orig_out, attr):
                assert getattr(tee, attr) == getattr(orig_out, attr), attr
        if hasattr(orig_out, "buffer"):
            assert tee.buffer is orig_out.buffer
        try:
            expected_fd = orig_out.fileno()
        except Exception as exc:  # pytest's in-memory capture has no fd: the same error must surface
            with pytest.raises(type(exc)):
                tee.fileno()
        else:
            assert tee.fileno() == expected_fd
        assert tee.writable() == orig_out.writable()
        assert "write" in dir(tee) and "encoding" in dir(tee)
        with pytest.raises(AttributeError):
            tee.no_such_attribute  # noqa: B018
        tee.flush()
    finally:
        cap.stop()
    assert sys.stdout is orig_out and sys.stderr is orig_err


def test_stop_restores_streams_and_is_idempotent():
    orig_out, orig_err = sys.stdout, sys.stderr
    cap = ConsoleCapture(lambda *rec: None)
    cap.stop()  # before start: nothing to do
    cap.start()
    cap.start()  # already running: no double wrap
    assert cap.running
    cap.stop()
    cap.stop()
    assert sys.stdout is orig_out and sys.stderr is orig_err
    assert not cap.running


def test_second_start_does_not_capture_twice(capsys):
    records: list = []
    cap = ConsoleCapture(lambda s, ts, line: records.append(line))
    cap.start()
    cap.start()
    try:
        print("once")
    finally:
        cap.stop()
    assert records == ["once"]
    assert capsys.readouterr().out == "once\n"


def test_stop_leaves_a_later_replacement_in_place(capsys):
    import io

    records: list = []
    original = sys.stdout
    cap = ConsoleCapture(lambda *rec: records.append(rec))
    cap.start()
    tee = sys.stdout
    theirs = io.StringIO()
    sys.stdout = theirs
    try:
        cap.stop()
        assert sys.stdout is theirs
        tee.write("through the old tee\n")  # still reaches the original, no longer captured
    finally:
        sys.stdout = original
    assert records == []
    assert capsys.readouterr().out == "through the old tee\n"


def test_restart_after_stop_and_context_manager(capsys):
    records: list = []
    cap = ConsoleCapture(lambda s, ts, line: records.append(line))
    with cap:
        print("first session")
    print("not captured")
    with cap:
        print("second session")
    assert records == ["first session", "second session"]
    assert capsys.readouterr().out == "first session\nnot captured\nsecond session\n"


def test_rejects_unknown_mode():
    with pytest.raises(ValueError):
        ConsoleCapture(lambda *rec: None, mode="auto")


def test_wrap_capture_keeps_every_line_of_a_print_loop(tmp_path):
    body = """
    import time
    def loop(n):
        t0 = time.perf_counter()
        for i in range(n):
            print("step 123 loss=0.4567")
        return (time.perf_counter() - t0) / n
    N = 50000
    cap.stop()
    plain = min(loop(N) for _ in range(3))
    cap.start()
    wrapped = min(loop(N) for _ in range(3))
    cap.stop()
    with open(RECORDS + ".bench", "w") as f:
        json.dump({"plain": plain, "wrapped": wrapped, "lines": len(records)}, f)
    """
    run_script(tmp_path, body, "wrap", stdout=subprocess.DEVNULL)
    bench = json.loads(Path(str(tmp_path / "records_wrap.json") + ".bench").read_text())
    overhead_us = (bench["wrapped"] - bench["plain"]) * 1e6
    print(f"per-print overhead: {overhead_us:.2f} us (plain {bench['plain'] * 1e6:.2f} us)")
    assert bench["lines"] == 3 * 50000  # the figure above is for reading; timing is not asserted here


posix_only = pytest.mark.skipif(os.name != "posix", reason="fork/pty are POSIX")


@posix_only
@pytest.mark.parametrize("mode", ["wrap", "redirect"])
def test_forked_children_neither_deadlock_nor_emit(tmp_path, mode):
    body = """
    import threading
    stop = threading.Event()
    def chatter():  # keeps the capture's locks busy while we fork
        while not stop.is_set():
            print("parent chatter")
    t = threading.Thread(target=chatter)
    t.start()
    pids = []
    for _ in range(20):
        pid = os.fork()
        if pid == 0:
            print("child line", flush=True)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    stop.set()
    t.join()
    """
    proc, data = run_script(tmp_path, body, mode)
    assert proc.stdout.decode().count("child line") == 20  # every child reached the terminal
    captured = "\n".join(lines_of(data, STDOUT))
    if mode == "wrap":  # a child's own lines are not the parent's to record
        assert "child line" not in captured
    else:  # the child writes into the parent's pipe, like any subprocess
        assert captured.count("child line") == 20


REDIRECTED = r"""
import subprocess
print("python print")
sys.stdout.flush()
os.write(1, b"raw fd write\n")
subprocess.run([sys.executable, "-c",
                "import os, sys; os.write(1, b'child out\\n'); os.write(2, b'child err\\n')"], check=True)
os.write(2, b"progress 1\rprogress 2\rprogress 3\n")
os.write(1, "utf-8 split \u00e9".encode()[:-1])  # a character split across reads must survive
os.write(1, "utf-8 split \u00e9".encode()[-1:] + b"\n")
"""


@posix_only
def test_redirect_captures_fd_writes_and_child_processes(tmp_path):
    plain, _ = run_script(tmp_path, REDIRECTED, "off")
    proc, data = run_script(tmp_path, REDIRECTED, "redirect")
    assert data["mode"] == "redirect"
    assert proc.stdout == plain.stdout and proc.stderr == plain.stderr
    assert lines_of(data, STDOUT) == ["python print", "raw fd write", "child out", "utf-8 split \u00e9"]
    assert lines_of(data, STDERR) == ["child err", "progress 3"]


@posix_only
def test_redirect_falls_back_to_wrap_when_fds_are_unusable(tmp_path):
    script = tmp_path / "nofd.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, sys
            from runyard.sdk.console import ConsoleCapture
            lines = []
            sys.stdout.flush()
            sys.stdout = None  # a daemon without a stdout
            os.close(1)
            cap = ConsoleCapture(lambda s, ts, line: lines.append((s, line)), mode="redirect")
            cap.start()
            print("still captured", file=sys.stderr)
            cap.stop()
            print(cap.mode, lines, file=sys.stderr)
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b"still captured\nwrap [(2, 'still captured')]\n"


@posix_only
def test_wrap_does_not_see_fd_level_output(tmp_path):
    proc, data = run_script(tmp_path, REDIRECTED, "wrap")
    assert b"child out" in proc.stdout
    assert lines_of(data, STDOUT) == ["python print"]


@posix_only
def test_redirect_on_a_terminal_keeps_isatty_and_bytes(tmp_path):
    pty = pytest.importorskip("pty")
    body = """
    print("isatty", sys.stdout.isatty(), os.isatty(1), os.isatty(2))
    print("size", tuple(os.get_terminal_size(1)))
    print("line two")
    """

    def run_on_pty(mode: str) -> tuple[bytes, dict]:
        master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        try:
            _, data = run_script(tmp_path, body, mode, stdout=slave, stderr=slave)
        finally:
            os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the child side is closed and drained
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        return out, data

    plain, _ = run_on_pty("off")
    out, data = run_on_pty("redirect")
    assert out == plain
    assert b"isatty True True True" in out
    assert b"size (101, 33)" in out
    assert lines_of(data, STDOUT) == ["isatty True True True", "size (101, 33)", "line two"]


@posix_only
def test_traceback_of_an_uncaught_exception_is_captured(tmp_path):
    # The atexit hook stops capture after the traceback is printed; the records file is written by
    # an atexit hook registered earlier, which therefore runs after it.
    script = tmp_path / "crash.py"
    records = tmp_path / "crash.json"
    script.write_text(
        textwrap.dedent(
            f"""
            import atexit, json, sys
            from runyard.sdk.console import ConsoleCapture
            lines = []
            atexit.register(lambda: open({str(records)!r}, "w").write(json.dumps(lines)))
            ConsoleCapture(lambda s, ts, line: lines.append([s, line]), mode=sys.argv[1]).start()
            print("about to fail")
            raise SystemExit("fatal: bad config")
            """
        )
    )
    for mode in ("wrap", "redirect"):
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.run(
            [sys.executable, str(script), mode], env=env, capture_output=True, timeout=60, check=False
        )
        assert proc.returncode == 1
        assert proc.stderr == b"fatal: bad config\n"
        # sorted: in redirect mode the two streams are read by separate threads (block-buffered
        # stdout only reaches its pipe at exit, after stderr)
        assert sorted(json.loads(records.read_text())) == [
            [STDOUT, "about to fail"],
            [STDERR, "fatal: bad config"],
        ]
