"""``evaluate --backend dask`` warns when the workers carry Dask's malloc setting,
which makes every training step page-fault its tensors afresh."""

from __future__ import annotations

import pytest
from conftest import RECIPE

distributed = pytest.importorskip("distributed")

WARNING = "MALLOC_TRIM_THRESHOLD_ set"


@pytest.fixture
def scheduler(monkeypatch):
    """An in-process cluster: its worker shares this process's environment."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.filterwarnings("ignore:.*have a single utterance")
@pytest.mark.parametrize("trim", [None, "65536"])
def test_warns_about_the_workers_malloc_setting(cli, corpus, scheduler, monkeypatch,
                                                trim):
    if trim is not None:
        monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", trim)
    result = cli("evaluate", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                 "--cv", "speaker-kfold:2", "--max-epochs", "1", "--backend", "dask",
                 "--scheduler", scheduler)
    assert result.code == 0, result.err
    assert "UA" in result.out
    warned = [ln for ln in result.err.splitlines() if WARNING in ln]
    assert len(warned) == (0 if trim is None else 1), result.err
