"""Progress on stderr: one-line messages and the training-epoch bar."""

from __future__ import annotations

import sys


def _progress(msg: str, *, stream=None) -> None:
    stream = sys.stderr if stream is None else stream
    print(msg, file=stream, flush=True)


def _attach_epoch_bar(pipe, *, quiet: bool, desc: str) -> None:
    """Show training epochs as a progress bar (skorch networks only)."""
    final = pipe.steps[-1][1] if hasattr(pipe, "steps") else pipe
    skorch = sys.modules.get("skorch")
    if quiet or skorch is None or not isinstance(final, skorch.NeuralNet):
        return
    _detach_epoch_bar(pipe)
    if final.callbacks is not None:  # the user's own callbacks: left alone
        return
    final.callbacks = [("cli_progress", _EpochBar(desc=desc))]


def _detach_epoch_bar(pipe) -> None:
    final = pipe.steps[-1][1] if hasattr(pipe, "steps") else pipe
    callbacks = getattr(final, "callbacks", None)
    if isinstance(callbacks, list) and any(
        isinstance(c, tuple) and c[0] == "cli_progress" for c in callbacks
    ):
        final.callbacks = None  # the model file stores parameters, not callbacks


def _epoch_bar_class():
    from skorch.callbacks import Callback
    from tqdm.auto import tqdm

    class EpochBar(Callback):
        """A tqdm bar over training epochs, the training loss as postfix."""

        def __init__(self, desc: str = "training"):
            self.desc = desc

        def on_train_begin(self, net, X=None, y=None, **kwargs):
            total = kwargs.get("epochs") or net.max_epochs
            self.bar_ = tqdm(
                total=total, desc=self.desc, unit="epoch", file=sys.stderr, leave=False
            )

        def on_epoch_end(self, net, **kwargs):
            loss = net.history[-1].get("train_loss")
            if loss is not None:
                self.bar_.set_postfix(loss=f"{loss:.3f}")
            self.bar_.update(1)

        def on_train_end(self, net, X=None, y=None, **kwargs):
            self.bar_.close()

    return EpochBar


def _EpochBar(desc: str):
    return _epoch_bar_class()(desc=desc)
