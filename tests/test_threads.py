"""The threading policy: one thread count for torch, BLAS/OpenMP and numba."""

from __future__ import annotations

import os

import numba
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info

from sklearn_ser.utils import _threads
from sklearn_ser.utils._threads import (
    available_cpus,
    busy_cpus,
    passive_openmp_env,
    resolve_n_threads,
    thread_limits,
)


@given(n_jobs=st.integers(-64, 64).filter(lambda n: n != 0))
@settings(max_examples=40, deadline=None)
def test_resolve_n_threads_is_within_the_cpus(n_jobs):
    n = resolve_n_threads(n_jobs, adapt_to_load=False)
    assert 1 <= n <= available_cpus()
    if 0 < n_jobs <= available_cpus():
        assert n == n_jobs


def test_negative_n_jobs_follow_joblib():
    cpus = available_cpus()
    assert resolve_n_threads(-1, adapt_to_load=False) == cpus
    assert resolve_n_threads(-2, adapt_to_load=False) == max(1, cpus - 1)


def test_none_reads_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert resolve_n_threads(None, adapt_to_load=False) == 1


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_bad_n_jobs_is_named(bad):
    with pytest.raises(ValueError, match="n_jobs"):
        resolve_n_threads(bad)


def test_busy_machine_gets_fewer_threads(monkeypatch):
    monkeypatch.setattr(_threads, "available_cpus", lambda: 4)
    monkeypatch.setattr(_threads, "busy_cpus", lambda *a, **k: 3.0)
    assert resolve_n_threads(4) == 1
    monkeypatch.setattr(_threads, "busy_cpus", lambda *a, **k: 1.2)
    assert resolve_n_threads(4) == 3
    monkeypatch.setattr(_threads, "busy_cpus", lambda *a, **k: 0.0)
    assert resolve_n_threads(4) == 4
    assert resolve_n_threads(4, adapt_to_load=False) == 4


def test_busy_cpus_is_a_non_negative_cached_reading():
    first = busy_cpus(0.01, max_age=0)
    assert 0.0 <= first
    assert busy_cpus(0.01) == first  # reused within max_age


def test_thread_limits_sets_and_restores_every_pool():
    numba_before = numba.get_num_threads()  # starting numba's pool can touch torch's
    torch_before = torch.get_num_threads()
    with thread_limits(1, adapt_to_load=False) as n:
        assert n == 1
        assert torch.get_num_threads() == 1
        assert numba.get_num_threads() == 1
        assert all(p["num_threads"] == 1 for p in threadpool_info())
    assert torch.get_num_threads() == torch_before
    assert numba.get_num_threads() == numba_before


def test_thread_limits_restores_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), thread_limits(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


def test_passive_openmp_env_keeps_the_users_values(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    assert passive_openmp_env()["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert passive_openmp_env()["OMP_WAIT_POLICY"] == "ACTIVE"


def test_importing_sklearn_ser_first_makes_openmp_passive_unless_set():
    import subprocess
    import sys

    code = "import os, sklearn_ser; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "PASSIVE"
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "ACTIVE"
