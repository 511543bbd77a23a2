"""Forked worker processes, shared by the load and render stages: when they pay, and how many."""
from __future__ import annotations

import os
import threading
from concurrent.futures import Executor

# More worker processes than this only add memory on the machines this runs on (2 to 4 cores).
MAX_WORKERS = 4


def fork_workers(items: int, parallel_from: int) -> int:
    """How many worker processes to spread `items` pieces of work over: 1 (work here) below
    `parallel_from`, where processes cannot be forked, or while other threads run (a preview
    server: a fork may copy a lock another thread holds); else one per CPU, at most MAX_WORKERS.

    Only fork pays: other start methods import the program again in every worker."""
    if items < parallel_from or threading.active_count() > 1:
        return 1
    import multiprocessing  # here: a build that has little to do (a warm one) need not import it

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


def fork_pool(workers: int) -> Executor:
    """A pool of `workers` forked processes (fork_workers said how many)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
