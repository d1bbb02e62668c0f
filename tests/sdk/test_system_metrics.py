"""SystemMonitor against the real machine (psutil), plus CUDA_VISIBLE_DEVICES handling.

This machine may have no GPU, so the NVML sampling logic is exercised once against a small fake
`pynvml` module; everything else uses the real libraries.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import types

import pytest

from runyard.sdk import system_metrics
from runyard.sdk.system_metrics import (
    SystemMonitor,
    gpu_inventory,
    match_gpu_selectors,
    visible_gpu_selectors,
)

BASE_KEYS = {
    "system/cpu",
    "system/proc.cpu.percent",
    "system/proc.cpu.threads",
    "system/memory_percent",
    "system/proc.memory.rssMB",
    "system/proc.memory.percent",
    "system/proc.memory.availableMB",
    "system/disk./.usagePercent",
    "system/disk./.usageGB",
    "system/network.sent",
    "system/network.recv",
}


def _noop(ts: float, sample: dict[str, float]) -> None:
    pass


def _busy(cpu_seconds: float) -> None:
    """Spin until this process has used `cpu_seconds` of CPU (not wall time: the machine may be busy)."""
    end = time.process_time() + cpu_seconds
    while time.process_time() < end:
        pass


# ---- one sample ----------------------------------------------------------------------------------


def test_sample_has_wandb_keys_with_sane_values():
    sample = SystemMonitor(_noop, gpu=False).sample()

    assert sample.keys() >= BASE_KEYS
    assert all(isinstance(v, float) for v in sample.values())
    assert 0.0 <= sample["system/cpu"] <= 100.0
    assert 0.0 <= sample["system/proc.cpu.percent"] <= 100.0 * (os.cpu_count() or 1) + 1
    assert sample["system/proc.cpu.threads"] >= 1
    assert 0.0 < sample["system/memory_percent"] < 100.0
    assert sample["system/proc.memory.rssMB"] > 1.0  # a Python interpreter is several MB
    assert 0.0 < sample["system/proc.memory.percent"] < 100.0
    assert sample["system/proc.memory.availableMB"] > 0.0
    assert 0.0 < sample["system/disk./.usagePercent"] <= 100.0
    assert sample["system/disk./.usageGB"] > 0.0
    assert sample["system/network.sent"] >= 0.0 and sample["system/network.recv"] >= 0.0
    if "system/disk.in" in sample:  # absent where the kernel exposes no disk counters
        assert sample["system/disk.in"] >= 0.0 and sample["system/disk.out"] >= 0.0
    assert not any(k.startswith("system/gpu.") for k in sample)


def test_first_sample_already_measures_cpu_use():
    # psutil-style CPU percentages need a priming read; the very first sample must not say 0 %.
    wall = time.monotonic()
    monitor = SystemMonitor(_noop, gpu=False)
    _busy(0.25)
    sample = monitor.sample()
    wall = time.monotonic() - wall  # contains the sampled window, however loaded the machine is
    # at least 0.25 s of CPU in it (less a clock tick of counter resolution)
    assert sample["system/proc.cpu.percent"] >= 100 * 0.23 / wall
    assert sample["system/cpu"] > 0.0


def test_back_to_back_samples_are_cheap_and_consistent():
    monitor = SystemMonitor(_noop, gpu=False)
    first = monitor.sample()
    costs = []
    for _ in range(30):
        t = time.thread_time()
        again = monitor.sample()
        costs.append(time.thread_time() - t)
        assert again.keys() == first.keys()
    costs.sort()
    assert costs[len(costs) // 2] < 0.005  # the brief: well under 5 ms of CPU per sample


def test_network_counters_count_from_start():
    monitor = SystemMonitor(_noop, gpu=False)
    payload = b"x" * (2 * 1024 * 1024)
    server = socket.create_server(("127.0.0.1", 0))
    received = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    reader = threading.Thread(target=serve)
    reader.start()
    with socket.create_connection(server.getsockname()) as client:
        client.sendall(payload)
    reader.join(timeout=5)
    server.close()
    assert len(received) == len(payload)

    sample = monitor.sample()
    # Loopback traffic is counted on both sides; other traffic on the machine can only add to it.
    assert sample["system/network.sent"] >= len(payload)
    assert sample["system/network.recv"] >= len(payload)


def test_missing_disk_path_and_dead_process_are_skipped_quietly():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    sample = SystemMonitor(_noop, pid=dead.pid, gpu=False, disk_paths=("/", "/no/such/mount")).sample()
    assert "system/cpu" in sample and "system/disk./.usagePercent" in sample
    assert not any("/no/such/mount" in k for k in sample)
    assert "system/proc.memory.rssMB" not in sample


# ---- the thread ----------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.lock = threading.Lock()
        self.got_one = threading.Event()

    def __call__(self, ts: float, sample: dict[str, float]) -> None:
        with self.lock:
            self.samples.append((ts, sample))
        self.got_one.set()

    def count(self) -> int:
        with self.lock:
            return len(self.samples)


def test_thread_emits_promptly_then_at_the_interval():
    rec = Recorder()
    monitor = SystemMonitor(rec, interval=0.05, gpu=False)
    started = time.time()
    monitor.start()
    try:
        assert rec.got_one.wait(1.0), "no first sample within 1 s"
        deadline = time.monotonic() + 2.0
        while rec.count() < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        monitor.stop()
    assert rec.count() >= 4
    stamps = [ts for ts, _ in rec.samples]
    assert stamps == sorted(stamps) and stamps[0] >= started
    assert all(s.keys() >= BASE_KEYS for _, s in rec.samples)


def test_stop_is_fast_with_a_long_interval_and_nothing_comes_after():
    rec = Recorder()
    monitor = SystemMonitor(rec, interval=3600, gpu=False)
    monitor.start()
    assert rec.got_one.wait(30)
    t = time.monotonic()
    monitor.stop()
    assert time.monotonic() - t < 30  # not the hour-long interval (a busy CI core is slow, not that slow)
    n = rec.count()
    time.sleep(0.15)
    assert rec.count() == n == 1


def test_stop_before_the_first_sample_emits_nothing():
    rec = Recorder()
    monitor = SystemMonitor(rec, interval=3600, gpu=False)
    monitor.start()
    t = time.monotonic()
    monitor.stop()
    assert time.monotonic() - t < 30  # not the hour-long interval
    time.sleep(0.7)  # past the first-sample delay
    assert rec.count() == 0


def test_no_emit_after_stop_while_sampling_fast():
    rec = Recorder()
    monitor = SystemMonitor(rec, interval=0.01, gpu=False)
    monitor.start()
    time.sleep(0.3)
    monitor.stop()
    n = rec.count()
    time.sleep(0.1)
    assert n > 0 and rec.count() == n


def test_failing_emit_does_not_kill_the_monitor():
    calls = []

    def broken(ts: float, sample: dict[str, float]) -> None:
        calls.append(ts)
        raise RuntimeError("consumer bug")

    monitor = SystemMonitor(broken, interval=0.02, gpu=False)
    monitor.start()
    deadline = time.monotonic() + 2.0
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    monitor.stop()
    assert len(calls) >= 3


# ---- GPUs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "count", "expected"),
    [
        (None, 3, [0, 1, 2]),  # unset: every device
        ("", 3, []),  # empty: none
        ("1,0", 3, [1, 0]),  # the order given is the order the process numbers them
        (" 2 , 0 ", 3, [2, 0]),
        ("0,-1,1", 3, [0]),  # CUDA stops at the first invalid entry
        ("0,7,1", 3, [0]),  # out of range is invalid too
        ("1,1,2", 3, [1, 2]),
        ("nope", 3, []),
        ("-1", 3, []),
        ("GPU-8932f937,1", 2, ["GPU-8932f937", 1]),
        ("0", 0, []),  # no devices at all
    ],
)
def test_visible_gpu_selectors(env, count, expected):
    assert visible_gpu_selectors(env, count) == expected


def test_match_gpu_selectors_by_index_and_uuid_prefix():
    uuids = ["GPU-aaaa-1111", "GPU-bbbb-2222", "GPU-bbbc-3333"]
    assert match_gpu_selectors([2, 0], uuids) == [2, 0]
    assert match_gpu_selectors(["GPU-bbbb-2222", 0], uuids) == [1, 0]
    assert match_gpu_selectors(["GPU-aa"], uuids) == [0]  # a unique prefix is enough
    assert match_gpu_selectors(["GPU-aa", "GPU-bbb"], uuids) == [0]  # ambiguous prefix ends the list
    assert match_gpu_selectors(["GPU-ffff", 1], uuids) == []  # unknown UUID ends the list
    assert match_gpu_selectors(["MIG-aaaa"], uuids) == []
    assert match_gpu_selectors([1, "GPU-bbbb"], uuids) == [1]  # same device twice


def test_no_gpu_keys_when_no_gpu_is_visible(monkeypatch):
    # Holds on any machine: no NVML here, or CUDA_VISIBLE_DEVICES="" hides every GPU.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    sample = SystemMonitor(_noop, gpu=True).sample()
    assert sample.keys() >= BASE_KEYS
    assert not any(k.startswith("system/gpu.") for k in sample)
    assert gpu_inventory() == []


def _fake_nvml(calls: list[str]) -> types.ModuleType:
    """A two-GPU NVML in the shape of nvidia-ml-py; ECC answers NotSupported, as on consumer cards."""
    nvml = types.ModuleType("pynvml")

    class NVMLError(Exception):
        pass

    class NVMLError_NotSupported(NVMLError):  # noqa: N801 - the real name
        pass

    nvml.NVMLError = NVMLError
    nvml.NVMLError_NotSupported = NVMLError_NotSupported
    nvml.NVML_TEMPERATURE_GPU = 0
    nvml.NVML_CLOCK_SM, nvml.NVML_CLOCK_MEM = 1, 2
    nvml.NVML_MEMORY_ERROR_TYPE_CORRECTED, nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 0, 1
    nvml.NVML_VOLATILE_ECC = 0

    def record(name, fn):
        def wrapper(*args):
            calls.append(name)
            return fn(*args)

        setattr(nvml, name, wrapper)

    def not_supported(*args):
        raise NVMLError_NotSupported()

    record("nvmlInit", lambda: None)
    record("nvmlShutdown", lambda: None)
    record("nvmlDeviceGetCount", lambda: 2)
    record("nvmlDeviceGetHandleByIndex", lambda i: i)
    record("nvmlDeviceGetUUID", lambda h: f"GPU-{h}{h}{h}{h}-fake")
    record("nvmlDeviceGetName", lambda h: b"NVIDIA H200")
    record("nvmlSystemGetDriverVersion", lambda: "580.159.04")
    record("nvmlSystemGetCudaDriverVersion", lambda: 13000)
    record("nvmlDeviceGetUtilizationRates", lambda h: types.SimpleNamespace(gpu=90 + h, memory=40 + h))
    record("nvmlDeviceGetMemoryInfo", lambda h: types.SimpleNamespace(used=(h + 1) * 2**30, total=4 * 2**30))
    record("nvmlDeviceGetTemperature", lambda h, kind: 60 + h)
    record("nvmlDeviceGetPowerUsage", lambda h: 350_000)
    record("nvmlDeviceGetEnforcedPowerLimit", lambda h: 700_000)
    record("nvmlDeviceGetClockInfo", lambda h, clock: 1980 if clock == nvml.NVML_CLOCK_SM else 3201)
    record("nvmlDeviceGetTotalEccErrors", not_supported)
    return nvml


def test_gpu_metrics_follow_cuda_visible_devices_and_skip_unsupported_fields(monkeypatch):
    calls: list[str] = []
    monkeypatch.setitem(sys.modules, "pynvml", _fake_nvml(calls))
    monkeypatch.setattr(system_metrics, "_nvidia_driver_present", lambda: True)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-1111")  # the second device, by UUID prefix

    monitor = SystemMonitor(_noop, gpu=True)
    samples = [monitor.sample() for _ in range(3)]
    gpu = {k: v for k, v in samples[-1].items() if k.startswith("system/gpu.")}
    assert gpu == {
        "system/gpu.0.gpu": 91.0,  # device 1 seen by the process as GPU 0
        "system/gpu.0.memory": 41.0,
        "system/gpu.0.memoryAllocatedBytes": float(2 * 2**30),
        "system/gpu.0.memoryAllocated": 50.0,
        "system/gpu.0.temp": 61.0,
        "system/gpu.0.powerWatts": 350.0,
        "system/gpu.0.enforcedPowerLimitWatts": 700.0,
        "system/gpu.0.powerPercent": 50.0,
        "system/gpu.0.smClock": 1980.0,
        "system/gpu.0.memoryClock": 3201.0,
    }
    # NotSupported is asked once per field, not every tick.
    assert calls.count("nvmlDeviceGetTotalEccErrors") == 2
    assert calls.count("nvmlInit") == 1
    monitor.stop()
    assert calls.count("nvmlShutdown") == 1

    assert gpu_inventory() == [
        {
            "index": 0,
            "name": "NVIDIA H200",
            "uuid": "GPU-1111-fake",
            "memory_total_bytes": 4 * 2**30,
            "driver_version": "580.159.04",
            "cuda_version": "13.0",
        }
    ]
