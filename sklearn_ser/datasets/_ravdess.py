"""The Ryerson Audio-Visual Database of Emotional Speech and Song (RAVDESS), speech."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from imblearn.utils import Substitution
from sklearn.utils import Bunch

from ._base import (
    _BUNCH_COMMON_DOC,
    _DATA_HOME_DOC,
    _LOADER_COMMON_DOC,
    check_files_exist,
    corpus_home,
    counts_text,
    make_bunch,
)

__all__ = ["load_ravdess", "parse_ravdess_filename"]

# Livingstone & Russo (2018), "Filename convention": code -> (RAVDESS name, ours).
RAVDESS_EMOTIONS = {
    "01": ("neutral", "neutral"),
    "02": ("calm", "calm"),
    "03": ("happy", "happiness"),
    "04": ("sad", "sadness"),
    "05": ("angry", "anger"),
    "06": ("fearful", "fear"),
    "07": ("disgust", "disgust"),
    "08": ("surprised", "surprise"),
}
RAVDESS_STATEMENTS = {
    "01": "Kids are talking by the door",
    "02": "Dogs are sitting by the door",
}
RAVDESS_INTENSITIES = {"01": "normal", "02": "strong"}
_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav$")
_ACTOR_DIR = re.compile(r"^Actor_(\d\d)$")

_CITATION = (
    "Livingstone, S. R., and Russo, F. A. (2018). The Ryerson Audio-Visual "
    "Database of Emotional Speech and Song (RAVDESS): A dynamic, multimodal set of "
    "facial and vocal expressions in North American English. PLoS ONE 13(5), "
    "e0196391."
)


def parse_ravdess_filename(name: str) -> dict[str, object]:
    """The seven fields of a RAVDESS file name.

    Parameters
    ----------
    name : str
        A name such as ``"03-01-06-01-02-01-12.wav"``: modality (01 full-AV,
        02 video-only, 03 audio-only), vocal channel (01 speech, 02 song), emotion
        (01 neutral ... 08 surprised), intensity (01 normal, 02 strong), statement
        (01 "Kids ...", 02 "Dogs ..."), repetition (01, 02), actor (01-24; odd
        male, even female).

    Returns
    -------
    fields : dict
        ``modality``, ``channel`` (str codes), ``label`` (our English name),
        ``emotion`` (RAVDESS's name), ``intensity``, ``statement`` (str),
        ``repetition``, ``actor`` (int), ``gender``.

    Raises
    ------
    ValueError
        The name does not follow the convention or has an unknown code.

    Examples
    --------
    >>> f = parse_ravdess_filename("03-01-06-01-02-01-12.wav")
    >>> f["label"], f["intensity"], f["actor"], f["gender"]
    ('fear', 'normal', 12, 'female')
    """
    base = os.path.basename(name)
    m = _NAME.match(base)
    codes = m.groups() if m else None
    if (
        codes is None
        or codes[2] not in RAVDESS_EMOTIONS
        or codes[3] not in RAVDESS_INTENSITIES
        or codes[4] not in RAVDESS_STATEMENTS
        or not 1 <= int(codes[6]) <= 24
    ):
        raise ValueError(
            f"load_ravdess: file name {base!r} does not follow RAVDESS's convention "
            "MM-VV-EE-II-SS-RR-AA.wav (e.g. 03-01-06-01-02-01-12.wav: emotion 01-08, "
            "intensity 01-02, statement 01-02, actor 01-24)"
        )
    modality, channel, emo, intensity, statement, repetition, actor = codes
    return {
        "modality": modality,
        "channel": channel,
        "label": RAVDESS_EMOTIONS[emo][1],
        "emotion": RAVDESS_EMOTIONS[emo][0],
        "intensity": RAVDESS_INTENSITIES[intensity],
        "statement": RAVDESS_STATEMENTS[statement],
        "repetition": int(repetition),
        "actor": int(actor),
        "gender": "male" if int(actor) % 2 else "female",
    }


def _actor_dirs(path: Path) -> list[Path]:
    """``Actor_XX`` folders in ``path`` or one level below (the zip's top folder)."""
    if not path.is_dir():
        return []
    dirs = [d for d in path.iterdir() if d.is_dir() and _ACTOR_DIR.match(d.name)]
    if not dirs:
        for sub in path.iterdir():
            if sub.is_dir() and not sub.name.startswith("."):
                dirs += [
                    d for d in sub.iterdir() if d.is_dir() and _ACTOR_DIR.match(d.name)
                ]
    return sorted(dirs)


@Substitution(
    data_home=_DATA_HOME_DOC, common=_LOADER_COMMON_DOC, bunch=_BUNCH_COMMON_DOC
)
def load_ravdess(
    data_home: str | os.PathLike | None = None,
    *,
    subfolder: str = "ravdess",
    load_audio: bool = False,
    sr: int = 16000,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load the speech part of RAVDESS [1]_ (audio-only, spoken statements).

    1440 utterances: 24 actors (12 female, 12 male) × 2 statements × 8 emotions
    (neutral and calm at normal intensity only; the others at normal and strong)
    × 2 repetitions. The layout is the publisher's: ``Actor_01/`` ... ``Actor_24/``
    (directly in the corpus folder or one level below, as in the
    ``Audio_Speech_Actors_01-24`` zip) holding ``03-01-EE-II-SS-RR-AA.wav``.
    Only audio-only (modality 03) speech (vocal channel 01) files are loaded;
    song and video files, if present, are skipped. Labels: anger, calm, disgust,
    fear, happiness, neutral, sadness, surprise (RAVDESS's names in ``emotion``);
    speakers: ``"actor01"`` ... ``"actor24"``, the ids the staged corpus's
    ``labels.csv`` uses too, so either way of reading RAVDESS gives the same
    groups (the number alone is in ``actor``).

    Parameters
    ----------
    {data_home}
    subfolder : str, default="ravdess"
        The corpus folder under ``data_home``; when it does not exist but
        ``data_home`` itself holds ``Actor_XX/`` folders, ``data_home`` is used.
    {common}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        {bunch}
        gender : ndarray of shape (n_utterances,), dtype str
            ``"male"`` for odd-numbered actors, ``"female"`` for even ones.
        emotion : ndarray of shape (n_utterances,), dtype str
            RAVDESS's own emotion names (``"happy"``, ``"fearful"``, ...).
        intensity : ndarray of shape (n_utterances,), dtype str
            ``"normal"`` or ``"strong"``.
        statement : ndarray of shape (n_utterances,), dtype str
            The sentence spoken.
        repetition : ndarray of shape (n_utterances,), dtype int
            1 or 2.
        actor : ndarray of shape (n_utterances,), dtype int
            1 to 24.
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    CorpusNotFoundError
        No data home or no corpus folder; a ``FileNotFoundError`` and a
        ``ValueError``.
    ValueError
        No ``Actor_XX/`` folders, no speech files in them, or a ``.wav`` whose name
        does not follow the convention (named).

    Notes
    -----
    Licence: CC BY-NC-SA 4.0; the corpus is for evaluation here and is never
    redistributed with the package.

    References
    ----------
    .. [1] Livingstone, S. R., and Russo, F. A. (2018). "The Ryerson Audio-Visual
       Database of Emotional Speech and Song (RAVDESS)." PLoS ONE 13(5), e0196391.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_ravdess
    >>> data = load_ravdess()  # doctest: +SKIP
    >>> data.X.shape, len(set(data.speaker))  # doctest: +SKIP
    ((1440,), 24)
    """
    name = "load_ravdess"
    root = corpus_home(
        data_home,
        subfolder,
        name=name,
        looks_like=lambda p: bool(_actor_dirs(p)),
        expected="Actor_XX/ folders (Actor_01 ... Actor_24)",
    )
    paths, parsed = [], []
    for actor_dir in _actor_dirs(root):
        for f in sorted(os.listdir(actor_dir)):
            if not f.lower().endswith(".wav") or f.startswith("."):
                continue
            fields = parse_ravdess_filename(f)
            if fields["modality"] != "03" or fields["channel"] != "01":
                continue  # video files or song
            paths.append(os.path.abspath(os.path.join(actor_dir, f)))
            parsed.append(fields)
    if not paths:
        raise ValueError(
            f"{name}: no audio-only speech files (03-01-*.wav) in the Actor_XX/ "
            f"folders under {str(root)!r}"
        )
    check_files_exist(paths, name=name)
    columns: dict[str, list] = {"X": paths}
    columns["y"] = [p["label"] for p in parsed]
    columns["speaker"] = [f"actor{p['actor']:02d}" for p in parsed]
    for key in ("gender", "emotion", "intensity", "statement", "repetition", "actor"):
        columns[key] = [p[key] for p in parsed]
    y = np.asarray(columns["y"])
    descr = (
        "RAVDESS, speech (audio-only)\n"
        f"{len(y)} utterances, {len(set(columns['speaker']))} actors, "
        f"{len(np.unique(y))} classes ({counts_text(y)}); folder {str(root)!r}.\n"
        f"Citation: {_CITATION}\n"
        "Licence: CC BY-NC-SA 4.0 (non-commercial, share-alike); not redistributed "
        "with sklearn_ser."
    )
    return make_bunch(
        columns,
        descr=descr,
        load_audio=load_audio,
        sr=sr,
        return_X_y=return_X_y,
        name=name,
    )
