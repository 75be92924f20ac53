"""The skorch layer of the estimators: how a net is configured from the contracts of
its module (:mod:`sklearn_ser.nn`) and its loss (:mod:`sklearn_ser.losses`)."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from skorch import NeuralNetClassifier
from skorch.dataset import unpack_data
from skorch.utils import TeeGenerator
from torch.utils.data import DataLoader

from sklearn_ser.losses import get_loss, loss_contract
from sklearn_ser.nn import SERModule
from sklearn_ser.utils._device import resolve_device
from sklearn_ser.utils._threads import thread_limits

from ._callbacks import default_callbacks
from ._params import check_estimator_params
from ._sampling import MPerClassBatchSampler
from ._segments import SegmentDataset, segment_utterances, training_segments

__all__ = ["UtteranceNet", "module_kwargs"]


def _to_float32(output):
    """Half-precision outputs of an autocast region back to float32 (the losses
    and probabilities are computed in full precision)."""
    if isinstance(output, torch.Tensor):
        return output.float() if output.is_floating_point() else output
    if isinstance(output, (tuple, list)):
        return type(output)(_to_float32(o) for o in output)
    if isinstance(output, dict):
        return {k: _to_float32(v) for k, v in output.items()}
    return output


def module_kwargs(module, *, given: dict, sizes: dict, head: str, name: str) -> dict:
    """Constructor arguments of ``module``: the data sizes it declares in
    ``data_params`` (the contract of :class:`sklearn_ser.nn.SERModule`), the head the
    loss needs, and the user's ``module__*`` (which win)."""
    declared = getattr(module, "data_params", SERModule.data_params)
    kwargs = {k: sizes[k] for k in declared if k not in given}
    if head != "linear" and "head" not in given:
        if head not in getattr(module, "heads", ("linear",)):
            raise ValueError(
                f"{name}: the loss needs a {head!r} head, but {module.__name__} "
                "declares none (class attribute heads); pass a module that has one"
            )
        kwargs["head"] = head
    return {**kwargs, **given}


class UtteranceNet(NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` configured by contracts, not by names.

    The module gets the data sizes its class declares (``data_params``) and the
    head the loss declares (``head``); the loss gets its per-loss defaults
    (``loss_params``) and the class weights when it declares
    ``accepts_class_weight``; training batches are class-balanced when the active
    loss declares ``needs_balanced_batches``; a :class:`SegmentDataset` brings its
    own validation set. :class:`~sklearn_ser.models.SERClassifier` is the
    scikit-learn side (utterances in, utterances out) built on it; the attributes
    it reads (``loss``, ``loss_params``, ``batch_sampler``, ``m_per_class``,
    ``feature_shape_``, ``segment_length_``, ``class_weight_``, ``seed_`` ...) are
    set there.
    """

    def _get_param_names(self):
        # skorch lists all of __dict__: hide its private state and ``lr``, which
        # ``optimizer__lr`` always overrides here.
        return [k for k in super()._get_param_names() if k[0] != "_" and k != "lr"]

    def _check_params(self) -> None:
        """The estimator's parameters against ``_parameter_constraints``."""
        check_estimator_params(self)

    def _criterion_class(self):
        """The criterion class: ``criterion``, or the class ``loss`` names."""
        return self.criterion if self.criterion is not None else get_loss(self.loss)

    def _uses_m_per_class(self, criterion=None) -> bool:
        """Class-balanced batches: asked for, or (``"auto"``) declared by the loss
        (``criterion``, default the configured class)."""
        if self.batch_sampler == "auto":
            criterion = self._criterion_class() if criterion is None else criterion
            return loss_contract(criterion).needs_balanced_batches
        return self.batch_sampler == "m_per_class"

    # ------------------------------------------------------------ device / AMP
    #: device types on which ``mixed_precision="auto"`` turns autocast on
    _amp_device_types = ("cuda",)

    @contextmanager
    def _on_device(self):
        """Within the block ``self.device`` is the resolved device (``"auto"``
        picked), so that skorch moves modules and batches there; the parameter
        comes back as the user gave it."""
        chosen = self.device
        self.device = resolve_device(chosen)
        try:
            yield self.device
        finally:
            self.device = chosen

    @contextmanager
    def _runtime(self):
        """The device (``"auto"`` resolved) and the thread budget of one call."""
        auto = isinstance(self.n_jobs, str)  # "auto": adapt to the machine's load
        with self._on_device(), thread_limits(
            -1 if auto else self.n_jobs, adapt_to_load=auto
        ) as n_threads:
            yield n_threads

    def _device_type(self) -> str:
        if self.device is None:  # placed by someone else (skorch's AccelerateMixin)
            accelerator = getattr(self, "accelerator", None)
            return accelerator.device.type if accelerator is not None else "cpu"
        return torch.device(resolve_device(self.device)).type

    def _amp(self) -> bool:
        """Whether training and inference run under :func:`torch.autocast`
        (never with an ``accelerator``: its ``mixed_precision`` decides)."""
        if getattr(self, "accelerator", None) is not None:
            return False
        choice = getattr(self, "mixed_precision", "auto")
        if choice == "auto":
            return self._device_type() in self._amp_device_types
        return bool(choice)

    def _amp_dtype(self):
        """float16 on CUDA (with a gradient scaler), bfloat16 elsewhere."""
        return torch.float16 if self._device_type() == "cuda" else torch.bfloat16

    def _autocast(self):
        return torch.autocast(self._device_type(), dtype=self._amp_dtype(),
                              enabled=self._amp())

    def get_params_for(self, prefix):
        params = super().get_params_for(prefix)
        # pinned host memory lets the copies to an accelerator run asynchronously
        if (prefix in ("iterator_train", "iterator_valid")
                and self._device_type() == "cuda" and "pin_memory" not in params):
            params["pin_memory"] = True
        return params

    def infer(self, x, **fit_params):
        if isinstance(x, torch.Tensor) and self._device_type() != "cpu":
            x = x.to(self.device, non_blocking=True)
        return super().infer(x, **fit_params)

    def evaluation_step(self, batch, training=False):
        if not self._amp():
            return super().evaluation_step(batch, training=training)
        with self._autocast():
            output = super().evaluation_step(batch, training=training)
        return _to_float32(output)

    def train_step_single(self, batch, **fit_params):
        if not self._amp():
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        with self._autocast():
            y_pred = self.infer(Xi, **fit_params)
        y_pred = _to_float32(y_pred)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        scaler = getattr(self, "_grad_scaler", None)
        (loss if scaler is None else scaler.scale(loss)).backward()
        return {"loss": loss, "y_pred": y_pred}

    def train_step(self, batch, **fit_params):
        if not self._amp() or self._amp_dtype() != torch.float16:
            return super().train_step(batch, **fit_params)  # bfloat16 needs no scaler
        # GradScaler takes no optimizer closure: one forward/backward, then step
        if getattr(self, "_grad_scaler", None) is None:
            self._grad_scaler = torch.amp.GradScaler(self._device_type())
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        self.notify("on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=batch)
        for name in self._optimizers:
            self._grad_scaler.step(getattr(self, name + "_"))
        self._grad_scaler.update()
        return step

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_grad_scaler", None)  # may hold accelerator tensors
        return state

    def __setstate__(self, state):
        chosen = state.get("device")
        if chosen != "auto":
            return super().__setstate__(state)
        state["device"] = resolve_device(chosen)  # where to map the weights
        super().__setstate__(state)
        self.device = chosen

    # ------------------------------------------------------------- skorch hooks
    @property
    def _default_callbacks(self):
        return default_callbacks(
            early_stopping=self.early_stopping,
            early_stopping_threshold=self.early_stopping_threshold,
            lr_schedule=self.lr_schedule,
            epochs=self._schedule_epochs(),
            verbose=self.verbose,
        )

    @property
    def classes_(self):
        if not hasattr(self, "label_encoder_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call 'fit' "
                "first."
            )
        return self.label_encoder_.classes_

    def __sklearn_is_fitted__(self) -> bool:
        fitted = bool(getattr(self, "initialized_", False))
        return hasattr(self, "label_encoder_") and fitted

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if isinstance(self.module, type) and hasattr(self, "feature_shape_"):
            sizes = {
                "n_classes": len(self.classes_),
                "in_channels": self.feature_shape_[0],
                "n_features": self.feature_shape_[1],
                "n_frames": self.segment_length_,
            }
            head = loss_contract(self._criterion_class()).head
            kwargs = module_kwargs(self.module, given=kwargs, sizes=sizes, head=head,
                                   name=type(self).__name__)
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        if self.criterion is None:
            kwargs = {**(self.loss_params or {}).get(self.loss, {}), **kwargs}
        criterion = self._criterion_class()
        weight = getattr(self, "class_weight_", None)
        if weight is not None and "weight" not in kwargs:
            if not loss_contract(criterion).accepts_class_weight:
                raise ValueError(
                    f"{type(self).__name__}: class_weight needs a loss that declares "
                    f"accepts_class_weight; {getattr(criterion, '__name__', criterion)}"
                    " does not (pass criterion__weight= instead)"
                )
            kwargs["weight"] = torch.as_tensor(weight, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(criterion, kwargs)
        return self

    def torch_compile(self, module, name):
        """With ``compile=True``, :func:`torch.compile` the network only: the losses
        check targets and count active triplets with data-dependent Python, which
        would break the graph at every batch."""
        if name == "criterion":
            return module
        return super().torch_compile(module, name)

    def get_split_datasets(self, X, y=None, **fit_params):
        if isinstance(X, SegmentDataset) and X.valid is not None:
            return X, X.valid  # utterances held out by ``training_segments``
        return super().get_split_datasets(X, y, **fit_params)

    def get_iterator(self, dataset, training=False):
        criterion = getattr(self, "criterion_", None)
        if training and self._uses_m_per_class(criterion) and hasattr(dataset, "y"):
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

    def _schedule_epochs(self):
        """Epochs over which ``lr_schedule="linear"`` decays."""
        return self.max_epochs

    @staticmethod
    def _split_output(output):
        """``(logits, embedding)`` of a module's output (a bare tensor is both)."""
        if isinstance(output, (tuple, list)):
            return output[0], output[1] if len(output) > 1 else output[0]
        return output, output

    # ---------------------------------------------------------------- segments
    def _segments(self, items, *, hop):
        return segment_utterances(
            items, length=self.segment_length_, hop=hop, pad_value=self.pad_value
        )

    def _training_data(self, items, y_enc, rng) -> SegmentDataset:
        """Training segments; with ``early_stopping``, utterances held out (drawn
        with ``rng``) ride along as the dataset's ``valid``."""
        return training_segments(
            items, y_enc, length=self.segment_length_, hop=self.train_hop,
            pad_value=self.pad_value, rng=rng, name=type(self).__name__,
            validation_fraction=(
                None if self.early_stopping is None else self.validation_fraction
            ),
        )


# The parameters that say where and how a network runs, shared by the docstrings of
# the classifiers (filled in by ``sklearn_ser.utils._docs.fill_doc``).
RUNTIME_PARAMS_DOC = """device : str, default="cpu"
        Torch device; ``"auto"`` picks CUDA when available, else Apple's MPS,
        else the CPU (``device_`` tells which). On CUDA, training and inference
        run under automatic mixed precision (:func:`torch.autocast` in float16
        with a gradient scaler; losses and probabilities stay float32), batches
        come from pinned memory and are copied without blocking. The parameter
        keeps the value given (a model fitted with ``"auto"`` on a GPU loads on a
        CPU-only machine).
    mixed_precision : "auto" or bool, default="auto"
        Run the network under :func:`torch.autocast`: ``"auto"`` on CUDA only
        (float16 with a gradient scaler); ``True`` on any device (bfloat16 off
        CUDA, where the CPU has bfloat16 instructions, avx512_bf16 or AMX: zhou's
        network trains about 2.4x faster there, channels-last, its logits moving
        by ~3e-3, see docs/performance.rst); ``False`` never. Losses and probabilities are
        computed in float32.
    n_jobs : int, "auto" or None, default=None
        Threads for torch, BLAS/OpenMP and numba during ``fit`` and prediction
        (:func:`sklearn_ser.utils._threads.thread_limits`): joblib's convention
        (``-1`` all CPUs); ``None`` keeps ``OMP_NUM_THREADS`` or torch's current
        count. ``"auto"`` takes every CPU but the cores other processes keep busy
        (never below one thread), since threads that share a core with another
        CPU-bound process wait for each other at every layer
        (docs/performance.rst); the count, and so the last bits of the results,
        then depend on the machine's load, which is why it is not the default.
    compile : bool, default=False
        skorch's switch: :func:`torch.compile` the network (``compile__*`` go to
        it; the loss stays eager). On CPU it needs a C++ compiler and the first fit
        of a process compiles for 15-35 s; ``benchmarks/bench_training.py
        --compile`` measured training 1.46x faster on one thread, inference 2.6x."""
