"""Progress on stderr: one-line messages, and the training epochs of the recipe's
network -- a bar (the package's :class:`~sklearn_ser.models.TrainingProgressBar`,
as the estimators' ``verbose=2``) on a terminal, a line every few epochs when
stderr is a file or a pipe (a log stays readable)."""

from __future__ import annotations

import contextlib
import sys

from ._common import final_step


def _progress(msg: str, *, stream=None) -> None:
    stream = sys.stderr if stream is None else stream
    print(msg, file=stream, flush=True)


def is_tty(stream=None) -> bool:
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_EPOCH_LINES = None


def _epoch_lines(desc: str):
    """A skorch callback printing ``desc: epoch k/N train_loss=... (s)`` about ten
    times per training run (every epoch when there are at most 10)."""
    global _EPOCH_LINES
    if _EPOCH_LINES is None:
        from skorch.callbacks import Callback

        class EpochLines(Callback):
            def __init__(self, desc="training"):
                self.desc = desc

            def on_train_begin(self, net, X=None, y=None, **kwargs):
                self.total_ = int(kwargs.get("epochs") or net.max_epochs)
                self.start_ = len(net.history)

            def on_epoch_end(self, net, **kwargs):
                k = len(net.history) - self.start_
                every = max(1, self.total_ // 10)
                if k % every and k != self.total_:
                    return
                row = net.history[-1]
                loss = row.get("train_loss")
                loss = "" if loss is None else f" train_loss={loss:.4f}"
                _progress(f"      {self.desc}: epoch {k}/{self.total_}{loss} "
                          f"({row.get('dur', 0.0):.1f} s/epoch)")

        _EPOCH_LINES = EpochLines
    return _EPOCH_LINES(desc=desc)


def _attach_epoch_bar(pipe, *, quiet: bool, desc: str) -> None:
    """Show training epochs (skorch networks only; a bar on a terminal, lines
    otherwise)."""
    final = final_step(pipe)
    skorch = sys.modules.get("skorch")
    if quiet or skorch is None or not isinstance(final, skorch.NeuralNet):
        return
    _detach_epoch_bar(pipe)
    if final.callbacks is not None:  # the user's own callbacks: left alone
        return
    if is_tty():
        from sklearn_ser.models import TrainingProgressBar

        callback = TrainingProgressBar(unit="epoch", desc=desc)
    else:
        callback = _epoch_lines(desc)
    final.callbacks = [("cli_progress", callback)]


def _detach_epoch_bar(pipe) -> None:
    final = final_step(pipe)
    callbacks = getattr(final, "callbacks", None)
    if isinstance(callbacks, list) and any(
        isinstance(c, tuple) and c[0] == "cli_progress" for c in callbacks
    ):
        final.callbacks = None  # the model file stores parameters, not callbacks


@contextlib.contextmanager
def feature_bar(*, quiet: bool, stream=None):
    """A bar per feature transformer (utterances done, rate, ETA) on a terminal,
    through :func:`sklearn_ser.features.feature_progress`; nothing with ``quiet``
    or when stderr is a file or a pipe."""
    stream = sys.stderr if stream is None else stream
    if quiet or not is_tty(stream):
        yield
        return
    from tqdm.auto import tqdm

    from sklearn_ser.features import feature_progress

    bars: list = []

    def show(name: str, done: int, total: int) -> None:
        if done == 0 or not bars:
            if bars:
                bars.pop().close()
            bars.append(tqdm(total=total, desc=f"features: {name}", unit="utt",
                             file=stream, leave=False))
        bars[-1].update(done - bars[-1].n)

    try:
        with feature_progress(show):
            yield
    finally:
        for bar in bars:
            bar.close()
