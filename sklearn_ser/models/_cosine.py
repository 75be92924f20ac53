"""kumar's cosine-embedding classifier: softmax pre-training, triplet fine-tuning,
classification by the smallest angle to a class embedding."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier

from sklearn_ser.losses import TripletLoss
from sklearn_ser.nn import ResNet1D

from ._callbacks import linear_decay_schedule
from ._classifiers import ResNetEmbeddingClassifier

__all__ = ["CosineEmbeddingClassifier"]


def _unit(a: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(a, axis=-1, keepdims=True)
    return a / np.maximum(norm, np.finfo(np.float32).tiny)


class CosineEmbeddingClassifier(ResNetEmbeddingClassifier):
    """kumar's two-phase embedding network that classifies by angle.

    ``fit`` trains the network (:class:`sklearn_ser.nn.ResNet1D` on 10-frame
    windows of 39-d MFCC + Δ + ΔΔ by default) in two phases, as kumar §III does:

    1. ``pretrain_epochs`` of softmax (cross-entropy, or ``loss``) training;
    2. ``finetune_epochs`` of triplet training of the embedding with the cosine
       distance (:class:`sklearn_ser.losses.TripletLoss`, kumar eq. 2–3) on
       class-balanced batches, with a fresh optimiser and learning-rate schedule.

    Then every training utterance is embedded (mean of its windows' embeddings),
    L2-normalised, and the class embedding is the normalised mean of its class's
    unit embeddings. An utterance is classified into the class with which its
    embedding makes the smallest angle (kumar §IV-B2), so only directions matter:
    scaling embeddings does not change a prediction.

    Parameters
    ----------
    module : torch.nn.Module class, default=ResNet1D
        The embedding network (any module returning ``(logits, embedding)``).
    pretrain_epochs : int, default=30
        Epochs of softmax pre-training (kumar trains 1000 with early stopping).
    finetune_epochs : int, default=30
        Epochs of triplet fine-tuning (kumar: 1000 with early stopping).
    triplet_margin : float, default=0.2
        Margin α of the triplet hinge on cosine distances (kumar eq. 2 does not
        give its value).
    triplet_mining : {"all", "hard", "semihard", "hard+semihard"}, default="semihard"
        Online triplet mining of the fine-tuning phase (kumar follows FaceNet's
        triplet loss; the mining is not stated).
    proba_scale : float, default=10.0
        ``predict_proba`` is the softmax of ``proba_scale`` × the cosines to the
        class embeddings; it does not change ``predict``.
    **kwargs
        Parameters of :class:`~sklearn_ser.models.ResNetEmbeddingClassifier` (SGD,
        learning rate 0.05 falling linearly to 0.005 within each phase, early
        stopping patience 15, 10-frame windows) and of
        :class:`~sklearn_ser.models.SERClassifier`. ``max_epochs`` is not used:
        the two phases have their own epoch counts.

    Attributes
    ----------
    class_embeddings_ : ndarray of shape (n_classes, embedding_dim)
        Unit class embeddings, rows in ``classes_`` order.
    training_embeddings_ : ndarray of shape (n_utterances, embedding_dim)
        Unit embeddings of the training utterances (for :meth:`angle_deviation`).
    training_labels_ : ndarray of shape (n_utterances,)
        Their labels.
    pretrain_history_ : skorch.History
        History of the softmax phase; ``history_`` is that of the triplet phase.
    phase_ : {"pretrain", "finetune"}
        The last phase trained, whose loss ``criterion_`` is (and is rebuilt when
        the network is re-initialised, e.g. loaded from a model file).

    See Also
    --------
    sklearn_ser.metrics.angle_table : Angles between class embeddings.
    sklearn_ser.plotting.AngleHeatmapDisplay : Their heat-map.

    References
    ----------
    .. [1] kumar: "Triplet loss based cosine embedding for speech emotion
       recognition", §III (eq. 2–3), §IV-A3, §IV-B2, Tables II–VII.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.models import CosineEmbeddingClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((12, 1, 39, 30)).astype(np.float32)
    >>> X[6:] += 1.0
    >>> y = np.repeat(["calm", "angry"], 6)
    >>> clf = CosineEmbeddingClassifier(pretrain_epochs=2, finetune_epochs=2,
    ...     early_stopping=None, module__channels=8, random_state=0).fit(X, y)
    >>> clf.decision_function(X[:2]).shape
    (2, 2)
    >>> clf.angle_table().shape
    (2, 2)
    """

    def __init__(
        self,
        module=ResNet1D,
        *,
        pretrain_epochs: int = 30,
        finetune_epochs: int = 30,
        triplet_margin: float = 0.2,
        triplet_mining: str = "semihard",
        proba_scale: float = 10.0,
        **kwargs,
    ):
        super().__init__(module, **kwargs)
        self.pretrain_epochs = pretrain_epochs
        self.finetune_epochs = finetune_epochs
        self.triplet_margin = triplet_margin
        self.triplet_mining = triplet_mining
        self.proba_scale = proba_scale

    # ------------------------------------------------------------- training
    _parameter_constraints: dict = {
        **ResNetEmbeddingClassifier._parameter_constraints,
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "finetune_epochs": [Interval(Integral, 0, None, closed="left")],
        "triplet_margin": TripletLoss._parameter_constraints["margin"],
        "triplet_mining": TripletLoss._parameter_constraints["mining"],
        "proba_scale": [Interval(Real, 0, None, closed="neither")],
    }

    def _schedule_epochs(self) -> int:
        # the learning-rate schedule of the first phase run (each phase has its own)
        return int(self.pretrain_epochs or self.finetune_epochs)

    def _fit_segments(self, data, **fit_params):
        if self.pretrain_epochs + self.finetune_epochs < 1:
            raise ValueError(
                f"{type(self).__name__}: pretrain_epochs + finetune_epochs must be >= 1"
            )
        vars(self).pop("phase_", None)  # a refit starts from the first phase
        self.initialize()
        if self.pretrain_epochs > 0:
            NeuralNetClassifier.partial_fit(
                self, data, data.y, epochs=int(self.pretrain_epochs), **fit_params
            )
        self.pretrain_history_ = self.history
        if self.finetune_epochs > 0:
            # kumar's second phase: a fresh history, schedule and optimiser, and the
            # cosine triplet loss, whose class-balanced batches it declares itself.
            if self.pretrain_epochs > 0:
                self.initialize_history()
            self.initialize_callbacks()
            self.callbacks_ = [  # the schedule runs over this phase's epochs
                (name, linear_decay_schedule(int(self.finetune_epochs)).initialize())
                if name == "lr_schedule" else (name, cb)
                for name, cb in self.callbacks_
            ]
            self.criterion_ = self._triplet_criterion()
            self.initialize_optimizer()
            NeuralNetClassifier.partial_fit(
                self, data, data.y, epochs=int(self.finetune_epochs), **fit_params
            )
        self.phase_ = "finetune" if self.finetune_epochs > 0 else "pretrain"

    def _triplet_criterion(self) -> TripletLoss:
        # kumar eq. 2-3: the triplet hinge on cosine distances
        return TripletLoss(
            margin=float(self.triplet_margin),
            distance="cosine",
            mining=self.triplet_mining,
        )

    def initialize_criterion(self):
        """The loss of the fitted network's last phase when it is rebuilt (e.g. by
        :func:`sklearn_ser.io.load_model`); the first phase's loss otherwise."""
        if getattr(self, "phase_", None) != "finetune":
            return super().initialize_criterion()
        self.criterion_ = self._triplet_criterion()
        return self

    def fit(self, X, y, **fit_params):
        """Pre-train, fine-tune, then compute the class embeddings.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.
        y : array-like of shape (n_utterances,)
            Emotion labels.
        **fit_params : dict
            Passed to skorch's ``partial_fit``.

        Returns
        -------
        self : CosineEmbeddingClassifier
        """
        super().fit(X, y, **fit_params)
        emb = _unit(super().transform(X))
        labels = np.asarray(self.label_encoder_.transform(np.asarray(y)))
        centroids = np.stack(
            [emb[labels == k].mean(axis=0) for k in range(len(self.classes_))]
        )
        self.class_embeddings_ = _unit(centroids).astype(np.float32)
        self.training_embeddings_ = emb.astype(np.float32)
        self.training_labels_ = np.asarray(y).copy()
        return self

    # ------------------------------------------------------------ decisions
    def decision_function(self, X):
        """Cosine of the angle between each utterance and each class embedding.

        Parameters
        ----------
        X : object array of ndarray of shape (C, F, T_i), or ndarray of shape (n, C, F, T)
            Per-utterance features.

        Returns
        -------
        cosines : ndarray of shape (n_utterances, n_classes)
        """
        check_is_fitted(self, "class_embeddings_")
        emb = _unit(super().transform(X))
        return (emb @ self.class_embeddings_.T).astype(np.float32)

    def predict(self, X):
        """The class at the smallest angle (kumar §IV-B2)."""
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def predict_proba(self, X):
        """Softmax of ``proba_scale`` × the cosines to the class embeddings."""
        logits = torch.as_tensor(self.decision_function(X) * float(self.proba_scale))
        return torch.softmax(logits, dim=1).numpy().astype(np.float32)

    def angles(self, X):
        """Angles in degrees between each utterance and each class embedding."""
        cos = np.clip(self.decision_function(X), -1.0, 1.0)
        return np.degrees(np.arccos(cos))

    def angle_table(self, X=None, y=None, *, degrees: bool = True, diagonal: str = "intra"):
        """Angles between class embeddings (kumar Tables II/III).

        Parameters
        ----------
        X, y : default=None
            Utterances whose embeddings define the class directions; the training
            utterances when None.
        degrees : bool, default=True
            Degrees (as kumar) or radians.
        diagonal : {"intra", "zero"}, default="intra"
            ``"intra"``: each class's mean angle to its own class embedding, the
            diagonal of kumar's tables; ``"zero"``: zeros.

        Returns
        -------
        table : sklearn_ser.metrics.LabelledMatrix of shape (n_classes, n_classes)
        """
        from sklearn_ser.metrics import angle_table

        emb, labels = self._embeddings_for(X, y)
        return angle_table(
            emb, labels, labels=self.classes_, degrees=degrees, diagonal=diagonal
        )

    def angle_deviation(self, X=None, y=None):
        """Intra- and inter-class standard deviation of angles (kumar Tables VI/VII).

        Parameters
        ----------
        X, y : default=None
            Utterances to analyse; the training utterances when None.

        Returns
        -------
        deviation
            What :func:`sklearn_ser.metrics.angle_deviation` returns.
        """
        from sklearn_ser.metrics import angle_deviation

        emb, labels = self._embeddings_for(X, y)
        return angle_deviation(emb, labels, labels=self.classes_)

    def _embeddings_for(self, X, y):
        check_is_fitted(self, "class_embeddings_")
        if X is None:
            return self.training_embeddings_, self.training_labels_
        if y is None:
            raise ValueError(f"{type(self).__name__}: y is required when X is given")
        return _unit(super().transform(X)), np.asarray(y)
