"""``evaluate``: cross-validation under a named protocol, over seeds, into a report."""

from __future__ import annotations

import platform
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn import get_config
from sklearn.base import clone
from sklearn.model_selection import cross_validate
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import get_routing_for_object

from ._leakage import LeakageWarning, check_leakage
from ._protocols import make_splits
from ._report import EvaluationReport, build_report, json_safe

__all__ = ["evaluate"]

_OPTIONAL_LIBRARIES = (
    "torch",
    "skorch",
    "imblearn",
    "librosa",
    "numba",
    "dask",
    "distributed",
)


def _no_score(estimator: Any, X: Any, y: Any) -> float:
    """Scorer that predicts nothing: the predictions are made once, by ``_predict``."""
    return 0.0


def _predict(estimator: Any, X: Any, test: np.ndarray, params: dict) -> tuple:
    X_test = _safe_indexing(X, test)
    t = time.perf_counter()
    y_pred = estimator.predict(X_test, **params)
    return np.asarray(y_pred), time.perf_counter() - t


def _slice(params: dict, idx: np.ndarray, n: int) -> dict:
    return {
        k: (_safe_indexing(v, idx) if hasattr(v, "__len__") and len(v) == n else v)
        for k, v in params.items()
    }


def _versions() -> dict:
    import joblib
    import scipy
    import sklearn

    import sklearn_ser

    out = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sklearn_ser": sklearn_ser.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }
    # Only libraries already imported: recording a version must not import torch.
    for name in _OPTIONAL_LIBRARIES:
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "__version__"):
            out[name] = str(module.__version__)
    return out


def _param_value(value: Any) -> Any:
    if hasattr(value, "get_params") and not isinstance(value, type):
        return f"<{type(value).__name__}>"
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(v, tuple) and len(v) >= 2 for v in value)
    ):
        return [[str(v[0]), _param_value(v[1])] for v in value]
    return json_safe(value)


def _estimator_record(estimator: Any, seed_keys: list[str]) -> dict:
    params = {}
    if hasattr(estimator, "get_params"):
        params = {
            k: _param_value(v) for k, v in estimator.get_params(deep=True).items()
        }
    return {
        "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "repr": repr(estimator),
        "params": params,
        "random_state_params": seed_keys,
    }


def _routed(estimator: Any, method: str, names: Iterable[str]) -> set:
    """The metadata among ``names`` that ``estimator.<method>`` consumes."""
    if not get_config().get("enable_metadata_routing", False):
        return set()
    try:
        return set(
            get_routing_for_object(estimator).consumes(method=method, params=set(names))
        )
    except (AttributeError, TypeError, ValueError):
        return set()


def evaluate(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    speaker: Any = None,
    protocol: str | None = None,
    cv: Any = None,
    n_splits: int | None = None,
    test_size: float = 0.2,
    split_random_state: int | None = 0,
    seeds: Iterable[Any] = (0,),
    scoring: Any = None,
    params: dict | None = None,
    n_jobs: int | None = None,
    verbose: int = 0,
    callback: Callable[[dict], Any] | None = None,
    return_predictions: bool = True,
    speaker_independent: bool | None = None,
    check_duplicates: bool = True,
    audio: Any = None,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    ci_random_state: int | None = 0,
    name: str | None = None,
    corpus: str | None = None,
) -> EvaluationReport:
    """Cross-validate an estimator under a named protocol and report WA / UA with a CI.

    The folds are fitted by :func:`sklearn.model_selection.cross_validate` (so any
    joblib backend runs them, Dask included, and metadata routing delivers
    ``speaker`` and ``params`` to the steps that request them); each fitted fold
    then predicts its test utterances once. Before anything is fitted the splits
    go through :func:`check_leakage`.

    Parameters
    ----------
    estimator : estimator
        Cloned for every fold and seed; never fitted itself.
    X : sequence of length n_utterances
        Waveforms, file paths or features, one item per utterance.
    y : array-like of shape (n_utterances,)
        Emotion labels.
    speaker : array-like of shape (n_utterances,), default=None
        Speaker of each utterance: the groups of the speaker-independent
        protocols, the unit of the bootstrap, and (with metadata routing
        enabled) routed to every step that requests ``speaker``.
    protocol : {"speaker-kfold", "loso", "random-split", "stratified-kfold"}, \
default=None
        ``"loso"``: leave one speaker out. ``"speaker-kfold"`` (the default when
        ``cv`` is None): :class:`~sklearn.model_selection.StratifiedGroupKFold`
        with ``n_splits`` folds (5). ``"random-split"``:
        :class:`~sklearn.model_selection.StratifiedShuffleSplit`, ``n_splits``
        repetitions (1) of a ``test_size`` test part, as kumar's 70/30.
        ``"stratified-kfold"``: :class:`~sklearn.model_selection.StratifiedKFold`
        over utterances, as the papers' random 5-fold. The last two put every
        speaker on both sides: say so next to every figure they give.
    cv : splitter or iterable of (train, test), default=None
        Any splitter instead of a named protocol; called with
        ``split(X, y, groups=speaker)``. Shared speakers are then only recorded,
        unless ``speaker_independent=True``.
    n_splits : int, default=None
        Folds of ``"speaker-kfold"`` / ``"stratified-kfold"`` (5), repetitions of
        ``"random-split"`` (1).
    test_size : float, default=0.2
        Test fraction of ``"random-split"``.
    split_random_state : int or None, default=0
        Seed of the shuffling splitters. The splits stay the same across
        ``seeds``, so runs of different seeds (and reports of different models
        with the same ``split_random_state``) are paired.
    seeds : iterable, default=(0,)
        One run per seed: every parameter of the estimator whose name ends in
        ``random_state`` (nested ones included) is set to it. ``None`` leaves
        them as they are.
    scoring : str, callable, list or dict, default=None
        Extra scorers computed per fold (as in ``cross_validate``) and stored in
        each fold's ``scores``; WA and UA are always computed from the predictions.
    params : dict, default=None
        Further metadata for ``fit`` (e.g. ``sample_weight``), routed as
        ``cross_validate(params=...)`` routes it.
    n_jobs : int, default=None
        Folds fitted in parallel. With ``None`` or 1 the folds run one by one and
        ``callback`` is called as each ends; otherwise all folds of a seed run
        together and ``callback`` is called after them.
    verbose : int, default=0
        ``>= 1`` prints a line per fold on stderr; passed on to ``cross_validate``.
    callback : callable, default=None
        Called with a dict per fold: ``seed``, ``seed_index``, ``n_seeds``,
        ``fold``, ``n_folds``, ``n_train``, ``n_test``, ``WA``, ``UA``,
        ``fit_seconds``, ``predict_seconds`` (for progress bars).
    return_predictions : bool, default=True
        Keep every prediction in the report (needed for
        :meth:`EvaluationReport.predictions`, and for :func:`compare` and the
        bootstrap when there are no speakers).
    speaker_independent : bool, default=None
        Refuse folds that share a speaker. Default: True for ``"loso"`` and
        ``"speaker-kfold"``, else only recorded.
    check_duplicates : bool, default=True
        Hash every utterance and warn (:class:`LeakageWarning`) about identical
        ones on both sides of a split.
    audio : sequence, default=None
        What to hash for that check instead of ``X`` (the file paths or waveforms
        when ``X`` holds precomputed features).
    n_boot : int, default=1000
        Bootstrap replicates of the confidence intervals (0: no interval).
    ci_level : float, default=0.95
        Confidence level.
    ci_random_state : int or None, default=0
        Seed of the bootstrap.
    name, corpus : str, default=None
        Labels stored in the report (the benchmark row, the corpus).

    Returns
    -------
    report : EvaluationReport

    Raises
    ------
    ValueError
        If a speaker-independent protocol would put a speaker on both sides, or an
        argument is invalid.

    See Also
    --------
    check_leakage : the checks run before fitting.
    compare : is one report's UA better than another's beyond the noise?

    Notes
    -----
    Every fitted step (scaling, resampling, the network) is fitted inside each
    training fold. Features computed *before* ``evaluate`` must come from
    stateless transformers, or they leak the test folds into training.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> from sklearn_ser.evaluation import evaluate
    >>> from sklearn_ser.features import MFCC, FrameStatistics
    >>> data = make_emotional_speech(n_per_class=8, n_speakers=4, random_state=0,
    ...                              classes=("anger", "neutral", "sadness"))
    >>> pipe = make_pipeline(MFCC(n_mfcc=13), FrameStatistics(), StandardScaler(),
    ...                      SVC())
    >>> report = evaluate(pipe, data.X, data.y, speaker=data.speaker,
    ...                   protocol="loso")
    >>> report.protocol["description"], len(report.runs[0]["folds"])
    ('leave-one-speaker-out', 4)
    >>> 0.0 <= report.UA_ci[0] <= report.UA <= report.UA_ci[1] <= 1.0
    True
    """
    t_start = time.perf_counter()
    y = np.asarray(y)
    n = len(y)
    if y.ndim != 1:
        raise ValueError(f"evaluate: y must be 1-D, got shape {y.shape}")
    if len(X) != n:
        raise ValueError(f"evaluate: X has {len(X)} items but y has {n} labels")
    if speaker is not None:
        speaker = np.asarray(speaker)
        if speaker.shape != (n,):
            raise ValueError(
                f"evaluate: speaker must have one id per utterance ({n}), got shape "
                f"{speaker.shape}"
            )
    if audio is not None and len(audio) != n:
        raise ValueError(f"evaluate: audio has {len(audio)} items for {n} utterances")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("evaluate: seeds must hold at least one seed (or None)")
    if callback is not None and not callable(callback):
        raise TypeError(f"evaluate: callback must be callable, got {callback!r}")

    splits, record = make_splits(
        X,
        y,
        speaker=speaker,
        protocol=protocol,
        cv=cv,
        n_splits=n_splits,
        test_size=test_size,
        random_state=split_random_state,
    )
    if not splits:
        raise ValueError("evaluate: the splitter produced no folds")
    if speaker_independent is not None:
        record["speaker_independent"] = bool(speaker_independent)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LeakageWarning)
        leakage = check_leakage(
            audio if audio is not None else X,
            speaker,
            splits,
            speaker_independent=record["speaker_independent"],
            check_duplicates=check_duplicates,
        )
    for w in caught:  # re-issued so that they point at the caller of evaluate
        if issubclass(w.category, LeakageWarning):
            warnings.warn(w.message, LeakageWarning, stacklevel=2)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    # every random_state of the estimator and of its nested steps (a__b__random_state)
    params_now = (
        estimator.get_params(deep=True) if hasattr(estimator, "get_params") else {}
    )
    seed_keys = sorted(k for k in params_now if k.endswith("random_state"))
    fit_params = dict(params or {})
    predict_params: dict = {}
    if speaker is not None:
        if "speaker" in _routed(estimator, "fit", ["speaker"]):
            fit_params.setdefault("speaker", speaker)
        if "speaker" in _routed(estimator, "predict", ["speaker"]):
            predict_params["speaker"] = speaker

    sequential = n_jobs in (None, 1)
    scorer = _no_score if scoring is None else scoring
    runs = []
    for s_i, seed in enumerate(seeds):
        est = clone(estimator)
        if seed is not None and seed_keys:
            est.set_params(**dict.fromkeys(seed_keys, seed))
        chunks = [[split] for split in splits] if sequential else [splits]
        folds: list[dict] = []
        for chunk in chunks:
            res = cross_validate(
                est,
                X,
                y,
                cv=chunk,
                scoring=scorer,
                n_jobs=n_jobs,
                verbose=max(verbose - 1, 0),
                params=fit_params or None,
                return_estimator=True,
                return_indices=True,
                error_score="raise",
            )
            tests = res["indices"]["test"]
            if sequential:
                preds = [
                    _predict(
                        res["estimator"][0],
                        X,
                        tests[0],
                        _slice(predict_params, tests[0], n),
                    )
                ]
            else:
                preds = Parallel(n_jobs=n_jobs)(
                    delayed(_predict)(e, X, te, _slice(predict_params, te, n))
                    for e, te in zip(res["estimator"], tests, strict=True)
                )
            for j, (te, (y_pred, p_s)) in enumerate(zip(tests, preds, strict=True)):
                scores = {}
                if scoring is not None:
                    for key, values in res.items():
                        if key.startswith("test_"):
                            scores[key[5:]] = float(values[j])
                fold = {
                    "test_index": te,
                    "y_pred": y_pred,
                    "n_train": int(len(res["indices"]["train"][j])),
                    "fit_seconds": float(res["fit_time"][j]),
                    "predict_seconds": float(p_s),
                    "scores": scores,
                }
                folds.append(fold)
                _progress(
                    fold,
                    y,
                    s_i,
                    seed,
                    len(seeds),
                    len(folds),
                    len(splits),
                    verbose,
                    callback,
                )
        runs.append(folds)

    return build_report(
        y,
        runs,
        speaker=speaker,
        seeds=seeds,
        protocol=record,
        estimator=_estimator_record(estimator, seed_keys),
        versions=_versions(),
        leakage=leakage,
        ci_level=ci_level,
        n_boot=n_boot,
        ci_random_state=ci_random_state,
        return_predictions=return_predictions,
        name=name,
        corpus=corpus,
        extra={
            "elapsed_seconds": time.perf_counter() - t_start,
            "metadata_routed": {
                "fit": sorted(fit_params),
                "predict": sorted(predict_params),
            },
        },
    )


def _progress(
    fold: dict,
    y: np.ndarray,
    s_i: int,
    seed: Any,
    n_seeds: int,
    k: int,
    n_folds: int,
    verbose: int,
    callback: Callable | None,
) -> None:
    if not verbose and callback is None:
        return
    from sklearn_ser.metrics import unweighted_accuracy, weighted_accuracy

    te = fold["test_index"]
    y_true = y[te]
    y_pred = np.asarray(fold["y_pred"]).astype(y.dtype, copy=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a class missing from a fold
        wa, ua = (
            weighted_accuracy(y_true, y_pred),
            unweighted_accuracy(y_true, y_pred),
        )
    info = {
        "seed": seed,
        "seed_index": s_i,
        "n_seeds": n_seeds,
        "fold": k,
        "n_folds": n_folds,
        "n_train": fold["n_train"],
        "n_test": int(len(te)),
        "WA": wa,
        "UA": ua,
        "fit_seconds": fold["fit_seconds"],
        "predict_seconds": fold["predict_seconds"],
    }
    if verbose:
        print(
            f"[evaluate] seed {seed} ({s_i + 1}/{n_seeds}) fold {k}/{n_folds}: "
            f"WA={info['WA']:.3f} UA={info['UA']:.3f} "
            f"(fit {info['fit_seconds']:.1f} s, predict "
            f"{info['predict_seconds']:.1f} s)",
            file=sys.stderr,
            flush=True,
        )
    if callback is not None:
        callback(info)
