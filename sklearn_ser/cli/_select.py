"""Which utterances and which folds: ``--speakers``, ``--exclude-speakers``, ``--cv``.

Speaker patterns (one comma-separated list): an exact id (``actor13``), a glob
(``actor0*``, ``0?``; :mod:`fnmatch`, case-insensitive), a number (``13``: the
speakers whose id ends in the number 13, e.g. ``actor13`` or ``13``), or a range
of numbers (``1-12``: ids ending in 1 to 12). ``--cv`` and ``--protocol`` name the
same protocols of :func:`sklearn_ser.evaluation.evaluate`; ``--cv
holdout:<patterns>`` is one split whose test part is the named speakers.
"""

from __future__ import annotations

import argparse
import fnmatch
import re

import numpy as np

from ._common import CLIError

#: ``--cv`` kinds and the evaluate() protocol each one is (holdout: a splitter).
CV_PROTOCOL = {
    "loso": "loso",
    "speaker-kfold": "speaker-kfold",
    "kfold": "stratified-kfold",
    "stratified-kfold": "stratified-kfold",
    "random-split": "random-split",
    "holdout": None,
}
SPEAKER_PROTOCOLS = ("loso", "speaker-kfold", "holdout")
_TRAILING = re.compile(r"(\d+)$")
_RANGE = re.compile(r"^(\d+)-(\d+)$")


def cv_spec(text: str) -> tuple[str, object]:
    """``--cv`` value (argparse type) -> ``(kind, argument)``.

    >>> cv_spec("speaker-kfold:4"), cv_spec("kfold"), cv_spec("holdout:13-16")
    (('speaker-kfold', 4), ('stratified-kfold', 5), ('holdout', '13-16'))
    """
    raw = text.strip()
    name, sep, arg = raw.partition(":")
    name = name.lower()
    if name == "loso" and not sep:
        return ("loso", None)
    if name in ("speaker-kfold", "kfold", "stratified-kfold"):
        if not sep or (arg.isdigit() and int(arg) >= 2):
            return (CV_PROTOCOL[name], int(arg) if sep else 5)
    if name == "random-split":
        try:
            fraction = float(arg) if sep else 0.2
        except ValueError:
            fraction = -1.0
        if 0.0 < fraction < 1.0:
            return ("random-split", fraction)
    if name == "holdout" and arg.strip(" ,"):
        return ("holdout", arg.strip())
    raise argparse.ArgumentTypeError(
        f"invalid --cv {text!r}: expected loso, speaker-kfold:K, kfold:K (K >= 2), "
        "random-split:F (0 < F < 1) or holdout:<test speakers>"
    )


def _patterns(text: str) -> list[str]:
    return [p.strip() for p in str(text).split(",") if p.strip()]


def _number(speaker: str) -> int | None:
    match = _TRAILING.search(speaker)
    return int(match.group(1)) if match else None


def _matches(speaker: str, pattern: str) -> bool:
    low, pat = speaker.lower(), pattern.lower()
    if low == pat or fnmatch.fnmatchcase(low, pat):
        return True
    number = _number(low)
    if number is None:
        return False
    if pat.isdigit():
        return number == int(pat)
    span = _RANGE.match(pat)
    return bool(span) and int(span.group(1)) <= number <= int(span.group(2))


def match_speakers(speakers, text: str, *, option: str) -> np.ndarray:
    """Boolean mask of the utterances whose speaker matches a pattern of ``text``;
    a pattern that matches no speaker is an error listing the speakers."""
    speakers = np.asarray(speakers).astype(str)
    known = sorted(set(speakers.tolist()))
    mask = np.zeros(len(speakers), dtype=bool)
    for pattern in _patterns(text):
        hit = np.array([_matches(s, pattern) for s in known], dtype=bool)
        if not hit.any():
            raise CLIError(
                f"{option}: pattern {pattern!r} matches no speaker of the corpus "
                f"({', '.join(known)})"
            )
        mask |= np.isin(speakers, np.asarray(known)[hit])
    return mask


def select_speakers(data, args: argparse.Namespace):
    """The corpus restricted by ``--speakers`` / ``--exclude-speakers`` (a Bunch
    with ``X``, ``y``, ``speaker`` indexed alike); unchanged without them."""
    include = getattr(args, "speakers", None)
    exclude = getattr(args, "exclude_speakers", None)
    if include is None and exclude is None:
        return data
    speaker = data.get("speaker")
    if speaker is None:
        raise CLIError(
            "--speakers / --exclude-speakers: this corpus gives no speakers (use a "
            "CSV manifest with a speaker column or a corpus layout with speakers)"
        )
    keep = np.ones(len(data.y), dtype=bool)
    if include is not None:
        keep &= match_speakers(speaker, include, option="--speakers")
    if exclude is not None:
        keep &= ~match_speakers(speaker, exclude, option="--exclude-speakers")
    if not keep.any():
        raise CLIError("--speakers / --exclude-speakers leave no utterance")
    from sklearn.utils import Bunch

    idx = np.flatnonzero(keep)
    out = Bunch(**data)
    for key in ("X", "y", "speaker"):
        out[key] = np.asarray(data[key], dtype=object)[idx] if key == "X" else (
            np.asarray(data[key])[idx])
    return out


class SpeakerHoldout:
    """One split: the utterances of the named speakers are the test part, all
    others the training part (a speaker is never on both sides).

    Parameters
    ----------
    test : str
        Comma-separated speaker patterns (see the module's docstring).

    Examples
    --------
    >>> import numpy as np
    >>> spk = np.array(["actor01", "actor02", "actor13", "actor14"])
    >>> [(tr.tolist(), te.tolist()) for tr, te in SpeakerHoldout("13-16").split(
    ...     np.zeros(4), None, spk)]
    [([0, 1], [2, 3])]
    """

    def __init__(self, test: str):
        self.test = test

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return 1

    def split(self, X, y=None, groups=None):
        if groups is None:
            raise CLIError("--cv holdout needs speakers, which this corpus lacks")
        test = match_speakers(groups, self.test, option="--cv holdout")
        if test.all():
            raise CLIError(
                f"--cv holdout:{self.test}: every speaker is a test speaker; leave "
                "some to train on"
            )
        yield np.flatnonzero(~test), np.flatnonzero(test)

    def __repr__(self) -> str:
        return f"SpeakerHoldout(test={self.test!r})"


def resolve_cv(args: argparse.Namespace, speaker) -> dict:
    """``--cv`` / ``--protocol`` -> keyword arguments of ``evaluate`` and the text
    that names the split (one maps onto the other: ``--protocol P`` is ``--cv P``
    with its default argument; both given must agree)."""
    cv = getattr(args, "cv", None)
    protocol = getattr(args, "protocol", None)
    if cv is None:
        cv = cv_spec(protocol or "loso")
    elif protocol is not None and CV_PROTOCOL.get(cv[0], cv[0]) != protocol:
        raise CLIError(
            f"--protocol {protocol} and --cv {cv[0]} disagree; give one of them "
            f"(--cv {cv[0]} is protocol {CV_PROTOCOL.get(cv[0]) or 'holdout (a split)'})"
        )
    kind, arg = cv
    if kind in SPEAKER_PROTOCOLS and speaker is None:
        raise CLIError(
            f"--cv {kind} splits by speaker, and this corpus gives no speakers; use a "
            "CSV manifest with a speaker column, or --cv kfold:K (random utterance "
            "folds, NOT speaker-independent)"
        )
    if kind == "holdout":
        return {"cv": SpeakerHoldout(str(arg)), "speaker_independent": True,
                "spec": f"holdout:{arg}"}
    kwargs = {"protocol": kind, "spec": kind if arg is None else f"{kind}:{arg}"}
    if kind == "random-split":
        kwargs["test_size"] = float(arg)
    elif kind in ("speaker-kfold", "stratified-kfold"):
        kwargs["n_splits"] = int(arg)
        if kind == "speaker-kfold" and len(set(np.asarray(speaker).tolist())) < arg:
            raise CLIError(
                f"--cv speaker-kfold:{arg} needs at least {arg} speakers, the corpus "
                f"has {len(set(np.asarray(speaker).tolist()))}"
            )
    elif kind == "loso" and len(set(np.asarray(speaker).tolist())) < 2:
        raise CLIError("--cv loso needs at least 2 speakers")
    return kwargs
