"""The Berlin Database of Emotional Speech (EmoDB)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from imblearn.utils import Substitution
from sklearn.utils import Bunch

from ._base import (
    _ALLOW_DOC,
    _BUNCH_COMMON_DOC,
    _DATA_HOME_DOC,
    _LOADER_COMMON_DOC,
    check_bool,
    check_files_exist,
    check_no_duplicates,
    corpus_home,
    counts_text,
    make_bunch,
    read_csv_rows,
    resolve_under,
)
from ._labels import map_labels

__all__ = ["load_emodb", "parse_emodb_filename"]

# The letter of the German emotion name in the file name (Burkhardt et al. 2005).
EMODB_EMOTIONS = {
    "W": "anger",  # Ärger (Wut)
    "L": "boredom",  # Langeweile
    "E": "disgust",  # Ekel
    "A": "fear",  # Angst
    "F": "happiness",  # Freude
    "T": "sadness",  # Trauer
    "N": "neutral",
}
EMODB_GENDERS = {
    "03": "male", "10": "male", "11": "male", "12": "male", "15": "male",
    "08": "female", "09": "female", "13": "female", "14": "female", "16": "female",
}  # fmt: skip
_NAME = re.compile(r"^(\d\d)([a-z]\d\d)([WLEAFTN])([a-z])\.wav$")

_CITATION = (
    "Burkhardt, F., Paeschke, A., Rolfes, M., Sendlmeier, W. F., and Weiss, B. "
    "(2005). A database of German emotional speech. Proc. Interspeech 2005, "
    "1517-1520."
)


def parse_emodb_filename(name: str) -> dict[str, str]:
    """Speaker, text, emotion and version from an EmoDB file name.

    Parameters
    ----------
    name : str
        A file name such as ``"03a01Fa.wav"``: speaker ``03``, text ``a01``,
        emotion letter ``F`` (Freude, happiness), version ``a``.

    Returns
    -------
    fields : dict
        ``speaker``, ``text``, ``label`` (English), ``gender``, ``version``.

    Raises
    ------
    ValueError
        The name does not follow the pattern.

    Examples
    --------
    >>> parse_emodb_filename("03a01Fa.wav")["label"]
    'happiness'
    >>> parse_emodb_filename("16b10Wb.wav")["gender"]
    'female'
    """
    m = _NAME.match(os.path.basename(name))
    if m is None:
        raise ValueError(
            f"load_emodb: file name {name!r} does not follow EmoDB's pattern "
            "<speaker 2 digits><text a01..b10><emotion W|L|E|A|F|T|N><version>.wav, "
            "e.g. 03a01Fa.wav"
        )
    speaker, text, letter, version = m.groups()
    return {
        "speaker": speaker,
        "text": text,
        "label": EMODB_EMOTIONS[letter],
        "gender": EMODB_GENDERS.get(speaker, "unknown"),
        "version": version,
    }


def _looks_like_emodb(path: Path) -> bool:
    return (path / "wav").is_dir() or (path / "labels.csv").is_file()


@Substitution(
    data_home=_DATA_HOME_DOC, common=_LOADER_COMMON_DOC, bunch=_BUNCH_COMMON_DOC,
    allow=_ALLOW_DOC,
)
def load_emodb(
    data_home: str | os.PathLike | None = None,
    *,
    subfolder: str = "emodb",
    allow_outside_root: bool = False,
    load_audio: bool = False,
    sr: int = 16000,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load the Berlin Database of Emotional Speech (EmoDB) [1]_.

    535 utterances of ten German sentences, acted by ten speakers (five female,
    five male) in seven emotions: anger, boredom, disgust, fear, happiness,
    neutral, sadness. The corpus folder holds ``wav/`` and, where whoever staged
    it wrote one, ``labels.csv`` (``path,label,speaker,gender,text,...``; paths
    relative to the folder). Without ``labels.csv`` the labels come from the file
    names (``03a01Fa.wav``: speaker 03, text a01, emotion letter F = Freude).

    Parameters
    ----------
    {data_home}
    subfolder : str, default="emodb"
        The corpus folder under ``data_home``. When ``data_home/subfolder`` does
        not exist but ``data_home`` itself holds ``wav/`` or ``labels.csv``,
        ``data_home`` is the corpus folder.
    {allow}
    {common}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        {bunch}
        gender : ndarray of shape (n_utterances,), dtype str
            ``"female"`` or ``"male"``.
        text : ndarray of shape (n_utterances,), dtype str
            The sentence code, ``"a01"`` ... ``"b10"``.
        version : ndarray of shape (n_utterances,), dtype str
            The take letter of the file name.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    CorpusNotFoundError
        No data home, no corpus folder, or a listed audio file is missing (named);
        a ``FileNotFoundError`` and a ``ValueError``.
    ValueError
        The folder has neither ``wav/`` nor ``labels.csv``; ``labels.csv`` lacks
        the ``path`` or ``label`` column; a file name does not follow EmoDB's
        pattern.

    See Also
    --------
    make_emotional_speech : A synthetic corpus with the same seven classes.

    References
    ----------
    .. [1] Burkhardt, F., Paeschke, A., Rolfes, M., Sendlmeier, W. F., and Weiss,
       B. (2005). "A database of German emotional speech." Proc. Interspeech 2005,
       1517-1520.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_emodb
    >>> data = load_emodb()  # doctest: +SKIP
    >>> data.X.shape, data.target_names.tolist()  # doctest: +SKIP
    ((535,), ['anger', 'boredom', 'disgust', 'fear', 'happiness', 'neutral', 'sadness'])
    """
    name = "load_emodb"
    root = corpus_home(
        data_home,
        subfolder,
        name=name,
        looks_like=_looks_like_emodb,
        expected="wav/ folder and no labels.csv",
    )
    allow = check_bool(allow_outside_root, name=name, arg="allow_outside_root")
    labels_csv = root / "labels.csv"
    if labels_csv.is_file():
        source = "labels.csv"
        rows = read_csv_rows(labels_csv, name=name, required=("path", "label"))
        if not rows:
            raise ValueError(f"{name}: {str(labels_csv)!r} lists no utterances")
        paths, parsed = [], []
        for i, row in enumerate(rows):
            if not row["path"] or not row["label"]:
                raise ValueError(
                    f"{name}: {str(labels_csv)!r} row {i + 2} has an empty path or "
                    "label"
                )
            paths.append(resolve_under(
                root, row["path"], name=name,
                where=f"{str(labels_csv)!r} row {i + 2}", allow_outside_root=allow,
            ))
            try:  # the file name fills in columns the CSV lacks
                fallback = parse_emodb_filename(row["path"])
            except ValueError:
                fallback = {}
            parsed.append(
                {
                    key: row.get(key) or fallback.get(key, "")
                    for key in ("label", "speaker", "gender", "text", "version")
                }
            )
        check_no_duplicates(paths, [p["label"] for p in parsed], name=name,
                            source=repr(str(labels_csv)))
        labels = map_labels([p["label"] for p in parsed], "standard", name=name)
        for p, label in zip(parsed, labels):
            p["label"] = label
    else:
        source = "file names"
        wav = root / "wav"
        files = sorted(
            f for f in os.listdir(wav) if f.lower().endswith(".wav") and f[0] != "."
        )
        if not files:
            raise ValueError(f"{name}: no .wav files in {str(wav)!r}")
        paths = [os.path.join(wav, f) for f in files]
        parsed = [parse_emodb_filename(f) for f in files]
    check_files_exist(paths, name=name)
    columns = {
        "X": [os.path.abspath(p) for p in paths],
        "y": [p["label"] for p in parsed],
        **{
            key: [p[key] for p in parsed]
            for key in ("speaker", "gender", "text", "version")
        },
    }
    y = np.asarray(columns["y"])
    n_spk = len(set(columns["speaker"]))
    descr = (
        "Berlin Database of Emotional Speech (EmoDB)\n"
        f"{len(y)} utterances, {n_spk} speakers, {len(np.unique(y))} classes "
        f"({counts_text(y)}); labels from {source}; folder {str(root)!r}.\n"
        f"Citation: {_CITATION}\n"
        "Licence: free for research use (see the corpus's own notice); not "
        "redistributed with sklearn_ser."
    )
    return make_bunch(
        columns,
        descr=descr,
        load_audio=load_audio,
        sr=sr,
        return_X_y=return_X_y,
        name=name,
    )
