"""li2021's multi-level (two-level) classifier: a coarse model over a set of merged
confusable classes, a fine model that separates them (li2021 §5.2, §6.4, §6.8)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
    is_classifier,
)
from sklearn.model_selection import check_cv, cross_val_predict
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from sklearn_compat.base import _fit_context

from sklearn_ser.features._hashing import SpectrogramHasher
from sklearn_ser.metrics._similarity import (
    LabelledMatrix,
    class_similarity,
    confusable_from_confusion,
    most_confusable,
)

__all__ = ["HierarchicalConfusionClassifier"]


def _sub_estimators_have(attr: str):
    """``available_if`` check: ``attr`` exists on the (fitted) coarse and fine models.

    Once fitted without merging (``fine_ is None``) only the coarse model matters.
    """

    def check(self) -> bool:
        if hasattr(self, "coarse_"):
            return hasattr(self.coarse_, attr) and (
                self.fine_ is None or hasattr(self.fine_, attr)
            )
        return hasattr(self.coarse, attr) and hasattr(self.fine, attr)

    return check


def _take(X: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of ``X``: array, list or object array of utterances, sparse."""
    if sp.issparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()  # coo / dia / bsr cannot be row-indexed
    return _safe_indexing(X, idx)


def _is_str(value: Any) -> bool:
    return isinstance(value, (str, np.str_))


def _is_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (Real, np.number))


class HierarchicalConfusionClassifier(
    MetaEstimatorMixin, ClassifierMixin, BaseEstimator
):
    """Two-level classifier that merges the most confusable classes (li2021 §5.2).

    ``fit`` finds a set of confusable classes (from spectrogram hashes, from the
    confusion matrix of cross-validated predictions, or as given), then trains

    1. a clone of ``coarse`` on **all** samples, with the confusable classes
       relabelled as one merged class (li2021's "Model 1");
    2. a clone of ``fine`` on the samples of the confusable classes **only**,
       with their original labels (li2021's "Model 2").

    ``predict`` asks the coarse model first; the samples it assigns to the merged
    class are passed to the fine model, whose answer is the prediction (li2021
    §6.4); every other sample keeps the coarse prediction.

    Any scikit-learn classifiers can be combined -- deep (skorch-based
    :mod:`sklearn_ser.models`) or not, and pipelines whose first step turns
    waveforms or ragged ``(C, F, T)`` features into what the classifier needs: ``X``
    is only indexed (never converted), so lists and object arrays of utterances
    pass through unchanged.

    Parameters
    ----------
    coarse : classifier
        First-level model, fitted on all classes with the confusable ones merged.
        li2021 uses its TF-CNN (:class:`~sklearn_ser.models.TFCNNClassifier`).
    fine : classifier
        Second-level model, fitted on the confusable classes only. li2021 uses a
        two-layer 256-unit LSTM (``SERClassifier(module=DoubleLSTM)``).
    confusable : {"hash", "confusion"} or list of labels, default="confusion"
        How the set of classes to merge is chosen:

        * ``"hash"`` -- li2021 §3.4: ``hasher`` turns every training utterance into
          bits, the class hash is the bit-wise majority vote of its utterances, and
          the ``n_confusable`` classes whose hashes are closest in Hamming distance
          are merged (:func:`~sklearn_ser.metrics.class_similarity`,
          :func:`~sklearn_ser.metrics.most_confusable`).
        * ``"confusion"`` -- a clone of ``coarse`` is fitted on the original
          labels in ``cv`` folds (:func:`~sklearn.model_selection.cross_val_predict`)
          and the ``n_confusable`` classes it confuses most with one another are
          merged (:func:`~sklearn_ser.metrics.confusable_from_confusion`); not in
          li2021, and it costs ``cv`` extra fits of ``coarse``.
        * a list of class labels -- merged as given (at least two; an empty list
          means no merging: the estimator is then ``coarse`` alone).
    n_confusable : int, default=2
        Size of the merged set found by ``"hash"`` or ``"confusion"`` (li2021
        merges a pair: Sad and Angry). Ignored for an explicit list.
    hasher : transformer, default=None
        Used by ``confusable="hash"``: a transformer whose ``fit_transform(X)``
        returns the 0/1 hash bits of every utterance, shape ``(n_samples,
        n_bits)``. ``None`` means :class:`~sklearn_ser.features.SpectrogramHasher`
        (8 × 8 average hash), which needs spectrogram-like features ``(C, F, T)``
        (ragged or dense); for waveform input give a pipeline such as
        ``make_pipeline(LogMelSpectrogram(), SpectrogramHasher())``. Cloned.
    cv : int, cross-validation generator or iterable, default=3
        Folds of ``confusable="confusion"``, as in
        :func:`~sklearn.model_selection.cross_val_predict` (an integer gives
        stratified folds for a classifier). The ``groups`` given to :meth:`fit`
        (e.g. speakers) are passed to the splitter, so use a group-aware splitter
        such as :class:`~sklearn.model_selection.StratifiedGroupKFold` to keep
        speakers apart.
    merged_label : str or number, default=None
        Label of the merged class in the coarse model. ``None``: the confusable
        labels joined by ``"+"`` (``"angry+sad"``) for string labels, one more
        than the largest label for numeric labels. It must not be one of the
        classes, and must be a string for string labels and a number for numeric
        ones.

    Attributes
    ----------
    coarse_ : classifier
        The fitted first-level model; its ``classes_`` hold ``merged_label_``
        instead of the confusable classes.
    fine_ : classifier or None
        The fitted second-level model; ``None`` when nothing was merged.
    confusable_ : tuple
        The merged classes, in ``classes_`` order; ``()`` when nothing was merged.
    merged_label_ : str, number or None
        Label of the merged class in ``coarse_``; ``None`` when nothing was merged.
    similarity_ : LabelledMatrix or None
        The class-by-class analysis the set was chosen from: Hamming distances
        between class hashes (``"hash"``) or confusion rates (``"confusion"``);
        ``None`` for an explicit list.
    classes_ : ndarray of shape (n_classes,)
        The original classes, sorted.
    n_features_in_ : int
        Of ``coarse_``, when it has one.
    feature_names_in_ : ndarray of str
        Of ``coarse_``, when it has one.

    See Also
    --------
    sklearn_ser.features.SpectrogramHasher : Average hash of spectrograms.
    sklearn_ser.metrics.class_similarity : Hamming distances between class hashes.
    sklearn_ser.metrics.confusable_from_confusion : Confusion rates between classes.

    Notes
    -----
    **How li2021 used it.** On IEMOCAP's four arousal/valence quadrants the class
    hashes of Sad and Angry were closest (Hamming distance 12, Table 11, §6.8); the
    two were merged into one class "HN" for the coarse TF-CNN, a double LSTM was
    trained on the Sad and Angry utterances only, and test utterances the TF-CNN
    assigned to "HN" were re-classified by the LSTM (§6.4, Figure 14). Overall
    accuracy rose from 55.5 % (TF-CNN alone) to 60.3 %, Sad and Angry recall by
    4.4 and 6.4 points (Tables 12 and 13). The corresponding estimator, fitted on
    spectrogram features, is::

        HierarchicalConfusionClassifier(
            TFCNNClassifier(), SERClassifier(module=DoubleLSTM), confusable="hash",
            merged_label="HN")

    §6.8's training paragraph names the LSTM "Model 1" and the TF-CNN "Model 2",
    but §5.2 and the test procedure (§6.4) make Model 1 the coarse model over the
    merged classes and Model 2 the model of the similar pair; this estimator
    follows §5.2 / §6.4. li2021 hashes 10 % of each class's spectrograms (§5.2)
    and does not give the hash size ``n``; here every training utterance is hashed
    (to follow the thesis, compute :func:`~sklearn_ser.metrics.most_confusable` on
    a subsample and pass the pair as ``confusable``).

    **Degenerate sets.** If the confusable set would cover every class (e.g. two
    classes and ``n_confusable=2``), the coarse model would be left with a single
    class; the estimator then warns and does not merge (``confusable_ == ()``,
    ``fine_ is None``), so it behaves as ``coarse`` alone.

    **predict and predict_proba.** ``predict`` routes hard, as li2021: a sample is
    sent to the fine model exactly when the coarse model predicts the merged class.
    ``predict_proba`` composes the two models' probabilities:
    ``P(c) = P_coarse(c)`` for a class outside the set and
    ``P(k) = P_coarse(merged) * P_fine(k)`` for a class ``k`` in it, so the rows
    sum to one. Its arg-max can differ from ``predict`` when the merged class wins
    the coarse vote but its share, split between the fine classes, falls below
    another class's probability.

    References
    ----------
    .. [1] li2021: MSc thesis, "Speech emotion recognition with TF-CNN, spectrogram
       hashing and multi-level classification", §3.4 (emotion similarity), §5.2
       (multi-level recognition framework), §6.4 (experimental set-up) and §6.8
       (multi-level results, Tables 11 to 13).

    Examples
    --------
    Two overlapping classes ("angry", "sad") and two well-separated ones:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_ser.models._hierarchical import HierarchicalConfusionClassifier
    >>> rng = np.random.default_rng(0)
    >>> centres = {"angry": (0, 0), "sad": (0.5, 0), "joy": (6, 0), "calm": (0, 6)}
    >>> X = np.vstack([rng.normal(c, 1.0, size=(30, 2)) for c in centres.values()])
    >>> y = np.repeat(list(centres), 30)
    >>> clf = HierarchicalConfusionClassifier(
    ...     LogisticRegression(), KNeighborsClassifier(), confusable="confusion"
    ... ).fit(X, y)
    >>> clf.confusable_, clf.merged_label_
    (('angry', 'sad'), 'angry+sad')
    >>> clf.coarse_.classes_.tolist()
    ['angry+sad', 'calm', 'joy']
    >>> clf.predict([[6.1, 0.2], [0.0, 6.3]]).tolist()
    ['joy', 'calm']
    >>> clf.predict_proba(X[:3]).sum(axis=1)
    array([1., 1., 1.])
    """

    _parameter_constraints: dict = {
        "coarse": [HasMethods(["fit", "predict"])],
        "fine": [HasMethods(["fit", "predict"])],
        "confusable": [StrOptions({"hash", "confusion"}), list, tuple, np.ndarray],
        "n_confusable": [Interval(Integral, 2, None, closed="left")],
        "hasher": [None, HasMethods(["fit", "transform"])],
        "cv": ["cv_object"],
        "merged_label": [None, str, Real],
    }

    def __init__(
        self,
        coarse: Any,
        fine: Any,
        *,
        confusable: str | list | tuple = "confusion",
        n_confusable: int = 2,
        hasher: Any = None,
        cv: Any = 3,
        merged_label: str | float | None = None,
    ) -> None:
        self.coarse = coarse
        self.fine = fine
        self.confusable = confusable
        self.n_confusable = n_confusable
        self.hasher = hasher
        self.cv = cv
        self.merged_label = merged_label

    # ------------------------------------------------------------------ fit
    def _explicit_set(self, classes: np.ndarray) -> tuple:
        """Validate an explicit ``confusable`` list against the classes of ``y``."""
        name = type(self).__name__
        if isinstance(self.confusable, np.ndarray):
            given = self.confusable.ravel().tolist()
        else:
            given = list(self.confusable)
        known = classes.tolist()
        unknown = [c for c in given if not any(c == k for k in known)]
        if unknown:
            raise ValueError(
                f"{name}: confusable names classes that are not in y: {unknown!r}; "
                f"the classes are {known!r}"
            )
        chosen = [k for k in known if any(k == c for c in given)]
        if len(chosen) != len(given):
            raise ValueError(
                f"{name}: confusable lists a class more than once: {given!r}"
            )
        if len(chosen) == 1:
            raise ValueError(
                f"{name}: confusable must name at least 2 classes to merge (or be "
                f"empty for no merging), got {given!r}"
            )
        return tuple(chosen)

    def _find_set(self, X: Any, y: np.ndarray, groups: Any) -> tuple:
        """The confusable classes found by hashing or by cross-validated confusion."""
        if self.confusable == "hash":
            hasher = SpectrogramHasher() if self.hasher is None else clone(self.hasher)
            bits = hasher.fit_transform(X)
            self.similarity_ = class_similarity(bits, y)
        else:  # "confusion"
            cv = check_cv(self.cv, y, classifier=is_classifier(self.coarse))
            # explicit splits, so groups reach the splitter whatever the routing mode
            splits = list(cv.split(X, y, groups))
            y_cv = cross_val_predict(clone(self.coarse), X, y, cv=splits)
            self.similarity_ = confusable_from_confusion(y, y_cv, labels=self.classes_)
        # choose on class indices, so any label type (e.g. objects) maps back exactly
        by_index = LabelledMatrix(
            self.similarity_.values,
            np.arange(len(self.classes_)),
            kind=self.similarity_.kind,
        )
        codes = most_confusable(by_index, size=self.n_confusable)
        return tuple(self.classes_.tolist()[k] for k in codes)

    def _merged_label(self, chosen: tuple) -> Any:
        name = type(self).__name__
        known = self.classes_.tolist()
        strings = all(_is_str(k) for k in known)
        numbers = all(_is_number(k) for k in known)
        label = self.merged_label
        if label is None:
            if strings:
                label = "+".join(str(c) for c in chosen)
            elif numbers:
                label = max(known) + 1
            else:
                raise ValueError(
                    f"{name}: cannot make a merged label for classes {known!r}; set "
                    "merged_label"
                )
        elif (strings and not _is_str(label)) or (numbers and not _is_number(label)):
            raise ValueError(
                f"{name}: merged_label must be a {'string' if strings else 'number'} "
                f"like the classes {known!r}, got {label!r}"
            )
        if any(label == k for k in known):
            raise ValueError(
                f"{name}: merged_label {label!r} is one of the classes {known!r}; "
                "choose a new label"
                + (" (set merged_label)" if self.merged_label is None else "")
            )
        return label

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(
        self, X: Any, y: Any, groups: Any = None
    ) -> HierarchicalConfusionClassifier:
        """Choose the confusable classes, then fit the coarse and the fine model.

        Parameters
        ----------
        X : array-like, list or object array of utterances
            Whatever ``coarse`` and ``fine`` accept (e.g. a 2-D array, or ragged
            ``(C, F, T)`` features). Only indexed, never modified.
        y : array-like of shape (n_samples,)
            Class labels (strings or numbers).
        groups : array-like of shape (n_samples,), default=None
            Groups (e.g. speakers) for the splitter of ``confusable="confusion"``.
            With metadata routing enabled, request it with
            ``set_fit_request(groups=True)``.

        Returns
        -------
        self : HierarchicalConfusionClassifier
        """
        name = type(self).__name__
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        check_consistent_length(X, y)
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        self.similarity_ = None

        if isinstance(self.confusable, str):
            if n_classes <= self.n_confusable:
                chosen = ()
                if n_classes >= 2:
                    warnings.warn(
                        f"{name}: merging n_confusable={self.n_confusable} of the "
                        f"{n_classes} classes would leave the coarse model a single "
                        "class; nothing is merged",
                        UserWarning,
                        stacklevel=3,
                    )
            else:
                chosen = self._find_set(X, y, groups)
        else:
            chosen = self._explicit_set(self.classes_)
            if len(chosen) == n_classes:
                warnings.warn(
                    f"{name}: confusable names all {n_classes} classes; merging them "
                    "would leave the coarse model a single class; nothing is merged",
                    UserWarning,
                    stacklevel=3,
                )
                chosen = ()

        self.confusable_ = tuple(chosen)
        if not self.confusable_:
            self.merged_label_ = None
            self.coarse_ = clone(self.coarse).fit(X, y)
            self.fine_ = None
            return self

        self.merged_label_ = self._merged_label(self.confusable_)
        codes = [self.classes_.tolist().index(c) for c in self.confusable_]
        in_set = np.isin(y_codes, codes)
        # int64 leaves room for max + 1 (e.g. uint8 labels); np.where widens a
        # fixed-width string dtype ("<U3") to hold a longer merged label
        y_coarse = y.astype(np.int64) if y.dtype.kind in "iu" else y
        y_coarse = np.where(in_set, self.merged_label_, y_coarse)
        self.coarse_ = clone(self.coarse).fit(X, y_coarse)
        idx = np.flatnonzero(in_set)
        self.fine_ = clone(self.fine).fit(_take(X, idx), y[idx])
        return self

    # -------------------------------------------------------------- predict
    def _routed(self, coarse_pred: np.ndarray) -> np.ndarray:
        return np.asarray(
            [p == self.merged_label_ for p in coarse_pred.tolist()], dtype=bool
        )

    def predict(self, X: Any) -> np.ndarray:
        """Coarse prediction; samples predicted as the merged class go to ``fine_``.

        Parameters
        ----------
        X : array-like, list or object array of utterances
            As in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Classes of ``classes_``.
        """
        check_is_fitted(self)
        if self.fine_ is None:
            return self.coarse_.predict(X)
        coarse_pred = np.asarray(self.coarse_.predict(X))
        routed = self._routed(coarse_pred)
        out = np.empty(len(coarse_pred), dtype=self.classes_.dtype)
        out[~routed] = coarse_pred[~routed]
        if routed.any():
            idx = np.flatnonzero(routed)
            out[idx] = np.asarray(self.fine_.predict(_take(X, idx)))
        return out

    @available_if(_sub_estimators_have("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Composed class probabilities, columns in ``classes_`` order.

        ``P(c) = P_coarse(c)`` for a class outside the confusable set,
        ``P(k) = P_coarse(merged) * P_fine(k)`` for a class ``k`` in it.

        Parameters
        ----------
        X : array-like, list or object array of utterances
            As in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one.
        """
        check_is_fitted(self)
        column = {c: i for i, c in enumerate(self.classes_.tolist())}
        p_coarse = np.asarray(self.coarse_.predict_proba(X), dtype=np.float64)
        proba = np.zeros((p_coarse.shape[0], len(self.classes_)), dtype=np.float64)
        merged = None
        for j, c in enumerate(self.coarse_.classes_.tolist()):
            if self.fine_ is not None and c == self.merged_label_:
                merged = p_coarse[:, j]
            else:
                proba[:, column[c]] = p_coarse[:, j]
        if self.fine_ is not None:
            p_fine = np.asarray(self.fine_.predict_proba(X), dtype=np.float64)
            for j, c in enumerate(self.fine_.classes_.tolist()):
                proba[:, column[c]] = merged * p_fine[:, j]  # li2021 §5.2: P(S) P(k|S)
        return proba

    @available_if(_sub_estimators_have("predict_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    # ------------------------------------------------------------ delegated
    @property
    def n_features_in_(self) -> int:
        """Number of features seen by ``coarse_``."""
        return self.coarse_.n_features_in_

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Feature names seen by ``coarse_``."""
        return self.coarse_.feature_names_in_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        coarse, fine = get_tags(self.coarse), get_tags(self.fine)
        tags.input_tags.two_d_array = coarse.input_tags.two_d_array
        tags.input_tags.three_d_array = coarse.input_tags.three_d_array
        tags.input_tags.sparse = coarse.input_tags.sparse and fine.input_tags.sparse
        tags.input_tags.allow_nan = (
            coarse.input_tags.allow_nan and fine.input_tags.allow_nan
        )
        tags.input_tags.string = coarse.input_tags.string and fine.input_tags.string
        tags.non_deterministic = coarse.non_deterministic or fine.non_deterministic
        return tags
