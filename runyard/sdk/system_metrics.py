"""System metrics sampled in a background thread (CPU, memory, disk, network, NVIDIA GPUs).

Key names follow wandb's (``system/cpu``, ``system/gpu.0.gpu``, ...) so charts and imported runs line up.
Everything here is best effort: a metric that cannot be read is left out of the sample, never raised.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import psutil

from .threads import start as start_thread

__all__ = [
    "SystemMonitor",
    "gpu_inventory",
    "match_gpu_selectors",
    "visible_gpu_selectors",
]

logger = logging.getLogger(__name__)

MB = 1024 * 1024
GB = 1024 * 1024 * 1024

# CPU percentages over a shorter window are mostly clock-tick noise (ticks are 10 ms), so the first
# synchronous sample waits until at least this much time has passed since the baseline.
_MIN_CPU_WINDOW_S = 0.1
# The first threaded sample comes after this delay (or `interval`, if shorter): soon enough to show
# up right away, long enough for a meaningful CPU percentage.
_FIRST_SAMPLE_DELAY_S = 0.5


# --------------------------------------------------------------------------------------------------
# CUDA_VISIBLE_DEVICES
# --------------------------------------------------------------------------------------------------


def visible_gpu_selectors(env_value: str | None, count: int) -> list[int | str]:
    """Parse ``CUDA_VISIBLE_DEVICES`` the way the CUDA runtime does.

    Returns the visible devices in the order the process numbers them: ints are NVML indices,
    strings are (possibly abbreviated) ``GPU-``/``MIG-`` UUIDs to be matched by `match_gpu_selectors`.
    ``None`` (unset) means every device; an empty string means none. Like CUDA, parsing stops at the
    first invalid entry (``"0,-1,1"`` shows only device 0) and a repeated device is dropped.
    """
    if env_value is None:
        return list(range(count))
    selectors: list[int | str] = []
    for raw in env_value.split(","):
        item = raw.strip()
        if not item:
            break
        if item.startswith(("GPU-", "MIG-")):
            selector: int | str = item
        else:
            try:
                index = int(item)
            except ValueError:
                break
            if index < 0 or index >= count:
                break
            selector = index
        if selector in selectors:
            continue
        selectors.append(selector)
    return selectors


def match_gpu_selectors(selectors: Sequence[int | str], uuids: Sequence[str]) -> list[int]:
    """Map selectors from `visible_gpu_selectors` to NVML indices, given every device's UUID.

    A UUID selector may be any unique prefix of a device UUID (CUDA accepts that too). Matching stops
    at the first selector that names no device, or several (ambiguous prefix), as CUDA's parsing does.
    MIG selectors are not resolved here (they name a slice, not a device) and end the list.
    """
    indices: list[int] = []
    for selector in selectors:
        if isinstance(selector, int):
            if not 0 <= selector < len(uuids):
                break
            index = selector
        else:
            hits = [i for i, uuid in enumerate(uuids) if uuid.startswith(selector)]
            if len(hits) != 1:
                break
            index = hits[0]
        if index not in indices:
            indices.append(index)
    return indices


# --------------------------------------------------------------------------------------------------
# NVML
# --------------------------------------------------------------------------------------------------


def _nvidia_driver_present() -> bool:
    if not sys.platform.startswith("linux"):
        return True  # no cheap check elsewhere: let NVML answer
    return os.path.exists("/dev/nvidiactl") or os.path.exists("/proc/driver/nvidia/version")


def _load_nvml() -> Any | None:
    """Import and initialise NVML; None (with one debug line) when there is no library or driver."""
    if not _nvidia_driver_present():
        return None  # skip the import: 7-10 ms of every init on CPU-only machines
    try:
        import pynvml  # lazy: only GPU users pay for the import
    except Exception as exc:  # ImportError, or a broken install
        logger.debug("NVML unavailable (import failed: %s); no GPU metrics", exc)
        return None
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError_LibraryNotFound / DriverNotLoaded / ...
        logger.debug("NVML unavailable (%s); no GPU metrics", exc)
        return None
    return pynvml


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _visible_handles(nvml: Any) -> list[Any]:
    """NVML handles of the devices this process can see, in CUDA's order."""
    count = nvml.nvmlDeviceGetCount()
    selectors = visible_gpu_selectors(os.environ.get("CUDA_VISIBLE_DEVICES"), count)
    if any(isinstance(s, str) for s in selectors):
        # UUIDs are only fetched when needed (2.6 µs each, but there is no point otherwise).
        uuids = [_text(nvml.nvmlDeviceGetUUID(nvml.nvmlDeviceGetHandleByIndex(i))) for i in range(count)]
        indices = match_gpu_selectors(selectors, uuids)
    else:
        indices = [s for s in selectors if isinstance(s, int)]
    return [nvml.nvmlDeviceGetHandleByIndex(i) for i in indices]


def _permanent_errors(nvml: Any) -> tuple[type[BaseException], ...]:
    """NVML errors that will answer the same way forever: stop asking for that field."""
    names = ("NVMLError_NotSupported", "NVMLError_NoPermission", "NVMLError_FunctionNotFound")
    return tuple(getattr(nvml, n) for n in names if isinstance(getattr(nvml, n, None), type))


def gpu_inventory() -> list[dict]:
    """Static facts about each visible NVIDIA GPU, for the run's metadata; [] without NVML or GPUs.

    Each entry: ``index`` (as the process numbers it), ``name``, ``uuid``, ``memory_total_bytes``,
    ``driver_version`` and, when the driver reports it, ``cuda_version`` (e.g. ``"12.8"``).
    """
    nvml = _load_nvml()
    if nvml is None:
        return []
    try:
        driver = _optional(nvml.nvmlSystemGetDriverVersion)
        cuda = _optional(nvml.nvmlSystemGetCudaDriverVersion)
        cuda_version = f"{cuda // 1000}.{cuda % 1000 // 10}" if isinstance(cuda, int) and cuda > 0 else None
        gpus: list[dict] = []
        for i, handle in enumerate(_visible_handles(nvml)):
            memory = _optional(nvml.nvmlDeviceGetMemoryInfo, handle)
            name = _optional(nvml.nvmlDeviceGetName, handle)
            uuid = _optional(nvml.nvmlDeviceGetUUID, handle)
            entry: dict[str, Any] = {
                "index": i,
                "name": _text(name) if name is not None else None,
                "uuid": _text(uuid) if uuid is not None else None,
                "memory_total_bytes": int(memory.total) if memory is not None else None,
                "driver_version": _text(driver) if driver is not None else None,
            }
            if cuda_version is not None:
                entry["cuda_version"] = cuda_version
            gpus.append(entry)
        return gpus
    except Exception as exc:
        logger.debug("GPU inventory failed: %s", exc)
        return []
    finally:
        _optional(nvml.nvmlShutdown)


def _optional(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:
        return None


class _GpuSampler:
    """Reads the cheap NVML queries for each visible GPU.

    A field that answers NotSupported (fans on data-centre parts, ECC on consumer cards, ...) is
    remembered and never asked again, so nothing is logged or retried every tick. The slow PCIe
    throughput query (21 ms, it blocks for a sampling window) is deliberately not used.
    """

    def __init__(self, nvml: Any) -> None:
        self._nvml = nvml
        self._handles = _visible_handles(nvml)
        self._permanent = _permanent_errors(nvml)
        self._skip: set[tuple[int, str]] = set()
        self._logged: set[tuple[int, str]] = set()

    def _query(self, i: int, field: str, fn: Callable[..., Any], *args: Any) -> Any:
        if (i, field) in self._skip:
            return None
        try:
            return fn(*args)
        except self._permanent:
            self._skip.add((i, field))
        except Exception as exc:  # transient (GPU busy, lost, ...): try again next tick
            if (i, field) not in self._logged:
                self._logged.add((i, field))
                logger.debug("NVML %s on GPU %d failed: %s", field, i, exc)
        return None

    def sample(self, out: dict[str, float]) -> None:
        nvml, q = self._nvml, self._query
        for i, h in enumerate(self._handles):
            p = f"system/gpu.{i}."
            util = q(i, "utilization", nvml.nvmlDeviceGetUtilizationRates, h)
            if util is not None:
                out[p + "gpu"] = float(util.gpu)
                out[p + "memory"] = float(util.memory)
            mem = q(i, "memory", nvml.nvmlDeviceGetMemoryInfo, h)
            if mem is not None:
                out[p + "memoryAllocatedBytes"] = float(mem.used)
                if mem.total:
                    out[p + "memoryAllocated"] = 100.0 * mem.used / mem.total
            temp = q(i, "temp", nvml.nvmlDeviceGetTemperature, h, nvml.NVML_TEMPERATURE_GPU)
            if temp is not None:
                out[p + "temp"] = float(temp)
            power = q(i, "power", nvml.nvmlDeviceGetPowerUsage, h)  # milliwatts
            if power is not None:
                out[p + "powerWatts"] = power / 1000.0
            limit = q(i, "powerLimit", nvml.nvmlDeviceGetEnforcedPowerLimit, h)
            if limit is not None:
                out[p + "enforcedPowerLimitWatts"] = limit / 1000.0
                if power is not None and limit:
                    out[p + "powerPercent"] = 100.0 * power / limit
            for key, clock in (("smClock", nvml.NVML_CLOCK_SM), ("memoryClock", nvml.NVML_CLOCK_MEM)):
                value = q(i, key, nvml.nvmlDeviceGetClockInfo, h, clock)
                if value is not None:
                    out[p + key] = float(value)
            for key, kind in (
                ("correctedMemoryErrors", nvml.NVML_MEMORY_ERROR_TYPE_CORRECTED),
                ("uncorrectedMemoryErrors", nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED),
            ):
                # Volatile counters: errors since the driver was last loaded.
                value = q(i, key, nvml.nvmlDeviceGetTotalEccErrors, h, kind, nvml.NVML_VOLATILE_ECC)
                if value is not None:
                    out[p + key] = float(value)

    def close(self) -> None:
        _optional(self._nvml.nvmlShutdown)


# --------------------------------------------------------------------------------------------------
# The monitor
# --------------------------------------------------------------------------------------------------


def _cpu_busy_total(times: Any) -> tuple[float, float]:
    """(busy, total) seconds from psutil.cpu_times(), counted as psutil.cpu_percent counts them."""
    total = sum(times)
    # On Linux guest time is already included in user/nice time.
    total -= getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


class SystemMonitor:
    """Samples system metrics every `interval` seconds in a daemon thread and hands them to `emit`.

    ``emit(ts, sample)`` is called from the monitor's thread with a Unix timestamp and a dict of
    ``system/...`` keys to floats. Counters (``disk.in/out``, ``network.sent/recv``) are totals
    since `start` (or construction, for `sample` without `start`).
    """

    def __init__(
        self,
        emit: Callable[[float, dict[str, float]], None],
        interval: float = 10.0,
        pid: int | None = None,
        gpu: bool = True,
        disk_paths: Iterable[str] = ("/",),
    ) -> None:
        self._emit = emit
        self._interval = max(float(interval), 0.01)
        self._pid = pid if pid is not None else os.getpid()
        self._gpu_enabled = gpu
        self._disk_paths = tuple(disk_paths)
        self._process: psutil.Process | None = None
        self._gpu: _GpuSampler | None = None
        self._gpu_loaded = False
        self._stop = threading.Event()
        # Held while emitting, so stop() can guarantee that nothing is emitted after it returns.
        self._emit_lock = threading.RLock()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._emit_failed = False
        self._sample_lock = threading.Lock()
        self._reset_baseline()

    # ---- public API ----

    def start(self) -> None:
        """Start sampling in a daemon thread: first sample after ~0.5 s, then every `interval` s."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        with self._emit_lock:
            self._closed = False
        self._reset_baseline()
        self._thread = threading.Thread(target=self._run, name="runyard-system-monitor", daemon=True)
        start_thread(self._thread)

    def stop(self) -> None:
        """Stop sampling; returns promptly, and `emit` is not called after this returns."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=0.2)
        with self._emit_lock:  # waits for an emit already in progress, then bars new ones
            self._closed = True
        if thread is None or not thread.is_alive():
            self._close_gpu()
        # else: the thread is stuck in a slow call (NVML, psutil); it closes NVML itself on exit.

    def sample(self) -> dict[str, float]:
        """Take one sample now (synchronously). Never raises; unreadable metrics are left out."""
        with self._sample_lock:
            out: dict[str, float] = {}
            for part in (self._sample_cpu, self._sample_memory, self._sample_disk, self._sample_net):
                try:
                    part(out)
                except Exception as exc:
                    logger.debug("system metrics: %s failed: %s", part.__name__, exc)
            if self._gpu_enabled:
                try:
                    self._sample_gpu(out)
                except Exception as exc:
                    logger.debug("system metrics: GPU sample failed: %s", exc)
            return out

    # ---- thread ----

    def _run(self) -> None:
        try:
            next_at = time.monotonic() + min(self._interval, _FIRST_SAMPLE_DELAY_S)
            while not self._stop.wait(max(0.0, next_at - time.monotonic())):
                values = self.sample()
                ts = time.time()
                with self._emit_lock:
                    if self._closed or self._stop.is_set():
                        break
                    try:
                        self._emit(ts, values)
                    except Exception:
                        if not self._emit_failed:  # once, not every tick
                            self._emit_failed = True
                            logger.warning("system metrics: emit callback failed", exc_info=True)
                # Fixed cadence; after a stall (suspended laptop, slow NVML) skip missed ticks.
                next_at += self._interval
                now = time.monotonic()
                if next_at < now:
                    next_at = now + self._interval
        except BaseException:  # the monitor must never take anything down with it
            logger.debug("system monitor thread crashed", exc_info=True)
        finally:
            if self._stop.is_set():
                self._close_gpu()

    # ---- parts of a sample ----

    def _reset_baseline(self) -> None:
        self._cpu_base = self._read_cpu()
        self._cpu_last: dict[str, float] = {}
        disk = _optional(psutil.disk_io_counters)
        self._disk_base = (disk.read_bytes, disk.write_bytes) if disk else None
        net = _optional(psutil.net_io_counters)
        self._net_base = (net.bytes_sent, net.bytes_recv) if net else None

    def _get_process(self) -> psutil.Process | None:
        if self._process is None:
            try:
                self._process = psutil.Process(self._pid)
            except Exception:
                return None
        return self._process

    def _read_cpu(self) -> tuple[float, tuple[float, float] | None, float | None]:
        """(monotonic time, machine (busy, total) CPU seconds, process user+system CPU seconds)."""
        machine = _optional(lambda: _cpu_busy_total(psutil.cpu_times()))
        proc = self._get_process()
        proc_cpu = _optional(lambda: sum(proc.cpu_times()[:2])) if proc is not None else None
        return time.monotonic(), machine, proc_cpu

    def _sample_cpu(self, out: dict[str, float]) -> None:
        # CPU percentages are deltas against a baseline we keep ourselves. psutil.cpu_percent() keeps
        # module-global state instead, which any other caller in the user's process would reset.
        elapsed = time.monotonic() - self._cpu_base[0]
        if elapsed < _MIN_CPU_WINDOW_S:
            if self._cpu_last:  # asked again right away: repeat the last values, keep the baseline
                out.update(self._cpu_last)
                return
            # The very first sample: wait out a short window so it is not 0 % or noise.
            if threading.current_thread() is self._thread:
                self._stop.wait(_MIN_CPU_WINDOW_S - elapsed)
            else:
                time.sleep(_MIN_CPU_WINDOW_S - elapsed)
        base_t, base_machine, base_proc = self._cpu_base
        now, machine, proc_cpu = self._cpu_base = self._read_cpu()
        last: dict[str, float] = {}
        if machine is not None and base_machine is not None and machine[1] > base_machine[1]:
            busy = (machine[0] - base_machine[0]) / (machine[1] - base_machine[1])
            last["system/cpu"] = min(100.0, max(0.0, 100.0 * busy))
        if proc_cpu is not None and base_proc is not None and now > base_t:
            # Like `top`: 100 per fully busy core, so up to 100 × cores.
            last["system/proc.cpu.percent"] = max(0.0, 100.0 * (proc_cpu - base_proc) / (now - base_t))
        self._cpu_last = last
        out.update(last)

    def _sample_memory(self, out: dict[str, float]) -> None:
        vm = psutil.virtual_memory()
        out["system/memory_percent"] = float(vm.percent)
        out["system/proc.memory.availableMB"] = vm.available / MB
        proc = self._get_process()
        if proc is None:
            return
        with proc.oneshot():
            threads = proc.num_threads()
            rss = proc.memory_info().rss
        out["system/proc.cpu.threads"] = float(threads)
        out["system/proc.memory.rssMB"] = rss / MB
        if vm.total:
            out["system/proc.memory.percent"] = 100.0 * rss / vm.total

    def _sample_disk(self, out: dict[str, float]) -> None:
        for path in self._disk_paths:
            try:
                usage = psutil.disk_usage(path)
            except Exception:
                continue  # not mounted (yet); cheap to try again next time
            out[f"system/disk.{path}.usagePercent"] = float(usage.percent)
            out[f"system/disk.{path}.usageGB"] = usage.used / GB
        io = _optional(psutil.disk_io_counters)  # None in some containers
        if io is not None and self._disk_base is not None:
            out["system/disk.in"] = max(0, io.read_bytes - self._disk_base[0]) / MB
            out["system/disk.out"] = max(0, io.write_bytes - self._disk_base[1]) / MB

    def _sample_net(self, out: dict[str, float]) -> None:
        net = psutil.net_io_counters()
        if net is not None and self._net_base is not None:
            out["system/network.sent"] = float(max(0, net.bytes_sent - self._net_base[0]))
            out["system/network.recv"] = float(max(0, net.bytes_recv - self._net_base[1]))

    def _sample_gpu(self, out: dict[str, float]) -> None:
        if not self._gpu_loaded:
            # NVML init can take a while on real machines: done on first use, in the monitor thread.
            self._gpu_loaded = True
            nvml = _load_nvml()
            if nvml is not None:
                try:
                    self._gpu = _GpuSampler(nvml)
                except Exception as exc:
                    logger.debug("NVML device enumeration failed: %s; no GPU metrics", exc)
                    _optional(nvml.nvmlShutdown)
        if self._gpu is not None:
            self._gpu.sample(out)

    def _close_gpu(self) -> None:
        with self._sample_lock:
            gpu, self._gpu = self._gpu, None
            self._gpu_loaded = False
        if gpu is not None:
            gpu.close()
