"""What every corpus loader shares: the data home, layout checks, the result Bunch."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from sklearn_ser.utils._audio import load_audio as _load_audio

__all__ = ["CorpusNotFoundError", "get_data_home"]

DATA_HOME_ENV = "SER_DATA"

# Shared parameter text, substituted into the loaders' docstrings with imblearn's
# ``Substitution`` helper.
_DATA_HOME_DOC = """data_home : str or path-like, default=None
        The folder holding the corpora (one subfolder per corpus), or the corpus
        folder itself. ``None`` reads the environment variable ``SER_DATA``."""
_LOADER_COMMON_DOC = """load_audio : bool, default=False
        If True, ``X`` holds the waveforms (float32 arrays at ``sr``, read by
        :func:`~sklearn_ser.datasets.load_audio`) instead of the file paths.
    sr : int, default=16000
        Sample rate of the waveforms when ``load_audio=True``; files at another
        rate are resampled.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch."""
_BUNCH_COMMON_DOC = """X : ndarray of shape (n_utterances,)
            Paths of the audio files (dtype str), sorted; or, with
            ``load_audio=True``, an object array of float32 waveforms.
        y : ndarray of shape (n_utterances,), dtype str
            Emotion labels (English names).
        speaker : ndarray of shape (n_utterances,), dtype str
            Speaker ids, the groups for speaker-independent cross-validation.
        target_names : ndarray of str
            The sorted unique labels.
        sr : int or None
            Sample rate of ``X`` with ``load_audio=True``, else None.
        DESCR : str
            The corpus, its citation and licence, and the counts."""


class CorpusNotFoundError(FileNotFoundError, ValueError):
    """A data home or corpus folder that does not exist.

    Both a :class:`FileNotFoundError` and a :class:`ValueError` (the class of every
    other bad input of sklearn_ser), so that either ``except`` clause catches it.
    """


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The folder of the real corpora: ``data_home`` if given, else ``$SER_DATA``.

    Nothing is downloaded: the corpora are staged by hand (their licences forbid
    redistribution), one subfolder per corpus (``emodb/``, ``ravdess/``,
    ``iemocap/``).

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder; ``None`` reads the environment variable ``SER_DATA``.

    Returns
    -------
    data_home : pathlib.Path
        An existing folder (``~`` expanded).

    Raises
    ------
    CorpusNotFoundError
        Neither ``data_home`` nor ``SER_DATA`` is set, or the folder does not
        exist (the message names it); a ``FileNotFoundError`` and a ``ValueError``.
    TypeError
        ``data_home`` is not a path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     get_data_home(tmp).is_dir()
    True
    """
    if data_home is None:
        env = os.environ.get(DATA_HOME_ENV, "")
        if not env:
            raise CorpusNotFoundError(
                f"no data_home given and the environment variable {DATA_HOME_ENV} is "
                "not set; pass data_home= or set SER_DATA to the folder that holds "
                "the corpora (emodb/, ravdess/, iemocap/)"
            )
        home, source = Path(env).expanduser(), f"${DATA_HOME_ENV}"
    elif isinstance(data_home, (str, os.PathLike)):
        home, source = Path(os.fspath(data_home)).expanduser(), "data_home"
    else:
        raise TypeError(
            f"data_home must be a path (str or os.PathLike) or None, got "
            f"{type(data_home).__name__}"
        )
    if not home.is_dir():
        raise CorpusNotFoundError(
            f"data home {str(home)!r} (from {source}) does not exist or is not a "
            f"folder; pass data_home= or set {DATA_HOME_ENV} to the folder that holds "
            "the corpora"
        )
    return home


def corpus_home(
    data_home: str | os.PathLike | None,
    subfolder: str | None,
    *,
    name: str,
    looks_like: Callable[[Path], bool],
    expected: str,
) -> Path:
    """The corpus folder: ``data_home/subfolder`` if it exists, else ``data_home``.

    ``expected`` completes "no ... under <folder>", naming what the layout needs
    (e.g. ``"wav/ folder and no labels.csv"``).
    """
    home = get_data_home(data_home)
    if subfolder is not None and not isinstance(subfolder, (str, os.PathLike)):
        raise TypeError(
            f"{name}: subfolder must be a folder name or None, got "
            f"{type(subfolder).__name__}"
        )
    if subfolder and (home / subfolder).is_dir():
        root = home / subfolder
    elif looks_like(home):
        return home
    elif subfolder:
        raise CorpusNotFoundError(
            f"{name}: no {os.fspath(subfolder)}/ folder under {str(home)!r}, and that "
            f"folder is not the corpus itself (no {expected} there); pass the "
            f"folder as data_home= or set {DATA_HOME_ENV} to the folder that holds "
            f"{os.fspath(subfolder)}/"
        )
    else:
        root = home
    if not looks_like(root):
        found = sorted(p.name for p in root.iterdir())[:6]
        raise ValueError(
            f"{name}: unknown corpus layout: no {expected} under {str(root)!r} "
            f"(found {found if found else 'an empty folder'})"
        )
    return root


def read_csv_rows(path: Path, *, name: str, required: Sequence[str]) -> list[dict]:
    """Rows of a CSV file with a header, as dicts; ``required`` columns checked."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            twice = sorted({h for h in header if header.count(h) > 1})
            if twice:  # csv.DictReader would keep the last one silently
                raise ValueError(
                    f"{name}: {str(path)!r} has the column(s) {twice} more than once "
                    f"in its header {header}"
                )
            missing = [c for c in required if c not in header]
            if missing:
                raise ValueError(
                    f"{name}: {str(path)!r} lacks the column(s) {missing}; its header "
                    f"is {header}, expected at least {list(required)}"
                )
            rows = [
                {k: (v or "").strip() for k, v in row.items() if k is not None}
                for row in reader
            ]
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name}: cannot read {str(path)!r} as UTF-8 text: {exc}"
        ) from exc
    return rows


_ALLOW_DOC = """allow_outside_root : bool, default=False
        Paths are resolved (symbolic links followed) and must stay under the
        corpus root; ``../`` escapes, absolute paths elsewhere and links out of
        the root are refused with a ValueError naming the row. True allows them
        (a manifest you wrote yourself that points at several disks)."""


def check_bool(value, *, name: str, arg: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: {arg} must be a bool, got {type(value).__name__}")
    return bool(value)


def resolve_under(
    root: str | os.PathLike,
    path: str,
    *,
    name: str,
    where: str,
    allow_outside_root: bool = False,
) -> str:
    """``root/path`` made absolute; a ValueError naming ``where`` (e.g. "'m.csv'
    line 3") when its real path is not under the real path of ``root``."""
    if "\x00" in path:
        raise ValueError(f"{name}: {where}: path {path!r} holds a NUL character")
    full = os.path.abspath(os.path.join(root, path))
    if allow_outside_root:
        return full
    real_root = os.path.realpath(root)
    real = os.path.realpath(full)
    try:
        inside = os.path.commonpath([real_root, real]) == real_root
    except ValueError:  # different drives (Windows)
        inside = False
    if not inside:
        link = " (through a symbolic link)" if real != full else ""
        raise ValueError(
            f"{name}: {where}: path {path!r} resolves to {real!r}{link}, outside "
            f"the corpus root {real_root!r}; pass allow_outside_root=True to allow it"
        )
    return full


def check_no_duplicates(
    paths: Sequence[str], labels: Sequence[str], *, name: str, source: str,
    first_line: int = 2,
) -> None:
    """ValueError naming a file listed twice (with its lines and labels)."""
    seen: dict[str, list[int]] = {}
    for i, p in enumerate(paths):
        seen.setdefault(os.path.realpath(p), []).append(i)
    dup = [rows for rows in seen.values() if len(rows) > 1]
    if not dup:
        return
    rows = dup[0]
    lines = ", ".join(str(i + first_line) for i in rows)
    labs = sorted({str(labels[i]) for i in rows})
    what = f"conflicting labels {labs}" if len(labs) > 1 else f"label {labs[0]!r}"
    more = f" ({len(dup) - 1} more files listed twice)" if len(dup) > 1 else ""
    raise ValueError(
        f"{name}: {source} lists {paths[rows[0]]!r} {len(rows)} times (lines "
        f"{lines}, {what}){more}; each file must appear once"
    )


def check_files_exist(paths: Sequence[str], *, name: str) -> None:
    """ValueError naming the first missing audio file(s), if any."""
    folders = [p for p in paths if os.path.isdir(p)]
    if folders:
        raise CorpusNotFoundError(
            f"{name}: audio file {folders[0]!r} is a directory, not a file"
        )
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise CorpusNotFoundError(
            f"{name}: audio file {missing[0]!r}{more} not found"
        )


def counts_text(y: np.ndarray) -> str:
    """``"anger 127, boredom 81, ..."`` (most frequent first)."""
    labels, counts = np.unique(y, return_counts=True)
    order = np.lexsort((labels, -counts))
    return ", ".join(f"{labels[i]} {counts[i]}" for i in order)


def make_bunch(
    columns: Mapping[str, Sequence[Any]],
    *,
    descr: str,
    load_audio: bool,
    sr: int,
    return_X_y: bool,
    name: str,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """The loaders' result: ``columns`` (X paths, y, speaker, ...) sorted by path.

    Columns whose value is None are kept as None (e.g. an unknown speaker).
    """
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"{name}: sr must be a positive integer, got {sr!r}")
    paths = [str(p) for p in columns["X"]]
    if not paths:
        raise ValueError(f"{name}: the corpus holds no utterances")
    order = sorted(range(len(paths)), key=paths.__getitem__)
    out: dict[str, Any] = {}
    for key, values in columns.items():
        if values is None:
            out[key] = None
            continue
        arr = np.asarray(values) if key != "X" else np.asarray(paths)
        out[key] = arr[order]
    if load_audio:
        waves = np.empty(len(paths), dtype=object)
        for i, p in enumerate(out["X"]):
            waves[i] = _load_audio(str(p), sr=sr)
        out["X"] = waves
    if return_X_y:
        return out["X"], out["y"]
    out["target_names"] = np.unique(out["y"])
    out["sr"] = int(sr) if load_audio else None
    out["DESCR"] = descr
    return Bunch(**out)
