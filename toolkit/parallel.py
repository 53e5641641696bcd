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
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_TASKS_PER_WORKER = 40
WINDOW_PER_WORKER = 4


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
) -> Iterator[tuple[Item, Future[Result]]]:
    """Each item with a finished future of `function(item)`, in the order of `items`.

    `function` and `initializer` must be module-level (they are pickled). With one job, or one item, everything
    runs in this process and no worker is started. `preload` names modules the fork server imports once.
    """
    jobs = min(jobs or default_jobs(), len(items))
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield item, _run_here(function, item)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=initializer,
        initargs=initargs,
        max_tasks_per_child=MAX_TASKS_PER_WORKER,
    ) as pool:
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


def _run_here(function: Callable[[Item], Result], item: Item) -> Future[Result]:
    future: Future[Result] = Future()
    try:
        future.set_result(function(item))
    except Exception as error:
        future.set_exception(error)
    return future
