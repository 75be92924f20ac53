"""The docstring helpers under ``python -OO``, which strips every docstring: the
package must still import (skorch itself does not, so the networks' modules fail
there; the features, recipes, model files and SVM paths import)."""

from __future__ import annotations

from sklearn_ser.utils._docs import fill_doc


def test_fill_doc_puts_the_shared_text_in():
    @fill_doc(params="x : int\n    A number.")
    class Documented:
        """Parameters
        ----------
        %(params)s
        """

    assert "x : int" in Documented.__doc__ and "%(" not in Documented.__doc__


def test_fill_doc_leaves_a_stripped_docstring_alone():
    class Stripped:
        pass

    Stripped.__doc__ = None  # what python -OO leaves
    assert fill_doc(params="x")(Stripped) is Stripped
    assert Stripped.__doc__ is None
