"""`SERClassifier`: a skorch ``NeuralNetClassifier`` whose sample is the utterance."""

from __future__ import annotations

import inspect
from functools import partial
import time
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    EpochTimer,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import Dataset
from torch.utils.data import DataLoader

from sklearn_ser.losses import LOSSES, get_loss, loss_contract
from sklearn_ser.utils._validation import (
    check_consistent_length,
    check_features,
    check_labels,
)

from ._sampling import MPerClassBatchSampler
from ._segments import pool_segments, segment_utterances

__all__ = ["SERClassifier"]

def _accepts(obj: Any, name: str) -> bool:
    """Whether a class/callable takes keyword ``name`` (or ``**kwargs``)."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )


def _linear_decay(epoch: int, *, last: int) -> float:
    """Learning-rate factor falling linearly from 1 to 0.1 (kumar: 0.05 -> 0.005)."""
    return 1.0 - 0.9 * min(epoch, last) / last


class _TrainingStats(Callback):
    """Records training throughput (segments/s) and the fraction of active triplets."""

    def on_epoch_begin(self, net, **kwargs):
        self.n_, self.seconds_, self.active_ = 0, 0.0, []

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.t0_ = time.perf_counter()

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if not training:
            return
        self.seconds_ += time.perf_counter() - self.t0_
        self.n_ += len(batch[0])
        frac = getattr(net.criterion_, "fraction_active_", None)
        if frac is not None:
            self.active_.append(float(frac))

    def on_epoch_end(self, net, **kwargs):
        net.history.record("segments", self.n_)
        net.history.record("segments_per_s", self.n_ / max(self.seconds_, 1e-9))
        if self.active_:
            net.history.record("active_triplets", float(np.mean(self.active_)))


class _SegmentProgressBar(Callback):
    """A tqdm bar per epoch counting training segments, so its rate is segments/s
    (skorch's ``ProgressBar`` counts batches, whose size varies here)."""

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        import sys

        from tqdm.auto import tqdm

        total = len(dataset_train) if dataset_train is not None else None
        self.bar_ = tqdm(total=total, desc=f"epoch {len(net.history)}", unit="seg",
                         file=sys.stderr, leave=False, dynamic_ncols=True)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training and getattr(self, "bar_", None) is not None:
            self.bar_.update(len(batch[0]))
            loss = kwargs.get("loss")
            if loss is not None:
                self.bar_.set_postfix(train_loss=f"{float(loss.detach()):.4f}", refresh=False)

    def on_epoch_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is not None:
            bar.total = bar.n  # class-balanced epochs may draw a few more or less
            bar.refresh()  # the epoch's final count, rate and loss, however short
            bar.close()
            self.bar_ = None


class SERClassifier(TransformerMixin, NeuralNetClassifier):
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
        A module whose ``forward`` returns ``(logits, embedding)``. Pass the class,
        not an instance, so clones do not share weights. Constructor arguments that
        depend on the data — ``n_classes``, ``n_features``, ``in_channels`` and
        ``n_frames`` — are filled in at fit time when the module takes them;
        others go through ``module__<name>``.
    loss : {"ce", "joint", "focal", "ams"}, default="ce"
        Criterion: cross-entropy; joint triplet + cross-entropy (liu2021, liu2023;
        tune ``criterion__alpha``, ``criterion__margin``); focal loss (zhou;
        ``criterion__gamma``, ``criterion__alpha``); additive-margin softmax
        (zhou; ``criterion__scale``, ``criterion__margin``), which also switches the
        module to its cosine head (``module__head="cosine"``).
    criterion : torch.nn.Module class, default=None
        Overrides ``loss`` with a criterion of your own; it receives the module's
        ``(logits, embedding)`` output and integer targets.
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
        per class so that triplet mining finds positives; ``"auto"`` uses it for
        losses with a triplet term and random batches otherwise.
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
    random_state : int or None, default=None
        Seeds weight initialisation, dropout, shuffling and the batch sampler;
        the global torch RNG is left as it was. Same seed, same model.
    iterator_train__shuffle : bool, default=True
        Shuffle random training batches.
    train_split : None, default=None
        skorch's internal split is off (it would split segments of one utterance
        across train and validation); use ``early_stopping`` instead.
    verbose : int, default=0
        0 silent (use this inside searches); 1 a line per epoch with the losses,
        ``segments_per_s`` and ``active_triplets``; 2 adds a progress bar per epoch
        counting segments (its rate is segments/s) with the running loss.
    device : str, default="cpu"
        Torch device.
    compile : bool, default=False
        skorch's switch: :func:`torch.compile` the network when it is initialised
        (``compile__*`` parameters go to ``torch.compile``); the loss stays eager
        (see :meth:`torch_compile`). Opt-in: on CPU it needs a C++ compiler, the
        first fit of a process compiles for 15-35 s (inductor keeps its kernels in
        a disk cache, so later processes compile faster), and predictions match
        the eager network's to rounding. Measured with
        ``benchmarks/bench_training.py --compile``: training 1.46x faster on one
        thread, 1.16x on two, inference about 2.6x.
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

    def __init__(
        self,
        module,
        *,
        loss: str = "ce",
        criterion=None,
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

    # ------------------------------------------------------------------ params
    def _check_params(self) -> None:
        name = type(self).__name__
        if self.criterion is None and self.loss not in LOSSES:
            raise ValueError(
                f"{name}: loss must be one of {tuple(LOSSES)} (or pass criterion=), got "
                f"{self.loss!r}"
            )
        if self.segment_frames is not None and (
            not isinstance(self.segment_frames, (int, np.integer))
            or self.segment_frames < 1
        ):
            raise ValueError(
                f"{name}: segment_frames must be a positive int or None, got "
                f"{self.segment_frames!r}"
            )
        for hop_name in ("train_hop", "test_hop"):
            hop = getattr(self, hop_name)
            if not isinstance(hop, (int, np.integer)) or hop < 1:
                raise ValueError(f"{name}: {hop_name} must be a positive int, got {hop!r}")
        if self.aggregate not in ("mean", "max"):
            raise ValueError(
                f"{name}: aggregate must be 'mean' or 'max', got {self.aggregate!r}"
            )
        if self.batch_sampler not in ("auto", "random", "m_per_class"):
            raise ValueError(
                f"{name}: batch_sampler must be 'auto', 'random' or 'm_per_class', got "
                f"{self.batch_sampler!r}"
            )
        if not isinstance(self.m_per_class, (int, np.integer)) or self.m_per_class < 2:
            raise ValueError(
                f"{name}: m_per_class must be an int >= 2 (an anchor needs a positive), "
                f"got {self.m_per_class!r}"
            )
        if self._uses_m_per_class() and int(self.batch_size) < 2 * int(self.m_per_class):
            raise ValueError(
                f"{name}: class-balanced batches hold m_per_class segments of at least "
                f"2 classes, so batch_size must be >= 2 * m_per_class; got "
                f"batch_size={self.batch_size!r}, m_per_class={self.m_per_class!r}"
            )
        if self.early_stopping is not None and (
            not isinstance(self.early_stopping, (int, np.integer))
            or self.early_stopping < 1
        ):
            raise ValueError(
                f"{name}: early_stopping must be a patience in epochs (int >= 1) or "
                f"None, got {self.early_stopping!r}"
            )
        if not 0.0 < float(self.validation_fraction) < 1.0:
            raise ValueError(
                f"{name}: validation_fraction must be in (0, 1), got "
                f"{self.validation_fraction!r}"
            )
        if self.lr_schedule not in (None, "linear"):
            raise ValueError(
                f"{name}: lr_schedule must be None or 'linear', got {self.lr_schedule!r}"
            )
        if not (self.class_weight is None or self.class_weight == "balanced"
                or isinstance(self.class_weight, dict)):
            raise ValueError(
                f"{name}: class_weight must be None, 'balanced' or a dict, got "
                f"{self.class_weight!r}"
            )

    def _criterion_class(self):
        """The criterion class: ``criterion``, or the class ``loss`` names."""
        return self.criterion if self.criterion is not None else get_loss(self.loss)

    def _has_triplet_term(self) -> bool:
        """Whether the loss declares that it needs class-balanced batches (in-batch
        triplet mining)."""
        return loss_contract(self._criterion_class()).needs_balanced_batches

    def _uses_m_per_class(self) -> bool:
        if self.batch_sampler == "auto":
            return self._has_triplet_term()
        return self.batch_sampler == "m_per_class"

    # ------------------------------------------------------------- skorch hooks
    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("training_stats", _TrainingStats()),
        ]
        if self.early_stopping is not None:
            callbacks.append((
                "early_stopping",
                EarlyStopping(
                    monitor="valid_loss",
                    patience=self.early_stopping,
                    threshold=self.early_stopping_threshold,
                    threshold_mode="abs",
                    load_best=True,
                ),
            ))
        if self.lr_schedule == "linear":
            epochs = self._schedule_epochs()
            # parameters are validated in fit, not here (set_params builds callbacks)
            last = max(int(epochs) - 1, 1) if isinstance(epochs, (int, np.integer)) else 1
            callbacks.append((
                "lr_schedule",
                LRScheduler(
                    policy=torch.optim.lr_scheduler.LambdaLR,
                    lr_lambda=partial(_linear_decay, last=last),
                ),
            ))
        if isinstance(self.verbose, (int, np.integer)) and self.verbose >= 2:
            callbacks.append(("progress_bar", _SegmentProgressBar()))
        callbacks.append(("print_log", PrintLog()))
        return callbacks

    @property
    def classes_(self):
        if not hasattr(self, "label_encoder_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call 'fit' "
                "first."
            )
        return self.label_encoder_.classes_

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "label_encoder_") and bool(getattr(self, "initialized_", False))

    # Paper defaults of a subclass that are not constructor parameters of the
    # estimator: module keyword arguments, and criterion keyword arguments per loss.
    # Explicit ``module__*`` / ``criterion__*`` parameters take precedence.
    _module_defaults: dict = {}
    _criterion_defaults: dict = {}

    def initialize_module(self):
        defaults = {
            k: v for k, v in self._module_defaults.items() if _accepts(self.module, k)
        }
        kwargs = {**defaults, **self.get_params_for("module")}
        if inspect.isclass(self.module) and hasattr(self, "feature_shape_"):
            data_kwargs = {
                "n_classes": len(self.classes_),
                "in_channels": self.feature_shape_[0],
                "n_features": self.feature_shape_[1],
                "n_frames": self.segment_length_,
            }
            for key, value in data_kwargs.items():
                if key not in kwargs and _accepts(self.module, key):
                    kwargs[key] = value
            head = loss_contract(self._criterion_class()).head
            if head != "linear" and "head" not in kwargs and _accepts(self.module, "head"):
                kwargs["head"] = head
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        if self.criterion is None:
            kwargs = {**self._criterion_defaults.get(self.loss, {}), **kwargs}
        criterion = self._criterion_class()
        weight = getattr(self, "class_weight_", None)
        if (
            weight is not None
            and "weight" not in kwargs
            and loss_contract(criterion).accepts_class_weight
        ):
            kwargs["weight"] = torch.as_tensor(weight, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(criterion, kwargs)
        return self

    def torch_compile(self, module, name):
        """With ``compile=True``, :func:`torch.compile` the network only.

        The losses are left as they are: they check their targets and count the
        active triplets with data-dependent Python (``int(tensor)``), which would
        break the compiled graph at every batch, and they are a small part of the
        work. ``compile__*`` parameters go to :func:`torch.compile`.
        """
        if name == "criterion":
            return module
        return super().torch_compile(module, name)

    def get_split_datasets(self, X, y=None, **fit_params):
        valid = getattr(self, "valid_data_", None)
        if valid is None:
            return super().get_split_datasets(X, y, **fit_params)
        return self.get_dataset(X, y), self.get_dataset(*valid)

    def get_iterator(self, dataset, training=False):
        if training and self._uses_m_per_class() and isinstance(dataset, Dataset):
            sampler = MPerClassBatchSampler(
                np.asarray(dataset.y),
                m=int(self.m_per_class),
                batch_size=int(self.batch_size),
                seed=int(self.seed_) + 1,
            )
            kwargs = {
                k: v
                for k, v in self.get_params_for("iterator_train").items()
                if k not in ("shuffle", "batch_size", "sampler", "drop_last")
            }
            return DataLoader(dataset, batch_sampler=sampler, **kwargs)
        return super().get_iterator(dataset, training=training)

    # ------------------------------------------------------------------- data
    def _validate_X(self, X, *, fitting: bool) -> list[np.ndarray]:
        name = type(self).__name__
        if sp.issparse(X):
            raise TypeError(
                f"{name}: sparse input is not supported; pass dense features "
                "(X.toarray()) or per-utterance (C, F, T) arrays"
            )
        if not isinstance(X, np.ndarray) and not isinstance(X, (str, bytes)):
            try:
                first = X[0] if len(X) else None
            except (TypeError, KeyError):
                first = None
            if first is None or np.ndim(first) <= 1:
                X = np.asarray(X)  # rows of a table, or an array-like
        if isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype != object:
            raise ValueError(
                f"{name}: expected 2D array (tabular rows) or per-utterance features, "
                f"got 1D array instead: Reshape your data either using "
                "array.reshape(-1, 1) if your data has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
        if isinstance(X, np.ndarray) and X.ndim == 2:
            if X.dtype == object:
                X = X.astype(np.float64)
            if X.shape[1] == 0:
                raise ValueError(
                    f"{name}: 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                    "required."
                )
            if not fitting and X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {name} is expecting "
                    f"{self.n_features_in_} features as input."
                )
            X = X[:, None, :, None]  # tabular rows: one-frame utterances
        kwargs: dict = {"name": name}
        if not fitting:
            kwargs.update(n_channels=self.feature_shape_[0], n_features=self.feature_shape_[1])
        items, _ = check_features(X, **kwargs)
        return items

    def _segments(self, items, *, hop):
        length = self.segment_length_ if hasattr(self, "segment_length_") else None
        return segment_utterances(items, length=length, hop=hop, pad_value=self.pad_value)

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
            Passed to skorch's ``fit`` (and the module's ``forward``).

        Returns
        -------
        self : SERClassifier
        """
        name = type(self).__name__
        self._check_params()
        if y is None:
            raise ValueError(
                f"{name} requires y to be passed, but the target y is None"
            )
        items = self._validate_X(X, fitting=True)
        y = check_labels(y, name=name)
        check_classification_targets(y)
        check_consistent_length(items, y, name=name)
        self.label_encoder_ = LabelEncoder().fit(y)
        y_enc = self.label_encoder_.transform(y).astype(np.int64)
        counts = np.bincount(y_enc, minlength=len(self.classes_))
        if len(self.classes_) < 2:
            raise ValueError(
                f"{name}: y has 1 class ({self.classes_[0]!r}); a classifier needs "
                "samples of at least 2 classes"
            )
        if self._has_triplet_term() and np.any(counts < 2):
            lonely = self.classes_[counts < 2].tolist()
            warnings.warn(
                f"{name}: classes {lonely} have a single utterance; their segments "
                "have no positive from another utterance in the triplet term",
                UserWarning,
                stacklevel=2,
            )
        self.n_features_in_ = int(items[0].shape[1])
        self.feature_shape_ = tuple(int(s) for s in items[0].shape[:2])
        self.segment_length_ = (
            int(self.segment_frames)
            if self.segment_frames is not None
            else int(max(a.shape[-1] for a in items))
        )
        self.class_weight_ = self._compute_class_weight(y_enc)
        rng = np.random.default_rng(self.random_state)
        self.seed_ = int(rng.integers(2**31 - 1))

        seg, seg_y = self._training_segments(items, y_enc, rng)
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.seed_)
                self._fit_segments(seg, seg_y, **fit_params)
        finally:
            self.valid_data_ = None
        return self

    def _training_segments(self, items, y_enc, rng):
        """Training segments and their labels; with ``early_stopping``, utterances
        held out (drawn with ``rng``) become ``valid_data_``, cut the same way."""
        train_idx = np.arange(len(items))
        self.valid_data_ = None
        if self.early_stopping is not None:
            train_idx, valid_idx = self._validation_split(y_enc, rng)
            v_seg, v_owner = self._segments([items[i] for i in valid_idx], hop=self.train_hop)
            self.valid_data_ = (v_seg, y_enc[valid_idx][v_owner])
        seg, owner = self._segments([items[i] for i in train_idx], hop=self.train_hop)
        return seg, y_enc[train_idx][owner]

    def _fit_segments(self, seg, seg_y, **fit_params):
        """Train on the segments (skorch's ``fit``); subclasses change the schedule."""
        if not self.warm_start or not self.initialized_:
            self.initialize()
        self._check_segment_length()
        NeuralNetClassifier.partial_fit(self, seg, seg_y, **fit_params)

    def _check_segment_length(self) -> None:
        """Segments too short for the network: say so in the estimator's terms
        (``segment_frames``) before the first forward pass."""
        need = getattr(self.module_, "min_frames", 1)
        if isinstance(need, (int, np.integer)) and self.segment_length_ < need:
            what = (
                f"segment_frames={self.segment_frames}"
                if self.segment_frames is not None
                else f"the longest utterance ({self.segment_length_} frames)"
            )
            raise ValueError(
                f"{type(self).__name__}: {type(self.module_).__name__} needs segments "
                f"of at least {need} frames, but {what} gives "
                f"{self.segment_length_}; raise segment_frames (or use longer "
                "utterances / a smaller hop)"
            )

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
        items = self._validate_X(X, fitting=False)
        y = check_labels(y, name=name)
        check_consistent_length(items, y, name=name)
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"{name}.partial_fit: y contains labels unseen in fit: {unseen.tolist()}"
            )
        y_enc = self.label_encoder_.transform(y).astype(np.int64)
        # as in fit: with early stopping, utterances of this call are held out
        seed = self.seed_ + len(self.history)
        seg, seg_y = self._training_segments(items, y_enc, np.random.default_rng(seed))
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                NeuralNetClassifier.partial_fit(self, seg, seg_y, **fit_params)
        finally:
            self.valid_data_ = None
        return self

    def _schedule_epochs(self):
        """Epochs over which ``lr_schedule="linear"`` decays."""
        return self.max_epochs

    def _compute_class_weight(self, y_enc):
        if self.class_weight is None:
            return None
        classes = np.arange(len(self.classes_))
        if self.class_weight == "balanced":
            return compute_class_weight("balanced", classes=classes, y=y_enc).astype(np.float32)
        unknown = set(self.class_weight) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: class_weight names classes not in y: "
                f"{sorted(map(str, unknown))}"
            )
        return np.array(
            [float(self.class_weight.get(c, 1.0)) for c in self.classes_], dtype=np.float32
        )

    def _validation_split(self, y_enc, rng):
        from sklearn.model_selection import train_test_split

        idx = np.arange(len(y_enc))
        counts = np.bincount(y_enc)
        stratify = y_enc if counts.min() >= 2 else None
        n_valid = max(int(round(self.validation_fraction * len(idx))), len(counts))
        if n_valid >= len(idx):
            raise ValueError(
                f"{type(self).__name__}: too few utterances ({len(idx)}) to hold out a "
                "validation set for early stopping"
            )
        train_idx, valid_idx = train_test_split(
            idx,
            test_size=n_valid,
            stratify=stratify,
            random_state=int(rng.integers(2**31 - 1)),
        )
        return np.sort(train_idx), np.sort(valid_idx)

    # --------------------------------------------------------------- predict
    def _forward_segments(self, X):
        check_is_fitted(self)
        items = self._validate_X(X, fitting=False)
        seg, owner = self._segments(items, hop=self.test_hop)
        # DataLoader draws its base seed from the global generator: leave it as it was.
        with torch.random.fork_rng(devices=[]):
            logits, embedding = self._split_output(self.forward(seg, training=False))
        return logits, embedding, owner, len(items)

    @staticmethod
    def _split_output(output):
        if isinstance(output, (tuple, list)):
            return output[0], output[1] if len(output) > 1 else output[0]
        return output, output

    def _logits_to_proba(self, logits: torch.Tensor) -> torch.Tensor:
        return loss_contract(self.criterion_).proba(logits)

    def predict_proba(self, X):
        """Class probabilities per utterance: the mean over its segments.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.

        Returns
        -------
        proba : ndarray of shape (n_utterances, n_classes)
            Columns in the order of ``classes_``.
        """
        logits, _, owner, n = self._forward_segments(X)
        with torch.no_grad():
            proba = self._logits_to_proba(logits).cpu().numpy()
        pooled = pool_segments(proba, owner, n, how=self.aggregate)
        if self.aggregate == "max":
            pooled /= pooled.sum(axis=1, keepdims=True)
        return pooled.astype(np.float32)

    def predict(self, X):
        """Most probable class of each utterance.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.

        Returns
        -------
        y_pred : ndarray of shape (n_utterances,)
            Labels from ``classes_``.
        """
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
        """Accuracy (WA) on ``X``; labels unseen in fit raise a ValueError.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.
        y : array-like of shape (n_utterances,)
            True labels.
        sample_weight : array-like of shape (n_utterances,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        from sklearn.metrics import accuracy_score

        check_is_fitted(self)
        y = check_labels(y, name=type(self).__name__)
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"{type(self).__name__}.score: y contains labels unseen in fit: "
                f"{unseen.tolist()} (classes seen: {self.classes_.tolist()})"
            )
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
