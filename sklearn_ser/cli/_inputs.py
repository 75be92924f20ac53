"""What ``predict`` reads: audio files, folders of them, CSV manifests and corpus
folders; the labels (and speakers) come with them where the layout gives them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._common import CLIError, _is_corpus

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")


def _corpus(path: Path):
    from sklearn_ser.datasets import load_emodb, load_manifest, load_ravdess

    if path.is_file():
        return load_manifest(path)
    if (path / "wav").is_dir() or (path / "labels.csv").is_file():
        return load_emodb(path)
    return load_ravdess(path)


def expand_inputs(items, *, classes) -> Bunch:
    """``X`` (paths), ``y`` (label or None per file) and ``speaker`` (or None)
    of every file named by ``items``.

    A ``.csv`` is a manifest (path,label[,speaker]); a folder that is a corpus
    (``labels.csv``, ``wav/``, RAVDESS's ``Actor_XX/``) gives its labels; a folder
    whose subfolders are all class names of the model is a ``<label>/*.wav``
    corpus; any other folder gives its audio files (any depth), unlabelled.
    Anything else is taken as one audio file (checked when it is read).
    """
    from sklearn_ser.datasets import load_folder

    paths, labels, speakers = [], [], []
    known = {str(c) for c in classes}

    def add(xs, ys=None, ss=None):
        for i, x in enumerate(xs):
            paths.append(str(x))
            labels.append(None if ys is None else ys[i])
            speakers.append(None if ss is None else ss[i])

    for item in items:
        p = Path(item).expanduser()
        try:
            if p.is_file() and p.suffix.lower() == ".csv" or _is_corpus(p):
                data = _corpus(p)
                add(data.X, list(data.y), data.get("speaker"))
                continue
            if p.is_dir():
                subdirs = [d for d in p.iterdir()
                           if d.is_dir() and not d.name.startswith(".")]
                if subdirs and all(d.name in known for d in subdirs):
                    data = load_folder(p)
                    add(data.X, list(data.y))
                    continue
                files = sorted(f for f in p.rglob("*") if f.is_file()
                               and f.suffix.lower() in AUDIO_EXTENSIONS
                               and not f.name.startswith("."))
                if files:
                    add(files)
                    continue
                # no audio in it: reported as a bad input, the others predicted
        except (OSError, ValueError) as exc:
            raise CLIError(f"{item!r}: {' '.join(str(exc).split())}") from None
        add([item])
    speaker = None if any(s is None for s in speakers) else np.asarray(speakers)
    return Bunch(X=paths, y=labels, speaker=speaker)


def score_report(files, y_true, y_pred, speaker, *, name: str, corpus: str):
    """An :class:`~sklearn_ser.evaluation.EvaluationReport` of the files whose label
    is known (None when none is)."""
    from sklearn_ser.evaluation import EvaluationReport

    known = [i for i, t in enumerate(y_true) if t is not None]
    if not known:
        return None, []
    idx = np.asarray(known)
    truth = np.asarray([str(y_true[i]) for i in known])
    pred = np.asarray([str(y_pred[i]) for i in known])
    spk = None if speaker is None else np.asarray(speaker)[idx]
    report = EvaluationReport.from_predictions(
        truth, pred, speaker=spk, name=name, corpus=corpus,
        classes=np.unique(np.concatenate([truth, pred])),
        protocol={"name": "predict", "description": "a saved model on labelled files",
                  "speaker_independent": None, "n_splits": 1, "test_size": None,
                  "random_state": None, "cv": None},
    )
    return report, [files[i] for i in known]


def confusion_text(report) -> str:
    """The confusion matrix as a text table (rows: true class; columns: predicted)."""
    classes = [str(c) for c in report.classes]
    m = np.asarray(report.confusion_matrix, dtype=int)
    width = max(6, *(len(c) for c in classes))
    lines = ["confusion matrix (rows: true, columns: predicted)",
             " " * width + " " + " ".join(f"{c[:width]:>{width}}" for c in classes)]
    for c, row in zip(classes, m, strict=True):
        lines.append(f"{c:<{width}} " + " ".join(f"{v:>{width}d}" for v in row))
    return "\n".join(lines) + "\n"
