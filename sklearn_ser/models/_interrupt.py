"""Ctrl-C during training propagates instead of being swallowed.

skorch's ``partial_fit`` catches :class:`KeyboardInterrupt` and returns normally, so
an interrupted ``fit`` looks like a finished one (and ``sklearn-ser train`` would save
the half-trained model). :class:`PropagateInterruptMixin` lets the interrupt reach
the caller after skorch's ``on_train_end`` ran (the ``KeyboardInterrupt`` that
skorch's ``EarlyStopping`` raises to end training is still a normal end), so callbacks that restore weights
at the end of training (``EarlyStopping(load_best=True)``, ``TrainEndCheckpoint``...)
still do. The estimator is left marked ``interrupted_ = True`` (removed again by
the next fit or ``partial_fit`` that runs to its end), and
:func:`sklearn_ser.io.save_model` refuses to save an estimator so marked: its
weights are those of an unfinished training.
"""

from __future__ import annotations

import threading

__all__ = ["PropagateInterruptMixin", "request_interrupt", "clear_interrupt"]

#: Set by :func:`request_interrupt`: every training loop of the process stops at its
#: next batch as if Ctrl-C had been pressed there.
_REQUESTED = threading.Event()


def request_interrupt() -> None:
    """Stop the training loops of this process at their next batch, as Ctrl-C would.

    The command line's SIGINT handler calls it before raising KeyboardInterrupt, so
    that an interrupt which some library swallowed on the way (e.g. one that lands
    in an import or a compile before training starts) still ends the training.
    """
    _REQUESTED.set()


def clear_interrupt() -> None:
    """Forget a :func:`request_interrupt` (once the interrupt has been handled)."""
    _REQUESTED.clear()


def _is_early_stop(exc: KeyboardInterrupt) -> bool:
    """skorch's ``EarlyStopping`` ends training by raising ``KeyboardInterrupt``
    itself: that one is a normal end, not Ctrl-C."""
    from skorch.callbacks import EarlyStopping

    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return isinstance(tb.tb_frame.f_locals.get("self"), EarlyStopping)


class PropagateInterruptMixin:
    """Re-raise a ``KeyboardInterrupt`` of the training loop after ``on_train_end``,
    leaving ``interrupted_ = True`` on the estimator until a training ends normally."""

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        vars(self).pop("_pending_interrupt", None)
        vars(self).pop("interrupted_", None)
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as exc:
            if _is_early_stop(exc):
                return self  # skorch's EarlyStopping: training is done
            # skorch's partial_fit would swallow it: keep it for on_train_end
            self._pending_interrupt = exc
            self.interrupted_ = True  # save_model refuses it
            return self

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_batch_end" and _REQUESTED.is_set():
            raise KeyboardInterrupt("interrupt requested")
        try:
            super().notify(method_name, **cb_kwargs)
        finally:
            if method_name == "on_train_end":
                pending = vars(self).pop("_pending_interrupt", None)
                if pending is not None:
                    raise pending
