"""Row 3 of issue 15: network sizes set by a file are bounded before allocation."""

from __future__ import annotations

import resource

import pytest
from iohelpers import read_doc, write_doc

from sklearn_ser.io import load_model


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_huge_lstm_is_refused_before_allocation(net_file):
    """``module__lstm_hidden=8000`` would allocate ~2 GB of weights: refused from
    the parameter count, computed on the meta device."""
    doc = read_doc(net_file)
    doc["estimator"]["params"]["module__lstm_hidden"] = 8000
    write_doc(net_file, doc)
    before = _peak_rss_mib()
    with pytest.raises(ValueError, match=r"refusing.*network would have \d{9} "
                                         r"parameters, more than max_parameters="
                                         r"50000000") as exc:
        load_model(net_file)
    assert "\n" not in str(exc.value)
    assert _peak_rss_mib() - before < 100


def test_size_that_disagrees_with_the_weights_is_refused(net_file):
    doc = read_doc(net_file)
    doc["estimator"]["params"]["module__lstm_hidden"] = 40
    write_doc(net_file, doc)
    with pytest.raises(ValueError, match=r"module weight '.*' is float32 \(\d+, \d+\), "
                                         r"the network its parameters describe has"):
        load_model(net_file)


def test_limit_applies_to_format_1_files(net_file):
    doc = read_doc(net_file)
    doc["format_version"] = 1
    del doc["members"]
    write_doc(net_file, doc)
    assert load_model(net_file).predict  # loads within the limits
    with pytest.raises(ValueError, match=r"parameters, more than max_parameters=10"):
        load_model(net_file, max_parameters=10)
    with pytest.raises(TypeError, match="max_parameters must be a positive int"):
        load_model(net_file, max_parameters=1.5)


@pytest.mark.parametrize(
    ("param", "value"),
    [("module__lstm_hidden", -3), ("module__lstm_hidden", "wide"),
     ("module__conv_channels", [8, 0]), ("module__pooling", "nonsense")],
)
def test_bad_sizes_are_one_line_errors(net_file, param, value):
    doc = read_doc(net_file)
    doc["estimator"]["params"][param] = value
    write_doc(net_file, doc)
    with pytest.raises(ValueError, match=r"refusing.*CNNLSTMClassifier") as exc:
        load_model(net_file)
    assert "\n" not in str(exc.value)


def test_segment_length_is_bounded(net_file):
    doc = read_doc(net_file)
    doc["estimator"]["skorch"]["state"]["segment_length_"] = 10**9
    write_doc(net_file, doc)
    with pytest.raises(ValueError, match=r"'segment_length_' is 1000000000"):
        load_model(net_file)
