"""check_loss catches deliberately broken losses, each by the property it breaks,
reports hypothesis's minimal counterexample, and guesses kinds from signatures."""

from __future__ import annotations

import functools
import importlib
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from sklearn_ser.losses import CrossEntropyLoss, JointLoss, TripletLoss
from sklearn_ser.testing import CHECKS, check_loss, parametrize_with_loss_checks
from sklearn_ser.testing import reference as R


def _failure(loss, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        check_loss(loss, **kwargs)
    return str(info.value)


def _assert_caught_by(message: str, prop: str) -> None:
    first = message.splitlines()[0]
    assert first.startswith(f"check_loss: property {prop!r} failed"), message
    assert "Minimal counterexample (hypothesis):" in message, message
    # hypothesis's own note: "Falsifying example: <property>(example=...)"
    assert f"{prop}(\n    example=" in message, message


# ------------------------------------------------------------------ broken losses
class OrderDependentLoss(nn.Module):
    """Cross-entropy that weights the samples by their position in the batch."""

    def forward(self, input, target):
        per_sample = F.cross_entropy(input, target, reduction="none")
        position = torch.linspace(1.0, 2.0, len(target), dtype=input.dtype)
        return (per_sample * position).mean()


class NoHingeTripletLoss(nn.Module):
    """Batch-hard triplet loss that forgot the hinge: ``d_ap - d_an + m`` can be < 0."""

    margin = 0.2

    def forward(self, embeddings, labels):
        dist = torch.cdist(embeddings, embeddings)
        same = labels[:, None] == labels[None, :]
        valid = same.any(1) & (~same).any(1)
        hardest_pos = torch.where(same, dist, 0.0).max(1).values
        hardest_neg = torch.where(same, torch.inf, dist).min(1).values
        terms = hardest_pos - hardest_neg + self.margin
        return torch.where(valid, terms, 0.0).sum() / valid.sum().clamp_min(1)


class SingletonNaNGradientLoss(nn.Module):
    """Mean distance of each sample to its class mates, zero for a singleton class
    by ``torch.where`` — whose unselected branch 0/0 poisons the gradient."""

    def forward(self, embeddings, labels):
        same = (labels[:, None] == labels[None, :]).to(embeddings.dtype)
        same = same - torch.eye(len(labels), dtype=embeddings.dtype)
        n_mates = same.sum(1)
        squared = ((embeddings[:, None] - embeddings[None, :]) ** 2).sum(-1)
        mean_to_mates = (same * squared).sum(1) / n_mates
        return torch.where(n_mates > 0, mean_to_mates, 0.0).mean()


class WrongAxisCrossEntropy(nn.Module):
    """Cross-entropy with the softmax over the batch axis instead of the classes."""

    def forward(self, input, target):
        log_p = F.log_softmax(input, dim=0)
        return F.nll_loss(log_p, target)


def test_order_dependence_is_caught_by_permutation_invariance():
    message = _failure(OrderDependentLoss(), kind="classification")
    _assert_caught_by(message, "permutation_invariance")
    assert "after permuting the batch" in message


def test_a_negative_loss_is_caught_by_finite_non_negative():
    message = _failure(NoHingeTripletLoss(), kind="metric")
    _assert_caught_by(message, "finite_non_negative")
    assert "the loss is negative" in message


def test_nan_gradient_on_a_singleton_class_is_caught_by_finite_gradients():
    loss = SingletonNaNGradientLoss()
    # its values are finite: only the gradient is wrong
    x = torch.randn(3, 2, requires_grad=True)
    value = loss(x, torch.tensor([0, 0, 1]))
    assert torch.isfinite(value)
    value.backward()
    assert torch.isnan(x.grad).any()
    message = _failure(loss, kind="metric")
    _assert_caught_by(message, "finite_gradients")
    assert "gradient with respect to the embeddings is not finite" in message
    # the shrunk counterexample has a singleton class: a label seen once
    labels = message.split("labels=")[1].split("]")[0].strip("[").split(",")
    assert any(labels.count(v) == 1 for v in labels), message


def test_disagreement_with_the_reference_is_caught_by_reference_agreement():
    message = _failure(WrongAxisCrossEntropy(), kind="classification",
                       reference=R.cross_entropy)
    _assert_caught_by(message, "reference_agreement")
    assert "loss != reference" in message


def test_a_claimed_invariance_that_does_not_hold_is_caught():
    # the wrong-axis softmax is not invariant to per-row logit shifts
    message = _failure(WrongAxisCrossEntropy(), kind="classification",
                       invariances=["translation"])
    _assert_caught_by(message, "translation_invariance")
    # squared Euclidean distances are not invariant to scaling each embedding
    message = _failure(TripletLoss(mining="all"), kind="metric", invariances=["scale"])
    _assert_caught_by(message, "scale_invariance")


def test_a_loss_that_changes_the_dtype_is_caught():
    class Float32Loss(nn.Module):
        def forward(self, input, target):
            return F.cross_entropy(input.float(), target)

    _assert_caught_by(_failure(Float32Loss(), kind="classification"),
                      "dtype_device_preserved")


def test_a_loss_falling_with_its_margin_is_caught():
    class WrongSignMargin(TripletLoss):
        def forward(self, input, target):
            flipped = TripletLoss(margin=max(0.0, 1.0 - self.margin), mining="all")
            return flipped(input, target)

    _assert_caught_by(_failure(WrongSignMargin(mining="all"), kind="metric"),
                      "margin_monotonic")


def test_a_metric_loss_positive_on_separated_classes_is_caught():
    class PullOnly(nn.Module):  # sum of all squared distances: never zero
        def forward(self, embeddings, labels):
            return torch.cdist(embeddings, embeddings).pow(2).mean()

    _assert_caught_by(_failure(PullOnly(), kind="metric"), "separated_zero")


def test_an_exception_of_the_loss_names_the_property():
    def crashes_on_one_sample(input, target):
        if len(target) == 1:
            raise RuntimeError("batch of one")
        return F.cross_entropy(input, target)

    message = _failure(crashes_on_one_sample, kind="classification")
    _assert_caught_by(message, "finite_non_negative")
    assert "the loss raised RuntimeError: batch of one" in message


def test_mean_over_active_triplets_is_not_monotonic_in_the_margin():
    # Not a bug: JointLoss's triplet term is a mean over the active triplets, and a
    # larger margin admits new, small hinges. check_loss finds the example, which
    # is why the package's own test skips this property for that mining.
    # The example is rare: 100 examples found it in some processes and not in
    # others (alone, seed 0); 300 found it for each of the seeds 0-5.
    loss = JointLoss(mining="hard+semihard")
    _assert_caught_by(_failure(loss, kind="joint", max_examples=300),
                      "margin_monotonic")


# ---------------------------------------------------------- report and arguments
def test_report_lists_every_property():
    report = check_loss(CrossEntropyLoss(), kind="classification", max_examples=3,
                        skip={"float32_float64_agreement": "not today"})
    assert list(report) == list(CHECKS)
    assert report["permutation_invariance"] == "passed"
    assert report["float32_float64_agreement"] == "skipped: not today"
    assert "no reference" in report["reference_agreement"]
    assert "no translation invariance claimed" in report["translation_invariance"]
    assert "no real-valued attribute 'margin'" in report["margin_monotonic"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"kind": "ranking"}, ValueError, "kind must be one of"),
        ({"invariances": ["rotation"]}, ValueError, "invariances must be among"),
        ({"kind": "classification", "invariances": "scale"}, ValueError, "scale"),
        ({"max_examples": 0}, ValueError, "max_examples"),
        ({"skip": {"finite": "typo"}}, ValueError, "skip names unknown"),
        ({"reference": 3}, TypeError, "reference"),
    ],
)
def test_invalid_arguments_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        check_loss(CrossEntropyLoss(), **kwargs)
    with pytest.raises(TypeError, match="loss must be a callable"):
        check_loss("cross-entropy")


def test_kind_is_guessed_from_the_forward_signature():
    from sklearn_ser.testing._inputs import guess_kind

    class Metric(nn.Module):
        def forward(self, embeddings, labels): ...

    class Cosine(nn.Module):
        def forward(self, cosines, target): ...

    class Joint(nn.Module):
        def forward(self, logits, embeddings, labels, weight=None): ...

    def plain(input, target): ...

    assert guess_kind(Metric()) == "metric"
    assert guess_kind(Cosine()) == "cosine"
    assert guess_kind(Joint()) == "joint"
    assert guess_kind(plain) == "classification"
    assert guess_kind(CrossEntropyLoss()) == "classification"


def test_a_guessed_kind_is_named_in_the_failure():
    message = _failure(NoHingeTripletLoss())  # forward(embeddings, labels)
    _assert_caught_by(message, "finite_non_negative")
    assert "kind='metric' guessed from forward(embeddings, labels)" in message


def test_three_argument_joint_losses_are_called_with_three_arguments():
    calls = []

    def joint(logits, embeddings, labels):
        calls.append((logits.shape[0], embeddings.shape[0], labels.shape[0]))
        return 0.5 * F.cross_entropy(logits, labels) + 0.0 * embeddings.sum()

    check_loss(joint, max_examples=3, invariances=["translation", "scale"])
    assert calls and all(a == b == c for a, b, c in calls)


def test_same_random_state_same_examples():
    seen = {0: [], 1: []}

    def recording(run):
        def loss(input, target):
            seen[run].append(input.detach().clone())
            return F.cross_entropy(input, target)
        return loss

    for run in (0, 1):
        check_loss(recording(run), kind="classification", max_examples=4,
                   skip={name: "speed" for name in CHECKS[1:]})
    assert len(seen[0]) == len(seen[1]) > 0
    assert all(torch.equal(a, b) for a, b in zip(seen[0], seen[1]))


# ------------------------------------------------------------------- pytest helper
@parametrize_with_loss_checks([
    (CrossEntropyLoss(), {"kind": "classification", "invariances": ["translation"],
                          "reference": R.cross_entropy, "max_examples": 5}),
    (TripletLoss(distance="cosine", mining="hard"), {
        "kind": "metric", "invariances": ["scale"], "max_examples": 5,
        "reference": functools.partial(R.triplet_loss, distance="cosine",
                                       mining="hard"),
        "skip": {"float32_float64_agreement": "covered in tests/losses"}}),
])
def test_parametrize_with_loss_checks(loss, check):
    check(loss)


def test_parametrize_with_loss_checks_makes_one_test_per_applicable_property():
    mark = parametrize_with_loss_checks([
        (CrossEntropyLoss(), {"kind": "classification"}),
        (TripletLoss(), {"kind": "metric", "skip": {"margin_monotonic": "why"}}),
    ])
    names, values = mark.args
    assert names == "loss, check"
    ids = mark.kwargs["ids"]
    ce = "CrossEntropyLoss(reduction='mean', ignore_index=-100, label_smoothing=0.0)"
    assert f"{ce}-permutation_invariance" in ids
    assert not any(i.startswith(f"{ce}-separated_zero") for i in ids)
    triplet = [i for i in ids if i.startswith("TripletLoss")]
    assert any(i.endswith("-separated_zero") for i in triplet)
    assert not any(i.endswith("-margin_monotonic") for i in triplet)
    loss, check = values[0].values
    with pytest.raises(AssertionError, match="property 'finite_non_negative'"):
        check(lambda input, target: -F.cross_entropy(input, target))


# --------------------------------------------------------------- optional extra
def test_import_without_hypothesis_says_how_to_install(monkeypatch):
    for name in list(sys.modules):
        if name == "sklearn_ser.testing" or name.startswith("sklearn_ser.testing."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError) as info:
        importlib.import_module("sklearn_ser.testing")
    message = str(info.value)
    assert "\n" not in message
    assert "pip install sklearn-ser[testing]" in message
