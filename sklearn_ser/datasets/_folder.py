"""Any corpus as a folder of ``<label>/`` subfolders, or as a CSV manifest."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from imblearn.utils import Substitution
from sklearn.utils import Bunch

from ._base import (
    _ALLOW_DOC,
    _LOADER_COMMON_DOC,
    check_bool,
    check_files_exist,
    check_no_duplicates,
    counts_text,
    make_bunch,
    read_csv_rows,
    resolve_under,
)
from ._labels import map_labels

__all__ = ["load_folder", "load_manifest"]

# Bunch keys a manifest's extra columns may not take.
_RESERVED = {"X", "y", "path", "label", "target_names", "DESCR", "sr"}


def _check_path(path: object, *, name: str, arg: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{name}: {arg} must be a path (str or os.PathLike), got "
            f"{type(path).__name__}"
        )
    return Path(os.fspath(path)).expanduser()


def _check_extensions(extensions: object, *, name: str) -> tuple[str, ...]:
    if isinstance(extensions, str):
        extensions = (extensions,)
    try:
        exts = tuple(str(e).lower() for e in extensions)  # type: ignore[union-attr]
    except TypeError:
        raise TypeError(
            f"{name}: extensions must be a sequence of suffixes such as "
            f"('.wav', '.flac'), got {extensions!r}"
        ) from None
    if not exts:
        raise ValueError(f"{name}: extensions is empty")
    return tuple(e if e.startswith(".") else "." + e for e in exts)


@Substitution(common=_LOADER_COMMON_DOC, allow=_ALLOW_DOC)
def load_folder(
    path: str | os.PathLike,
    *,
    extensions: Sequence[str] = (".wav", ".flac", ".ogg"),
    allow_outside_root: bool = False,
    load_audio: bool = False,
    sr: int = 16000,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load a corpus laid out as ``<label>/*.wav``: the folder name is the label.

    Every audio file under ``path/<label>/`` (at any depth below it) is an
    utterance of class ``<label>``. Files directly in ``path``, hidden files
    and folders, and files with other suffixes are ignored.

    Parameters
    ----------
    path : str or path-like
        The corpus folder.
    extensions : sequence of str, default=(".wav", ".flac", ".ogg")
        File suffixes that count as audio (case-insensitive).
    {allow}
    {common}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_utterances,)
            Paths of the audio files (dtype str), sorted; or, with
            ``load_audio=True``, an object array of float32 waveforms.
        y : ndarray of shape (n_utterances,), dtype str
            The labels (the subfolder names).
        speaker : None
            Speakers are unknown in this layout; the key is there, its value is
            None (use :func:`load_manifest` to give them).
        target_names : ndarray of str
            The sorted unique labels.
        sr : int or None
            Sample rate of ``X`` with ``load_audio=True``, else None.
        DESCR : str
            The folder and the counts.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    CorpusNotFoundError
        ``path`` does not exist; a ``FileNotFoundError`` and a ``ValueError``.
    ValueError
        No audio file in any ``<label>/`` subfolder.

    See Also
    --------
    load_manifest : A corpus described by a CSV file (with speakers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np, soundfile as sf
    >>> from sklearn_ser.datasets import load_folder
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for label in ("anger", "sadness"):
    ...         (pathlib.Path(tmp) / label).mkdir()
    ...         sf.write(f"{{tmp}}/{{label}}/a.wav", np.zeros(160), 16000)
    ...     data = load_folder(tmp)
    ...     data.y.tolist(), data.speaker
    (['anger', 'sadness'], None)
    """
    from ._base import CorpusNotFoundError

    name = "load_folder"
    root = _check_path(path, name=name, arg="path")
    exts = _check_extensions(extensions, name=name)
    allow = check_bool(allow_outside_root, name=name, arg="allow_outside_root")
    if not root.is_dir():
        raise CorpusNotFoundError(
            f"{name}: folder {str(root)!r} does not exist or is not a folder"
        )
    paths, labels = [], []
    for label_dir in sorted(root.iterdir()):
        if not label_dir.is_dir() or label_dir.name.startswith("."):
            continue
        for dirpath, dirnames, filenames in os.walk(label_dir):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for f in filenames:
                if not f.startswith(".") and f.lower().endswith(exts):
                    rel = os.path.relpath(os.path.join(dirpath, f), root)
                    paths.append(resolve_under(
                        root, rel, name=name, where=f"file {rel!r}",
                        allow_outside_root=allow,
                    ))
                    labels.append(label_dir.name)
    if not paths:
        raise ValueError(
            f"{name}: no audio files ({', '.join(exts)}) in <label>/ subfolders of "
            f"{str(root)!r}; expected a layout such as <path>/anger/01.wav"
        )
    y = np.asarray(labels)
    descr = (
        f"Audio folder {str(root)!r} (<label>/ subfolders)\n"
        f"{len(y)} utterances, {len(np.unique(y))} classes ({counts_text(y)}); "
        "speakers unknown."
    )
    return make_bunch(
        {"X": paths, "y": labels, "speaker": None},
        descr=descr,
        load_audio=load_audio,
        sr=sr,
        return_X_y=return_X_y,
        name=name,
    )


@Substitution(common=_LOADER_COMMON_DOC, allow=_ALLOW_DOC)
def load_manifest(
    csv_path: str | os.PathLike,
    *,
    root: str | os.PathLike | None = None,
    label_map="standard",
    allow_outside_root: bool = False,
    load_audio: bool = False,
    sr: int = 16000,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load a corpus listed in a CSV manifest (``path,label[,speaker,gender,...]``).

    The file has a header row naming at least the ``path`` and ``label`` columns;
    ``speaker`` and ``gender`` are optional, and every other column is returned
    too, as a string array under its own name (``text``, ``duration_s``, ...).
    Relative paths are resolved against ``root``, by default the CSV's folder.
    Read with the :mod:`csv` module (UTF-8, an optional byte-order mark).

    Parameters
    ----------
    csv_path : str or path-like
        The manifest.
    root : str or path-like, default=None
        Folder that relative paths are relative to, and that every path must
        stay under; ``None`` is the manifest's folder.
    label_map : "standard", dict or None, default="standard"
        How the ``label`` column becomes ``y``. ``"standard"``: the corpora's own
        names are mapped onto sklearn_ser's vocabulary (``angry`` -> ``anger``,
        ``happy`` -> ``happiness``, ``fearful`` -> ``fear``...; see
        :data:`sklearn_ser.datasets.EMOTION_SYNONYMS`), other labels kept; a dict
        maps every label (one it lacks is an error naming it); None keeps the
        column as it is.
    {allow}
    {common}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        X : ndarray of shape (n_utterances,)
            Paths of the audio files (dtype str), sorted; or, with
            ``load_audio=True``, an object array of float32 waveforms.
        y : ndarray of shape (n_utterances,), dtype str
            The ``label`` column.
        speaker : ndarray of shape (n_utterances,), dtype str, or None
            The ``speaker`` column; None when the manifest has none.
        gender : ndarray of shape (n_utterances,), dtype str, or None
            The ``gender`` column; None when the manifest has none.
        target_names : ndarray of str
            The sorted unique labels.
        sr : int or None
            Sample rate of ``X`` with ``load_audio=True``, else None.
        DESCR : str
            The manifest and the counts.
        <column> : ndarray of shape (n_utterances,), dtype str
            Each further column of the manifest (names that are not identifiers
            or clash with the keys above are skipped).
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    CorpusNotFoundError
        The manifest or a listed audio file does not exist (named); a
        ``FileNotFoundError`` and a ``ValueError``.
    ValueError
        The header lacks ``path`` or ``label`` (the message names the missing
        columns), the manifest has no rows, or a row has an empty path or label.

    See Also
    --------
    load_folder : A corpus laid out as ``<label>/*.wav``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np, soundfile as sf
    >>> from sklearn_ser.datasets import load_manifest
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sf.write(f"{{tmp}}/a.wav", np.zeros(160), 16000)
    ...     csv = "path,label,speaker\\na.wav,anger,s1\\n"
    ...     _ = pathlib.Path(tmp, "m.csv").write_text(csv)
    ...     data = load_manifest(f"{{tmp}}/m.csv")
    ...     data.y.tolist(), data.speaker.tolist(), data.gender
    (['anger'], ['s1'], None)
    """
    from ._base import CorpusNotFoundError

    name = "load_manifest"
    csv_file = _check_path(csv_path, name=name, arg="csv_path")
    if not csv_file.is_file():
        raise CorpusNotFoundError(f"{name}: manifest {str(csv_file)!r} not found")
    base = (
        csv_file.parent if root is None else _check_path(root, name=name, arg="root")
    )
    allow = check_bool(allow_outside_root, name=name, arg="allow_outside_root")
    rows = read_csv_rows(csv_file, name=name, required=("path", "label"))
    if not rows:
        raise ValueError(f"{name}: manifest {str(csv_file)!r} has no rows")
    header = list(rows[0])
    paths, labels = [], []
    for i, row in enumerate(rows):
        if not row.get("path") or not row.get("label"):
            raise ValueError(
                f"{name}: {str(csv_file)!r} line {i + 2} has an empty path or label"
            )
        paths.append(resolve_under(
            base, row["path"], name=name, where=f"{str(csv_file)!r} line {i + 2}",
            allow_outside_root=allow,
        ))
        labels.append(row["label"])
    check_no_duplicates(paths, labels, name=name, source=repr(str(csv_file)))
    check_files_exist(paths, name=name)
    labels = map_labels(labels, label_map, name=name)
    columns: dict[str, list | None] = {"X": paths, "y": labels}
    for key in ("speaker", "gender"):
        columns[key] = [row.get(key, "") for row in rows] if key in header else None
    for key in header:
        if key.isidentifier() and key not in _RESERVED and key not in columns:
            columns[key] = [row.get(key, "") for row in rows]
    y = np.asarray(labels)
    n_spk = len(set(columns["speaker"])) if columns["speaker"] is not None else None
    descr = (
        f"Manifest {str(csv_file)!r}\n"
        f"{len(y)} utterances, "
        + (f"{n_spk} speakers, " if n_spk is not None else "speakers unknown, ")
        + f"{len(np.unique(y))} classes ({counts_text(y)}); paths relative to "
        f"{str(base)!r}."
    )
    return make_bunch(
        columns,
        descr=descr,
        load_audio=load_audio,
        sr=sr,
        return_X_y=return_X_y,
        name=name,
    )
