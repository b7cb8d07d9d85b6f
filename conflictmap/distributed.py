"""Per-date overlays in this process, or on Dask (`dask.distributed`) past one machine.

The unit of work is a chunk of dates: each task builds the district index once
and measures its dates with the same code as the single-process run, so the
results are identical. Dask is an optional extra (`pip install
'conflictmap[dask]'`); on one machine the plain loop is the default, as two
local Dask workers are slower than one process for small jobs (bench/overlay.py).
"""

from __future__ import annotations

import os
import re
import threading

from .errors import InputError, UsageError

_LOCAL = re.compile(r"^local(?::(\d+))?$")
CHUNKS_PER_WORKER = 4  # several chunks per worker: balanced load, and a progress bar that moves
CONNECT_TIMEOUT = "10s"


def parse_scheduler(text: str) -> tuple[str, int | str]:
    """('local', workers) for local[:N], ('address', text) for a scheduler address."""
    text = text.strip()
    m = _LOCAL.match(text)
    if m:
        workers = int(m.group(1)) if m.group(1) else (os.cpu_count() or 1)
        if workers < 1:
            raise UsageError(f"--scheduler {text!r}: give at least 1 worker, e.g. local:2")
        return "local", workers
    if text.startswith("local"):
        raise UsageError(f"--scheduler {text!r}: write local or local:N (N workers), e.g. local:2")
    if not text:
        raise UsageError("--scheduler is empty; give local, local:N or a scheduler address such as tcp://10.0.0.5:8786")
    return "address", text


def runner(scheduler: str | None = None):
    """The `run` for overlay.overlay_zones: overlay.measure_dates here (no scheduler), or over Dask.

    The scheduler text is checked now, so a bad --scheduler is refused before any data is read.
    """
    from .overlay import measure_dates

    if not scheduler:
        return measure_dates
    kind, target = parse_scheduler(scheduler)

    def on_dask(districts, snapshots: list[dict], rule: str, progress=None) -> list:
        with _client(kind, target) as client:
            return _run_on(client, districts, snapshots, rule, progress)

    return on_dask


def run_dates(districts, snapshots: list[dict], rule: str, scheduler: str | None = None, progress=None) -> list:
    """overlay.measure_dates over all dates: here, or partitioned by date on Dask."""
    return runner(scheduler)(districts, snapshots, rule, progress)


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "--scheduler needs dask.distributed; install it with pip install 'conflictmap[dask]'"
        ) from None
    return distributed


class _client:
    """A Dask client on a fresh local cluster (closed afterwards) or on a running scheduler."""

    def __init__(self, kind: str, target):
        self.kind, self.target = kind, target
        self.cluster = self.client = None

    def __enter__(self):
        import logging

        distributed = _import_distributed()
        if self.kind == "local":
            self.cluster = distributed.LocalCluster(
                n_workers=self.target,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(self.target, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise InputError(
                    f"cannot reach the Dask scheduler at {self.target} ({exc}); check the address and that it runs"
                ) from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        return False


def chunks(n_items: int, n_chunks: int) -> list[range]:
    """Consecutive ranges covering 0..n_items in at most n_chunks nearly equal parts."""
    n_chunks = max(1, min(n_chunks, n_items))
    edges = [round(i * n_items / n_chunks) for i in range(n_chunks + 1)]
    return [range(a, b) for a, b in zip(edges, edges[1:]) if b > a]


# On a worker: the engine for the districts last sent, keyed by their Dask key
# (a hash of the content), so a worker indexes the districts once, not per task.
_ENGINE: dict = {}
# The engine prepares geometries in place, which is not safe from two threads:
# tasks of one worker process take turns (run workers with --nthreads 1).
_LOCK = threading.Lock()


def _measure_chunk(districts, key: str, snapshots: list[dict], rule: str) -> list:
    from .overlay import Overlay, measure_with

    with _LOCK:
        engine = _ENGINE.get(key)
        if engine is None:
            engine = Overlay(districts)
            _ENGINE.clear()  # one set of districts at a time: memory stays bounded on long-lived workers
            _ENGINE[key] = engine
        return measure_with(engine, snapshots, rule)


def _run_on(client, districts, snapshots, rule, progress) -> list:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    shared = client.scatter([districts], broadcast=True)[0]  # one object, not one per district
    parts = chunks(len(snapshots), workers * CHUNKS_PER_WORKER)
    futures = {
        client.submit(_measure_chunk, shared, shared.key, [snapshots[i] for i in part], rule, pure=False): part
        for part in parts
    }
    results: list = [None] * len(snapshots)
    done = 0
    for future in as_completed(futures):
        part = futures[future]
        for i, values in zip(part, future.result()):
            results[i] = values
        done += len(part)
        if progress:
            progress(done, len(snapshots))
    return results
