"""scikit-learn's common estimator checks on the dense (tabular) path of the deep
classifiers, with every expected failure listed and justified."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_ser.models import CNNLSTMClassifier

# Tabular rows are read as one-frame utterances, so sklearn's 2-D checks exercise the
# whole fit/predict/transform path; a tiny net keeps each check fast.
ESTIMATOR = CNNLSTMClassifier(
    loss="ce",
    max_epochs=2,
    segment_frames=None,
    optimizer__lr=1e-2,
    random_state=0,
)

EXPECTED_FAILED_CHECKS = {
    "check_no_attributes_set_in_init": (
        "skorch's NeuralNet.__init__ sets history_, initialized_ and "
        "virtual_params_; its design, not ours"
    ),
}


@parametrize_with_checks(
    [ESTIMATOR], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
