"""Checks of what a fit is given: data, labels and starting parameters.

Estimator layer. Every error says what to do.
"""

import numpy as np
from sklearn.utils.validation import column_or_1d, validate_data

from ._compat import check_sample_weight

FLOATS = (np.float64, np.float32)
SPARSE = ("csr", "csc")


def validate_fit_data(estimator, X, y, sample_weight, reset, multi_output=False):
    """Return ``X``, ``y`` and ``sample_weight`` validated for a fit.

    Parameters
    ----------
    estimator : BaseGradientEstimator
        The estimator; its ``n_features_in_`` is set when ``reset``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative weights; ones when None.
    reset : bool
        Whether this is a first fit (else ``X`` must match the fitted features).
    multi_output : bool, default=False
        Whether a 2-D ``y`` is accepted (a column ``y`` is made 1-D).

    Returns
    -------
    X, y, sample_weight : arrays
        Float32 or float64 ``X`` (CSR or CSC if sparse) and weights of its dtype.
    """
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=SPARSE,
        dtype=FLOATS,
        multi_output=multi_output,
        reset=reset,
    )
    if multi_output and y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)  # a column of labels, not multilabel
    sample_weight = check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    return X, y, sample_weight


# -- starting parameters -------------------------------------------------------------


def check_init_array(value, name, shapes, dtype):
    """Return a copy of ``value`` in ``dtype``, refusing other shapes than ``shapes``.

    Parameters
    ----------
    value : array-like
        An initial parameter given to ``fit``; never modified.
    name : str
        Its name, for the error message.
    shapes : list of tuple
        The accepted shapes, the shape of the fitted attribute first.
    dtype : numpy dtype
        The dtype of the fit.

    Returns
    -------
    array : ndarray
        A new array of ``dtype``, of the shape of ``value``.

    Raises
    ------
    ValueError
        When ``value`` is not numeric, has another shape, or holds values
        that are not finite in ``dtype``.
    """
    expected = " or ".join(str(shape) for shape in shapes)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape not in shapes:
        found = "no numeric array" if array is None else f"shape {array.shape}"
        raise ValueError(
            f"{name} must be an array of shape {expected} for this data; got {found}."
        )
    if not np.all(np.abs(array) <= np.finfo(dtype).max):
        raise ValueError(
            f"{name} must hold finite values of {np.dtype(dtype).name}, the "
            f"dtype of X; got nan, inf or values beyond its range."
        )
    return array.astype(dtype)


def check_init_param(estimator, name, expected_shape):
    """Return ``estimator.<name>`` as float64 of ``expected_shape``, or raise."""
    value = np.asarray(getattr(estimator, name), dtype=np.float64)
    if value.size != np.prod(expected_shape) or not np.all(np.isfinite(value)):
        raise ValueError(
            f"Cannot continue from {name} of shape {value.shape}: expected "
            f"finite values of shape {expected_shape} for this data. Set "
            f"warm_start=False, or set {name} to an array of that shape."
        )
    return value.reshape(expected_shape)


def check_init_params(estimator, name, expected_shapes):
    """Return ``estimator.<name>`` as float64 arrays of the expected shapes."""
    value = getattr(estimator, name, None)
    try:
        arrays = [np.asarray(v, dtype=np.float64) for v in value]
    except (TypeError, ValueError):
        arrays = None
    if (
        arrays is None
        or [a.shape for a in arrays] != expected_shapes
        or not all(np.all(np.isfinite(a)) for a in arrays)
    ):
        found = "?" if arrays is None else [a.shape for a in arrays]
        raise ValueError(
            f"Cannot continue from {name} with shapes {found}: expected a list "
            f"of finite arrays of shapes {expected_shapes} for this data and "
            f"n_hidden={estimator.n_hidden}. Set warm_start=False, or set "
            f"{name} to arrays of those shapes."
        )
    return arrays


def check_init_list(value, name, shapes, dtype):
    """Return ``value`` as a list of copies in ``dtype`` of the ``shapes``, or raise."""
    try:
        arrays = list(value)
    except TypeError:
        arrays = None
    if arrays is None or len(arrays) != len(shapes):
        found = type(value).__name__ if arrays is None else f"{len(arrays)} of them"
        raise ValueError(
            f"{name} must be a list of {len(shapes)} arrays of shapes {shapes} "
            f"for this data and n_hidden; got {found}."
        )
    return [
        check_init_array(array, f"{name}[{i}]", [shape], dtype)
        for i, (array, shape) in enumerate(zip(arrays, shapes, strict=True))
    ]


# -- labels --------------------------------------------------------------------------


def encode_labels(binarizer, y, dtype):
    """Return ``binarizer.transform(y)`` in ``dtype``, with no large temporary.

    One column (the second class) for two classes, one-hot columns for more,
    the indicator itself for multilabel ``y``. ``LabelBinarizer.transform``
    passes through a sparse matrix and an integer copy, about seven
    ``n``-vectors; this costs one beside its result.
    """
    classes = binarizer.classes_
    if binarizer.y_type_ == "multilabel-indicator":
        return binarizer.transform(y).astype(dtype)
    if len(classes) == 1:
        return np.zeros((len(y), 1), dtype=dtype)
    if len(classes) == 2:
        return (y == classes[1]).astype(dtype)[:, None]
    codes = np.searchsorted(classes, y)
    return (codes[:, None] == np.arange(len(classes))).astype(dtype)


def check_two_weighted_classes(loss, Y, sample_weight, classes):
    """Refuse data in which fewer than two classes carry positive weight."""
    weight = loss.class_weights(Y, sample_weight)
    if weight is None:  # multilabel: each label is a class of its own
        return
    weighted = classes[weight[: len(classes)] > 0]
    if len(weighted) < 2:
        raise ValueError(
            "This classifier needs samples of at least 2 classes with positive "
            f"sample_weight, but the data contains only one class: {weighted}. "
            "Check y (and sample_weight)."
        )


def check_weighted_split(s_train, s_val, validation_fraction):
    """Refuse an early-stopping split with a part of zero total weight."""
    for part, s in (("training", s_train), ("validation", s_val)):
        if not s.sum() > 0:
            raise ValueError(
                f"early_stopping left no sample of positive sample_weight in the "
                f"{part} set (validation_fraction={validation_fraction}). Give "
                "more samples a positive weight, change validation_fraction or "
                "random_state, or set early_stopping=False."
            )


def check_same_classes(previous, classes):
    """Refuse to continue a fit (``warm_start``) on other classes."""
    if len(previous) != len(classes) or np.any(previous != classes):
        raise ValueError(
            f"warm_start=True continues the fit of classes {previous.tolist()}, "
            f"but y holds the classes {classes.tolist()}: the output units "
            "would stand for other classes. Set warm_start=False to fit "
            "these classes from the start."
        )


def check_known_labels(y, classes, multilabel):
    """Refuse labels of ``partial_fit`` outside the ``classes`` of its first call."""
    if len(classes) < 2:
        raise ValueError(
            f"classes must hold at least 2 classes; got {classes.tolist()}."
        )
    if multilabel:
        return
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(
            f"y holds labels {unknown.tolist()} that are not in classes "
            f"{classes.tolist()} given on the first call to partial_fit."
        )
