"""One interface over the two ways the package runs work in parallel: local processes or dask.

:func:`make_executor` returns an :class:`Executor`, a context manager with ``submit`` (one task,
a future with ``.result()``), ``as_completed`` (futures as they finish), ``map`` (every item,
results in input order, ``progress(done, total)`` as they finish), ``kind``, ``workers`` and
``close``::

    from qzanalysis.executors import make_executor

    with make_executor("local", jobs=4) as ex:          # or make_executor("dask", jobs=4)
        results = ex.map(work, items, progress=lambda done, total: print(done, "/", total))

Kinds:

- ``"local"`` (the default): a :class:`concurrent.futures.ProcessPoolExecutor` with ``jobs``
  workers (default :func:`default_jobs`: the usable cores, at most 8). Each worker asks Linux to
  kill it when its parent dies (:func:`die_with_parent`), so a ``kill -9`` of the parent leaves no
  worker writing outputs/. Workers start from a fresh interpreter (``spawn``), never by forking
  this process: a fork copies every thread's locks, and a lock held by a thread of this process
  (a kernel client left by a report that hit ``--timeout``, a logging handler) would hang the
  worker forever. Not ``forkserver`` either: its workers are the server's children and hold the
  fd that keeps it alive, so a ``kill -9`` of this process would leave both running. ``jobs=1`` runs every task in this process, no pool: nothing is
  pickled, a breakpoint or a traceback points into the task itself (debugging, tests).
- ``"dask"``: a ``dask.distributed.Client`` on a new ``LocalCluster(n_workers=jobs,
  threads_per_worker=1, processes=True)``, or on the existing cluster at ``scheduler``
  ("tcp://10.0.0.5:8786"; every worker needs the same qzanalysis installed). dask is optional:
  ``pip install 'qzanalysis[dask]'``.

A task is a module-level function and picklable arguments (workers import the function by
name). With several workers each gets ``OMP_NUM_THREADS=1``: BLAS/OpenMP threads per worker
would otherwise fight over the same cores.

Wiring (the CLI's ``--executor local|dask --jobs N --scheduler ADDRESS``):
``with make_executor(args.executor, jobs=args.jobs, scheduler=args.scheduler) as ex: ...``;
an :class:`ExecutorError` is an input error (its message says what to do).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from concurrent.futures import as_completed as _futures_as_completed
from typing import Any

from . import __version__

__all__ = [
    "KINDS",
    "Executor",
    "ExecutorError",
    "default_jobs",
    "die_with_parent",
    "make_executor",
]

KINDS = ("local", "dask")
#: Default ceiling of workers: beyond it a report batch is bound by disk and memory, not cores.
MAX_DEFAULT_JOBS = 8
#: Seconds to wait for an existing dask scheduler (and for it to have a worker).
CONNECT_TIMEOUT = 10.0
DASK_EXTRA_HINT = "--executor dask needs the optional extra: pip install 'qzanalysis[dask]'"
#: What every worker gets when several run: one BLAS/OpenMP thread each.
WORKER_ENV = {"OMP_NUM_THREADS": "1"}


class ExecutorError(RuntimeError):
    """Parallel work that cannot start or could not finish: the message says what to do."""


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the OS tells), at most 8."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, MAX_DEFAULT_JOBS))


#: prctl(2) option: the signal a process gets when its parent dies (Linux only).
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Worker initializer: on Linux, ask for SIGKILL when the parent dies (True when set).

    A ``kill -9`` of ``qzanalysis report`` must not leave workers writing outputs/. Elsewhere
    (or without libc) this does nothing: the pool's own shutdown is all there is.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def _init_local_worker(parent: int) -> None:
    # spawned workers import afresh: set before numpy loads
    for name, value in WORKER_ENV.items():
        os.environ.setdefault(name, value)
    die_with_parent(parent)


# --------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------


class Executor:
    """Runs tasks somewhere; see the module docstring. Use it as a context manager."""

    kind: str = ""
    workers: int = 1
    #: Where the tasks run, for progress lines ("2 local processes", "a dask LocalCluster of 2
    #: workers", "the dask cluster at tcp://…: 8 workers").
    where: str = "this process"

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Start ``fn(*args, **kwargs)``; a future whose ``.result()`` returns or raises."""
        raise NotImplementedError

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        """The futures of this executor, each as it finishes."""
        return _futures_as_completed(list(futures))

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list:
        """``[fn(item) for item in items]``, run in parallel: results in input order.

        ``progress(done, total)`` is called after each task finishes (in finishing order).
        The first task that raises stops the rest (not started ones are cancelled) and its
        exception is raised here.
        """
        items = list(items)
        futures = [self.submit(fn, item) for item in items]
        position = {id(f): i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        try:
            for done, future in enumerate(self.as_completed(futures), start=1):
                results[position[id(future)]] = future.result()
                if progress is not None:
                    progress(done, len(items))
        except BaseException as exc:
            for future in futures:
                future.cancel()
            self._raise_lost_worker(exc, fn)
            raise
        return results

    def _raise_lost_worker(self, exc: BaseException, fn: Callable) -> None:
        """Turn the loss of a worker (not an error of the task) into advice."""

    def close(self) -> None:
        """Stop the workers (waiting for running tasks) and release what this executor opened."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind} workers={self.workers}>"


def _task_name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", repr(fn))


class _InProcess(Executor):
    """``jobs=1``: every task runs at once, here (no pool, nothing pickled)."""

    kind, workers = "local", 1

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - kept in the future, raised by .result()
            future.set_exception(exc)
        return future

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list:
        # one after the other, so the first error stops the rest as in a pool
        items = list(items)
        results = []
        for done, item in enumerate(items, start=1):
            results.append(fn(item))
            if progress is not None:
                progress(done, len(items))
        return results


class _LocalPool(Executor):
    """Worker processes on this machine (:class:`~concurrent.futures.ProcessPoolExecutor`)."""

    kind = "local"

    def __init__(self, jobs: int):
        self.workers = jobs
        self.where = f"{jobs} local process(es)"
        # set in this process too (as the report runner always did): fork copies the parent's
        # environment, and the notebook kernels the runner starts inherit it
        for name, value in WORKER_ENV.items():
            os.environ.setdefault(name, value)
        self._pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),  # never fork: module docstring
            initializer=_init_local_worker,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        try:
            return self._pool.submit(fn, *args, **kwargs)
        except BrokenExecutor as exc:
            raise self._lost(fn) from exc

    def _lost(self, fn: Callable) -> ExecutorError:
        return ExecutorError(
            f"a worker process died while running {_task_name(fn)} (out of memory, or killed); "
            "re-run with --jobs 1 to run it in-process and see the error"
        )

    def _raise_lost_worker(self, exc: BaseException, fn: Callable) -> None:
        if isinstance(exc, BrokenExecutor):
            raise self._lost(fn) from exc
        if isinstance(exc, (pickle.PicklingError, AttributeError, TypeError)) and "pickle" in str(
            exc
        ):
            raise ExecutorError(
                f"cannot send {_task_name(fn)} to the worker processes ({exc}): a task must be a "
                "module-level function with picklable arguments (or run with --jobs 1)"
            ) from exc

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------------------------
# dask
# --------------------------------------------------------------------------------------------


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ExecutorError(DASK_EXTRA_HINT) from exc
    return distributed


def _qzanalysis_version() -> str:
    """Runs on a dask worker: which qzanalysis it has (unpickling this fails without one)."""
    import qzanalysis

    return qzanalysis.__version__


class _Dask(Executor):
    """A dask.distributed client: on a new local cluster, or on ``scheduler``'s cluster."""

    kind = "dask"

    def __init__(self, jobs: int, scheduler: str | None, connect_timeout: float):
        self._distributed = _import_distributed()
        self._cluster = None
        if scheduler:
            self._client = _connect(self._distributed, scheduler, connect_timeout)
            try:
                self.workers = _check_remote_workers(self._client, scheduler, connect_timeout)
            except BaseException:
                self._client.close()
                raise
            self.where = f"the dask cluster at {scheduler}: {self.workers} worker(s)"
        else:
            self._cluster = self._distributed.LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                # no dashboard; the scheduler's health server on a free port (8787, its
                # default, may be another cluster's: dask then warns)
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.ERROR,
                env=dict(WORKER_ENV),
            )
            try:
                self._client = self._distributed.Client(self._cluster)
            except BaseException:
                self._cluster.close()
                raise
            self.workers = jobs
            self.where = f"a dask LocalCluster of {jobs} worker(s)"

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # pure=False: the same call twice is two tasks (a task may read files that changed)
        return self._client.submit(fn, *args, pure=False, **kwargs)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        return iter(self._distributed.as_completed(list(futures)))

    def _raise_lost_worker(self, exc: BaseException, fn: Callable) -> None:
        if isinstance(exc, self._distributed.KilledWorker):
            raise ExecutorError(
                f"dask workers kept dying while running {_task_name(fn)} (out of memory?); "
                "give the workers more memory, or run with --executor local --jobs 1 to see "
                "the error in-process"
            ) from exc

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _connect(distributed, scheduler: str, timeout: float):
    try:
        return distributed.Client(scheduler, timeout=timeout)
    except ValueError as exc:
        raise ExecutorError(
            f"--scheduler {scheduler!r} is not a dask scheduler address ({exc}); "
            "write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        ) from exc
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(
            f"cannot reach the dask scheduler at {scheduler} within {timeout:g} s: check the "
            "address, that `dask scheduler` runs there and that this machine may connect to its "
            "port; or run with --executor local"
        ) from exc


def _check_remote_workers(client, scheduler: str, timeout: float) -> int:
    """The number of workers of ``scheduler``, once each has the same qzanalysis as we do."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(
            f"the dask scheduler at {scheduler} has no worker after {timeout:g} s: start some "
            f"with `dask worker {scheduler}` on machines that have qzanalysis installed"
        ) from exc
    try:
        versions = client.run(_qzanalysis_version)
    except Exception as exc:  # noqa: BLE001 - a worker without the package fails to unpickle
        raise ExecutorError(
            f"the dask workers of {scheduler} cannot import qzanalysis ({exc}); install "
            f"qzanalysis {__version__} on every worker"
        ) from exc
    other = sorted({f"{w}: {v}" for w, v in versions.items() if v != __version__})
    if other:
        raise ExecutorError(
            f"dask workers of {scheduler} have another qzanalysis than {__version__} "
            f"({', '.join(other)}); install the same version on every worker"
        )
    return len(versions)


# --------------------------------------------------------------------------------------------
# The front door
# --------------------------------------------------------------------------------------------


def make_executor(
    kind: str = "local",
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> Executor:
    """An :class:`Executor` of ``kind`` (see the module docstring); use it in a ``with`` block.

    Args:
        kind: "local" (processes on this machine) or "dask".
        jobs: workers (default :func:`default_jobs`); local ``jobs=1`` runs tasks in-process.
            Ignored with ``scheduler`` (the cluster has the workers it has).
        scheduler: address of a running dask scheduler ("tcp://10.0.0.5:8786"); dask only.
        connect_timeout: seconds to wait for that scheduler (and for one of its workers).

    Raises:
        ExecutorError: unknown kind, bad jobs, dask not installed, scheduler unreachable.
    """
    if kind not in KINDS:
        raise ExecutorError(f"unknown executor {kind!r}; choose one of: {', '.join(KINDS)}")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ExecutorError(f"jobs={jobs!r}: give a whole number of workers, 1 or more")
    if scheduler and kind != "dask":
        raise ExecutorError(
            f"--scheduler {scheduler} is a dask address; add --executor dask to use it"
        )
    jobs = jobs or default_jobs()
    if kind == "dask":
        return _Dask(jobs, scheduler, connect_timeout)
    return _InProcess() if jobs == 1 else _LocalPool(jobs)
