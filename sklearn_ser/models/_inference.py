"""A network loaded for prediction builds its optimiser only when it trains again.

Creating any torch optimiser imports ``torch._dynamo`` (sympy, inductor...:
about 70 MB of resident memory, measured by ``benchmarks/bench_long_audio.py``),
and a network read from a model file predicts without one.
:func:`sklearn_ser.io.load_model` therefore builds the networks with
:meth:`DeferredOptimizerMixin._initialize_for_inference`; the optimiser is created
by skorch as usual when training starts (``fit`` re-initialises everything,
``partial_fit`` creates it before ``on_train_begin``) or when an ``optimizer__*``
parameter is set.
"""

from __future__ import annotations

__all__ = ["DeferredOptimizerMixin"]


def _set_optimizer_param(net, param, value):
    from skorch.setter import optimizer_setter

    if getattr(net, "optimizer_", None) is None:
        net._initialize_optimizer()
    optimizer_setter(net, param, value)


class DeferredOptimizerMixin:
    """skorch's ``initialize`` without the optimiser, which comes when training does."""

    def _initialize_optimizer(self, reason=None):
        if vars(self).get("_defer_optimizer", False):
            # the optimiser's parameters stay valid (``optimizer__lr``...); setting
            # one on the loaded network creates the optimiser first
            # registered as skorch registers a new optimiser (its prefix, the
            # training loops' list), so that creating it later is a re-creation
            if "optimizer" not in self._optimizers:
                with self._current_init_context("optimizer"):
                    self._register_attribute("optimizer", None)
            self._register_virtual_param(
                ["optimizer__param_groups__*__*", "optimizer__*", "lr"],
                _set_optimizer_param,
            )
            return self
        return super()._initialize_optimizer(reason=reason)

    def _initialize_for_inference(self):
        """``initialize()`` less the optimiser (for a network about to get the
        weights of a model file)."""
        self._defer_optimizer = True
        try:
            return self.initialize()
        finally:
            del self._defer_optimizer

    def notify(self, method_name, **cb_kwargs):
        if (method_name == "on_train_begin" and getattr(self, "initialized_", False)
                and getattr(self, "optimizer_", None) is None):
            self._initialize_optimizer()  # loaded for inference, now trained again
        return super().notify(method_name, **cb_kwargs)
