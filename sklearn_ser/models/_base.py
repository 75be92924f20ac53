"""`SERClassifier`: a skorch ``NeuralNetClassifier`` whose sample is the utterance.

What the loss needs it declares itself (:mod:`sklearn_ser.losses`), what the module
needs from the data the module declares (:mod:`sklearn_ser.nn`); callbacks live in
``_callbacks.py``, segmenting and the input conversion in ``_segments.py``, the
parameter constraints in ``_params.py``.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from sklearn.base import TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier

from sklearn_ser.losses import loss_contract
from sklearn_ser.utils._docs import fill_doc
from sklearn_ser.utils._random import torch_rng

from ._inference import DeferredOptimizerMixin
from ._interrupt import PropagateInterruptMixin
from ._mixup import MIXUP_PARAMS_DOC, MixupMixin
from ._net import RUNTIME_PARAMS_DOC, UtteranceNet
from ._params import (
    SER_CLASSIFIER_CONSTRAINTS,
    check_known_labels,
    class_weight_vector,
)
from ._sampling import warn_single_utterance_classes
from ._segments import (
    SegmentDataset,
    as_utterances,
    check_segment_length,
    encode_labels,
    pool_segments,
)
from ._split import SpeakerValidationMixin

__all__ = ["SERClassifier"]


@fill_doc(runtime_params=RUNTIME_PARAMS_DOC, mixup_params=MIXUP_PARAMS_DOC)
class SERClassifier(TransformerMixin, PropagateInterruptMixin, DeferredOptimizerMixin,
                    MixupMixin, SpeakerValidationMixin, UtteranceNet):
    """A skorch classifier over utterances: segments in, utterance decisions out.

    The scikit-learn sample is the utterance, as everywhere in sklearn_ser: ``fit``
    cuts each utterance's ``(C, F, T_i)`` features into segments of
    ``segment_frames`` frames every ``train_hop`` frames, trains the torch module on
    the segments, and ``predict_proba`` averages the class probabilities of an
    utterance's segments taken every ``test_hop`` frames (liu2021 §3.1, liu2023
    §3.1). ``transform`` returns utterance embeddings (mean of segment embeddings).

    Parameters
    ----------
    module : torch.nn.Module class
        A module that follows the contract of :class:`sklearn_ser.nn.SERModule`
        (``(logits, embedding)`` out; the sizes from the data, named in its
        ``data_params``, filled in at fit time). Other arguments go through
        ``module__<name>``. Pass the class, not an instance (clones would share
        weights).
    loss : {"ce", "joint", "focal", "ams"}, default="ce"
        A name of :data:`sklearn_ser.losses.LOSSES`: cross-entropy; joint triplet +
        cross-entropy (liu2021, liu2023; tune ``criterion__alpha``,
        ``criterion__margin``); focal loss (zhou; ``criterion__gamma``,
        ``criterion__alpha``); additive-margin softmax (zhou; ``criterion__scale``,
        ``criterion__margin``). What a loss needs (balanced batches, a cosine head,
        its probabilities) it declares (:class:`sklearn_ser.losses.SERLoss`).
    criterion : torch.nn.Module class, default=None
        Overrides ``loss`` with a criterion of your own; it receives the module's
        ``(logits, embedding)`` output and integer targets. Derive it from
        :class:`~sklearn_ser.losses.SERLoss` to declare what it needs.
    loss_params : dict or None, default=None
        Per-loss default arguments of the criterion, ``{loss name: {argument:
        value}}``, applied when ``loss`` names that loss; explicit
        ``criterion__<name>`` parameters take precedence. The paper estimators keep
        their papers' settings here (e.g. liu2023's Euclidean, batch-hard triplets).
    optimizer : torch optimizer class, default=torch.optim.Adam
        liu2021/liu2023: Adam.
    optimizer__lr : float, default=1e-4
        Learning rate (liu2021 §3.1, liu2023 §3.1). Set it under this name; skorch's
        plain ``lr`` is overridden by it.
    optimizer__weight_decay : float, default=1e-6
        Weight decay (liu2021, liu2023).
    max_epochs : int, default=30
        Training epochs.
    batch_size : int, default=32
        Segments per batch.
    segment_frames : int or None, default=200
        Segment length in frames (2 s at a 10 ms hop). ``None`` trains and predicts
        on whole utterances, padded to the longest of the call.
    train_hop : int, default=100
        Shift between training segments (1 s).
    test_hop : int, default=40
        Shift between segments at prediction time (0.4 s, i.e. 1.6 s overlap).
    aggregate : {"mean", "max"}, default="mean"
        How segment probabilities make the utterance's (``"max"`` renormalises).
    pad_value : float, default=0.0
        Padding for utterances shorter than a segment.
    batch_sampler : {"auto", "random", "m_per_class"}, default="auto"
        ``"m_per_class"`` draws class-balanced batches of ``m_per_class`` segments
        per class so that triplet mining finds positives; ``"auto"`` uses it when
        the loss declares ``needs_balanced_batches`` and random batches otherwise.
    m_per_class : int, default=8
        Segments per class in a class-balanced batch, which holds
        ``batch_size // m_per_class`` classes (all of them when there are fewer), so
        ``batch_size`` must be at least ``2 * m_per_class``.
    class_weight : {"balanced"} or dict or None, default=None
        Class weights of the cross-entropy/focal/AMS terms; ``"balanced"`` uses
        ``n_samples / (n_classes * count)`` over the training utterances.
    early_stopping : int or None, default=None
        Patience in epochs of early stopping on the validation loss (zhou: 10;
        kumar: 15). The validation set is ``validation_fraction`` of the training
        *utterances*, stratified, so no utterance is split between the two.
    early_stopping_threshold : float, default=5e-4
        Minimum improvement of the validation loss (kumar: 5e-4).
    validation_fraction : float, default=0.1
        Share of training utterances held out when ``early_stopping`` is set.
    lr_schedule : {None, "linear"}, default=None
        ``"linear"`` decays the learning rate linearly from ``optimizer__lr`` to a
        tenth of it at the last epoch (kumar §IV-A3: 0.05 to 0.005).
    %(mixup_params)s
    random_state : int or None, default=None
        Seeds weight initialisation, dropout, shuffling and the batch sampler;
        the global torch RNG is left as it was. Same seed, same model.
    iterator_train__shuffle : bool, default=True
        Shuffle random training batches.
    train_split : None or SpeakerSplit, default=None
        skorch's own split is off (it would put segments of an utterance on both
        sides); :class:`SpeakerSplit` holds out whole speakers (``speaker=``).
    verbose : int, default=0
        0 silent (use this inside searches); 1 a line per epoch with the losses,
        ``segments_per_s`` and ``active_triplets``; 2 adds a progress bar per epoch
        counting segments (its rate is segments/s) with the running loss.
    %(runtime_params)s
    **kwargs
        Other skorch parameters (``module__*``, ``criterion__*``, ``optimizer__*``,
        ``callbacks``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (any type ``LabelEncoder`` takes, strings included).
    n_features_in_ : int
        Features per frame seen in fit (``F``).
    feature_shape_ : tuple of int
        ``(C, F)`` of the training utterances.
    device_ : str
        The device the network was trained on (``device`` with ``"auto"``
        resolved).
    n_threads_ : int
        CPU threads ``fit`` ran with (``n_jobs`` resolved).
    module_, criterion_, optimizer_, history_
        skorch's fitted objects; ``history_`` has ``train_loss``,
        ``segments_per_s`` and, with a triplet term, ``active_triplets`` per epoch.

    See Also
    --------
    sklearn_ser.models.CNNLSTMClassifier : liu2021's model with these defaults.

    Notes
    -----
    Input is what :mod:`sklearn_ser.features` returns: an object array of
    ``(C, F, T_i)`` float arrays, or a dense ``(n, C, F, T)`` array; ``(n, F, T)``
    is read as one channel and 2-D tabular ``(n, F)`` input as one-frame utterances.
    """

    _parameter_constraints: dict = {
        **SER_CLASSIFIER_CONSTRAINTS,
        "device": [str, torch.device, None],
        "n_jobs": [Interval(Integral, None, -1, closed="right"),
                   Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "mixed_precision": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        module,
        *,
        loss: str = "ce",
        criterion=None,
        loss_params: dict | None = None,
        optimizer=torch.optim.Adam,
        optimizer__lr: float = 1e-4,
        optimizer__weight_decay: float = 1e-6,
        max_epochs: int = 30,
        batch_size: int = 32,
        segment_frames: int | None = 200,
        train_hop: int = 100,
        test_hop: int = 40,
        aggregate: str = "mean",
        pad_value: float = 0.0,
        batch_sampler: str = "auto",
        m_per_class: int = 8,
        class_weight=None,
        early_stopping: int | None = None,
        early_stopping_threshold: float = 5e-4,
        validation_fraction: float = 0.1,
        lr_schedule: str | None = None,
        random_state: int | None = None,
        iterator_train__shuffle: bool = True,
        train_split=None,
        verbose: int = 0,
        device: str = "cpu",
        n_jobs: int | None = None,
        mixed_precision="auto",
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            optimizer__lr=optimizer__lr,
            optimizer__weight_decay=optimizer__weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            iterator_train__shuffle=iterator_train__shuffle,
            train_split=train_split,
            verbose=verbose,
            device=device,
            **kwargs,
        )
        self.loss = loss
        self.loss_params = loss_params
        self.segment_frames = segment_frames
        self.train_hop = train_hop
        self.test_hop = test_hop
        self.aggregate = aggregate
        self.pad_value = pad_value
        self.batch_sampler = batch_sampler
        self.m_per_class = m_per_class
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.early_stopping_threshold = early_stopping_threshold
        self.validation_fraction = validation_fraction
        self.lr_schedule = lr_schedule
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.mixed_precision = mixed_precision

    # ------------------------------------------------------------------- fit
    def fit(self, X, y, **fit_params):
        """Fit the network on the segments of the training utterances.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.
        y : array-like of shape (n_utterances,)
            Emotion labels (strings or integers).
        **fit_params : dict
            ``speaker`` (one label per utterance) for ``train_split=SpeakerSplit``;
            the rest go to skorch's ``fit`` (and the module's ``forward``).

        Returns
        -------
        self : SERClassifier
        """
        name = type(self).__name__
        self._check_params()
        items = as_utterances(X, name=name)
        self.label_encoder_, y_enc = encode_labels(y, items, name=name)
        if loss_contract(self._criterion_class()).needs_balanced_batches:
            warn_single_utterance_classes(y_enc, self.classes_, name=name)
        self.n_features_in_ = int(items[0].shape[1])
        self.feature_shape_ = tuple(int(s) for s in items[0].shape[:2])
        frames = self.segment_frames or max(a.shape[-1] for a in items)
        self.segment_length_ = int(frames)
        self.class_weight_ = class_weight_vector(
            self.class_weight, self.classes_, y_enc, name=name
        )
        rng = np.random.default_rng(self.random_state)
        self.seed_ = int(rng.integers(2**31 - 1))
        data = self._training_data(items, y_enc, rng, fit_params.pop("speaker", None))
        with self._runtime() as n_threads, torch_rng(self.seed_, name=name):
            self.device_, self.n_threads_ = str(self.device), n_threads
            self._fit_segments(data, **fit_params)
        return self

    def _fit_segments(self, data: SegmentDataset, **fit_params):
        """Train on the segments (skorch's ``fit``); subclasses change the schedule."""
        if not self.warm_start or not self.initialized_:
            self.initialize()
        check_segment_length(self.module_, length=self.segment_length_,
                             segment_frames=self.segment_frames, name=type(self).__name__)
        NeuralNetClassifier.partial_fit(self, data, data.y, **fit_params)

    def partial_fit(self, X, y, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs on ``X`` (fit first if unfitted).

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.
        y : array-like of shape (n_utterances,)
            Labels among ``classes_``.
        classes : array-like, default=None
            Ignored; the classes are those of the first ``fit``.
        **fit_params : dict
            Passed to skorch's ``partial_fit``.

        Returns
        -------
        self : SERClassifier
        """
        if not self.__sklearn_is_fitted__():
            return self.fit(X, y, **fit_params)
        name = type(self).__name__
        items = as_utterances(X, name=name, feature_shape=self.feature_shape_)
        _, y_enc = encode_labels(y, items, name=f"{name}.partial_fit",
                                 encoder=self.label_encoder_)
        # as in fit: with early stopping, utterances of this call are held out
        seed = self.seed_ + len(self.history)
        data = self._training_data(items, y_enc, np.random.default_rng(seed),
                                   fit_params.pop("speaker", None))
        with self._runtime(), torch_rng(seed, name=name):
            NeuralNetClassifier.partial_fit(self, data, data.y, **fit_params)
        return self

    # --------------------------------------------------------------- predict
    def _forward_segments(self, X):
        check_is_fitted(self)
        name = type(self).__name__
        items = as_utterances(X, name=name, feature_shape=self.feature_shape_)
        seg, owner = self._segments(items, hop=self.test_hop)
        # DataLoader draws its base seed from the global generator: leave it as it was.
        with self._runtime(), torch_rng(name=name):
            logits, embedding = self._split_output(self.forward(seg, training=False))
        return logits, embedding, owner, len(items)

    def predict_proba(self, X):
        """Class probabilities per utterance: the mean over its segments.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.

        Returns
        -------
        proba : ndarray of shape (n_utterances, n_classes)
            Columns in the order of ``classes_``; each segment's probabilities are
            the loss's (:meth:`sklearn_ser.losses.SERLoss.proba`).
        """
        logits, _, owner, n = self._forward_segments(X)
        with torch.no_grad():
            proba = loss_contract(self.criterion_).proba(logits).cpu().numpy()
        pooled = pool_segments(proba, owner, n, how=self.aggregate)
        if self.aggregate == "max":
            pooled /= pooled.sum(axis=1, keepdims=True)
        return pooled.astype(np.float32)

    def predict(self, X):
        """Most probable class of each utterance (labels from ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def transform(self, X):
        """Utterance embeddings: the mean of the segment embeddings.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.

        Returns
        -------
        embeddings : ndarray of shape (n_utterances, embedding_dim), dtype float32
        """
        _, embedding, owner, n = self._forward_segments(X)
        emb = embedding.detach().cpu().numpy()
        return pool_segments(emb, owner, n, how="mean").astype(np.float32)

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then return the training utterances' embeddings."""
        return self.fit(X, y, **fit_params).transform(X)

    def score(self, X, y, sample_weight=None):
        """Accuracy (WA) on ``X``; labels unseen in fit raise a ValueError."""
        check_is_fitted(self)
        y = check_known_labels(y, self.classes_, name=f"{type(self).__name__}.score")
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
