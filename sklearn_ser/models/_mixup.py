"""mixup for the skorch classifiers (Zhang et al. 2018): every training batch is
replaced by convex combinations of its own segments and of their one-hot targets.

Kept out of ``_base.py`` as a mixin: the estimator gets the ``mixup_alpha``
parameter, the check against its loss, the mixed training step and the loss of the
mixed targets from here.
"""

from __future__ import annotations

import numpy as np
import torch
from skorch.dataset import unpack_data

from sklearn_ser.losses import loss_contract

__all__ = ["MIXUP_PARAMS_DOC", "MixupMixin"]

# The parameter's text in the classifiers' docstrings (``fill_doc``).
MIXUP_PARAMS_DOC = """mixup_alpha : float, default=0.0
        mixup (Zhang et al., ICLR 2018): each training batch is replaced by
        ``lam * x + (1 - lam) * x[perm]``, with one ``lam`` drawn from
        ``Beta(mixup_alpha, mixup_alpha)`` per batch and ``perm`` a random
        permutation of the batch's segments, and the loss by ``lam * L(out, y) + (1 - lam) * L(out, y[perm])`` -- for
        cross-entropy exactly the cross-entropy of the mixed one-hot targets.
        Drawn from ``random_state``. ``0`` turns it off; 0.2-0.4 is usual.
        Works with the losses that read the logits only (``"ce"``,
        ``"focal"``, ``"ams"``: each term keeps its hard label, so AMS keeps its
        margin); a loss that mines triplets on the embedding (``"joint"``, or a
        criterion declaring ``uses_embeddings``) is refused with a ValueError,
        since a mixed segment belongs to no class. Validation batches and
        prediction are never mixed."""


class _MixedTarget:
    """The targets of a mixed batch: ``y``, ``y[perm]`` and the weight of ``y``."""

    __slots__ = ("y", "y_perm", "lam")

    def __init__(self, y, y_perm, lam: float):
        self.y, self.y_perm, self.lam = y, y_perm, lam


class MixupMixin:
    """``mixup_alpha`` for a :class:`~sklearn_ser.models.SERClassifier` (left of the
    skorch net in the bases; see :data:`MIXUP_PARAMS_DOC`)."""

    def __init__(self, *args, mixup_alpha: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.mixup_alpha = mixup_alpha

    def _check_params(self) -> None:
        super()._check_params()
        alpha = self.mixup_alpha
        if alpha and loss_contract(self._criterion_class()).uses_embeddings:
            raise ValueError(
                f"{type(self).__name__}: mixup_alpha={alpha!r} needs a loss that "
                "reads the logits only (ce, focal, ams); the loss "
                f"{getattr(self._criterion_class(), '__name__', self.loss)} mines "
                "triplets on embeddings of hard labels; set mixup_alpha=0"
            )

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        # the estimator's seed and the epochs already run: fit is reproducible,
        # partial_fit continues with a new stream
        seed = [int(getattr(self, "seed_", 0)), len(self.history)]
        self._mixup_rng = np.random.default_rng(seed)

    def _mixes(self) -> bool:
        criterion = getattr(self, "criterion_", None)
        return bool(self.mixup_alpha) and not loss_contract(criterion).uses_embeddings

    def train_step_single(self, batch, **fit_params):
        if not self._mixes():
            return super().train_step_single(batch, **fit_params)
        Xi, yi = unpack_data(batch)
        if not isinstance(Xi, torch.Tensor):
            raise TypeError(
                f"{type(self).__name__}: mixup_alpha needs tensor batches, got "
                f"{type(Xi).__name__}"
            )
        rng = self._mixup_rng
        lam = float(rng.beta(self.mixup_alpha, self.mixup_alpha))
        perm = torch.as_tensor(rng.permutation(len(Xi)), device=Xi.device)
        mixed = lam * Xi + (1.0 - lam) * Xi[perm]
        target = _MixedTarget(yi, yi[perm.to(yi.device)], lam)
        return super().train_step_single((mixed, target), **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not isinstance(y_true, _MixedTarget):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        # linear in the one-hot target: lam * L(y) + (1 - lam) * L(y[perm])
        first = super().get_loss(y_pred, y_true.y, X=X, training=training)
        second = super().get_loss(y_pred, y_true.y_perm, X=X, training=training)
        return y_true.lam * first + (1.0 - y_true.lam) * second

    def on_train_end(self, net, X=None, y=None, **kwargs):
        vars(self).pop("_mixup_rng", None)
        super().on_train_end(net, X=X, y=y, **kwargs)
