"""qzanalysis.executors: one interface over local processes and dask (tracker issue 13).

Every expected value here is the task's own definition applied by hand: ``_square(x) = x * x``
over ``range(n)``, so the results in input order are ``[0, 1, 4, …]``; the workers' environment
and death signal are what ``make_executor`` promises (OMP_NUM_THREADS=1, SIGKILL on the parent's
death). No assertion depends on timing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys

import pytest

from qzanalysis import executors
from qzanalysis.executors import ExecutorError, make_executor

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")


# Tasks are module-level: worker processes import them by name.
def _square(x: int) -> int:
    return x * x


def _where(_item: object = None) -> tuple[int, str | None]:
    return os.getpid(), os.environ.get("OMP_NUM_THREADS")


def _death_signal(_item: object = None) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    sig = ctypes.c_int(0)
    assert libc.prctl(2, ctypes.byref(sig), 0, 0, 0) == 0  # PR_GET_PDEATHSIG
    return sig.value


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError(f"bad item {x}")
    return x


def _die(_item: object = None) -> None:
    os._exit(13)  # what an out-of-memory kill looks like to the pool


@pytest.fixture(scope="module")
def pool():
    """One local pool of two workers for the module (starting processes is the slow part)."""
    with make_executor("local", jobs=2) as ex:
        yield ex


# --------------------------------------------------------------------------------------------
# Choosing an executor
# --------------------------------------------------------------------------------------------


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(ExecutorError, match="unknown executor 'spark'.*local, dask"):
        make_executor("spark")


@pytest.mark.parametrize("jobs", [0, -2, 1.5, True, "4"])
def test_jobs_must_be_a_positive_whole_number(jobs):
    with pytest.raises(ExecutorError, match="whole number of workers"):
        make_executor("local", jobs=jobs)


def test_a_scheduler_address_needs_the_dask_kind():
    with pytest.raises(ExecutorError, match="add --executor dask"):
        make_executor("local", scheduler="tcp://10.0.0.5:8786")


def test_default_jobs_is_the_usable_cores_capped():
    assert 1 <= executors.default_jobs() <= executors.MAX_DEFAULT_JOBS


# --------------------------------------------------------------------------------------------
# Local: in-process (jobs=1) and a process pool
# --------------------------------------------------------------------------------------------


def test_one_job_runs_in_this_process():
    with make_executor("local", jobs=1) as ex:
        assert (ex.kind, ex.workers, ex.where) == ("local", 1, "this process")
        assert ex.submit(_where).result()[0] == os.getpid()
        seen: list[tuple[int, int]] = []
        assert ex.map(_square, range(4), progress=lambda d, t: seen.append((d, t))) == [0, 1, 4, 9]
        assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_in_process_errors_come_out_of_result_and_stop_map():
    with make_executor("local", jobs=1) as ex:
        future = ex.submit(_fail_on_three, 3)
        with pytest.raises(ValueError, match="bad item 3"):
            future.result()
        ran: list[int] = []
        with pytest.raises(ValueError, match="bad item 3"):
            ex.map(_fail_on_three, range(6), progress=lambda d, t: ran.append(d))
        assert ran == [1, 2, 3]  # items 0-2 finished, 4 and 5 never ran


def test_a_pool_keeps_input_order_and_reports_progress(pool):
    assert (pool.kind, pool.workers, pool.where) == ("local", 2, "2 local process(es)")
    seen: list[tuple[int, int]] = []
    results = pool.map(_square, range(20), progress=lambda d, t: seen.append((d, t)))
    assert results == [x * x for x in range(20)]
    assert seen == [(d, 20) for d in range(1, 21)]  # once per finished task, counting up


def test_pool_workers_are_other_processes_with_one_blas_thread(pool):
    where = pool.map(_where, range(8))
    assert all(pid != os.getpid() for pid, _ in where)
    assert {omp for _, omp in where} == {"1"}


@linux_only
def test_pool_workers_die_with_their_parent(pool):
    assert pool.submit(_death_signal).result(timeout=60) == signal.SIGKILL


def test_submit_and_as_completed(pool):
    futures = [pool.submit(_square, x) for x in range(5)]
    finished = list(pool.as_completed(futures))
    assert sorted(f.result() for f in finished) == [0, 1, 4, 9, 16]
    assert {id(f) for f in finished} == {id(f) for f in futures}


def test_a_task_error_reaches_the_caller_with_its_type(pool):
    with pytest.raises(ValueError, match="bad item 3"):
        pool.map(_fail_on_three, range(6))
    assert pool.map(_square, [3]) == [9]  # the pool still works


def test_a_dead_worker_is_an_executor_error_that_says_what_to_do():
    with make_executor("local", jobs=2) as ex, pytest.raises(ExecutorError, match="--jobs 1"):
        ex.map(_die, range(2))


def test_a_task_workers_cannot_import_is_explained(pool):
    def local_task(x):  # defined inside a function: worker processes cannot find it by name
        return x

    with pytest.raises(ExecutorError, match="module-level function"):
        pool.map(local_task, range(2))
    assert pool.map(_square, [2]) == [4]


def test_an_empty_map_starts_nothing(pool):
    assert pool.map(_square, []) == []


def test_die_with_parent_is_harmless_elsewhere(monkeypatch):
    monkeypatch.setattr(executors.sys, "platform", "darwin")
    assert executors.die_with_parent(os.getpid()) is False


# --------------------------------------------------------------------------------------------
# dask
# --------------------------------------------------------------------------------------------


def test_without_dask_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ExecutorError) as info:
        make_executor("dask", jobs=1)
    assert str(info.value) == (
        "--executor dask needs the optional extra: pip install 'qzanalysis[dask]'"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_named():
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_free_port()}"  # bound then released: nobody listens there
    with pytest.raises(ExecutorError, match=f"cannot reach the dask scheduler at {address}"):
        make_executor("dask", scheduler=address, connect_timeout=1)


def test_a_malformed_scheduler_address_shows_the_form():
    pytest.importorskip("distributed")
    with pytest.raises(ExecutorError, match="tcp://HOST:PORT"):
        make_executor("dask", scheduler="no port here", connect_timeout=1)


@pytest.fixture(scope="module")
def dask_local():
    pytest.importorskip("distributed")
    with make_executor("dask", jobs=2) as ex:
        yield ex


def test_dask_local_cluster_maps_in_order(dask_local):
    assert (dask_local.kind, dask_local.workers) == ("dask", 2)
    seen: list[tuple[int, int]] = []
    assert dask_local.map(_square, range(10), progress=lambda d, t: seen.append((d, t))) == [
        x * x for x in range(10)
    ]
    assert seen == [(d, 10) for d in range(1, 11)]
    assert dask_local.submit(_square, 7).result() == 49


def test_dask_workers_are_processes_with_one_blas_thread(dask_local):
    where = dask_local.map(_where, range(4))
    assert all(pid != os.getpid() for pid, _ in where)
    assert {omp for _, omp in where} == {"1"}


def test_dask_task_errors_reach_the_caller(dask_local):
    with pytest.raises(ValueError, match="bad item 3"):
        dask_local.map(_fail_on_three, range(6))


def _researchers_cluster(distributed):
    """A running cluster of one worker, as a researcher's `dask scheduler` would be."""
    return distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # 8787 may be taken: no warning
    )


def test_an_existing_dask_cluster_by_its_address():
    distributed = pytest.importorskip("distributed")
    with _researchers_cluster(distributed) as cluster:
        with make_executor("dask", scheduler=cluster.scheduler_address) as ex:
            assert (ex.kind, ex.workers) == ("dask", 1)  # the cluster's workers, not jobs
            assert ex.where == f"the dask cluster at {cluster.scheduler_address}: 1 worker(s)"
            assert ex.map(_square, range(3)) == [0, 1, 4]
        # closing our client leaves the researcher's cluster running
        with distributed.Client(cluster.scheduler_address, timeout=30) as again:
            assert again.submit(_square, 2).result() == 4


def test_dask_workers_must_have_the_same_package_version(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(executors, "__version__", "0.0.0-other", raising=False)
    with _researchers_cluster(distributed) as cluster:
        client = distributed.Client(cluster.scheduler_address, timeout=30)
        try:
            # the workers report the installed version; we pretend to be another one
            with pytest.raises(ExecutorError, match="install the same version on every worker"):
                executors._check_remote_workers(client, cluster.scheduler_address, 30)
        finally:
            client.close()
