"""2-D map of utterance embeddings coloured by class (t-SNE, PCA or UMAP)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

__all__ = ["EmbeddingDisplay"]

_METHODS = ("tsne", "pca", "umap", None)
_METHOD_NAMES = {"tsne": "t-SNE", "pca": "PC", "umap": "UMAP", None: "dim"}


def _embeddings_of(estimator: Any, X: Any, name: str) -> np.ndarray:
    """``estimator.transform(X)``, or for a pipeline whose last step cannot
    transform, the output of the steps before it (the classifier's input)."""
    if hasattr(estimator, "transform"):
        return np.asarray(estimator.transform(X))
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        return np.asarray(estimator[:-1].transform(X))
    raise TypeError(
        f"{name}: {type(estimator).__name__} has no transform method to give the "
        "embeddings of X; pass an estimator whose transform returns embeddings (the "
        "deep classifiers of sklearn_ser.models do) or a Pipeline, whose steps "
        "before the final classifier then give them"
    )


def _select(
    embeddings: np.ndarray, y: Any, labels: Any, name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the classes in ``labels`` (all when None), their classes and labels."""
    y = np.asarray(y)
    if y.shape != (embeddings.shape[0],):
        raise ValueError(
            f"{name}: embeddings has {embeddings.shape[0]} rows but y has shape "
            f"{y.shape}; expected one label per embedding"
        )
    if labels is None:
        return embeddings, y, np.unique(y)
    labels = np.asarray(labels)
    unknown = [lab for lab in labels.tolist() if not np.any(y == lab)]
    if unknown:
        raise ValueError(
            f"{name}: labels {unknown} have no samples in y (classes of y: "
            f"{np.unique(y).tolist()})"
        )
    keep = np.isin(y, labels)
    return embeddings[keep], y[keep], labels


class EmbeddingDisplay:
    """Map of utterance embeddings in 2-D, one colour per class.

    The picture of kumar Fig. 4 and liu2023 Fig. 8: the embeddings a network gives
    the utterances (``transform``), reduced to two dimensions by t-SNE (as both
    papers), PCA or UMAP, one colour per emotion. Tight, separated clouds mean
    an embedding that the classifier can split.

    Create it with :meth:`from_estimator` or :meth:`from_embeddings`; all
    parameters are stored as attributes.

    Parameters
    ----------
    embedding_2d : ndarray of shape (n_samples, 2)
        The 2-D coordinates of every utterance.
    y : array-like of shape (n_samples,)
        Class of every utterance.
    display_labels : array-like of shape (n_classes,), default=None
        Classes to draw, in this order (legend and colours); default the sorted
        classes of ``y``.
    method : {"tsne", "pca", "umap"} or None, default=None
        How the coordinates were obtained; names the axes.

    Attributes
    ----------
    scatter_ : list of matplotlib PathCollection
        One scatter per class, in the order of the classes.
    legend_ : matplotlib Legend or None
        The legend (one entry per class); None with ``legend=False``.
    ax_ : matplotlib Axes
        Axes with the map.
    figure_ : matplotlib Figure
        Figure holding the axes.
    reducer_ : estimator or None
        The fitted TSNE / PCA / UMAP object, set by :meth:`from_embeddings` and
        :meth:`from_estimator`; None when the display was built directly.

    See Also
    --------
    AngleHeatmapDisplay : angles between the class embeddings.
    sklearn.manifold.TSNE : the t-SNE used.

    References
    ----------
    .. [1] P. Kumar, S. Jain, B. Raman, P. P. Roy and M. Iwamura, "End-to-end
       triplet loss based emotion embedding system for speech emotion
       recognition", ICPR 2020, §IV-B1, Fig. 4.
    .. [2] Y. Liu, H. Sun, W. Guan, Y. Xia and Z. Zhao, "Speech emotion
       recognition using cascaded attention network with joint loss for
       discrimination of confusions", 2023, §5, Fig. 8.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["anger", "neutral", "sadness"], 5)
    >>> centre = {"anger": 0.0, "neutral": 3.0, "sadness": 6.0}
    >>> emb = rng.normal(size=(15, 8)) + np.array([centre[c] for c in y])[:, None]
    >>> disp = EmbeddingDisplay.from_embeddings(emb, y, method="pca")
    >>> [t.get_text() for t in disp.legend_.get_texts()]
    ['anger', 'neutral', 'sadness']
    >>> disp.ax_.get_xlabel()
    'PC 1'
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        embedding_2d: Any,
        y: Any,
        *,
        display_labels: Any = None,
        method: str | None = None,
    ) -> None:
        self.embedding_2d = embedding_2d
        self.y = y
        self.display_labels = display_labels
        self.method = method
        self.reducer_ = None

    def plot(
        self,
        *,
        ax: Any = None,
        legend: bool = True,
        cmap: Any = "tab10",
        scatter_kw: dict | None = None,
        title: str | None = None,
    ) -> EmbeddingDisplay:
        """Draw the map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        legend : bool, default=True
            Add a legend with one entry per class.
        cmap : str or matplotlib Colormap, default="tab10"
            Colours of the classes: entry ``k`` (cycled) of a listed colormap such
            as "tab10", evenly spaced over a continuous one.
        scatter_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.scatter` (e.g. ``s``, ``alpha``,
            ``marker``).
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : EmbeddingDisplay
            ``self``, with ``figure_``, ``ax_``, ``scatter_`` and ``legend_`` set.
        """
        import matplotlib
        import matplotlib.pyplot as plt

        points = np.asarray(self.embedding_2d, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(
                f"EmbeddingDisplay: embedding_2d must have shape (n_samples, 2), got "
                f"{points.shape}"
            )
        y = np.asarray(self.y)
        if y.shape != (points.shape[0],):
            raise ValueError(
                f"EmbeddingDisplay: embedding_2d has {points.shape[0]} rows but y has "
                f"shape {y.shape}"
            )
        if self.display_labels is None:
            classes = np.unique(y)
        else:
            classes = np.asarray(self.display_labels)
        if ax is None:
            fig, ax = plt.subplots()
        else:
            fig = ax.figure
        colours = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
        listed = isinstance(colours, matplotlib.colors.ListedColormap)
        kw = {"s": 20, "alpha": 0.8, **(scatter_kw or {})}
        self.scatter_ = []
        for k, label in enumerate(classes.tolist()):
            if listed:
                colour = colours(k % colours.N)
            else:
                colour = colours(k / max(1, classes.size - 1))
            mask = y == label
            self.scatter_.append(
                ax.scatter(
                    points[mask, 0],
                    points[mask, 1],
                    color=colour,
                    label=str(label),
                    **kw,
                )
            )
        axis = _METHOD_NAMES.get(self.method, str(self.method))
        ax.set(xlabel=f"{axis} 1", ylabel=f"{axis} 2")
        if title is not None:
            ax.set_title(title)
        self.legend_ = ax.legend(title="class", loc="best") if legend else None
        self.figure_ = fig
        self.ax_ = ax
        return self

    @classmethod
    def from_embeddings(
        cls,
        embeddings: Any,
        y: Any,
        *,
        method: str | None = "tsne",
        labels: Any = None,
        normalize: bool = False,
        perplexity: float = 30.0,
        n_neighbors: int = 15,
        random_state: Any = None,
        reducer_kw: dict | None = None,
        ax: Any = None,
        legend: bool = True,
        cmap: Any = "tab10",
        scatter_kw: dict | None = None,
        title: str | None = None,
    ) -> EmbeddingDisplay:
        """Reduce embeddings to 2-D and draw them.

        Parameters
        ----------
        embeddings : array-like of shape (n_samples, n_dims)
            One embedding per utterance.
        y : array-like of shape (n_samples,)
            Class of every utterance.
        method : {"tsne", "pca", "umap"} or None, default="tsne"
            :class:`sklearn.manifold.TSNE` (kumar, liu2023),
            :class:`sklearn.decomposition.PCA`, or ``umap.UMAP`` (needs the
            ``umap-learn`` package); None when ``embeddings`` are 2-D already.
        labels : array-like of shape (n_classes,), default=None
            Classes to draw, in this order; samples of other classes are left out
            *before* the reduction. Default: every class of ``y``, sorted.
        normalize : bool, default=False
            Divide every embedding by its L2 norm first, so that the map shows
            directions only -- the geometry an angle (cosine) classifier sees.
        perplexity : float, default=30.0
            t-SNE perplexity. t-SNE needs it well below the number of samples: a
            value above ``(n_samples - 1) / 3`` is lowered to that, with a
            warning.
        n_neighbors : int, default=15
            UMAP neighbourhood size (at most ``n_samples - 1``).
        random_state : int, RandomState instance or None, default=None
            Seed of t-SNE / PCA / UMAP, for a reproducible map.
        reducer_kw : dict, default=None
            Further parameters of the reducer (e.g. ``{"max_iter": 500}`` for
            t-SNE).
        ax, legend, cmap, scatter_kw, title
            See :meth:`plot`.

        Returns
        -------
        display : EmbeddingDisplay
            With ``reducer_`` the fitted reducer.
        """
        name = f"{cls.__name__}.from_embeddings"
        if method not in _METHODS:
            raise ValueError(
                f"{name}: method must be one of {_METHODS}, got {method!r}"
            )
        emb = np.asarray(embeddings, dtype=float)
        if emb.ndim != 2 or emb.shape[0] == 0:
            raise ValueError(
                f"{name}: embeddings must be a non-empty 2-D array (n_samples, "
                f"n_dims), got shape {emb.shape}"
            )
        emb, y, classes = _select(emb, y, labels, name)
        if normalize:
            norms = np.linalg.norm(emb, axis=1, keepdims=True)
            if np.any(norms == 0):
                raise ValueError(
                    f"{name}: normalize=True but {int(np.sum(norms == 0))} "
                    "embeddings are zero vectors, which have no direction"
                )
            emb = emb / norms
        points, reducer = _reduce(
            emb,
            method=method,
            perplexity=perplexity,
            n_neighbors=n_neighbors,
            random_state=random_state,
            reducer_kw=reducer_kw or {},
            name=name,
        )
        disp = cls(points, y, display_labels=classes, method=method)
        disp.reducer_ = reducer
        return disp.plot(
            ax=ax, legend=legend, cmap=cmap, scatter_kw=scatter_kw, title=title
        )

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        method: str | None = "tsne",
        labels: Any = None,
        normalize: bool = False,
        perplexity: float = 30.0,
        n_neighbors: int = 15,
        random_state: Any = None,
        reducer_kw: dict | None = None,
        ax: Any = None,
        legend: bool = True,
        cmap: Any = "tab10",
        scatter_kw: dict | None = None,
        title: str | None = None,
    ) -> EmbeddingDisplay:
        """Draw the embeddings a fitted estimator gives ``X``.

        The embeddings are ``estimator.transform(X)`` (the deep classifiers of
        :mod:`sklearn_ser.models` return utterance embeddings there); for a
        ``Pipeline`` whose final classifier has no ``transform``, the output of
        the steps before it.

        Parameters
        ----------
        estimator : estimator instance
            Fitted estimator with ``transform``, or a fitted Pipeline.
        X : array-like
            Input of ``estimator.transform``.
        y : array-like of shape (n_samples,)
            Class of every utterance.
        method, labels, normalize, perplexity, n_neighbors, random_state, \
reducer_kw, ax, legend, cmap, scatter_kw, title
            See :meth:`from_embeddings` and :meth:`plot`.

        Returns
        -------
        display : EmbeddingDisplay
        """
        emb = _embeddings_of(estimator, X, f"{cls.__name__}.from_estimator")
        return cls.from_embeddings(
            emb,
            y,
            method=method,
            labels=labels,
            normalize=normalize,
            perplexity=perplexity,
            n_neighbors=n_neighbors,
            random_state=random_state,
            reducer_kw=reducer_kw,
            ax=ax,
            legend=legend,
            cmap=cmap,
            scatter_kw=scatter_kw,
            title=title,
        )


def _reduce(
    emb: np.ndarray,
    *,
    method: str | None,
    perplexity: float,
    n_neighbors: int,
    random_state: Any,
    reducer_kw: dict,
    name: str,
) -> tuple[np.ndarray, Any]:
    n_samples = emb.shape[0]
    if method is None:
        if emb.shape[1] != 2:
            raise ValueError(
                f"{name}: method=None needs 2-D embeddings (n_samples, 2), got "
                f"{emb.shape[1]} dimensions; use method='tsne', 'pca' or 'umap'"
            )
        return emb, None
    if method == "pca":
        from sklearn.decomposition import PCA

        reducer = PCA(n_components=2, random_state=random_state, **reducer_kw)
    elif method == "tsne":
        from sklearn.manifold import TSNE

        limit = (n_samples - 1) / 3.0
        if perplexity > limit:
            # t-SNE matches each point to about `perplexity` neighbours; with
            # fewer samples than that the map is meaningless (sklearn rejects
            # perplexity >= n_samples outright)
            warnings.warn(
                f"{name}: perplexity={perplexity} is too large for {n_samples} "
                f"samples; using perplexity={limit:.3g} = (n_samples - 1) / 3",
                UserWarning,
                stacklevel=3,
            )
            perplexity = limit
        if perplexity <= 0:
            raise ValueError(
                f"{name}: t-SNE needs at least 2 samples and perplexity > 0, got "
                f"{n_samples} samples and perplexity={perplexity}"
            )
        reducer = TSNE(
            n_components=2,
            perplexity=perplexity,
            init="pca",
            learning_rate="auto",
            random_state=random_state,
            **reducer_kw,
        )
    else:  # umap
        try:
            import umap
        except ImportError as exc:
            raise ImportError(
                f"{name}: method='umap' needs the umap-learn package, which is not "
                "installed. Install it with `pip install umap-learn` (or the "
                "'umap' extra: `pip install sklearn-ser[umap]`), or use "
                "method='tsne' or 'pca'."
            ) from exc
        reducer = umap.UMAP(
            n_components=2,
            n_neighbors=max(2, min(n_neighbors, n_samples - 1)),
            random_state=random_state,
            **reducer_kw,
        )
    return np.asarray(reducer.fit_transform(emb), dtype=float), reducer
