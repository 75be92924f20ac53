"""Evaluation protocols by name: the splitters behind ``evaluate(protocol=...)``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.model_selection import (
    LeaveOneGroupOut,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
)

__all__ = ["PROTOCOLS", "make_splits"]

#: Protocol name -> (speaker-independent?, one-line description).
PROTOCOLS: dict[str, tuple[bool, str]] = {
    "loso": (True, "leave-one-speaker-out"),
    "speaker-kfold": (True, "speaker-disjoint stratified {k}-fold"),
    "random-split": (
        False,
        "stratified random {train}/{test} utterance split(s), speakers shared",
    ),
    "stratified-kfold": (
        False,
        "stratified random {k}-fold over utterances, speakers shared",
    ),
}


def make_splits(
    X: Any,
    y: np.ndarray,
    *,
    speaker: np.ndarray | None,
    protocol: str | None,
    cv: Any,
    n_splits: int | None,
    test_size: float,
    random_state: int | None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict]:
    """The (train, test) index pairs of a protocol and the record that names it.

    Returns
    -------
    splits : list of (ndarray, ndarray)
    record : dict
        ``name``, ``description``, ``speaker_independent`` (bool or None for a
        custom ``cv``), ``n_splits``, ``test_size``, ``random_state``, ``cv``
        (the splitter's repr).
    """
    n = len(y)
    if cv is not None:
        if protocol not in (None, "custom"):
            raise ValueError(
                f"evaluate: give either protocol= or cv=, not both (got protocol="
                f"{protocol!r} and cv={cv!r})"
            )
        splitter = check_cv(cv, y, classifier=True)
        splits = _split(splitter, n, y, speaker)
        record = dict(
            name="custom",
            description=f"custom splitter {_short_repr(cv)}",
            speaker_independent=None,
            n_splits=len(splits),
            test_size=None,
            random_state=None,
            cv=_short_repr(cv),
        )
        return splits, record
    protocol = "speaker-kfold" if protocol is None else protocol
    if protocol not in PROTOCOLS:
        raise ValueError(
            f"evaluate: protocol must be one of {sorted(PROTOCOLS)} (or pass cv=), "
            f"got {protocol!r}"
        )
    independent, text = PROTOCOLS[protocol]
    if independent and speaker is None:
        raise ValueError(
            f"evaluate: protocol={protocol!r} splits by speaker; pass speaker= "
            "(one id per utterance)"
        )
    if n_splits is not None and (
        not isinstance(n_splits, int | np.integer) or n_splits < 1
    ):
        raise ValueError(f"evaluate: n_splits must be a positive int, got {n_splits!r}")
    if protocol == "loso":
        splitter = LeaveOneGroupOut()
        description = text
    elif protocol == "speaker-kfold":
        k = 5 if n_splits is None else int(n_splits)
        n_spk = len(np.unique(speaker))
        if k < 2 or k > n_spk:
            raise ValueError(
                f"evaluate: protocol='speaker-kfold' needs 2 <= n_splits <= the number "
                f"of speakers ({n_spk}), got n_splits={k}"
            )
        splitter = StratifiedGroupKFold(
            n_splits=k, shuffle=True, random_state=random_state
        )
        description = text.format(k=k)
    elif protocol == "stratified-kfold":
        k = 5 if n_splits is None else int(n_splits)
        if k < 2:
            raise ValueError(
                f"evaluate: protocol='stratified-kfold' needs n_splits >= 2, got {k}"
            )
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
        description = text.format(k=k)
    else:  # random-split
        if not 0.0 < float(test_size) < 1.0:
            raise ValueError(
                f"evaluate: test_size must be in (0, 1) for protocol='random-split', "
                f"got {test_size!r}"
            )
        k = 1 if n_splits is None else int(n_splits)
        splitter = StratifiedShuffleSplit(
            n_splits=k, test_size=float(test_size), random_state=random_state
        )
        train_pct = round(100 * (1 - float(test_size)))
        description = text.format(train=train_pct, test=100 - train_pct)
        if k > 1:
            description += f", {k} repetitions"
    splits = _split(splitter, n, y, speaker if independent else None)
    record = dict(
        name=protocol,
        description=description,
        speaker_independent=independent,
        n_splits=len(splits),
        test_size=float(test_size) if protocol == "random-split" else None,
        random_state=random_state,
        cv=_short_repr(splitter),
    )
    return splits, record


def _split(splitter: Any, n: int, y: np.ndarray, groups: Any) -> list:
    with warnings.catch_warnings():
        # Splitters that take no groups say so when given some; speakers are passed
        # to every custom splitter, so that group splitters get them.
        warnings.filterwarnings("ignore", message="The groups parameter is ignored")
        return [
            (np.asarray(tr, dtype=int), np.asarray(te, dtype=int))
            for tr, te in splitter.split(np.zeros(n), y, groups)
        ]


def _short_repr(obj: Any) -> str:
    if isinstance(obj, list | tuple):
        return f"<{len(obj)} precomputed (train, test) splits>"
    text = repr(obj)
    return text if len(text) <= 200 else text[:197] + "..."
