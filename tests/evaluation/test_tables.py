"""The docs tables and the README block are generated from benchmarks/results."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from sklearn_ser.evaluation import EvaluationReport
from sklearn_ser.evaluation._paper_data import PAPER_ROWS
from sklearn_ser.evaluation._tables import (
    README_BEGIN,
    README_END,
    load_results,
    readme_block,
    update_readme,
    write_generated,
)

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
FILES = sorted(RESULTS.glob("*/*/*.json"))


def _csv_rows(rst: str) -> list[list[str]]:
    """The body rows of every csv-table in ``rst``."""
    rows = []
    for line in rst.splitlines():
        if line.startswith('   "'):
            rows.append(next(csv.reader([line.strip()], skipinitialspace=True)))
    return rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    write_generated(RESULTS, out)
    return {p.name: p.read_text() for p in out.iterdir()}


@pytest.mark.skipif(not FILES, reason="no results recorded in benchmarks/results")
@pytest.mark.parametrize("path", FILES, ids=lambda p: "/".join(p.parts[-3:]))
def test_measurement_tables_match_the_json(path, generated):
    """Must-show: every results file's figures appear, as recorded, in its table row."""
    data = json.loads(path.read_text())  # read directly, not through the renderer
    s = data["summary"]
    ref = f"``{path.parts[-3]}/{path.parts[-2]}/{path.name}``"
    rows = [r for r in _csv_rows(generated["measurements.inc"]) if r[-1] == ref]
    assert len(rows) == 1, ref
    _, wa, ua, ci, folds, seeds, epochs, _minutes, _ = rows[0]
    assert float(wa) == pytest.approx(s["WA"], abs=5e-4)
    assert float(ua) == pytest.approx(s["UA"], abs=5e-4)
    lo, hi = (float(v) for v in ci.split("–"))
    assert (lo, hi) == pytest.approx(tuple(s["UA_ci"]), abs=5e-4)
    n_folds = sum(len(run["folds"]) for run in data["runs"])
    if n_folds == 1:  # no spread to show
        assert folds == "— (one split)"
    else:
        m, sd = (float(v) for v in folds.split(" ± "))
        assert (m, sd) == pytest.approx((s["UA_fold_mean"], s["UA_fold_std"]),
                                        abs=5e-4)
    assert seeds == ", ".join(map(str, data["seeds"]))
    params = data["estimator"]["params"]
    recorded = params.get("clf__max_epochs")
    if "clf__pretrain_epochs" in params:
        recorded = f"{params['clf__pretrain_epochs']} + {params['clf__finetune_epochs']}"
    assert epochs.split(" (")[0] == ("—" if recorded is None else str(recorded))
    # and the recorded figure is what the predictions in the file give
    report = EvaluationReport.from_json(path)
    if report.has_predictions:
        from sklearn_ser.metrics import unweighted_accuracy

        uas = [
            unweighted_accuracy(p.y_true, p.y_pred)
            for p in (report.predictions(r["seed"]) for r in report.runs)
        ]
        assert np.mean(uas) == pytest.approx(s["UA"], abs=1e-12)


def test_paper_table_matches_the_json(generated):
    rows = _csv_rows(generated["paper_protocols.inc"])
    assert len(rows) == len(PAPER_ROWS)
    for spec, row in zip(PAPER_ROWS, rows, strict=True):
        assert spec["figure"] in row[2]  # the paper's figure, as copied
        assert row[3].startswith(f"paper: {spec['training']}; ours: ")
        commands = generated["paper_protocols.inc"].split(".. code-block:: bash")[1]
        if "loso" not in spec:
            assert row[6] == "—"
        for (protocol, name), cell in zip(
            (spec["same"], spec["independent"], spec.get("loso", (None, None))),
            row[4:7],
            strict=False,
        ):
            if protocol is None:
                continue
            path = RESULTS / spec["corpus"] / protocol / f"{name}.json"
            if not path.is_file():
                assert "not run" in cell and f"--only {name}" in cell
                continue
            data = json.loads(path.read_text())
            s = data["summary"]
            assert f"WA {100 * s['WA']:.1f}, UA {100 * s['UA']:.1f}" in cell
            assert f"{100 * s['UA_ci'][0]:.1f}–{100 * s['UA_ci'][1]:.1f}" in cell
            # the training length shown is the one recorded in the file
            params = data["estimator"]["params"]
            epochs = params.get("clf__max_epochs")
            if "clf__pretrain_epochs" in params:
                epochs = (
                    f"{params['clf__pretrain_epochs']} + "
                    f"{params['clf__finetune_epochs']}"
                )
            if epochs is not None:
                assert f"{epochs} epochs" in row[3]
            # and the command that wrote the file is listed under the table
            recorded = data.get("settings", {}).get("command")
            if recorded:
                assert f"--epochs {data['settings']['epochs_cap']}" in recorded or (
                    data["settings"]["epochs_cap"] is None
                )
                assert recorded in commands
            else:
                assert f"--protocol {protocol} " in commands
    kumar = rows[0]
    assert "91.67" in kumar[2] and "70/30" in kumar[2]


def test_readme_block_is_the_generated_one():
    """The README's headline figures are the rendered block (docs build refreshes)."""
    text = (REPO / "README.md").read_text()
    match = re.search(
        re.escape(README_BEGIN) + r".*?" + re.escape(README_END), text, re.S
    )
    assert match, "README.md lost its results markers"
    assert match.group(0) == readme_block(load_results(RESULTS))


def test_missing_rows_and_folders(tmp_path):
    """Rows without a results file say how to make one; an absent folder is fine."""
    empty = write_generated(tmp_path / "nothing", tmp_path / "out")
    text = {p.name: p.read_text() for p in empty}
    assert "not run" in text["paper_protocols.inc"]
    assert (
        "--corpus ravdess --protocol random-split --test-size 0.3"
        in text["paper_protocols.inc"]
    )
    rows = _csv_rows(text["measurements.inc"])
    assert rows and all(r[4] == "not run" for r in rows)
    # a single results file fills its row only
    if FILES:
        one = tmp_path / "one"
        dest = one / FILES[0].relative_to(RESULTS)
        dest.parent.mkdir(parents=True)
        shutil.copy(FILES[0], dest)
        readme = tmp_path / "README.md"
        readme.write_text(f"intro\n{README_BEGIN}\nOUTDATED\n{README_END}\nend\n")
        write_generated(one, tmp_path / "out1", readme=readme)
        new = readme.read_text()
        assert (
            new.startswith("intro\n")
            and new.endswith("end\n")
            and "OUTDATED" not in new
        )
        assert not update_readme(readme, load_results(one))  # already up to date
