"""Class-balanced mini-batches, so that every anchor of a triplet loss has a positive."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from torch.utils.data import Sampler

__all__ = ["MPerClassBatchSampler"]


class MPerClassBatchSampler(Sampler):
    """Batches of ``m`` samples from each of ``batch_size // m`` random classes.

    With random batches of 32 over 4–8 emotions many anchors have no positive (or no
    negative) in their batch and online triplet mining finds few triplets; drawing
    ``m`` samples per class guarantees ``m - 1`` positives for every anchor.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Integer class of every sample in the dataset.
    m : int
        Samples per class in a batch (drawn with replacement only when a class has
        fewer than ``m`` samples).
    batch_size : int
        Samples per batch; ``batch_size // m`` classes per batch (at least 2, or all
        classes when there are fewer).
    n_batches : int, default=None
        Batches per epoch; default ``ceil(n_samples / samples_per_batch)``, where a
        batch holds ``m`` samples of each of its classes, so an epoch sees about
        as many samples as with random batches (also with fewer classes than
        ``batch_size // m``).
    seed : int, default=0
        Seed of the sampler's own generator; every epoch continues the stream.

    Examples
    --------
    >>> import numpy as np
    >>> s = MPerClassBatchSampler(np.repeat([0, 1, 2], 10), m=4, batch_size=8, seed=0)
    >>> batches = list(s)
    >>> len(batches), [len(b) for b in batches][:2]
    (4, [8, 8])
    """

    def __init__(
        self, labels, *, m: int, batch_size: int, n_batches: int | None = None, seed=0
    ) -> None:
        self.labels = np.asarray(labels)
        self.m = int(m)
        self.batch_size = int(batch_size)
        self.n_batches = n_batches
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._by_class = [np.flatnonzero(self.labels == c) for c in np.unique(self.labels)]

    def _classes_per_batch(self) -> int:
        return min(len(self._by_class), max(2, self.batch_size // max(self.m, 1)))

    def __len__(self) -> int:
        if self.n_batches is not None:
            return int(self.n_batches)
        per_batch = max(self._classes_per_batch() * self.m, 1)
        return max(1, -(-len(self.labels) // per_batch))

    def __iter__(self) -> Iterator[list[int]]:
        n_classes = len(self._by_class)
        per_batch = self._classes_per_batch()
        for _ in range(len(self)):
            chosen = self._rng.choice(n_classes, size=per_batch, replace=False)
            batch = []
            for c in chosen:
                members = self._by_class[c]
                replace = len(members) < self.m
                batch.extend(self._rng.choice(members, size=self.m, replace=replace))
            yield [int(i) for i in batch]


def warn_single_utterance_classes(y_enc: np.ndarray, classes, *, name: str) -> None:
    """Warn that classes with one utterance have no positive pair from another
    utterance, for a loss that mines triplets in class-balanced batches."""
    import warnings

    lonely = np.bincount(y_enc, minlength=len(classes)) < 2
    if lonely.any():
        warnings.warn(
            f"{name}: classes {np.asarray(classes)[lonely].tolist()} have a single "
            "utterance; their segments have no positive from another utterance "
            "in the triplet term", UserWarning, stacklevel=3,
        )
