"""What the benchmarks share: items of work taken by several threads at once, each timed."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def run_threads(threads: int, items, work) -> dict:
    """`work(item)` for every item, taken by `threads` threads at once: the wall seconds, this
    process's CPU time per item, and the median and 99th percentile of an item's time."""
    latencies, lock, queue = [], threading.Lock(), iter(items)

    def worker():
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            started = time.perf_counter()
            work(item)
            with lock:
                latencies.append(time.perf_counter() - started)

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies.sort()
    return {"done": len(latencies), "seconds": round(seconds, 2),
            "per_second": round(len(latencies) / seconds, 1),
            "cpu_ms_each": round(cpu * 1000 / len(latencies), 2),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000, 1)}
