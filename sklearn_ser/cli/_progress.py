"""Progress on stderr: one-line messages and the training-epoch bar (the package's
:class:`~sklearn_ser.models.TrainingProgressBar`, as the estimators' ``verbose=2``)."""

from __future__ import annotations

import sys

from ._common import final_step


def _progress(msg: str, *, stream=None) -> None:
    stream = sys.stderr if stream is None else stream
    print(msg, file=stream, flush=True)


def _attach_epoch_bar(pipe, *, quiet: bool, desc: str) -> None:
    """Show training epochs as a progress bar (skorch networks only)."""
    final = final_step(pipe)
    skorch = sys.modules.get("skorch")
    if quiet or skorch is None or not isinstance(final, skorch.NeuralNet):
        return
    _detach_epoch_bar(pipe)
    if final.callbacks is not None:  # the user's own callbacks: left alone
        return
    from sklearn_ser.models import TrainingProgressBar

    final.callbacks = [("cli_progress", TrainingProgressBar(unit="epoch", desc=desc))]


def _detach_epoch_bar(pipe) -> None:
    final = final_step(pipe)
    callbacks = getattr(final, "callbacks", None)
    if isinstance(callbacks, list) and any(
        isinstance(c, tuple) and c[0] == "cli_progress" for c in callbacks
    ):
        final.callbacks = None  # the model file stores parameters, not callbacks
