"""Work spread over worker processes, with results handed back in the order the work was given.

One worker per core (`--jobs`). Workers come from a fork server that has already imported the heavy libraries,
so a fresh worker costs milliseconds; each worker is replaced after `MAX_TASKS_PER_WORKER` tasks, because
WeasyPrint's memory grows by about 1 MiB a PDF and is never given back. Only a bounded window of results waits in
the parent, so memory does not grow with the number of profiles. Results arrive in input order whatever the number
of workers, so what is printed and written does not depend on it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_TASKS_PER_WORKER = 40
WINDOW_PER_WORKER = 4


class _Pool(ProcessPoolExecutor):
    """A process pool that always replaces a worker which left after its `max_tasks_per_child` tasks.

    Python 3.11's pool may decide from a stale count of idle workers that no replacement is needed, and then waits
    forever for the queued tasks (CPython issue gh-115634, fixed in 3.13.x): here a worker is started whenever
    there are fewer than `max_workers`, which a pool of one worker per core wants anyway.
    """

    def _adjust_process_count(self) -> None:
        if len(self._processes) < self._max_workers:  # type: ignore[attr-defined]
            self._spawn_process()  # type: ignore[attr-defined]


def _pool(
    jobs: int,
    preload: Iterable[str],
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
    tasks_per_worker: int | None,
) -> _Pool:
    """`jobs` workers forked from a server that has imported `preload`, each replaced after `tasks_per_worker`."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return _Pool(
        max_workers=jobs,
        mp_context=context,
        initializer=initializer,
        initargs=initargs,
        max_tasks_per_child=tasks_per_worker,
    )


def default_jobs() -> int:
    """The cores this process may use (honouring CPU affinity, as in containers and CI runners)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int | None = None,
    preload: Iterable[str] = (),
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    tasks_per_worker: int | None = MAX_TASKS_PER_WORKER,
) -> Iterator[tuple[Item, Future[Result]]]:
    """Each item with a finished future of `function(item)`, in the order of `items`.

    `function` and `initializer` must be module-level (they are pickled). With one job, or one item, everything
    runs in this process and no worker is started. `preload` names modules the fork server imports once.
    `tasks_per_worker=None` keeps each worker for the whole run, for work whose memory does not grow (reading
    profiles), so that no worker pays its start again.
    """
    jobs = min(jobs or default_jobs(), len(items))
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield item, _run_here(function, item)
        return
    with _pool(jobs, preload, initializer, initargs, tasks_per_worker) as pool:
        pending: deque[tuple[Item, Future[Result]]] = deque()
        remaining = iter(items)
        try:
            for item in remaining:
                pending.append((item, pool.submit(function, item)))
                if len(pending) >= jobs * WINDOW_PER_WORKER:
                    break
            while pending:
                item, future = pending.popleft()
                future.exception()  # wait for it
                yield item, future
                for following in remaining:
                    pending.append((following, pool.submit(function, following)))
                    break
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def completed_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int | None = None,
    preload: Iterable[str] = (),
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    cost: Callable[[Item], float] | None = None,
    tasks_per_worker: int = MAX_TASKS_PER_WORKER,
) -> Iterator[tuple[int, Future[Result]]]:
    """Each item's index with a finished future of `function(item)`, as they finish.

    Workers take the costliest items first (by `cost`; ties in the order given), so that no worker is left with a
    long item at the end while the others wait. With one job everything runs here, in the order given. The caller
    puts results back in order if it needs to (a small record per item, not the results themselves). Each worker
    is replaced after `tasks_per_worker` items.
    """
    jobs = min(jobs or default_jobs(), len(items))
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for index, item in enumerate(items):
            yield index, _run_here(function, item)
        return
    order = costliest_first(items, cost) if cost else range(len(items))
    with _pool(jobs, preload, initializer, initargs, tasks_per_worker) as pool:
        waiting = iter(order)
        running: dict[Future[Result], int] = {}

        def submit_next() -> None:
            for index in waiting:
                running[pool.submit(function, items[index])] = index
                return

        try:
            for _ in range(jobs * WINDOW_PER_WORKER):
                submit_next()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=running.__getitem__):
                    index = running.pop(future)
                    submit_next()
                    yield index, future
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def costliest_first(items: Sequence[Item], cost: Callable[[Item], float]) -> list[int]:
    """The items' indexes, costliest first; items of equal cost in the order given."""
    return sorted(range(len(items)), key=lambda index: -cost(items[index]))


def _run_here(function: Callable[[Item], Result], item: Item) -> Future[Result]:
    future: Future[Result] = Future()
    try:
        future.set_result(function(item))
    except Exception as error:
        future.set_exception(error)
    return future
