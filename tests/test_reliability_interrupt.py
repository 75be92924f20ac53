"""Row 4 of issue 15: Ctrl-C during training reaches the caller.

skorch swallows ``KeyboardInterrupt`` in ``partial_fit``; the estimators re-raise it
after ``on_train_end`` (so ``EarlyStopping(load_best=True)`` restores the best
weights first), and ``sklearn-ser train`` exits 130 without writing a model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, EarlyStopping

from sklearn_ser.models import SERClassifier
from sklearn_ser.nn import DoubleLSTM


class InterruptAt(Callback):
    """Raises KeyboardInterrupt at the end of epoch ``epoch`` (what Ctrl-C does)."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


class RecordWeights(Callback):
    """Copies of the module's weights after every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.weights_ = []

    def on_epoch_end(self, net, **kwargs):
        self.weights_.append(
            {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        )


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    return X, y


def _clf(callbacks, **params):
    params = {"module__hidden_size": 4, "max_epochs": 10, "segment_frames": None,
              "random_state": 0, "callbacks": callbacks, **params}
    return SERClassifier(DoubleLSTM, **params)


def test_fit_propagates_keyboard_interrupt():
    X, y = _data()
    clf = _clf([("stop", InterruptAt(2))])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert len(clf.history) == 2  # stopped at epoch 2 of 10, not finished


def test_partial_fit_propagates_keyboard_interrupt():
    X, y = _data()
    clf = _clf([("stop", InterruptAt(3))], max_epochs=2).fit(X, y)
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(X, y)
    assert len(clf.history) == 3
    # the interrupt leaves nothing behind: a later partial_fit trains normally
    clf.set_params(callbacks=None)
    clf.partial_fit(X, y)
    assert len(clf.history) == 5


def test_interrupt_restores_best_weights_first():
    X, y = _data()
    rec = RecordWeights()
    # best train loss at epoch 1 (patience never reached): a rising lr makes later
    # epochs worse is not guaranteed, so compare with the recorded best epoch
    clf = _clf([("rec", rec),
                ("best", EarlyStopping(monitor="train_loss", patience=100,
                                       load_best=True)),
                ("stop", InterruptAt(4))], optimizer__lr=0.5)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    losses = clf.history[:, "train_loss"]
    best = int(np.argmin(losses))
    final = clf.module_.state_dict()
    expected = rec.weights_[best]
    for key in final:
        assert torch.equal(final[key], expected[key]), key
    if best != len(losses) - 1:  # the restore actually changed something
        assert any(not torch.equal(final[k], rec.weights_[-1][k]) for k in final)


def _terminal_sigint():
    """In the child before exec: SIGINT as a terminal delivers it (default action,
    not blocked), whatever state the test process's other tests left it in (the
    disposition SIG_IGN and the signal mask are inherited through exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_train_sigint_exits_130_and_writes_no_model(tmp_path):
    import soundfile as sf

    from sklearn_ser.datasets import make_emotional_speech

    data = make_emotional_speech(n_per_class=3, classes=("anger", "neutral"),
                                 n_speakers=2, duration=(0.5, 0.6), random_state=0)
    lines = ["path,label,speaker"]
    for i, (x, label, speaker) in enumerate(zip(data.X, data.y, data.speaker)):
        sf.write(tmp_path / f"u{i}.wav", x, data.sr)
        lines.append(f"u{i}.wav,{label},{speaker}")
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "model.sser"
    # PYTHONFAULTHANDLER: if the process does not end after Ctrl-C, SIGABRT makes
    # it print where each thread is, which the failure then shows.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1",
           "PYTHONFAULTHANDLER": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklearn_ser.cli", "train", "--recipe", "liu2021",
         "--data", str(tmp_path / "m.csv"), "--max-epochs", "100000",
         "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=_terminal_sigint,
    )
    try:
        # wait for the training message, then let it train a little
        deadline = time.monotonic() + 240
        seen = ""
        while "training" not in seen and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
        assert "training" in seen, seen
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            stdout, stderr = proc.communicate(timeout=60)
            stacks = (seen + stderr).split("\nExtension modules:")[0]
            pytest.fail("still running 120 s after SIGINT; its threads then:\n"
                        + stacks[-8000:])
    finally:
        if proc.poll() is None:  # never leave a training process behind
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, (stdout, seen + stderr)
    assert "interrupted" in stderr
    assert "saved" not in stdout
    assert not out.exists()
    assert not any(p.name.startswith("model.sser") for p in tmp_path.iterdir())


def test_early_stopping_still_ends_training_normally():
    """skorch's EarlyStopping stops by raising KeyboardInterrupt itself."""
    X, y = _data()
    clf = _clf(None, early_stopping=1, early_stopping_threshold=1e9, max_epochs=20,
               validation_fraction=0.25)
    clf.fit(X, y)  # no KeyboardInterrupt
    assert len(clf.history) < 20
    clf = _clf([("es", EarlyStopping(monitor="train_loss", patience=1,
                                     threshold=1e9))], max_epochs=20)
    clf.fit(X, y)
    assert len(clf.history) == 2


def test_save_model_refuses_an_interrupted_fit(tmp_path):
    """An estimator whose fit ended by Ctrl-C is marked; save_model refuses it
    (one line, naming the interrupt), also inside a pipeline, and writes nothing;
    a fit that runs to its end clears the mark."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_ser.io import load_model, save_model

    X, y = _data()
    clf = _clf([("stop", InterruptAt(2))])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert clf.interrupted_ is True
    out = tmp_path / "m.sser"
    with pytest.raises(ValueError, match="interrupted") as info:
        save_model(clf, out)
    assert "\n" not in str(info.value)
    pipe = make_pipeline(StandardScaler().fit(X), clf)
    with pytest.raises(ValueError, match=r"interrupted.*fit it again"):
        save_model(pipe, out)
    assert list(tmp_path.iterdir()) == []
    # a complete training (here partial_fit without the interrupting callback)
    # clears the mark, and the model saves and loads
    clf.set_params(callbacks=None)
    clf.partial_fit(X, y)
    assert not hasattr(clf, "interrupted_")
    save_model(clf, out)
    np.testing.assert_array_equal(load_model(out).predict(X), clf.predict(X))
