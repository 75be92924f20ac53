"""The shared ragged-input checks catch what they are meant to catch.

Each broken estimator below breaks one rule; the check of that rule must fail on
it (and the well-behaved base must pass every check).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from sklearn_ser.utils._validation import check_features, to_object_array
from sklearn_ser.utils.estimator_checks import (
    check_bad_input_raises_one_line_error,
    check_dtype_float32,
    check_input_not_modified,
    check_invalid_parameters_raise,
    check_pickle_round_trip,
    check_refit_is_idempotent,
    check_same_seed_same_output,
    parametrize_with_ragged_checks,
    ragged_checks,
)


class Scale(TransformerMixin, BaseEstimator):
    """Multiply the features by ``factor``.

    Parameters
    ----------
    factor : float, default=2.0
        The factor.
    """

    _parameter_constraints: dict = {"factor": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, *, factor=2.0):
        self.factor = factor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        items, _ = check_features(X, name=type(self).__name__)
        self.n_features_in_ = items[0].shape[-2]
        return self

    def transform(self, X):
        check_is_fitted(self)
        items, _ = check_features(X, name=type(self).__name__)
        return to_object_array([x * np.float32(self.factor) for x in items])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class InPlace(Scale):
    """Writes into its input."""

    def transform(self, X):
        for x in X:
            x *= 1  # still "modifies": writes back
            x[..., 0] = 0
        return super().transform(X)


class Noisy(Scale):
    """Differs between calls."""

    def transform(self, X):
        out = super().transform(X)
        return to_object_array([x + np.random.default_rng().random() for x in out])


class Float64(Scale):
    """Returns float64."""

    def transform(self, X):
        return to_object_array([x.astype(np.float64) for x in super().transform(X)])


class Lenient(Scale):
    """Accepts anything, NaN included."""

    def fit(self, X, y=None):
        self.n_features_in_ = 12
        return self

    def transform(self, X):
        return to_object_array([np.asarray(x, dtype=np.float32) for x in X])


class Unchecked(Scale):
    """Does not validate its parameters."""

    def fit(self, X, y=None):
        self.n_features_in_ = 12
        return self


@parametrize_with_ragged_checks([Scale()])
def test_a_well_behaved_estimator_passes(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator, check",
    [
        (InPlace(), check_input_not_modified),
        (Noisy(), check_refit_is_idempotent),
        (Noisy(), check_same_seed_same_output),
        (Noisy(), check_pickle_round_trip),
        (Float64(), check_dtype_float32),
        (Lenient(), check_bad_input_raises_one_line_error),
        (Unchecked(), check_invalid_parameters_raise),
    ],
    ids=lambda x: getattr(x, "__name__", type(x).__name__),
)
def test_each_check_catches_its_breach(estimator, check):
    with pytest.raises(AssertionError):
        check(type(estimator).__name__, estimator)


def test_checks_follow_the_role():
    names = {c.__name__ for c in ragged_checks(Scale())}
    assert "check_fit_transform_equals_fit_then_transform" in names
    from sklearn_ser.augment import SpecAugmentResampler

    names = {c.__name__ for c in ragged_checks(SpecAugmentResampler())}
    assert "check_fit_transform_equals_fit_then_transform" not in names
    assert "check_requires_fit" not in names
