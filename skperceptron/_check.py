"""Check an estimator's hand-derived gradient against finite differences.

The estimators promise that their gradient is the derivative of the
objective they minimize. :func:`check_gradient` lets a user verify that
promise on their own data: it builds the estimator's objective ``J(θ)`` on
``(X, y, sample_weight)`` through the estimator's own validation, target
encoding and objective, and compares the hand-derived ``∇J(θ)`` with central
finite differences of ``J``.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, check_random_state

from ._base import BaseClassifier, BaseGradientEstimator
from ._compat import Interval, StrOptions, validate_parameter_constraints
from ._validation import encode_labels, validate_fit_data

#: Relative size of the finite-difference step: ``cbrt(eps)`` balances the
#: ``O(h²)`` truncation error of central differences against their
#: ``O(eps / h)`` rounding error.
_DEFAULT_EPSILON = float(np.cbrt(np.finfo(np.float64).eps))
#: Standard deviation of ``theta="perturbed"``, relative to ``max(1, |θᵢ|)``.
_PERTURBATION = 0.1

_CONSTRAINTS = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "sample_weight": ["array-like", None],
    "theta": [StrOptions({"perturbed"}), "array-like", None],
    "n_coordinates": [Interval(Integral, 1, None, closed="left"), None],
    "epsilon": [Interval(Real, 0, 1, closed="right"), None],
    "random_state": ["random_state"],
}


class GradientCheck(NamedTuple):
    """Result of :func:`check_gradient`.

    Attributes
    ----------
    relative_error : float
        ``‖g − g_fd‖ / max(‖g‖, ‖g_fd‖, tiny)`` over the checked coordinates,
        ``tiny`` being the smallest positive float64.
    max_abs_error : float
        ``max |g − g_fd|`` over the checked coordinates.
    gradient : ndarray of shape (n_checked,)
        The hand-derived gradient ``g`` at the checked coordinates.
    numerical_gradient : ndarray of shape (n_checked,)
        Its central finite-difference estimate ``g_fd``.
    coordinates : ndarray of shape (n_checked,)
        The indices into ``theta`` of the checked coordinates, increasing.
    theta : ndarray of shape (n_params,)
        The point ``θ`` (float64) at which the gradient was checked.
    """

    relative_error: float
    max_abs_error: float
    gradient: np.ndarray
    numerical_gradient: np.ndarray
    coordinates: np.ndarray
    theta: np.ndarray


def check_gradient(
    estimator,
    X,
    y,
    sample_weight=None,
    *,
    theta=None,
    n_coordinates=None,
    epsilon=None,
    random_state=None,
):
    """Compare a fitted estimator's gradient with central finite differences.

    Builds the objective ``J(θ) = Σᵢ sᵢ Lᵢ / Σᵢ sᵢ + (alpha/2)‖W‖²`` that
    ``estimator.fit(X, y, sample_weight)`` minimizes (the same validation,
    target encoding, loss, activation and ``alpha``), evaluates its
    hand-derived gradient ``g = ∇J(θ)`` and compares it with the central
    differences ``g_fd,i = (J(θ + hᵢeᵢ) − J(θ − hᵢeᵢ)) / 2hᵢ``, with
    ``hᵢ = epsilon · max(1, |θᵢ|)``. Costs ``2 · n_coordinates`` evaluations
    of ``J``.

    Parameters
    ----------
    estimator : object
        A fitted :class:`PerceptronRegressor`,
        :class:`SigmoidPerceptronClassifier` or :class:`TwoLayerNetClassifier`.
        It is not modified. Its ``classes_`` encode ``y`` and its current
        parameters are the default point ``θ``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Inputs, with the estimator's number of features. Not modified.
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Targets: real numbers for the regressor, labels among the
        estimator's ``classes_`` for the classifiers, a multilabel indicator
        matrix for a network fitted on one.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights with a positive sum; ones by default.
    theta : None, "perturbed" or array-like of shape (n_params,), default=None
        The point ``θ`` at which to check the gradient.

        - ``None``: the estimator's current parameters.
        - ``"perturbed"``: the current parameters plus independent normal
          noise of standard deviation ``0.1 · max(1, |θᵢ|)``, drawn from
          ``random_state``: a point near the fitted model where the gradient
          does not vanish (see Notes).
        - an array: ``θ`` in the estimator's layout, ``[vec(W), b]`` with
          ``W = coef_.T`` for the linear estimators and
          ``[vec(W1), b1, vec(W2), b2]`` for the network (row-major ``vec``),
          as returned in ``result.theta``.
    n_coordinates : int, default=None
        Number of coordinates of ``θ`` to check, drawn without replacement
        from ``random_state``; ``None`` (or at least the number of
        parameters) checks them all. Use it to bound the cost on large
        models.
    epsilon : float in (0, 1], default=None
        Relative finite-difference step; ``None`` uses ``cbrt(eps) ≈ 6e-6``,
        ``eps`` the float64 machine epsilon, which balances truncation and
        rounding errors.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinates checked when ``n_coordinates`` is set and the
        point ``theta="perturbed"``.

    Returns
    -------
    result : GradientCheck
        A named tuple ``(relative_error, max_abs_error, gradient,
        numerical_gradient, coordinates, theta)``: ``relative_error`` is
        ``‖g − g_fd‖ / max(‖g‖, ‖g_fd‖, tiny)``: about ``1e-9`` or less for
        a correct gradient on well-scaled data, about ``‖g − ∇J‖ / ‖g‖`` for
        a wrong one (away from a minimum, see Notes).

    Raises
    ------
    TypeError
        If ``estimator`` is not one of the estimators of this package.
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ValueError
        If ``X``, ``y``, ``sample_weight`` or ``theta`` do not fit the
        estimator, or a parameter is out of range.

    See Also
    --------
    scipy.optimize.check_grad : The same check for a function and its gradient.

    Notes
    -----
    The objective is computed in float64 whatever the dtype of ``X``, so that
    the finite differences resolve the derivative; the formulas are those
    the estimator runs in float32.

    At a minimum, such as a model fitted to convergence, the gradient
    vanishes: ``g`` and ``g_fd`` are then rounding noise, their relative
    error means little (up to 1 for a correct gradient), and an error
    proportional to the gradient (a wrong factor) cannot show. Read
    ``max_abs_error`` there, and check the relative error at
    ``theta="perturbed"`` (or another point where ``‖g‖`` is not small).

    ``J`` is smooth for the linear estimators and for sigmoid and tanh
    networks. With ``activation="relu"`` it has kinks where a hidden unit's
    input ``xᵢW1 + b1`` is zero for some sample (for example an all-zero row
    of ``X`` with a zero hidden bias); the check is valid at points where no
    such input lies within a step ``hᵢ`` of zero, which holds for almost
    every ``θ`` but not at a kink, where the finite differences average the
    two one-sided derivatives.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skperceptron import SigmoidPerceptronClassifier, check_gradient
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SigmoidPerceptronClassifier(solver="newton", alpha=1e-3).fit(X, y)
    >>> result = check_gradient(clf, X, y, theta="perturbed", random_state=0)
    >>> bool(result.relative_error < 1e-6)
    True
    >>> result.gradient.shape  # coef_ (3 × 4) and intercept_ (3)
    (15,)

    At the fitted parameters the gradient is close to zero:

    >>> bool(check_gradient(clf, X, y).max_abs_error < 1e-8)
    True
    """
    _check_estimator(estimator)
    validate_parameter_constraints(
        _CONSTRAINTS,
        {
            "X": X,
            "y": y,
            "sample_weight": sample_weight,
            "theta": theta,
            "n_coordinates": n_coordinates,
            "epsilon": epsilon,
            "random_state": random_state,
        },
        caller_name="check_gradient",
    )
    rng = check_random_state(random_state)
    objective, current = _objective_at_current_parameters(
        estimator, X, y, sample_weight, rng
    )
    theta = _point(theta, current, rng)
    coordinates = _coordinates(objective.n_params, n_coordinates, rng)
    # J as the optimizers evaluate it: the value that comes with the gradient.
    gradient = objective(theta)[1][coordinates]
    numerical = central_differences(
        lambda t: objective(t)[0],
        theta,
        coordinates,
        _DEFAULT_EPSILON if epsilon is None else float(epsilon),
    )
    error = gradient - numerical
    scale = max(
        np.linalg.norm(gradient), np.linalg.norm(numerical), np.finfo(np.float64).tiny
    )
    return GradientCheck(
        relative_error=float(np.linalg.norm(error) / scale),
        max_abs_error=float(np.max(np.abs(error))),
        gradient=gradient,
        numerical_gradient=numerical,
        coordinates=coordinates,
        theta=theta,
    )


def _check_estimator(estimator):
    if not isinstance(estimator, BaseGradientEstimator):
        raise TypeError(
            "check_gradient checks the estimators of skperceptron "
            "(PerceptronRegressor, SigmoidPerceptronClassifier, "
            f"TwoLayerNetClassifier); got {type(estimator).__name__}."
        )
    check_is_fitted(
        estimator,
        msg=(
            "This %(name)s instance is not fitted yet: check_gradient reads its "
            "parameters, classes and number of features. Call 'fit' (or "
            "'partial_fit', for one epoch from the initial parameters) first."
        ),
    )
    estimator._validate_params()


def _objective_at_current_parameters(estimator, X, y, sample_weight, rng):
    """Return the estimator's objective on the data (float64) and its ``θ``.

    The data go through the estimator's own validation (``reset=False``:
    nothing of the estimator changes) and target encoding, the objective
    through its ``_objective`` hook, and ``θ`` is read from the fitted
    attributes by the hook that continues a fit from them.
    """
    classifier = isinstance(estimator, BaseClassifier)
    X, y, sample_weight = validate_fit_data(
        estimator, X, y, sample_weight, False, estimator._multi_output
    )
    X = X.astype(np.float64, copy=False)
    sample_weight = sample_weight.astype(np.float64, copy=False)
    if classifier:
        Y = _encode_labels(estimator, y)
    else:
        Y = estimator._targets(y, np.float64, sample_weight, True, None)
    objective = estimator._objective_for(X, Y, sample_weight)
    theta = estimator._initial_theta(objective.standardized(), True, rng)
    return objective, np.asarray(theta, dtype=np.float64)


def _encode_labels(estimator, y):
    """``y`` encoded as in ``fit``, by the fitted label binarizer."""
    check_classification_targets(y)
    multilabel = type_of_target(y) == "multilabel-indicator"
    if multilabel != (estimator._output == "multilabel"):
        fitted_on = "a multilabel indicator" if not multilabel else "class labels"
        raise ValueError(
            f"{type(estimator).__name__} was fitted on {fitted_on} y, but y is "
            f"{'a multilabel indicator' if multilabel else 'class labels'}. "
            "Pass targets of the kind the estimator was fitted on."
        )
    classes = estimator.classes_
    if multilabel:
        if y.shape[1] != len(classes):
            raise ValueError(
                f"y has {y.shape[1]} labels, but {type(estimator).__name__} was "
                f"fitted on {len(classes)}."
            )
    else:
        unknown = np.setdiff1d(y, classes)
        if unknown.size:
            raise ValueError(
                f"y holds labels {unknown.tolist()} that are not among the "
                f"estimator's classes_ {classes.tolist()}."
            )
    return encode_labels(estimator._label_binarizer, y, np.float64)


def _point(theta, current, rng):
    """Return the point of the check: current, perturbed or given."""
    if theta is None:
        return current
    if isinstance(theta, str):  # "perturbed"
        scale = _PERTURBATION * np.maximum(1.0, np.abs(current))
        return current + scale * rng.standard_normal(current.size)
    theta = np.array(theta, dtype=np.float64)  # a copy, never the caller's array
    if theta.shape != current.shape or not np.all(np.isfinite(theta)):
        raise ValueError(
            f"theta must be a finite array of shape {current.shape}, the "
            f"estimator's number of parameters; got shape {theta.shape}"
            f"{'' if np.all(np.isfinite(theta)) else ' with non-finite values'}."
        )
    return theta


def _coordinates(n_params, n_coordinates, rng):
    """All coordinates, or ``n_coordinates`` drawn without replacement, sorted."""
    if n_coordinates is None or n_coordinates >= n_params:
        return np.arange(n_params)
    return np.sort(rng.choice(n_params, size=n_coordinates, replace=False))


def central_differences(fun, theta, coordinates=None, epsilon=_DEFAULT_EPSILON):
    """Return the central differences of ``fun`` at ``theta``, one per coordinate.

    ``(f(θ + hᵢeᵢ) − f(θ − hᵢeᵢ)) / (θᵢ⁺ − θᵢ⁻)`` with ``hᵢ = epsilon ·
    max(1, |θᵢ|)``: the difference is divided by the distance between the two
    points as stored, not by ``2hᵢ``, which removes the rounding of
    ``θᵢ ± hᵢ``. The package's one finite-difference routine, for
    :func:`check_gradient` and for the tests of every hand-derived
    derivative.

    Parameters
    ----------
    fun : callable
        ``fun(θ)``, a scalar or an array, of a float64 array shaped as ``theta``.
    theta : array-like
        The point (not modified).
    coordinates : sequence of int, default=None
        The flat indices of the coordinates to perturb; all of them if None.
    epsilon : float, default=6.06e-6
        The relative step; the default is the cube root of float64's ``eps``,
        which balances truncation and rounding for a central difference.

    Returns
    -------
    derivatives : ndarray of shape (n_coordinates,) + the shape of ``fun(θ)``
        The derivative of ``fun`` along each coordinate.
    """
    theta = np.array(theta, dtype=np.float64)
    flat = theta.reshape(-1)
    point = flat.copy()
    derivatives = []
    for i in range(flat.size) if coordinates is None else coordinates:
        step = epsilon * max(1.0, abs(flat[i]))
        up, down = flat[i] + step, flat[i] - step
        point[i] = up
        f_up = np.array(fun(point.reshape(theta.shape)), dtype=np.float64)
        point[i] = down
        f_down = np.array(fun(point.reshape(theta.shape)), dtype=np.float64)
        point[i] = flat[i]
        derivatives.append((f_up - f_down) / (up - down))
    return np.array(derivatives)
