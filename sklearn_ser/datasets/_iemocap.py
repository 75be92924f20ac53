"""The Interactive Emotional Dyadic Motion Capture database (IEMOCAP)."""

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

__all__ = ["load_iemocap", "iemocap_quadrant"]

# Categorical codes of the EmoEvaluation files -> our English names ("xxx": the
# evaluators did not agree; left out of "all" and "4class").
IEMOCAP_EMOTIONS = {
    "neu": "neutral",
    "hap": "happiness",
    "exc": "excitement",
    "ang": "anger",
    "sad": "sadness",
    "fru": "frustration",
    "sur": "surprise",
    "fea": "fear",
    "dis": "disgust",
    "oth": "other",
}
# The usual 4-class set: excited merged into happy.
_FOUR_CLASS = {
    "neu": "neutral",
    "hap": "happiness",
    "exc": "happiness",
    "ang": "anger",
    "sad": "sadness",
}
_LINE = re.compile(
    r"^\[\s*([\d.]+)\s*-\s*([\d.]+)\s*\]\s+(\S+)\s+(\S+)\s+"
    r"\[\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\]"
)
_UTT = re.compile(r"^Ses(\d\d)[FM]_.*_([FM])\d+$")
_SESSION_DIR = re.compile(r"^Session(\d)$")

_CITATION = (
    "Busso, C., Bulut, M., Lee, C.-C., Kazemzadeh, A., Mower, E., Kim, S., "
    "Chang, J. N., Lee, S., and Narayanan, S. S. (2008). IEMOCAP: Interactive "
    "emotional dyadic motion capture database. Language Resources and Evaluation "
    "42(4), 335-359."
)


def iemocap_quadrant(valence: float, arousal: float) -> str:
    """li2021's arousal/valence quadrant label of one utterance (Tab. 4).

    Valence and arousal (activation) are the evaluators' mean ratings on IEMOCAP's
    1-5 scales; a value up to 2.5 counts as negative / low, above 2.5 as positive
    / high (li2021 §6.1).

    Parameters
    ----------
    valence, arousal : float
        The mean ratings.

    Returns
    -------
    label : {"sadness", "pleasure", "anger", "joy"}
        li2021's Sad (negative, low), Pleasure (positive, low), Angry (negative,
        high), Joy (positive, high).

    Examples
    --------
    >>> iemocap_quadrant(2.5, 2.5), iemocap_quadrant(3.0, 2.0)
    ('sadness', 'pleasure')
    >>> iemocap_quadrant(1.5, 4.0), iemocap_quadrant(2.6, 2.6)
    ('anger', 'joy')
    """
    positive, high = valence > 2.5, arousal > 2.5
    if high:
        return "joy" if positive else "anger"
    return "pleasure" if positive else "sadness"


def _session_dirs(path: Path) -> list[Path]:
    """``Session1..5`` in ``path`` or in its ``IEMOCAP_full_release/``."""
    for base in (path, path / "IEMOCAP_full_release"):
        if base.is_dir():
            dirs = sorted(
                d for d in base.iterdir() if d.is_dir() and _SESSION_DIR.match(d.name)
            )
            if dirs:
                return dirs
    return []


def _read_evaluation(path: Path) -> list[tuple[str, str, float, float, float]]:
    """(utterance id, category, valence, activation, dominance) of one dialog."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = _LINE.match(line)
            if m:
                _, _, utt, cat, val, act, dom = m.groups()
                out.append((utt, cat, float(val), float(act), float(dom)))
    return out


@Substitution(
    data_home=_DATA_HOME_DOC, common=_LOADER_COMMON_DOC, bunch=_BUNCH_COMMON_DOC
)
def load_iemocap(
    data_home: str | os.PathLike | None = None,
    *,
    classes: str = "4class",
    improvised_only: bool = False,
    subfolder: str = "iemocap",
    load_audio: bool = False,
    sr: int = 16000,
    return_X_y: bool = False,
) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Load IEMOCAP [1]_ from its release layout, with one of three label sets.

    The layout is the publisher's: ``IEMOCAP_full_release/Session{{1..5}}/``
    (the corpus folder may be ``IEMOCAP_full_release`` itself or hold it), with
    the utterances in ``sentences/wav/<dialog>/<utterance>.wav`` and one
    ``dialog/EmoEvaluation/<dialog>.txt`` per dialog whose summary lines read
    ``[6.2901 - 8.2357]<TAB>Ses01F_impro01_F000<TAB>neu<TAB>[2.5000, 2.5000,
    2.5000]`` (start - end, utterance, majority category, mean [valence,
    activation, dominance] on 1-5 scales).

    Parameters
    ----------
    {data_home}
    classes : {{"4class", "quadrants", "all"}}, default="4class"
        - ``"4class"``: the usual four classes, neutral, happiness (happy and
          excited merged), anger, sadness; other utterances are left out.
        - ``"quadrants"``: li2021's arousal/valence quadrants (§6.1, Tab. 4; see
          :func:`iemocap_quadrant`) of *every* utterance, whatever its category:
          valence <= 2.5 and arousal <= 2.5 "sadness", valence > 2.5 and arousal
          <= 2.5 "pleasure", valence <= 2.5 and arousal > 2.5 "anger", both
          > 2.5 "joy".
        - ``"all"``: every utterance with a majority category, under its English
          name (neutral, happiness, excitement, anger, sadness, frustration,
          surprise, fear, disgust, other); "xxx" (no agreement) is left out.
    improvised_only : bool, default=False
        Keep only the improvised dialogs (``impro`` in the dialog name), leaving
        out the scripted ones.
    subfolder : str, default="iemocap"
        The corpus folder under ``data_home``; when it does not exist but
        ``data_home`` itself holds ``Session1/`` ... (or
        ``IEMOCAP_full_release/``), ``data_home`` is used.
    {common}

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        {bunch}
        gender : ndarray of shape (n_utterances,), dtype str
            Of the utterance's speaker.
        session : ndarray of shape (n_utterances,), dtype int
            1 to 5 (each session is one female and one male actor).
        improvised : ndarray of shape (n_utterances,), dtype bool
            Improvised (True) or scripted dialog.
        dialog, utterance : ndarray of shape (n_utterances,), dtype str
            Dialog and utterance ids.
        emotion : ndarray of shape (n_utterances,), dtype str
            The majority category code as in the file (``"neu"``, ``"exc"``, ...).
        valence, arousal, dominance : ndarray of shape (n_utterances,), dtype float
            The evaluators' mean ratings (arousal = IEMOCAP's "activation").
    (X, y) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    CorpusNotFoundError
        No data home, no corpus folder, or an evaluated utterance's wav is missing
        (named); a ``FileNotFoundError`` and a ``ValueError``.
    ValueError
        No ``Session*/`` folders, no evaluation lines, or an unknown ``classes``.

    Notes
    -----
    The speaker of an utterance is its session and the gender letter before the
    number at the end of its id (``Ses01F_impro01_M012`` → ``"Ses01M"``; the
    letter after ``Ses01`` is who wore the motion-capture markers, not who
    speaks). So there are ten speakers, two per session; leave-one-session-out is
    ``LeaveOneGroupOut`` over ``session``.

    For ``"quadrants"``, li2021 §6.1 writes: "each dimensional attribute is an
    integer from 1 to 5 ... for each sentence the mean value of the arousal and
    valence. Due to the range of the value is 1 to 5, therefore 0 to 2.5 means low
    or negative, and 2.5 to 5 means high or positive", and Tab. 4 gives the
    intervals Negative/Low [1, 2.5] and Positive/High (2.5, 5], mapping (low,
    negative) to Sad, (low, positive) to Pleasure, (high, negative) to Angry and
    (high, positive) to Joy. Its Tab. 5 counts 10039 sentences, all of IEMOCAP,
    so every utterance is kept whatever its category.

    Licence: IEMOCAP is released by USC's SAIL lab under a licence agreement, for
    research only; it is never redistributed with the package.

    References
    ----------
    .. [1] Busso, C., Bulut, M., Lee, C.-C., Kazemzadeh, A., Mower, E., Kim, S.,
       Chang, J. N., Lee, S., and Narayanan, S. S. (2008). "IEMOCAP: Interactive
       emotional dyadic motion capture database." Language Resources and
       Evaluation 42(4), 335-359.
    .. [2] li2021: Li, J. (2021). "Feature Extraction from Spectrums for Speech
       Emotion Recognition." Master's thesis, Leiden University, §6.1, Tab. 4-5.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_iemocap
    >>> data = load_iemocap(classes="4class", improvised_only=True)  # doctest: +SKIP
    >>> data.target_names.tolist()  # doctest: +SKIP
    ['anger', 'happiness', 'neutral', 'sadness']
    """
    name = "load_iemocap"
    if classes not in ("4class", "quadrants", "all"):
        raise ValueError(
            f"{name}: classes must be '4class', 'quadrants' or 'all', got {classes!r}"
        )
    root = corpus_home(
        data_home,
        subfolder,
        name=name,
        looks_like=lambda p: bool(_session_dirs(p)),
        expected="Session1/ ... Session5/ folders (nor IEMOCAP_full_release/)",
    )
    records = []
    for sess_dir in _session_dirs(root):
        eval_dir = sess_dir / "dialog" / "EmoEvaluation"
        if not eval_dir.is_dir():
            raise ValueError(
                f"{name}: unknown corpus layout: no dialog/EmoEvaluation/ folder "
                f"under {str(sess_dir)!r}"
            )
        for txt in sorted(eval_dir.glob("*.txt")):
            if txt.name.startswith("."):
                continue  # macOS resource forks ("._Ses01F_impro01.txt")
            for utt, cat, val, act, dom in _read_evaluation(txt):
                records.append((sess_dir, utt, cat, val, act, dom))
    if not records:
        raise ValueError(
            f"{name}: no evaluation lines ('[start - end]<TAB>utterance<TAB>category"
            f"<TAB>[V, A, D]') in Session*/dialog/EmoEvaluation/*.txt under "
            f"{str(root)!r}"
        )

    columns: dict[str, list] = {
        key: []
        for key in (
            "X", "y", "speaker", "gender", "session", "improvised", "dialog",
            "utterance", "emotion", "valence", "arousal", "dominance",
        )
    }  # fmt: skip
    for sess_dir, utt, cat, val, act, dom in records:
        m = _UTT.match(utt)
        if m is None:
            raise ValueError(
                f"{name}: utterance id {utt!r} does not follow IEMOCAP's pattern "
                "Ses<NN><F|M>_<dialog>_<F|M><NNN>"
            )
        dialog = utt.rsplit("_", 1)[0]
        improvised = "impro" in dialog
        if improvised_only and not improvised:
            continue
        if classes == "4class":
            if cat not in _FOUR_CLASS:
                continue
            label = _FOUR_CLASS[cat]
        elif classes == "all":
            if cat not in IEMOCAP_EMOTIONS:
                continue
            label = IEMOCAP_EMOTIONS[cat]
        else:
            label = iemocap_quadrant(val, act)
        session, letter = m.groups()
        columns["X"].append(
            os.path.abspath(sess_dir / "sentences" / "wav" / dialog / f"{utt}.wav")
        )
        columns["y"].append(label)
        columns["speaker"].append(f"Ses{session}{letter}")
        columns["gender"].append("female" if letter == "F" else "male")
        columns["session"].append(int(session))
        columns["improvised"].append(improvised)
        columns["dialog"].append(dialog)
        columns["utterance"].append(utt)
        columns["emotion"].append(cat)
        columns["valence"].append(val)
        columns["arousal"].append(act)
        columns["dominance"].append(dom)
    if not columns["X"]:
        raise ValueError(
            f"{name}: no utterance under {str(root)!r} matches classes={classes!r}, "
            f"improvised_only={improvised_only}"
        )
    check_files_exist(columns["X"], name=name)
    y = np.asarray(columns["y"])
    descr = (
        f"IEMOCAP ({classes}{', improvised only' if improvised_only else ''})\n"
        f"{len(y)} utterances, {len(set(columns['speaker']))} speakers, "
        f"{len(set(columns['session']))} sessions, {len(np.unique(y))} classes "
        f"({counts_text(y)}); folder {str(root)!r}.\n"
        f"Citation: {_CITATION}\n"
        "Licence: released by USC SAIL under a licence agreement, research use "
        "only; not redistributed with sklearn_ser."
    )
    return make_bunch(
        columns,
        descr=descr,
        load_audio=load_audio,
        sr=sr,
        return_X_y=return_X_y,
        name=name,
    )
