"""skorch callbacks of the estimators: training statistics, the learning-rate decay,
one progress bar (used by the estimators' ``verbose=2`` and by the CLI), and the list
an estimator trains with."""

from __future__ import annotations

import sys
import time
from functools import partial

import numpy as np
import torch
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    EpochTimer,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)

__all__ = ["TrainingProgressBar", "default_callbacks", "linear_decay_schedule"]


def _linear_decay(epoch: int, *, last: int) -> float:
    """Learning-rate factor falling linearly from 1 to 0.1 (kumar: 0.05 -> 0.005)."""
    return 1.0 - 0.9 * min(epoch, last) / last


class _TrainingStats(Callback):
    """Records training throughput (segments/s) and the fraction of active triplets
    (``fraction_active_`` of a loss that sets it)."""

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


class TrainingProgressBar(Callback):
    """A tqdm progress bar on standard error, with rate and time left (ETA).

    ``unit="epoch"``: one bar over the epochs of a training run, the last training
    loss as postfix (what a command-line tool shows). ``unit="sample"``: one bar per
    epoch counting training samples (segments for the estimators of
    :mod:`sklearn_ser.models`), so its rate is samples/s, with the running loss;
    skorch's own ``ProgressBar`` counts batches, whose size varies with
    class-balanced batches.

    Parameters
    ----------
    unit : {"epoch", "sample"}, default="epoch"
        What the bar counts.
    desc : str or None, default=None
        Bar label; ``None``: ``"training"`` for epochs, ``"epoch <n>"`` for samples.
    sample_name : str, default="seg"
        Unit name shown for samples (``seg/s``).

    Examples
    --------
    >>> from sklearn_ser.models import TrainingProgressBar
    >>> TrainingProgressBar(unit="epoch", desc="fold 1").unit
    'epoch'
    """

    def __init__(self, *, unit: str = "epoch", desc: str | None = None,
                 sample_name: str = "seg"):
        self.unit = unit
        self.desc = desc
        self.sample_name = sample_name

    def _bar(self, total, desc, unit):
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                    dynamic_ncols=True)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if self.unit == "epoch":
            total = kwargs.get("epochs") or net.max_epochs
            self.bar_ = self._bar(total, self.desc or "training", "epoch")

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        if self.unit != "epoch":
            total = len(dataset_train) if dataset_train is not None else None
            desc = self.desc or f"epoch {len(net.history)}"
            self.bar_ = self._bar(total, desc, self.sample_name)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        bar = getattr(self, "bar_", None)
        if self.unit != "epoch" and training and bar is not None:
            bar.update(len(batch[0]))
            loss = kwargs.get("loss")
            if loss is not None:
                bar.set_postfix(train_loss=f"{float(loss.detach()):.4f}", refresh=False)

    def on_epoch_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is None:
            return
        if self.unit == "epoch":
            loss = net.history[-1].get("train_loss")
            if loss is not None:
                bar.set_postfix(train_loss=f"{loss:.4f}", refresh=False)
            bar.update(1)
            bar.refresh()  # epochs are few and slow: show each one
            return
        bar.total = bar.n  # class-balanced epochs may draw a few more or less
        bar.refresh()  # the epoch's final count, rate and loss, however short
        bar.close()
        self.bar_ = None

    def on_train_end(self, net, X=None, y=None, **kwargs):
        bar = getattr(self, "bar_", None)
        if self.unit == "epoch" and bar is not None:
            bar.close()
            self.bar_ = None


def linear_decay_schedule(epochs) -> LRScheduler:
    """Learning rate falling linearly to a tenth over ``epochs`` (kumar §IV-A3)."""
    # parameters are validated in fit, not here (set_params builds callbacks)
    last = max(int(epochs) - 1, 1) if isinstance(epochs, (int, np.integer)) else 1
    return LRScheduler(
        policy=torch.optim.lr_scheduler.LambdaLR,
        lr_lambda=partial(_linear_decay, last=last),
    )


def default_callbacks(
    *,
    early_stopping: int | None,
    early_stopping_threshold: float,
    lr_schedule: str | None,
    epochs,
    verbose,
) -> list:
    """The callbacks an estimator of :mod:`sklearn_ser.models` trains with.

    ``epochs`` is the length of the training run over which ``lr_schedule="linear"``
    decays the learning rate to a tenth.
    """
    callbacks = [
        ("epoch_timer", EpochTimer()),
        ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
        ("valid_loss", PassthroughScoring(name="valid_loss")),
        ("training_stats", _TrainingStats()),
    ]
    if early_stopping is not None:
        callbacks.append((
            "early_stopping",
            EarlyStopping(
                monitor="valid_loss",
                patience=early_stopping,
                threshold=early_stopping_threshold,
                threshold_mode="abs",
                load_best=True,
            ),
        ))
    if lr_schedule == "linear":
        callbacks.append(("lr_schedule", linear_decay_schedule(epochs)))
    if isinstance(verbose, (int, np.integer)) and verbose >= 2:
        callbacks.append(("progress_bar", TrainingProgressBar(unit="sample")))
    callbacks.append(("print_log", PrintLog()))
    return callbacks
