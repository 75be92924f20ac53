"""Leakage guards: speakers and identical audio on both sides of a split."""

from __future__ import annotations

import hashlib
import os
import warnings
from collections import defaultdict
from typing import Any

import numpy as np

__all__ = ["LeakageWarning", "check_leakage", "content_hashes"]

# How many duplicate pairs a report keeps and a warning names.
_MAX_PAIRS_STORED = 100
_MAX_PAIRS_NAMED = 5


class LeakageWarning(UserWarning):
    """Identical inputs lie on both sides of a train/test split."""


def _hash_item(item: Any, index: int) -> tuple[str, str]:
    """(content hash, kind) of one utterance: file bytes for paths, else array bytes."""
    h = hashlib.blake2b(digest_size=16)
    if isinstance(item, str | os.PathLike):
        try:
            with open(item, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError as exc:
            raise ValueError(
                f"check_leakage: cannot read X[{index}] = {os.fspath(item)!r} to hash "
                f"it "
                f"({exc.strerror or exc})"
            ) from None
        return h.hexdigest(), "file bytes"
    if isinstance(item, bytes | bytearray | memoryview):
        h.update(bytes(item))
        return h.hexdigest(), "bytes"
    arr = np.ascontiguousarray(np.asarray(item))
    if arr.dtype == object:
        raise TypeError(
            f"check_leakage: X[{index}] is an object array; expected a waveform, a "
            "feature array or a file path per utterance"
        )
    h.update(f"{arr.dtype.str}{arr.shape}".encode())
    h.update(arr.tobytes())
    return h.hexdigest(), "waveform/array bytes"


def content_hashes(X: Any) -> tuple[list[str], str]:
    """One content hash per utterance of ``X`` and what was hashed.

    Parameters
    ----------
    X : sequence of str, path, or array-like
        File paths (their bytes are hashed) or waveforms / feature arrays (their
        dtype, shape and bytes are hashed).

    Returns
    -------
    hashes : list of str
        BLAKE2b digests, equal for byte-identical inputs.
    kind : str
        ``"file bytes"``, ``"waveform/array bytes"`` or ``"bytes"`` (the kinds
        found, joined by ``"+"``).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.ones(4, dtype=np.float32)
    >>> h, kind = content_hashes([a, a.copy(), np.zeros(4, dtype=np.float32)])
    >>> h[0] == h[1], h[0] == h[2], kind
    (True, False, 'waveform/array bytes')
    """
    out, kinds = [], []
    for i, item in enumerate(X):
        digest, kind = _hash_item(item, i)
        out.append(digest)
        if kind not in kinds:
            kinds.append(kind)
    return out, "+".join(kinds) or "nothing"


def _name(X: Any, i: int) -> str:
    item = X[i]
    if isinstance(item, str | os.PathLike):
        return os.fspath(item)
    return f"utterance {i}"


def check_leakage(
    X: Any,
    speaker: Any,
    splits: Any,
    *,
    speaker_independent: bool | None = True,
    check_duplicates: bool = True,
) -> dict:
    """Check train/test splits for speakers and identical audio on both sides.

    Two leaks make a test figure optimistic in speech emotion recognition: a
    speaker heard in training (the model recognises the voice, not the
    emotion), and the same recording on both sides (a copied file, a clip
    staged twice). The first is an error when the protocol claims to be
    speaker-independent; the second is always a :class:`LeakageWarning` that
    names the pairs.

    Parameters
    ----------
    X : sequence of str, path or array-like of shape (n_utterances, ...)
        File paths (their bytes are hashed) or waveforms / feature arrays (their
        dtype, shape and bytes are hashed).
    speaker : array-like of shape (n_utterances,) or None
        Speaker of each utterance; ``None`` skips the speaker check.
    splits : iterable of (train, test) index arrays
        The folds, e.g. ``list(cv.split(X, y, groups))``.
    speaker_independent : bool or None, default=True
        ``True``: a speaker in both train and test of a fold raises ``ValueError``.
        ``False`` or ``None``: shared speakers are only recorded (random-split
        protocols share speakers on purpose).
    check_duplicates : bool, default=True
        Hash every utterance and look for identical ones across train and test.

    Returns
    -------
    record : dict
        ``speaker_checked`` (bool), ``speaker_independent`` (as given),
        ``folds_sharing_speakers`` (list of ``{"fold", "speakers"}``, folds
        numbered from 1), ``duplicates_checked`` (bool), ``hashed`` (what was
        hashed), ``n_duplicate_pairs`` and ``duplicate_pairs`` (at most 100 of
        ``{"fold", "train", "test"}`` with the indices and ``"train_item"`` /
        ``"test_item"`` names).

    Raises
    ------
    ValueError
        If ``speaker_independent`` is True and a fold shares a speaker.

    Warns
    -----
    LeakageWarning
        If identical inputs lie on both sides of a split.

    See Also
    --------
    evaluate : runs this check on every evaluation and stores the record.

    Examples
    --------
    >>> import numpy as np
    >>> X = [np.zeros(3), np.ones(3), np.full(3, 2.0), np.full(3, 3.0)]
    >>> speaker = ["a", "a", "b", "b"]
    >>> rec = check_leakage(X, speaker, [([0, 1], [2, 3]), ([2, 3], [0, 1])])
    >>> rec["folds_sharing_speakers"], rec["n_duplicate_pairs"]
    ([], 0)
    >>> check_leakage(X, speaker, [([0, 2], [1, 3])])
    Traceback (most recent call last):
    ...
    ValueError: check_leakage: speaker-independent protocol, but fold 1 has ...
    """
    splits = [
        (np.asarray(tr, dtype=int), np.asarray(te, dtype=int)) for tr, te in splits
    ]
    n = len(X)
    for k, (tr, te) in enumerate(splits, start=1):
        for part in (tr, te):
            if part.size and (part.min() < 0 or part.max() >= n):
                raise ValueError(
                    f"check_leakage: fold {k} has indices outside [0, {n}) for "
                    f"{n} utterances"
                )
    record: dict[str, Any] = {
        "speaker_checked": speaker is not None,
        "speaker_independent": speaker_independent,
        "folds_sharing_speakers": [],
        "duplicates_checked": bool(check_duplicates),
        "hashed": None,
        "n_duplicate_pairs": 0,
        "duplicate_pairs": [],
    }
    if speaker is not None:
        speaker = np.asarray(speaker)
        if len(speaker) != n:
            raise ValueError(
                f"check_leakage: speaker has {len(speaker)} entries for {n} utterances"
            )
        for k, (tr, te) in enumerate(splits, start=1):
            shared = sorted(
                set(speaker[tr].tolist()) & set(speaker[te].tolist()), key=str
            )
            if shared:
                if speaker_independent:
                    raise ValueError(
                        "check_leakage: speaker-independent protocol, but fold "
                        f"{k} has speaker(s) {[str(s) for s in shared][:10]} in both "
                        "train and test"
                    )
                record["folds_sharing_speakers"].append(
                    {"fold": k, "speakers": [_plain(s) for s in shared]}
                )
    if check_duplicates:
        hashes, kind = content_hashes(X)
        record["hashed"] = kind
        groups: dict[str, list[int]] = defaultdict(list)
        for i, digest in enumerate(hashes):
            groups[digest].append(i)
        dup_of = {
            i: members
            for members in groups.values()
            if len(members) > 1
            for i in members
        }
        pairs = []
        if dup_of:
            for k, (tr, te) in enumerate(splits, start=1):
                train_set = set(tr.tolist())
                for j in te.tolist():
                    for i in dup_of.get(j, ()):
                        if i != j and i in train_set:
                            pairs.append((k, i, j))
        record["n_duplicate_pairs"] = len(pairs)
        record["duplicate_pairs"] = [
            {
                "fold": k,
                "train": i,
                "test": j,
                "train_item": _name(X, i),
                "test_item": _name(X, j),
            }
            for k, i, j in pairs[:_MAX_PAIRS_STORED]
        ]
        if pairs:
            named = "; ".join(
                f"fold {k}: {_name(X, i)} (train) = {_name(X, j)} (test)"
                for k, i, j in pairs[:_MAX_PAIRS_NAMED]
            )
            more = (
                f" and {len(pairs) - _MAX_PAIRS_NAMED} more"
                if len(pairs) > _MAX_PAIRS_NAMED
                else ""
            )
            warnings.warn(
                f"{len(pairs)} identical input(s) ({kind}) on both sides of a split: "
                f"{named}{more}",
                LeakageWarning,
                stacklevel=2,
            )
    return record


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
