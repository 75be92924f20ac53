"""Fixtures of the command-line tests: a tiny WAV corpus written to a temporary
folder (3 classes x 4 utterances, 3 speakers), a model trained on it, and a runner
of ``main(argv)`` in this process."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sklearn_ser.cli import main

#: The cheapest network recipe, shrunk by --max-epochs 1.
RECIPE = "liu2021"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if "error:" in ln]


@pytest.fixture
def cli(capsys):
    """``cli("train", ...)``: run the command line, return code, stdout, stderr."""

    def run(*args) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse: usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """WAV files, a manifest (path,label,speaker) and an EmoDB-layout copy
    (labels.csv beside the files) of a tiny synthetic corpus."""
    import soundfile as sf

    from sklearn_ser.datasets import make_emotional_speech

    root = tmp_path_factory.mktemp("cli_corpus")
    data = make_emotional_speech(
        n_per_class=4, classes=("anger", "neutral", "sadness"), n_speakers=3,
        duration=(0.5, 0.8), random_state=0,
    )
    (root / "audio").mkdir()
    lines = ["path,label,speaker"]
    for i, (x, label, speaker) in enumerate(zip(data.X, data.y, data.speaker)):
        sf.write(root / "audio" / f"u{i:02d}.wav", x, data.sr)
        lines.append(f"audio/u{i:02d}.wav,{label},{speaker}")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="session")
def model(corpus, tmp_path_factory):
    """A liu2021 model file trained for one epoch on speakers spk00 and spk01."""
    out = tmp_path_factory.mktemp("cli_model") / "model.sser"
    code = main(["train", "--recipe", RECIPE, "--data", str(corpus / "manifest.csv"),
                 "--max-epochs", "1", "--speakers", "spk0[01]", "--out", str(out),
                 "--quiet"])
    assert code == 0
    return out
