"""Where grading jobs run, chosen by name: ``local`` (a process pool) or ``dask``.

Both run the same :func:`~digital_academy.assess.job.run_job` on the same JSON-able job
spec; only the transport differs. Add a back end by registering a class in ``BACKENDS``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from .job import run_job

Result = tuple[Any, dict[str, Any] | BaseException]


class BackendError(RuntimeError):
    """The back end cannot run (bad name, unreachable scheduler, ...)."""


class Backend(Protocol):
    name: str
    workers: int

    def run(self, jobs: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[Result]:
        """Run ``(key, spec)`` jobs; yield ``(key, result or exception)`` as each finishes."""
        ...

    def close(self) -> None: ...


def default_workers() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def _worker_init(warm: tuple[str, dict[str, Any]] | None) -> None:
    """Die with the grader (so a killed batch leaves no workers, zygotes or jails behind),
    then start this worker's zygote before the first job arrives."""
    import signal  # noqa: PLC0415

    from .sandbox import linux  # noqa: PLC0415

    parent = os.getppid()
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the grader died before the line above took effect
        os._exit(1)
    if warm is not None:
        from .job import worker  # noqa: PLC0415
        from .sandbox.limits import Limits  # noqa: PLC0415

        worker(warm[0], Limits.from_dict(warm[1]))


class LocalBackend:
    """A pool of worker processes on this machine, one per core by default."""

    name = "local"

    def __init__(
        self,
        workers: int = 0,
        scheduler: str | None = None,
        warm: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        self.workers = workers or default_workers()
        # spawn: workers start clean, with none of the grader's threads or open databases
        self.pool = cf.ProcessPoolExecutor(
            self.workers,
            multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(warm,),
        )

    def run(self, jobs: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[Result]:
        return _bounded(
            jobs,
            lambda spec: self.pool.submit(run_job, spec),
            lambda pending: cf.wait(pending, return_when=cf.FIRST_COMPLETED)[0],
            2 * self.workers,
        )

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend:
    """A Dask cluster: ``scheduler`` is its address, or None for a cluster on this machine."""

    name = "dask"

    def __init__(
        self,
        workers: int = 0,
        scheduler: str | None = None,
        warm: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        from distributed import Client, LocalCluster  # noqa: PLC0415 - optional and slow

        self.cluster: Any = None
        try:
            if scheduler:
                self.client: Any = Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
            else:
                import dask  # noqa: PLC0415

                # the workers' stack profiler wakes every 10 ms and contends for the GIL
                # with a grading thread that makes many small round trips to its jail
                dask.config.set({"distributed.worker.profile.enabled": False})
                self.cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers or default_workers(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                )
                self.client = Client(self.cluster)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise BackendError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def run(self, jobs: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[Result]:
        from distributed import wait  # noqa: PLC0415

        return _bounded(
            jobs,
            lambda spec: self.client.submit(run_job, spec, pure=False),
            lambda pending: wait(pending, return_when="FIRST_COMPLETED").done,  # type: ignore[no-untyped-call]
            2 * self.workers,
        )

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _bounded(
    jobs: Iterable[tuple[Any, dict[str, Any]]],
    submit: Callable[[dict[str, Any]], Any],
    wait: Callable[[set[Any]], set[Any]],
    in_flight: int,
) -> Iterator[Result]:
    """Keep ``in_flight`` jobs queued (so no worker idles) without building every spec first."""
    pending: dict[Any, Any] = {}
    source = iter(jobs)
    exhausted = False
    while True:
        while not exhausted and len(pending) < in_flight:
            try:
                key, spec = next(source)
            except StopIteration:
                exhausted = True
                break
            pending[submit(spec)] = key
        if not pending:
            return
        for future in wait(set(pending)):
            key = pending.pop(future)
            try:
                yield key, future.result()
            except Exception as exc:
                yield key, exc


BACKENDS: dict[str, Callable[..., Backend]] = {"local": LocalBackend, "dask": DaskBackend}


def make_backend(
    name: str,
    workers: int = 0,
    scheduler: str | None = None,
    warm: tuple[str, dict[str, Any]] | None = None,
) -> Backend:
    factory = BACKENDS.get(name)
    if factory is None:
        raise BackendError(
            f"unknown grading back end {name!r}; choose one of {', '.join(sorted(BACKENDS))}"
        )
    return factory(workers=workers, scheduler=scheduler, warm=warm)
