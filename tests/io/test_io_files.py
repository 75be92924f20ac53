"""Row 14 of issue 15 (a net with callbacks can be saved) and file permissions."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest
from iohelpers import read_doc, write_doc
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import StepLR

from sklearn_ser.io import load_model, save_model
from sklearn_ser.models import CNNLSTMClassifier


class _MyCallback(Callback):
    """A callback defined outside the stored list."""


@pytest.fixture(scope="module")
def net_with_callbacks(spectra, tmp_path_factory):
    checkpoints = tmp_path_factory.mktemp("run") / "checkpoints"
    net = CNNLSTMClassifier(
        max_epochs=2, segment_frames=10, train_hop=10, test_hop=10, random_state=0,
        callbacks=[
            ("stop", EarlyStopping(monitor="train_loss", patience=3)),
            ("lr", LRScheduler(policy=StepLR, step_size=2, gamma=0.5)),
            Checkpoint(dirname=str(checkpoints), monitor=None),
            ("mine", _MyCallback()),
        ],
    ).fit(*spectra)
    return net, checkpoints


def test_net_with_callbacks_is_saved(net_with_callbacks, spectra, tmp_path):
    """Row 14: skorch callbacks no longer make save_model fail; those on the list
    are stored, the others dropped with a warning naming them."""
    net, checkpoints = net_with_callbacks
    assert checkpoints.is_dir()
    with pytest.warns(UserWarning, match=r"callbacks Checkpoint \(Checkpoint\), mine "
                                         r"\(_MyCallback\) are not stored"):
        save_model(net, tmp_path / "cb.model")
    for child in checkpoints.iterdir():
        child.unlink()
    checkpoints.rmdir()
    loaded = load_model(tmp_path / "cb.model")
    assert not checkpoints.exists()  # loading creates no folder
    np.testing.assert_array_equal(loaded.predict_proba(spectra[0]),
                                  net.predict_proba(spectra[0]))
    names = [name for name, _ in loaded.callbacks]
    assert names == ["stop", "lr"]
    stop, lr = (cb for _, cb in loaded.callbacks)
    assert stop.get_params()["monitor"] == "train_loss" and stop.patience == 3
    assert lr.policy is StepLR and lr.kwargs == {"step_size": 2, "gamma": 0.5}
    assert stop.sink is print
    refit = loaded.set_params(max_epochs=1).fit(*spectra)  # the callbacks still work
    assert "event_lr" in refit.history[-1]


@pytest.mark.parametrize(
    "name",
    ["skorch.callbacks.training.Checkpoint", "skorch.callbacks.logging.TensorBoard",
     "os.system", "tests.io.test_io_files._MyCallback"],
)
def test_callback_off_the_list_in_a_file_is_refused(net_file, name):
    doc = read_doc(net_file)
    doc["estimator"]["params"]["callbacks"] = [
        {"$type": "callback", "class": name, "params": {}}
    ]
    write_doc(net_file, doc)
    with pytest.raises(ValueError, match="not allowed"):
        load_model(net_file)


def test_unknown_function_in_a_file_is_refused(net_file):
    doc = read_doc(net_file)
    doc["estimator"]["params"]["callbacks"] = [{
        "$type": "callback", "class": "skorch.callbacks.training.EarlyStopping",
        "params": {"sink": {"$type": "function", "name": "os.system"}},
    }]
    write_doc(net_file, doc)
    with pytest.raises(ValueError, match="function 'os.system' is not allowed"):
        load_model(net_file)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_file_mode_follows_the_umask(svc_pipe, tmp_path, mask):
    old = os.umask(mask)
    try:
        save_model(svc_pipe, tmp_path / "m.model")
        save_model(svc_pipe, tmp_path / "m.model")  # overwritten in place
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.model").stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["m.model"]  # no .part left


def test_history_holding_arrays_is_not_stored(spectra, tmp_path):
    """A history entry that is an array would point at an unwritten member: the
    history (a record of training only) is left out instead."""
    net = CNNLSTMClassifier(max_epochs=1, segment_frames=10, train_hop=10,
                            test_hop=10, random_state=0).fit(*spectra)
    net.history.record("weights_seen", np.arange(3.0))
    save_model(net, tmp_path / "h.model")
    loaded = load_model(tmp_path / "h.model")
    assert len(loaded.history_) == 0
    np.testing.assert_array_equal(loaded.predict_proba(spectra[0]),
                                  net.predict_proba(spectra[0]))
