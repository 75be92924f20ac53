"""Confusion matrix with per-class recall on the diagonal and WA/UA in the title."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import ConfusionMatrixDisplay as _SklearnConfusionMatrixDisplay
from sklearn.metrics import confusion_matrix
from sklearn.utils.multiclass import unique_labels

from ..metrics import unweighted_accuracy, weighted_accuracy

__all__ = ["ConfusionMatrixDisplay"]

_NORMALIZE = ("true", "pred", "all", None)


class ConfusionMatrixDisplay(_SklearnConfusionMatrixDisplay):
    """Confusion matrix as the SER papers show it: recall per class, WA and UA.

    :class:`sklearn.metrics.ConfusionMatrixDisplay` with the conventions of the
    speech-emotion papers: rows normalised by default (``normalize="true"``), so
    the diagonal reads the recall of every emotion ("the diagonal numbers represent
    the recall rate for each emotion", liu2023 Figs. 4-6; liu2021 Figs. 4-5), values
    printed with two decimals, and the weighted and unweighted accuracies (WA, UA)
    of the predictions in the title.

    Create it with :meth:`from_estimator` or :meth:`from_predictions`; all
    parameters are stored as attributes.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (n_classes, n_classes)
        Confusion matrix (rows: true class, columns: predicted class).
    display_labels : array-like of shape (n_classes,), default=None
        Names of the classes; default ``0 .. n_classes - 1``.
    weighted_accuracy : float, default=None
        WA of the predictions, shown in the title when given.
    unweighted_accuracy : float, default=None
        UA of the predictions, shown in the title when given.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The image of the matrix.
    text_ : ndarray of shape (n_classes, n_classes) of matplotlib Text, or None
        The printed values; None with ``include_values=False``.
    ax_ : matplotlib Axes
        Axes with the matrix.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : the parent class.
    sklearn_ser.metrics.per_class_recall : the same figures as a table.

    References
    ----------
    .. [1] J. Liu and H. Wang, "A speech emotion recognition framework for better
       discrimination of confusions", Interspeech 2021, §3.3, Figures 4 and 5.
    .. [2] Y. Liu, H. Sun, W. Guan, Y. Xia and Z. Zhao, "Speech emotion
       recognition using cascaded attention network with joint loss for
       discrimination of confusions", 2023, §4.2, Figs. 4-6.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> y_true = ["ang", "ang", "ang", "ang", "sad", "sad"]
    >>> y_pred = ["ang", "ang", "ang", "sad", "sad", "sad"]
    >>> disp = ConfusionMatrixDisplay.from_predictions(y_true, y_pred)
    >>> disp.confusion_matrix
    array([[0.75, 0.25],
           [0.  , 1.  ]])
    >>> disp.ax_.get_title()
    'WA 83.3 %   UA 87.5 %'
    >>> [t.get_text() for t in disp.text_.diagonal()]
    ['0.75', '1.00']
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        confusion_matrix: Any,
        *,
        display_labels: Any = None,
        weighted_accuracy: float | None = None,
        unweighted_accuracy: float | None = None,
    ) -> None:
        super().__init__(confusion_matrix, display_labels=display_labels)
        self.weighted_accuracy = weighted_accuracy
        self.unweighted_accuracy = unweighted_accuracy

    def plot(
        self,
        *,
        include_values: bool = True,
        cmap: Any = "Blues",
        xticks_rotation: Any = "horizontal",
        values_format: str | None = None,
        ax: Any = None,
        colorbar: bool = True,
        im_kw: dict | None = None,
        text_kw: dict | None = None,
        title: str | bool | None = None,
    ) -> ConfusionMatrixDisplay:
        """Plot the matrix.

        Parameters
        ----------
        include_values : bool, default=True
            Print the value of every cell.
        cmap : str or matplotlib Colormap, default="Blues"
            Colormap of the cells.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            Rotation of the predicted-class names.
        values_format : str, default=None
            Format of the printed values; default ``".2f"`` for a normalised
            (float) matrix, ``"d"`` for counts.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        colorbar : bool, default=True
            Add a colour bar.
        im_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.imshow`.
        text_kw : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.text`.
        title : str or bool, default=None
            Title of the axes. None: ``"WA xx.x %   UA xx.x %"`` when the
            accuracies are known, no title otherwise; False: no title.

        Returns
        -------
        display : ConfusionMatrixDisplay
            ``self``, with ``figure_``, ``ax_``, ``im_`` and ``text_`` set.
        """
        cm = np.asarray(self.confusion_matrix)
        if values_format is None:
            values_format = ".2f" if cm.dtype.kind == "f" else "d"
        super().plot(
            include_values=include_values,
            cmap=cmap,
            xticks_rotation=xticks_rotation,
            values_format=values_format,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
        )
        if title is None:
            parts = []
            if self.weighted_accuracy is not None:
                parts.append(f"WA {100 * self.weighted_accuracy:.1f} %")
            if self.unweighted_accuracy is not None:
                parts.append(f"UA {100 * self.unweighted_accuracy:.1f} %")
            title = "   ".join(parts)
        if title is not False:
            self.ax_.set_title(title)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        labels: Any = None,
        sample_weight: Any = None,
        normalize: str | None = "true",
        display_labels: Any = None,
        include_values: bool = True,
        xticks_rotation: Any = "horizontal",
        values_format: str | None = None,
        cmap: Any = "Blues",
        ax: Any = None,
        colorbar: bool = True,
        im_kw: dict | None = None,
        text_kw: dict | None = None,
        title: str | bool | None = None,
    ) -> ConfusionMatrixDisplay:
        """Plot the confusion matrix of a fitted classifier's predictions on ``X``.

        Parameters
        ----------
        estimator : estimator instance
            Fitted classifier, or a fitted (imblearn or sklearn) ``Pipeline``
            ending in a classifier.
        X : array-like
            Input of ``estimator.predict`` (waveforms, features, ...).
        y : array-like of shape (n_samples,)
            True classes.
        labels : array-like of shape (n_classes,), default=None
            Classes of the matrix, in this order; default the sorted classes
            found in ``y`` and the predictions.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        normalize : {"true", "pred", "all"} or None, default="true"
            Normalise over the true classes (rows: recall on the diagonal, as the
            papers), the predicted classes (columns: precision), all samples, or
            not at all (counts).
        display_labels : array-like of shape (n_classes,), default=None
            Names to print; default ``labels`` (or the classes found).
        include_values, xticks_rotation, values_format, cmap, ax, colorbar, im_kw, \
text_kw, title
            See :meth:`plot`.

        Returns
        -------
        display : ConfusionMatrixDisplay
        """
        method_name = f"{cls.__name__}.from_estimator"
        if not is_classifier(estimator):
            raise ValueError(
                f"{method_name}: estimator must be a classifier (or a pipeline ending "
                f"in one), got {type(estimator).__name__}"
            )
        y_pred = estimator.predict(X)
        return cls.from_predictions(
            y,
            y_pred,
            labels=labels,
            sample_weight=sample_weight,
            normalize=normalize,
            display_labels=display_labels,
            include_values=include_values,
            xticks_rotation=xticks_rotation,
            values_format=values_format,
            cmap=cmap,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
            title=title,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true: Any,
        y_pred: Any,
        *,
        labels: Any = None,
        sample_weight: Any = None,
        normalize: str | None = "true",
        display_labels: Any = None,
        include_values: bool = True,
        xticks_rotation: Any = "horizontal",
        values_format: str | None = None,
        cmap: Any = "Blues",
        ax: Any = None,
        colorbar: bool = True,
        im_kw: dict | None = None,
        text_kw: dict | None = None,
        title: str | bool | None = None,
    ) -> ConfusionMatrixDisplay:
        """Plot the confusion matrix of true and predicted classes.

        WA and UA in the title, and the totals that ``normalize`` divides by, are
        computed over all the given samples, also when ``labels`` shows only some
        classes: the diagonal is then still the recall of each shown class
        (:func:`sklearn.metrics.confusion_matrix` would normalise over the shown
        cells only).

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True classes.
        y_pred : array-like of shape (n_samples,)
            Predicted classes.
        labels : array-like of shape (n_classes,), default=None
            Classes of the matrix, in this order; default the sorted classes
            found in ``y_true`` and ``y_pred``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        normalize : {"true", "pred", "all"} or None, default="true"
            See :meth:`from_estimator`.
        display_labels : array-like of shape (n_classes,), default=None
            Names to print; default ``labels`` (or the classes found).
        include_values, xticks_rotation, values_format, cmap, ax, colorbar, im_kw, \
text_kw, title
            See :meth:`plot`.

        Returns
        -------
        display : ConfusionMatrixDisplay
        """
        if normalize not in _NORMALIZE:
            raise ValueError(
                f"{cls.__name__}.from_predictions: normalize must be one of "
                f"{_NORMALIZE}, got {normalize!r}"
            )
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if labels is None:
            labels = unique_labels(y_true, y_pred)
        labels = np.asarray(labels)
        if display_labels is None:
            display_labels = labels
        cm = confusion_matrix(
            y_true, y_pred, labels=labels, sample_weight=sample_weight
        )
        if normalize is not None:
            # totals over *all* samples, not over the cells shown: with a subset of
            # labels the diagonal stays the recall of each class
            weight = (
                np.ones(y_true.shape[0])
                if sample_weight is None
                else np.asarray(sample_weight, dtype=float)
            )
            if normalize == "true":
                total = np.array([weight[y_true == lab].sum() for lab in labels])
                total = total[:, None]
            elif normalize == "pred":
                total = np.array([weight[y_pred == lab].sum() for lab in labels])
                total = total[None, :]
            else:
                total = np.full((1, 1), weight.sum())
            total = np.broadcast_to(total, cm.shape)
            cm = np.divide(cm, total, out=np.zeros(cm.shape), where=total > 0)
        disp = cls(
            cm,
            display_labels=display_labels,
            weighted_accuracy=weighted_accuracy(
                y_true, y_pred, sample_weight=sample_weight
            ),
            unweighted_accuracy=unweighted_accuracy(
                y_true, y_pred, sample_weight=sample_weight
            ),
        )
        return disp.plot(
            include_values=include_values,
            cmap=cmap,
            xticks_rotation=xticks_rotation,
            values_format=values_format,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
            title=title,
        )
