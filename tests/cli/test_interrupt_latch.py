"""Ctrl-C during ``sklearn-ser train`` ends the training even when something on the
way swallowed the KeyboardInterrupt (an import or a compile that was running when
the signal came): the CLI's handler also asks the training loop to stop."""

from __future__ import annotations

import signal
import sys

import pytest

from conftest import RECIPE


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_an_interrupt_swallowed_before_training_still_stops_it(cli, corpus, tmp_path,
                                                              monkeypatch):
    from sklearn_ser.features import MFCC

    original = MFCC.transform
    calls = []

    def transform_with_a_swallowed_ctrl_c(self, X, *args, **kwargs):
        if not calls:
            calls.append(1)
            try:  # what a library that catches KeyboardInterrupt does
                signal.raise_signal(signal.SIGINT)
            except KeyboardInterrupt:
                pass
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(MFCC, "transform", transform_with_a_swallowed_ctrl_c)
    out = tmp_path / "model.sser"
    # Python's own SIGINT handler, unblocked, whatever another test in this
    # process left behind
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        result = cli("train", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
                     "--max-epochs", "30", "--out", out)
        handler_after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert calls, "the features were not computed"
    assert result.code == 130, result.err
    assert "interrupted" in result.err
    assert not out.exists()
    assert handler_after is signal.default_int_handler  # the CLI put it back


def test_a_request_stops_a_fit_at_its_next_batch():
    import numpy as np

    from sklearn_ser.models import CNNLSTMClassifier
    from sklearn_ser.models._interrupt import clear_interrupt, request_interrupt

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 1, 8, 30)).astype(np.float32)
    y = np.repeat(["a", "b", "c"], 4)
    clf = CNNLSTMClassifier(loss="ce", max_epochs=1000, batch_size=4, random_state=0)
    request_interrupt()
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    finally:
        clear_interrupt()
    assert clf.interrupted_ and len(clf.history) == 1
    clf.set_params(max_epochs=1).fit(X, y)  # nothing pending any more
    assert not hasattr(clf, "interrupted_")
