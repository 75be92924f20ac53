"""Heat-map of the angles between class embeddings (kumar Tables II/III)."""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np

from ..metrics import LabelledMatrix, angle_table
from ._embedding import _embeddings_of

__all__ = ["AngleHeatmapDisplay"]


class AngleHeatmapDisplay:
    """Heat-map of the angles between class embeddings, annotated in degrees.

    kumar Tables II/III as a picture: cell ``(i, j)`` is the angle between the
    embeddings of classes ``i`` and ``j`` (mean directions of their L2-normalised
    utterance embeddings, :func:`sklearn_ser.metrics.angle_table`). Small angles
    (dark with the default colormap) mark the emotions an angle classifier
    confuses.

    Create it with :meth:`from_estimator` or :meth:`from_embeddings`; all
    parameters are stored as attributes.

    Parameters
    ----------
    angles : LabelledMatrix or ndarray of shape (n_classes, n_classes)
        The angles, e.g. from :func:`~sklearn_ser.metrics.angle_table`.
    display_labels : array-like of shape (n_classes,), default=None
        Names of the classes; default the labels of a LabelledMatrix, else
        ``0 .. n_classes - 1``.
    degrees : bool, default=True
        Whether ``angles`` are in degrees (printed with a degree sign) or radians.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The image of the angles.
    text_ : ndarray of shape (n_classes, n_classes) of matplotlib Text, or None
        The printed angles; None with ``include_values=False``.
    ax_ : matplotlib Axes
        Axes with the heat-map.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    sklearn_ser.metrics.angle_table : the angles.
    sklearn_ser.metrics.angle_deviation : their spread (kumar Tables VI/VII).
    EmbeddingDisplay : the utterance embeddings in 2-D.

    References
    ----------
    .. [1] P. Kumar, S. Jain, B. Raman, P. P. Roy and M. Iwamura, "End-to-end
       triplet loss based emotion embedding system for speech emotion
       recognition", ICPR 2020, §IV-B2, Tables II and III.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> emb = [[1, 0], [3, 0.1], [0, 1], [0.1, 2], [1, 1]]
    >>> disp = AngleHeatmapDisplay.from_embeddings(emb, ["a", "a", "b", "b", "c"])
    >>> [t.get_text() for t in disp.text_[0]]
    ['0.0°', '87.6°', '44.0°']
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        angles: Any,
        *,
        display_labels: Any = None,
        degrees: bool = True,
    ) -> None:
        self.angles = angles
        self.display_labels = display_labels
        self.degrees = degrees

    def plot(
        self,
        *,
        include_values: bool = True,
        cmap: Any = "viridis",
        values_format: str = ".1f",
        xticks_rotation: Any = "horizontal",
        ax: Any = None,
        colorbar: bool = True,
        im_kw: dict | None = None,
        text_kw: dict | None = None,
        title: str | None = None,
    ) -> AngleHeatmapDisplay:
        """Draw the heat-map.

        Parameters
        ----------
        include_values : bool, default=True
            Print the angle in every cell.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap; the colour scale runs from 0 to the largest angle.
        values_format : str, default=".1f"
            Format of the printed angles (a degree sign is appended when
            ``degrees``).
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            Rotation of the column names.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        colorbar : bool, default=True
            Add a colour bar.
        im_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.imshow` (e.g. ``vmax=180``).
        text_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.text`.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : AngleHeatmapDisplay
            ``self``, with ``figure_``, ``ax_``, ``im_`` and ``text_`` set.
        """
        import matplotlib.pyplot as plt

        values = np.asarray(self.angles, dtype=float)
        if values.ndim != 2 or values.shape[0] != values.shape[1]:
            raise ValueError(
                f"AngleHeatmapDisplay: angles must be a square matrix, got shape "
                f"{values.shape}"
            )
        n_classes = values.shape[0]
        labels = self.display_labels
        if labels is None:
            if isinstance(self.angles, LabelledMatrix):
                labels = self.angles.labels
            else:
                labels = np.arange(n_classes)
        labels = [str(label) for label in np.asarray(labels).tolist()]
        if len(labels) != n_classes:
            raise ValueError(
                f"AngleHeatmapDisplay: {n_classes} classes but {len(labels)} "
                "display_labels"
            )
        if ax is None:
            fig, ax = plt.subplots()
        else:
            fig = ax.figure
        top = float(values.max()) if values.size and values.max() > 0 else 1.0
        self.im_ = ax.imshow(
            values,
            **{"interpolation": "nearest", "cmap": cmap, "vmin": 0.0, "vmax": top,
               **(im_kw or {})},
        )
        self.text_ = None
        if include_values:
            self.text_ = np.empty((n_classes, n_classes), dtype=object)
            low, high = self.im_.cmap(0.0), self.im_.cmap(1.0)
            lo, hi = self.im_.norm.vmin, self.im_.norm.vmax
            thresh = (lo + hi) / 2.0
            unit = "°" if self.degrees else ""
            for i, j in product(range(n_classes), range(n_classes)):
                # light text on the dark end of the scale, dark text on the light
                colour = high if values[i, j] < thresh else low
                self.text_[i, j] = ax.text(
                    j,
                    i,
                    format(values[i, j], values_format) + unit,
                    **{"ha": "center", "va": "center", "color": colour,
                       **(text_kw or {})},
                )
        if colorbar:
            bar = fig.colorbar(self.im_, ax=ax)
            bar.set_label("angle (degrees)" if self.degrees else "angle (radians)")
        ax.set(
            xticks=np.arange(n_classes),
            yticks=np.arange(n_classes),
            xticklabels=labels,
            yticklabels=labels,
            xlabel="class embedding",
            ylabel="class embedding",
        )
        ax.set_ylim((n_classes - 0.5, -0.5))
        plt.setp(ax.get_xticklabels(), rotation=xticks_rotation)
        if title is not None:
            ax.set_title(title)
        self.figure_ = fig
        self.ax_ = ax
        return self

    @classmethod
    def from_embeddings(
        cls,
        embeddings: Any,
        y: Any,
        *,
        labels: Any = None,
        display_labels: Any = None,
        degrees: bool = True,
        diagonal: str = "zero",
        include_values: bool = True,
        cmap: Any = "viridis",
        values_format: str = ".1f",
        xticks_rotation: Any = "horizontal",
        ax: Any = None,
        colorbar: bool = True,
        im_kw: dict | None = None,
        text_kw: dict | None = None,
        title: str | None = None,
    ) -> AngleHeatmapDisplay:
        """Heat-map of the angles between the class embeddings of ``embeddings``.

        Parameters
        ----------
        embeddings : array-like of shape (n_samples, n_dims)
            One embedding per utterance (norms do not matter).
        y : array-like of shape (n_samples,)
            Class of every utterance.
        labels : array-like of shape (n_classes,), default=None
            Classes of the map, in this order; see
            :func:`~sklearn_ser.metrics.angle_table`.
        display_labels : array-like of shape (n_classes,), default=None
            Names to print; default the classes.
        degrees : bool, default=True
            Degrees (as kumar) or radians.
        diagonal : {"zero", "intra"}, default="zero"
            ``"intra"`` puts the mean angle of each class's utterances to its
            class embedding on the diagonal, as kumar's tables; see
            :func:`~sklearn_ser.metrics.angle_table`.
        include_values, cmap, values_format, xticks_rotation, ax, colorbar, im_kw, \
text_kw, title
            See :meth:`plot`.

        Returns
        -------
        display : AngleHeatmapDisplay
        """
        table = angle_table(
            embeddings, y, labels=labels, degrees=degrees, diagonal=diagonal
        )
        disp = cls(table, display_labels=display_labels, degrees=degrees)
        return disp.plot(
            include_values=include_values,
            cmap=cmap,
            values_format=values_format,
            xticks_rotation=xticks_rotation,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
            title=title,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        labels: Any = None,
        display_labels: Any = None,
        degrees: bool = True,
        diagonal: str = "zero",
        include_values: bool = True,
        cmap: Any = "viridis",
        values_format: str = ".1f",
        xticks_rotation: Any = "horizontal",
        ax: Any = None,
        colorbar: bool = True,
        im_kw: dict | None = None,
        text_kw: dict | None = None,
        title: str | None = None,
    ) -> AngleHeatmapDisplay:
        """Heat-map of the angles between the class embeddings a fitted estimator
        gives ``X``.

        The embeddings are ``estimator.transform(X)`` (the deep classifiers of
        :mod:`sklearn_ser.models`, among them
        :class:`~sklearn_ser.models.CosineEmbeddingClassifier`, return utterance
        embeddings there); for a ``Pipeline`` whose final classifier has no
        ``transform``, the output of the steps before it.

        Parameters
        ----------
        estimator : estimator instance
            Fitted estimator with ``transform``, or a fitted Pipeline.
        X : array-like
            Input of ``estimator.transform``.
        y : array-like of shape (n_samples,)
            Class of every utterance.
        labels, display_labels, degrees, diagonal, include_values, cmap, \
values_format, xticks_rotation, ax, colorbar, im_kw, text_kw, title
            See :meth:`from_embeddings` and :meth:`plot`.

        Returns
        -------
        display : AngleHeatmapDisplay
        """
        emb = _embeddings_of(estimator, X, f"{cls.__name__}.from_estimator")
        return cls.from_embeddings(
            emb,
            y,
            labels=labels,
            display_labels=display_labels,
            degrees=degrees,
            diagonal=diagonal,
            include_values=include_values,
            cmap=cmap,
            values_format=values_format,
            xticks_rotation=xticks_rotation,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
            title=title,
        )
