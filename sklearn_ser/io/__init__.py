"""Safe model files: fitted estimators stored as JSON parameters and plain arrays.

A pickle is a program: unpickling a file runs whatever its author put in it.
:func:`save_model` writes a fitted estimator or pipeline as *data only* and
:func:`load_model` rebuilds it from the installed packages, so loading a model file
from someone else cannot execute code from that file.

A model file is a zip archive holding

* ``model.json`` -- the format version, the versions of sklearn_ser, scikit-learn,
  torch, skorch, imbalanced-learn and numpy that wrote it, and the estimator tree:
  for every estimator its class (``"module.QualName"``), its parameters and its
  fitted state;
* ``arrays/<k>.npy`` -- the numeric numpy arrays of the fitted state, read with
  ``numpy.load(..., allow_pickle=False)``;
* ``tensors.pt`` -- the torch weights (``state_dict`` of every module and
  criterion of the skorch-based classifiers), a dict of tensors read with
  ``torch.load(..., weights_only=True)``.

Classes are rebuilt only from an allow-list: scikit-learn ``BaseEstimator``
subclasses defined in ``sklearn_ser``, ``sklearn`` or ``imblearn``, and -- as
parameters of those estimators, e.g. ``module=CNNLSTM`` -- torch modules,
optimisers, learning-rate schedulers and data loaders defined in ``sklearn_ser``,
``torch`` or ``skorch``. A name in the file never decides what is imported: the
only modules :func:`load_model` imports are the public subpackages listed in
``_IMPORTABLE`` (``sklearn.svm``, ``torch.nn``, ...), and a class is looked up in
the modules that are loaded after that, so a name such as
``torch.utils.model_dump.__main__.X`` (a module that runs code when imported) is
refused with a ``ValueError`` without being imported. Fitted state read from the
file may not replace a method or other attribute of the estimator's class.

A model file is also untrusted input for memory and native code: ``model.json``
declares the dtype and shape of every member, and sizes are checked against the
declarations and ``max_bytes`` before anything is inflated (``_limits``); networks
are sized on torch's meta device before they are built (``_nets``); the fitted
state of every estimator is checked against its class before any native code
(libsvm) sees it, and classes without such a check are not stored (``_state``,
``_state_ser``); skorch callbacks are stored or dropped by a rule (``_callbacks``).
"""

from ._decode import load_model
from ._encode import save_model
from ._format import FORMAT_VERSION

__all__ = ["load_model", "save_model"]
