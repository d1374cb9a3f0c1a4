"""The perceptron estimators: scikit-learn's contract around the seeds' models.

Estimator layer: the linear models' hooks for :mod:`skperceptron._base`. The
numbers come from :mod:`skperceptron._objective`, the loop from
:mod:`skperceptron._gradient_descent`.
"""

import numpy as np
from sklearn.base import RegressorMixin

from ._base import BaseClassifier, BaseGradientEstimator, fit_method
from ._docstrings import LOGISTIC, REGRESSOR, shared_docstring
from ._objective import LinearObjective
from ._validation import check_init_array, check_init_param

#: A target spread (standard deviation) beyond which the warnings advise
#: standardizing ``y``: ten times that of a standardized target.
_LARGE_TARGET_SPREAD = 10.0


class _LinearModel:
    """Hooks of the linear models ``Z = X coef_ᵀ + intercept_``."""

    def _objective(self, loss, X, Y, sample_weight):
        return LinearObjective(loss, X, Y, sample_weight, self.alpha)

    def _initial_theta(self, problem, continuing, rng, init=None):
        """Start from ``init``, the current parameters, or zeros.

        Each of ``coef_init`` and ``intercept_init`` is used where given; the
        other parameters are the current ones when continuing, else zeros (the
        problem is convex).
        """
        objective = problem.objective
        d, K, dtype = objective.n_features, objective.n_outputs, objective.Y.dtype
        init = init or {}
        current = continuing and hasattr(self, "coef_")
        params = {"coef": np.zeros((K, d), dtype), "intercept": np.zeros(K, dtype)}
        for name, shapes in self._init_shapes(d, K).items():
            given = init.get(f"{name}_init")
            if given is not None:
                value = check_init_array(given, f"{name}_init", shapes, dtype)
            elif current:
                value = check_init_param(self, f"{name}_", params[name].shape)
            else:
                continue
            params[name][...] = value.reshape(params[name].shape)
        return objective.pack(params["coef"].T, params["intercept"])

    def _init_shapes(self, n_features, n_outputs):
        """Return the accepted shapes of each ``*_init``, the fitted one first."""
        shapes = {
            "coef": [(n_outputs, n_features)],
            "intercept": [(n_outputs,)],
        }
        if n_outputs == 1:  # two classes: also w and b, as SGDClassifier accepts
            shapes["coef"].append((n_features,))
            shapes["intercept"].append(())
        return shapes

    def _forward(self, X):
        coef = np.asarray(self.coef_, dtype=X.dtype)
        return X @ coef.reshape(-1, X.shape[1]).T + np.asarray(
            self.intercept_, dtype=X.dtype
        )


@shared_docstring(REGRESSOR)
class PerceptronRegressor(RegressorMixin, _LinearModel, BaseGradientEstimator):
    """Regression perceptron ``ŷ = Xw + b`` trained by gradient descent.

    The seeds' first model (seed 000): a weighted sum of the inputs plus a
    bias, trained on the half squared error by the update
    ``w ← w + α·mean((y − ŷ) x)``.

    {Parameters}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The weights ``w``.
    intercept_ : float
        The bias ``b``.
    {attributes}

    See Also
    --------
    SigmoidPerceptronClassifier : The same unit with a sigmoid, for classes.
    sklearn.linear_model.SGDRegressor : Stochastic gradient descent regressor.

    Notes
    -----
    The objective, with sample weights ``s`` (ones by default), is

    ``J(w, b) = Σᵢ sᵢ ½(yᵢ − ŷᵢ)² / Σᵢ sᵢ + (alpha/2)‖w‖²``,  ``ŷᵢ = xᵢ·w + b``,

    and one full-batch epoch is ``w ← w − α(Xᵀδ + alpha·w)``,
    ``b ← b − α Σᵢ δᵢ`` with ``δ = s ⊙ (ŷ − y) / Σ s``. Integer sample
    weights are exactly equivalent to repeated rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skperceptron import PerceptronRegressor
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = 2 * X.ravel() + 1
    >>> reg = PerceptronRegressor(alpha=0, tol=1e-12).fit(X, y)
    >>> np.round(reg.coef_, 3), np.round(reg.intercept_, 3)
    (array([2.]), np.float64(1.0))
    """

    @fit_method
    def fit(self, X, y, sample_weight=None, *, coef_init=None, intercept_init=None):
        """Fit the perceptron by gradient descent (or Newton's method).

        {parameters_X_train}
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.
        coef_init : array-like of shape (n_features,), default=None
            The weights ``w`` to start from, instead of zeros (or, with
            ``warm_start``, the current ``coef_``). Copied, in the dtype of
            ``X``; the array passed is not modified.
        intercept_init : float or array-like of shape (1,), default=None
            The bias ``b`` to start from, likewise instead of 0 (or the
            current ``intercept_``).

        Returns
        -------
        self : PerceptronRegressor
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``coef_init`` or ``intercept_init`` does not have the shape
            of ``coef_`` or ``intercept_`` for ``X``, or is not finite.
        """
        init = {"coef_init": coef_init, "intercept_init": intercept_init}
        return self._fit(X, y, sample_weight, init=init)

    @fit_method
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of gradient descent on the given data.

        {parameters_X_train}
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : PerceptronRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict ``ŷ = Xw + b``.

        {parameters_X}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        loss, scores = self._scored(X)
        return loss.prediction(scores)

    def _targets(self, y, dtype, sample_weight, incremental, classes):
        """Return ``y`` as a column of ``dtype``: one output, a squared error."""
        self._output = "continuous"
        return np.asarray(y, dtype=dtype).reshape(-1, 1)

    def _target_advice(self, problem):
        """Advise scaling ``y`` when its spread, not the features', is large.

        The gradient is proportional to the targets: with a standard
        deviation ``σ`` of ``y``, ``max|∇J| ≤ tol`` asks for a precision
        ``tol/σ`` relative to them.
        """
        objective = problem.objective
        y, s = objective.Y[:, 0].astype(np.float64), objective.sample_weight
        spread = float(
            np.sqrt(np.average((y - np.average(y, weights=s)) ** 2, weights=s))
        )
        if not spread > _LARGE_TARGET_SPREAD:
            return ""
        return (
            f"The gradient grows with y, whose standard deviation is "
            f"{spread:.3g}: tol={self.tol:g} asks for a precision of "
            f"{self.tol / spread:.2g} relative to it. Standardize y, e.g. with "
            "TransformedTargetRegressor(regressor=PerceptronRegressor(), "
            "transformer=StandardScaler()), or raise tol."
        )

    def _init_shapes(self, n_features, n_outputs):
        return {"coef": [(n_features,)], "intercept": [(), (1,)]}

    def _fitted_attributes(self, objective, theta):
        W, b = objective.unpack(theta)
        return {"coef_": W[:, 0].copy(), "intercept_": b[0]}


@shared_docstring(LOGISTIC)
class SigmoidPerceptronClassifier(_LinearModel, BaseClassifier):
    """Classification perceptron ``ŷ = σ(Xw + b)`` trained by gradient descent.

    Two classes: the seeds' single sigmoid unit on the log-loss (seeds 000,
    002, 003). Three or more: a softmax unit per class (multinomial), whose
    gradient keeps the same form ``(ŷ − y) x``.

    {Parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights: one row for two classes (the score of ``classes_[1]``),
        one row per class otherwise.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The biases.
    {attributes}

    See Also
    --------
    PerceptronRegressor : The same unit without the sigmoid, for regression.
    sklearn.linear_model.LogisticRegression : The same objective, exact solvers.

    Notes
    -----
    The objective, with sample weights ``s`` (ones by default), is

    ``J(W, b) = Σᵢ sᵢ Lᵢ / Σᵢ sᵢ + (alpha/2)‖W‖²``

    with ``Lᵢ = −yᵢ ln ŷᵢ − (1 − yᵢ) ln(1 − ŷᵢ)``, ``ŷᵢ = σ(xᵢ·w + b)`` for two
    classes, and ``Lᵢ = −ln ŷᵢ,yᵢ``, ``ŷᵢ = softmax(xᵢW + b)`` for more. One
    full-batch epoch is ``W ← W − α(Xᵀδ + alpha·W)``, ``b ← b − α Σᵢ δᵢ``
    with ``δ = s ⊙ (ŷ − y) / Σ s``. Integer sample weights are exactly
    equivalent to repeated rows.

    Examples
    --------
    >>> from skperceptron import SigmoidPerceptronClassifier
    >>> from skperceptron.datasets import load_alien_moods
    >>> X, y = load_alien_moods(return_X_y=True)
    >>> clf = SigmoidPerceptronClassifier().fit(X, y)
    >>> clf.predict(X)
    array([1, 0, 0, 1])
    """

    @fit_method
    def fit(self, X, y, sample_weight=None, *, coef_init=None, intercept_init=None):
        """Fit the classifier by gradient descent (or Newton's method).

        {parameters_X_train}
        y : array-like of shape (n_samples,)
            Class labels (any type).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.
        coef_init : array-like of shape (n_outputs, n_features), default=None
            The weights to start from, of the shape of ``coef_``:
            ``n_outputs`` is 1 for two classes (where, as ``SGDClassifier``
            does, shape (n_features,) is also accepted), else the number of
            classes. Used instead of zeros (or, with ``warm_start``, the
            current ``coef_``). Copied, in the dtype of ``X``; the array
            passed is not modified.
        intercept_init : array-like of shape (n_outputs,), default=None
            The biases to start from, of the shape of ``intercept_`` (for two
            classes also a float), likewise.

        Returns
        -------
        self : SigmoidPerceptronClassifier
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``coef_init`` or ``intercept_init`` does not have the shape
            of ``coef_`` or ``intercept_`` for ``X`` and ``y``, or is not
            finite.
        """
        init = {"coef_init": coef_init, "intercept_init": intercept_init}
        return self._fit(X, y, sample_weight, init=init)

    def decision_function(self, X):
        """Return the raw scores ``z = Xw + b``.

        {parameters_X}

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]``.
        """
        loss, scores = self._scored(X)
        return loss.prediction(scores)

    def _fitted_attributes(self, objective, theta):
        W, b = objective.unpack(theta)
        return {"coef_": W.T.copy(), "intercept_": b.copy()}
