"""The perceptron estimators: scikit-learn's contract around the seeds' models.

Estimator layer: validation, labels, initialization, fitted attributes and
predictions. The numbers come from :mod:`skperceptron._objective`, the loop
from :mod:`skperceptron._gradient_descent`.
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    check_random_state,
    validate_data,
)

from ._gradient_descent import GradientDescent
from ._loss import BinaryLogLoss, HalfSquaredError, MultinomialLogLoss
from ._objective import LinearObjective

_FLOATS = (np.float64, np.float32)
_SPARSE = ("csr", "csc")


class _BaseLinearPerceptron(BaseEstimator):
    """Fitting machinery shared by the two perceptrons."""

    _parameter_constraints: dict = {
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "solver": [StrOptions({"gd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        learning_rate="auto",
        solver="gd",
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=5,
        alpha=1e-4,
        batch_size=None,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        early_stopping=False,
        validation_fraction=0.1,
    ):
        self.learning_rate = learning_rate
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -- fitting ------------------------------------------------------------

    def _validate_fit_data(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self, X, y, accept_sparse=_SPARSE, dtype=_FLOATS, reset=reset
        )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        return X, y, sample_weight

    def _fit(self, X, Y, sample_weight, incremental):
        """Run the optimizer from the initial (or current) parameters."""
        continuing = incremental or self.warm_start
        theta0 = self._initial_theta(X.shape[1], Y.shape[1], X.dtype, continuing)
        if not (continuing and hasattr(self, "loss_curve_")):
            self.n_iter_, self.loss_curve_ = 0, []
        rng = check_random_state(self.random_state)
        X_val = None
        if self.early_stopping and not incremental:
            X, X_val, Y, Y_val, sample_weight, s_val = train_test_split(
                X, Y, sample_weight,
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=self._stratify(Y),
            )  # fmt: skip
        objective = LinearObjective(self._loss(Y), X, Y, sample_weight, self.alpha)
        optimizer = GradientDescent(
            self._step_size(objective),
            max_iter=1 if incremental else self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            random_state=rng,
            verbose=self.verbose,
        )
        validation_score = None
        if X_val is not None:
            validation_score = self._validation_scorer(objective, X_val, Y_val, s_val)
        result = optimizer.minimize(
            objective,
            theta0,
            objective.n_samples,
            validation_score=validation_score,
            incremental=incremental,
        )
        self._store(objective, result)
        return self

    def _step_size(self, objective):
        """``learning_rate``, or 1/L for ``"auto"`` (L from the data's curvature)."""
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        minibatches = self.batch_size is not None and self.batch_size < len(objective.Y)
        return 1.0 / objective.lipschitz_constant(per_sample=minibatches)

    def _initial_theta(self, n_features, n_outputs, dtype, continuing):
        """Zeros, or the current ``coef_``/``intercept_`` when continuing."""
        W = np.zeros((n_features, n_outputs), dtype=dtype)
        b = np.zeros(n_outputs, dtype=dtype)
        if continuing and hasattr(self, "coef_"):
            W[:] = self._check_init_param("coef_", W.T.shape).T
            b[:] = self._check_init_param("intercept_", b.shape)
        return np.concatenate([W.ravel(), b])

    def _check_init_param(self, name, expected_shape):
        value = np.asarray(getattr(self, name), dtype=np.float64)
        if value.size != np.prod(expected_shape) or not np.all(np.isfinite(value)):
            raise ValueError(
                f"Cannot continue from {name} of shape {value.shape}: expected "
                f"finite values of shape {expected_shape} for this data. Set "
                f"warm_start=False, or set {name} to an array of that shape."
            )
        return value.reshape(expected_shape)

    def _validation_scorer(self, objective, X_val, Y_val, s_val):
        def score(theta):
            W, b = objective.unpack(theta)
            return self._score_raw(X_val @ W + b, Y_val, s_val)

        return score

    def _store(self, objective, result):
        W, b = objective.unpack(result.x)
        self._set_coef(W, b)
        self.n_iter_ += result.nit
        self.loss_curve_ = self.loss_curve_ + result.loss_curve
        if result.validation_scores:
            self.validation_scores_ = result.validation_scores
            self.best_validation_score_ = max(result.validation_scores)

    def _decision(self, X):
        """Raw scores ``X coef_ᵀ + intercept_`` for validated ``X``."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=_SPARSE, dtype=_FLOATS, reset=False)
        coef = np.asarray(self.coef_, dtype=X.dtype)
        return X @ coef.T + np.asarray(self.intercept_, dtype=X.dtype)


class PerceptronRegressor(RegressorMixin, _BaseLinearPerceptron):
    """Regression perceptron ``ŷ = Xw + b`` trained by gradient descent.

    The seeds' first model (seed 000): a weighted sum of the inputs plus a
    bias, trained on the half squared error by the update
    ``w ← w + α·mean((y − ŷ) x)``.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        The step size α of ``θ ← θ − α ∇J(θ)``. A float is used literally.
        ``"auto"`` uses ``1/L``, with ``L`` the largest curvature of ``J``
        computed from the data (for minibatches, the largest curvature of a
        single sample), so that the default converges on unscaled data.
    solver : {"gd"}, default="gd"
        ``"gd"``: gradient descent.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        The fit stops when the objective (or the validation score, with
        ``early_stopping``) has improved by less than ``tol`` for
        ``n_iter_no_change`` consecutive epochs.
    n_iter_no_change : int, default=5
        See ``tol``.
    alpha : float, default=1e-4
        Strength of the L2 penalty ``(alpha/2)‖w‖²`` (the intercept is not
        penalized).
    batch_size : int or None, default=None
        ``None``: one full-batch update per epoch, the seeds' averaged
        gradient. ``k``: shuffled minibatches of ``k`` rows (``1`` is the
        seeds' per-sample update).
    shuffle : bool, default=True
        Whether to shuffle the rows before each epoch of minibatches.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split.
    warm_start : bool, default=False
        Continue from the current ``coef_`` and ``intercept_`` (fitted or set
        by hand) instead of zeros.
    verbose : int, default=0
        Print one line per epoch when positive.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its
        ``R²`` stops improving; keep the best parameters.
    validation_fraction : float, default=0.1
        Fraction of the data held out by ``early_stopping``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The weights ``w``.
    intercept_ : float
        The bias ``b``.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        The training objective ``J`` after each epoch.
    validation_scores_ : list of float
        Validation ``R²`` after each epoch (only with ``early_stopping``).
    best_validation_score_ : float
        Best of ``validation_scores_`` (only with ``early_stopping``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the perceptron by gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.

        Returns
        -------
        self : PerceptronRegressor
            The fitted estimator.
        """
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, True)
        return self._fit(X, self._encode(y, X.dtype), sample_weight, False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of gradient descent on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : PerceptronRegressor
            The updated estimator.
        """
        first_call = not hasattr(self, "n_features_in_")
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, first_call)
        return self._fit(X, self._encode(y, X.dtype), sample_weight, True)

    def predict(self, X):
        """Predict ``ŷ = Xw + b``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        return self._decision(X)

    def _encode(self, y, dtype):
        return np.asarray(y, dtype=dtype).reshape(-1, 1)

    def _loss(self, Y):
        return HalfSquaredError()

    def _stratify(self, Y):
        return None

    def _set_coef(self, W, b):
        self.coef_ = W[:, 0].copy()
        self.intercept_ = b[0]

    @staticmethod
    def _score_raw(Z, Y, s):
        residual = s @ (Y[:, 0] - Z[:, 0]) ** 2
        mean = np.average(Y[:, 0], weights=s)
        total = s @ (Y[:, 0] - mean) ** 2
        return 1.0 - residual / total if total > 0 else -residual


class SigmoidPerceptronClassifier(ClassifierMixin, _BaseLinearPerceptron):
    """Classification perceptron ``ŷ = σ(Xw + b)`` trained by gradient descent.

    Two classes: the seeds' single sigmoid unit on the log-loss (seeds 000,
    002, 003). Three or more: a softmax unit per class (multinomial), whose
    gradient keeps the same form ``(ŷ − y) x``.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        The step size α of ``θ ← θ − α ∇J(θ)``. A float is used literally.
        ``"auto"`` uses ``1/L``, with ``L`` the largest curvature of ``J``
        computed from the data (for minibatches, the largest curvature of a
        single sample), so that the default converges on unscaled data.
    solver : {"gd"}, default="gd"
        ``"gd"``: gradient descent.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        The fit stops when the objective (or the validation accuracy, with
        ``early_stopping``) has improved by less than ``tol`` for
        ``n_iter_no_change`` consecutive epochs.
    n_iter_no_change : int, default=5
        See ``tol``.
    alpha : float, default=1e-4
        Strength of the L2 penalty ``(alpha/2)‖W‖²`` (intercepts are not
        penalized). ``LogisticRegression(C=1/(alpha·n_samples))`` minimizes
        the same objective.
    batch_size : int or None, default=None
        ``None``: one full-batch update per epoch, the seeds' averaged
        gradient. ``k``: shuffled minibatches of ``k`` rows (``1`` is the
        seeds' per-sample update).
    shuffle : bool, default=True
        Whether to shuffle the rows before each epoch of minibatches.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split.
    warm_start : bool, default=False
        Continue from the current ``coef_`` and ``intercept_`` (fitted or set
        by hand) instead of zeros.
    verbose : int, default=0
        Print one line per epoch when positive.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the data and stop when
        its accuracy stops improving; keep the best parameters.
    validation_fraction : float, default=0.1
        Fraction of the data held out by ``early_stopping``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights: one row for two classes (the score of ``classes_[1]``),
        one row per class otherwise.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The biases.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        The training objective ``J`` after each epoch.
    validation_scores_ : list of float
        Validation accuracy after each epoch (only with ``early_stopping``).
    best_validation_score_ : float
        Best of ``validation_scores_`` (only with ``early_stopping``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the perceptron by gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Class labels (any type).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.

        Returns
        -------
        self : SigmoidPerceptronClassifier
            The fitted estimator.
        """
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, True)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        Y = self._encode(y, X.dtype)
        _check_two_weighted_classes(Y, sample_weight, self.classes_)
        return self._fit(X, Y, sample_weight, False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of gradient descent on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,)
            Class labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call, ignored after.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : SigmoidPerceptronClassifier
            The updated estimator.
        """
        first_call = _check_partial_fit_first_call(self, classes)
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, first_call)
        check_classification_targets(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"classes must hold at least 2 classes; got {self.classes_.tolist()}."
            )
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y holds labels {unknown.tolist()} that are not in classes "
                f"{self.classes_.tolist()} given on the first call to partial_fit."
            )
        return self._fit(X, self._encode(y, X.dtype), sample_weight, True)

    def decision_function(self, X):
        """Return the raw scores ``z = Xw + b``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]``.
        """
        scores = self._decision(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """Return ``σ(z)`` (two classes) or ``softmax(z)`` per class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, in the order of ``classes_``.
        """
        scores = self._decision(X)
        if scores.shape[1] == 1:
            return np.hstack([expit(-scores), expit(scores)])
        return MultinomialLogLoss().predict(scores)

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, in the order of ``classes_``.
        """
        scores = self._decision(X)
        if scores.shape[1] == 1:
            return np.hstack([log_expit(-scores), log_expit(scores)])
        return scores - logsumexp(scores, axis=1, keepdims=True)

    def predict(self, X):
        """Predict the class of largest probability.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self._decision(X)
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _encode(self, y, dtype):
        """One column ``y == classes_[1]`` for two classes, one-hot otherwise."""
        binarizer = LabelBinarizer().fit(self.classes_)
        return binarizer.transform(y).astype(dtype)

    def _loss(self, Y):
        return BinaryLogLoss() if Y.shape[1] == 1 else MultinomialLogLoss()

    def _stratify(self, Y):
        return Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)

    def _set_coef(self, W, b):
        self.coef_ = W.T.copy()
        self.intercept_ = b.copy()

    @staticmethod
    def _score_raw(Z, Y, s):
        if Z.shape[1] == 1:
            correct = (Z[:, 0] > 0) == (Y[:, 0] > 0)
        else:
            correct = Z.argmax(axis=1) == Y.argmax(axis=1)
        return np.average(correct, weights=s)


def _check_two_weighted_classes(Y, sample_weight, classes):
    """Refuse data in which fewer than two classes carry positive weight."""
    if len(classes) == 1:
        weighted = classes
    else:
        Y = np.hstack([1 - Y, Y]) if Y.shape[1] == 1 else Y
        weighted = classes[sample_weight @ Y > 0]
    if len(weighted) < 2:
        raise ValueError(
            "This classifier needs samples of at least 2 classes with positive "
            f"sample_weight, but the data contains only one class: {weighted}. "
            "Check y (and sample_weight)."
        )
