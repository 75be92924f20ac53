"""Shared machinery of the augmenting resamplers (SpecAugment, VTLP).

`BaseAugmentSampler` is an imbalanced-learn :class:`~imblearn.base.BaseSampler` that

* accepts one item per utterance -- ragged collections (lists, object arrays) and
  dense N-D arrays, which imbalanced-learn's own samplers reject -- and returns the
  same kind of container (`_check_X_y` is the hook, as ``imblearn/base.py`` intends);
* resolves ``sampling_strategy`` with :func:`imblearn.utils.check_sampling_strategy`
  for the standard forms and adds two forms of its own: an integer ``N`` (every class
  to ``N``; li2021 §6.6) and ``"all"`` with a ``factor``;
* draws which originals are augmented, records ``sample_indices_`` and calls the
  subclass' ``_augment_one`` on each of them.

A subclass holds only its transform: ``_check_items`` (validation of X) and
``_augment_one`` (one synthetic item from one original).
"""

from __future__ import annotations

from abc import abstractmethod
from collections import OrderedDict
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from imblearn.utils._validation import ArraysTransformer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn_compat.base import _fit_context

from sklearn_ser.utils._validation import (
    check_audio,
    check_consistent_length,
    to_object_array,
)

__all__ = ["BaseAugmentSampler", "WaveformInputMixin"]

# Shared docstring pieces, put into the subclasses' docstrings (``%(name)s``) by
# ``sklearn_ser.utils._docs.fill_doc``, the package's one docstring helper; see
# ``_sampler_docs``.
_SAMPLING_STRATEGY_DOC = """
sampling_strategy : float, int, str, dict or callable, default="auto"
        How many synthetic utterances to generate per class. The forms of
        imbalanced-learn's over-samplers (resolved by
        :func:`imblearn.utils.check_sampling_strategy`), plus two of our own:

        - ``"auto"`` / ``"not majority"``: every class but the majority is
          augmented up to the majority count (liu2021 §2.4);
        - ``"minority"``: only the smallest class, up to the majority count;
        - ``"not minority"``: every class but the smallest;
        - ``"all"``: **every** class is enlarged by ``factor``: class ``c``
          gains ``floor((factor - 1) * n_c + 0.5)`` synthetic utterances. This
          differs from imbalanced-learn, whose ``"all"`` equals ``"auto"`` for
          over-samplers;
        - ``int`` ``N``: every class to ``N`` utterances. %(int_n_doc)s
        - ``float`` in (0, 1] (binary ``y`` only): the wanted ratio minority /
          majority after resampling;
        - ``dict`` ``{class: n}``: the number of utterances wanted for each named
          class after resampling (``n`` >= its current count); a class that is
          not in ``y`` is an error;
        - callable ``f(y) -> dict`` as for the dict.""".strip()

_FACTOR_DOC = """factor : float, default=2.0
        Only with ``sampling_strategy="all"``: the size of every class after
        resampling, as a multiple of its size before (>= 1)."""

_RANDOM_STATE_DOC = """random_state : int, RandomState instance or None, default=None
        Seeds the choice of originals and every augmentation parameter. The same
        seed on the same data gives the same output."""

_SAMPLE_INDICES_DOC = """sample_indices_ : ndarray of shape (n_samples_resampled,)
        For every output row, the index in ``X`` of the original utterance it is
        (for kept originals) or it was generated from (for synthetic ones). The
        kept originals come first, in their input order, then the synthetic
        utterances class by class. Re-index any side array with it, e.g. the
        speakers: ``groups_res = groups[sampler.sample_indices_]``."""

_PIPELINE_WARNING_DOC = """.. warning::
       As in every imbalanced-learn sampler, resampling happens only in
       ``fit_resample``. Inside an :class:`imblearn.pipeline.Pipeline` it runs when
       the pipeline is fitted and is skipped by ``predict``/``transform``/``score``,
       so test utterances are never augmented. The pipeline's ``fit_transform``
       therefore returns the *resampled* data, while ``fit(...).transform(...)``
       does not: the scikit-learn contract ``fit_transform(X) ==
       fit(X).transform(X)`` does not hold for such a pipeline."""


def _sampler_docs(*, int_n_doc: str) -> dict[str, str]:
    """The shared parameter and attribute texts of a resampler, for ``fill_doc``.

    ``int_n_doc`` says what an integer ``sampling_strategy`` does to classes
    larger than ``N`` (the one sentence that differs between the samplers).
    """
    return {
        "sampling_strategy": _SAMPLING_STRATEGY_DOC.replace("%(int_n_doc)s", int_n_doc),
        "factor": _FACTOR_DOC,
        "random_state": _RANDOM_STATE_DOC,
        "sample_indices": _SAMPLE_INDICES_DOC,
        "pipeline_warning": _PIPELINE_WARNING_DOC,
    }


def _count_classes(y: np.ndarray) -> OrderedDict:
    classes, counts = np.unique(y, return_counts=True)
    return OrderedDict((c, int(n)) for c, n in zip(classes, counts))


class BaseAugmentSampler(BaseSampler):
    """Base class of the augmenting resamplers.

    Warning: This class should not be used directly. Use the derived classes
    instead.

    Subclasses implement ``_check_items`` (validate X and return it as an object
    array of per-utterance arrays or as a dense array) and ``_augment_one`` (one
    synthetic utterance from one original, drawing its parameters from ``rng``)
    or ``_augment`` (all of them, for a sampler that keeps what it drew).
    They set ``_undersample_to_n`` to say whether an integer ``sampling_strategy``
    also under-samples classes larger than ``N``.
    """

    _sampling_type = "over-sampling"
    # int ``sampling_strategy``: under-sample the classes above N (li2021 §6.6)?
    _undersample_to_n: bool = False

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(Integral, 1, None, closed="left"),
            *BaseOverSampler._parameter_constraints["sampling_strategy"],
        ],
        "factor": [Interval(Real, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", factor=2.0, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.factor = factor
        self.random_state = random_state

    # ----------------------------------------------------------------- validation
    @abstractmethod
    def _check_items(self, X: Any) -> np.ndarray:
        """Validate X; return a new object array of items or a new dense array."""

    def _augment_one(self, item: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        """One synthetic utterance (same shape as ``item``) from ``item``."""
        raise NotImplementedError

    def _augment(
        self, X: np.ndarray, sources: np.ndarray, rng: np.random.RandomState
    ) -> list[np.ndarray]:
        """The synthetic utterances, one from each ``X[i]`` of ``sources`` in
        order; a subclass that records what it drew (as a fitted attribute)
        overrides this."""
        return [self._augment_one(X[i], rng) for i in sources]

    def _check_X_y(self, X, y, accept_sparse=None):
        # The N-D / ragged hook of imblearn's BaseSampler: X stays one item per
        # utterance (object array or dense array) instead of a 2-D matrix.
        name = type(self).__name__
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = self._check_items(X)
        check_consistent_length(X, y, name=name)
        return X, np.asarray(y), binarize_y

    def _resolve_sampling_strategy(
        self, y: np.ndarray
    ) -> tuple[OrderedDict, OrderedDict]:
        """Return ``(to_add, to_keep)``: synthetic utterances per class, and the
        classes under-sampled with the number of originals they keep."""
        name = type(self).__name__
        strategy = self.sampling_strategy
        counts = _count_classes(y)
        if len(counts) < 2:
            raise ValueError(
                f"{name}: y needs more than 1 class, got {len(counts)} "
                f"({list(counts)})"
            )
        to_keep: OrderedDict = OrderedDict()
        if isinstance(strategy, Integral) and not isinstance(strategy, bool):
            n_target = int(strategy)
            to_add = OrderedDict((c, max(n_target - n, 0)) for c, n in counts.items())
            if self._undersample_to_n:
                to_keep = OrderedDict(
                    (c, n_target) for c, n in counts.items() if n > n_target
                )
            return to_add, to_keep
        if isinstance(strategy, str) and strategy == "all":
            factor = float(self.factor)
            # round half up (not Python's half-to-even)
            to_add = OrderedDict(
                (c, int(np.floor((factor - 1.0) * n + 0.5))) for c, n in counts.items()
            )
            return to_add, to_keep
        if isinstance(strategy, Mapping):
            unknown = [c for c in strategy if c not in counts]
            if unknown:
                raise ValueError(
                    f"{name}: sampling_strategy names classes that are not in y: "
                    f"{unknown}; the classes of y are {list(counts)}"
                )
        to_add = check_sampling_strategy(strategy, y, self._sampling_type)
        return OrderedDict((c, int(n)) for c, n in to_add.items()), to_keep

    # --------------------------------------------------------------------- public
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **params):
        """Check inputs and resolve the sampling strategy (no augmentation).

        You should use ``fit_resample`` in all cases.

        Parameters
        ----------
        X : sequence of per-utterance arrays, or ndarray
            The utterances (see the class docstring for the accepted forms).
        y : array-like of shape (n_samples,)
            Class of every utterance.
        **params : dict
            Unused, for API compatibility.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        check_classification_targets(y)
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_, self.undersampling_strategy_ = (
            self._resolve_sampling_strategy(y)
        )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, **params):
        """Resample the dataset: keep the originals and add augmented utterances.

        Parameters
        ----------
        X : sequence of per-utterance arrays, or ndarray
            The utterances (see the class docstring for the accepted forms).
            Not modified.
        y : array-like of shape (n_samples,)
            Class of every utterance. Not modified.
        **params : dict
            Unused, for API compatibility.

        Returns
        -------
        X_resampled : object ndarray, list or ndarray
            The kept originals (copies) followed by the synthetic utterances, in
            the container type of ``X`` (a list for a list, an object array for a
            ragged array, a dense array for a dense one).
        y_resampled : ndarray of shape (n_samples_resampled,)
            The class of every output utterance.
        """
        check_classification_targets(y)
        arrays_transformer = ArraysTransformer(X, y)
        n_columns = np.shape(y)[1] if np.ndim(y) == 2 else None
        X, y, binarize_y = self._check_X_y(X, y)
        self.sampling_strategy_, self.undersampling_strategy_ = (
            self._resolve_sampling_strategy(y)
        )
        X_res, y_res = self._fit_resample(X, y)
        if binarize_y:
            # one-hot in, one-hot out, with the input's number of columns (also for
            # two classes, where label_binarize would give a single column)
            y_res = np.eye(n_columns, dtype=int)[y_res]
        return arrays_transformer.transform(X_res, y_res)

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        n_samples = len(X)

        # li2021 §6.6: classes above N are cut down to N by random choice without
        # replacement (only for an integer sampling_strategy and VTLP).
        keep = np.ones(n_samples, dtype=bool)
        for klass, n_keep in self.undersampling_strategy_.items():
            members = np.flatnonzero(y == klass)
            dropped = rng.choice(members, size=members.size - n_keep, replace=False)
            keep[dropped] = False
        kept = np.flatnonzero(keep)

        # Originals to augment: each member of a class is used floor(k/m) or
        # ceil(k/m) times for k new utterances from m originals; which members get
        # the extra one is drawn at random (without replacement). This spreads the
        # augmentation evenly instead of bootstrapping a few originals many times.
        sources = []
        for klass, n_add in self.sampling_strategy_.items():
            if n_add <= 0:
                continue
            members = np.flatnonzero((y == klass) & keep)
            n_rounds, n_extra = divmod(n_add, members.size)
            extra = rng.choice(members, size=n_extra, replace=False)
            sources.append(np.sort(np.concatenate([np.tile(members, n_rounds), extra])))
        sources = (
            np.concatenate(sources).astype(np.intp) if sources else np.empty(0, np.intp)
        )

        synthetic = self._augment(X, sources, rng)
        self.sample_indices_ = np.concatenate([kept, sources]).astype(np.intp)
        y_res = y[self.sample_indices_]

        if X.dtype == object:
            X_res = to_object_array([X[i] for i in kept] + synthetic)
        else:
            # fill one preallocated array (no stack + concatenate copies)
            X_res = np.empty((self.sample_indices_.size, *X.shape[1:]), dtype=X.dtype)
            X_res[: kept.size] = X if kept.size == n_samples else X[kept]
            for row, item in enumerate(synthetic, start=kept.size):
                X_res[row] = item
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.dataframe = False
        tags.sampler_tags.sample_indices = True
        tags.non_deterministic = False
        return tags


class WaveformInputMixin:
    """Waveform input for an augmenting sampler with an ``sr`` parameter.

    ``_check_waveforms`` reads X as waveforms or file paths (at ``sr``); a 2-D
    array of equal-length waveforms stays a dense array when the augmentation
    keeps lengths (``_keeps_length``), anything else becomes an object array.
    """

    _keeps_length = True

    def _check_waveforms(self, X: Any) -> np.ndarray:
        dense = isinstance(X, np.ndarray) and X.dtype != object and X.ndim == 2
        waves = check_audio(X, sr=self.sr, name=type(self).__name__)
        if dense and self._keeps_length:
            return np.stack(waves)
        return to_object_array(waves)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.string = True  # file paths
        return tags
