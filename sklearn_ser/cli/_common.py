"""What the commands share: the recipe from the arguments, corpus, audio, ``--out``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

#: Parameters that count training epochs; ``--max-epochs`` sets every one of them.
EPOCH_PARAMS = ("max_epochs", "pretrain_epochs", "finetune_epochs")

#: The layouts ``--data`` recognises, in the order they are tried (for the help
#: text and the error messages).
DATA_LAYOUTS = (
    "a CSV manifest (.csv) with columns path,label[,speaker]",
    "EmoDB's layout (wav/ and/or labels.csv; any corpus folder with a labels.csv "
    "of path,label,speaker, as the staged RAVDESS)",
    "RAVDESS as published (Actor_01/ ... Actor_24/ folders of 03-01-*.wav)",
    "a folder of <label>/*.wav subfolders (speakers unknown)",
)

_ACTOR_DIR = re.compile(r"^Actor_\d{2}$")


class CLIError(Exception):
    """An error the user can fix; printed as one line."""


def make_recipe(args: argparse.Namespace):
    """The recipe's pipeline, with ``--max-epochs`` (every epoch count),
    ``--device`` (every ``device`` parameter) and ``--set`` applied."""
    from sklearn_ser import recipes

    from ._config import apply_overrides

    if args.recipe not in recipes.RECIPES:
        raise CLIError(
            f"unknown recipe {args.recipe!r}; choose one of: "
            f"{', '.join(recipes.RECIPES)}"
        )
    pipe = recipes.make_recipe(args.recipe, random_state=args.random_state)
    return apply_overrides(pipe, args)


def _is_ravdess(path: Path) -> bool:
    return any(d.is_dir() and _ACTOR_DIR.match(d.name) for d in path.iterdir())


def _is_corpus(path: Path) -> bool:
    """A folder that is a corpus by itself (one ``--data`` can point at)."""
    return path.is_dir() and (
        (path / "wav").is_dir() or (path / "labels.csv").is_file() or _is_ravdess(path)
    )


def load_corpus(data: str):
    """A Bunch (X paths, y, speaker) from a corpus folder or a CSV manifest."""
    from sklearn_ser.datasets import (
        load_emodb,
        load_folder,
        load_manifest,
        load_ravdess,
    )

    path = Path(data).expanduser()
    if not path.exists():
        raise CLIError(f"--data {data!r} does not exist")
    if path.is_file():
        if path.suffix.lower() != ".csv":
            raise CLIError(
                f"--data {data!r} is a file but not a CSV manifest (expected a .csv "
                "with "
                "columns path,label,speaker, or a corpus folder)"
            )
        corpus = load_manifest(path)
    elif (path / "wav").is_dir() or (path / "labels.csv").is_file():
        corpus = load_emodb(path)  # EmoDB's layout: wav/ and labels.csv
    elif _is_ravdess(path):
        corpus = load_ravdess(path)  # the publisher's Actor_XX/ folders
    else:
        corpora = sorted(d.name for d in path.iterdir() if _is_corpus(d))
        if corpora:
            # the folder above the corpora: its subfolders are not emotion labels
            raise CLIError(
                f"--data {data!r} is a folder of corpora ({', '.join(corpora)}), not "
                f"one corpus; give one of them, e.g. --data "
                f"{str(path / corpora[0])!r}"
            )
        corpus = load_folder(path)
    labels = sorted({str(v) for v in corpus.y})
    if len(labels) < 2:
        # e.g. --data pointing one level too high: every file gets the one label
        raise CLIError(
            f"--data {data!r} holds {len(labels)} class "
            f"({', '.join(labels) or 'none'}; "
            f"{len(corpus.y)} "
            "files); a corpus needs at least two (expected <label>/*.wav folders, "
            "EmoDB's wav/ + labels.csv, RAVDESS's Actor_XX/ folders, or a CSV "
            "manifest)"
        )
    return corpus


def probe_writable(folder: Path, *, what: str) -> None:
    """Create and remove a file in ``folder``; a one-line CLIError if that fails."""
    import os

    probe = folder / f".sklearn-ser-probe-{os.getpid()}"
    try:
        with open(probe, "x"):
            pass
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CLIError(
            f"{what}: cannot write in folder {str(folder)!r} ({reason}); nothing "
            "was trained"
        ) from None


def check_out(out: str | None, *, kind: str) -> None:
    """Fail before any training when ``--out`` cannot be written afterwards: the
    folder must exist (or be creatable) and take a probe file."""
    if out is None:
        return
    path = Path(out).expanduser()
    if kind == "folder":
        if path.exists() and not path.is_dir():
            raise CLIError(f"--out {out!r} exists and is not a folder")
        folder = path
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the nearest existing folder, created later
        probe_writable(folder, what=f"--out {out!r}")
        return
    if path.is_dir():
        raise CLIError(f"--out {out!r} is a folder; give the model file's path")
    if not path.parent.is_dir():
        raise CLIError(f"--out {out!r}: folder {str(path.parent)!r} does not exist")
    probe_writable(path.parent, what=f"--out {out!r}")


def _pipeline(pipe):
    """The pipeline of a recipe, inside a sampler wrapper (``ResampledEstimator``)."""
    wrapped = getattr(pipe, "estimator", None)
    if not hasattr(pipe, "steps") and hasattr(wrapped, "steps"):
        return pipe.estimator
    return pipe


def final_step(pipe):
    """The last step of a recipe (the model), or the estimator itself."""
    pipe = _pipeline(pipe)
    return pipe.steps[-1][1] if hasattr(pipe, "steps") else pipe


def wants_speaker(model, method: str) -> bool:
    """Whether a step of ``model`` requests ``speaker`` in ``method`` (metadata
    routing; e.g. a ``SpeakerNormalizer``)."""
    from sklearn import config_context
    from sklearn.utils.metadata_routing import get_routing_for_object

    with config_context(enable_metadata_routing=True):
        try:
            routing = get_routing_for_object(model)
            return bool(routing.consumes(method, ["speaker"]))
        except Exception:  # an estimator without routing support: nothing routed
            return False


def call_routed(model, method: str, X, *args, speaker=None):
    """``model.<method>(X, *args)``, with ``speaker`` routed to the steps that
    request it (routing switched on for the call only)."""
    from sklearn import config_context

    if speaker is None or not wants_speaker(model, method):
        return getattr(model, method)(X, *args)
    with config_context(enable_metadata_routing=True):
        return getattr(model, method)(X, *args, speaker=speaker)


def sample_rate(pipe) -> int | None:
    pipe = _pipeline(pipe)
    first = pipe.steps[0][1] if hasattr(pipe, "steps") else pipe
    sr = getattr(first, "sr", None)
    return int(sr) if isinstance(sr, (int, float)) else None


def read_audio(paths, *, sr: int | None, quiet: bool, what: str = "loading audio"):
    """Waveforms of ``paths`` at ``sr`` (object array), with a per-file progress
    bar and its ETA on stderr (none with ``quiet`` or when stderr is no terminal)."""
    import numpy as np
    from tqdm.auto import tqdm

    from sklearn_ser.datasets import load_audio

    from ._progress import is_tty  # (it imports this module)

    if sr is None:  # the first step reads files itself
        return np.asarray(paths)
    out = np.empty(len(paths), dtype=object)
    for i, p in enumerate(
        tqdm(paths, desc=what, unit="file", file=sys.stderr, leave=False,
             disable=quiet or not is_tty(sys.stderr))
    ):
        try:
            out[i] = load_audio(p, sr=sr)
        except (OSError, ValueError, RuntimeError) as exc:
            raise CLIError(f"cannot read audio file {str(p)!r}: {exc}") from None
    return out
