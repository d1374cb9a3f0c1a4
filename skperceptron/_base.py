"""What every estimator of the package shares: parameters, fit loop, labels.

Estimator layer. A concrete estimator supplies four hooks:

- ``_objective(X, Y, sample_weight)``: the math-layer objective to minimize;
- ``_initial_theta(objective, continuing, rng)``: where the optimizer starts;
- ``_set_fitted(objective, theta)``: fitted attributes from the solution;
- ``_forward(X)``: raw output scores of validated ``X`` from the fitted
  attributes.

The objective provides ``n_samples``, ``value_and_gradient(θ, batch)`` (also
as ``objective(θ, batch)``), ``decision(θ, X)`` (raw scores of other rows),
``lipschitz_constant(θ, per_sample)`` for the ``"auto"`` step, and
``newton_matrix(θ)`` (the Hessian or a positive definite stand-in, as a
matrix or a ``LinearOperator``) for ``solver="newton"``.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    check_random_state,
    column_or_1d,
    validate_data,
)

from ._gradient_descent import GradientDescent
from ._loss import BinaryLogLoss, MultinomialLogLoss
from ._newton import NewtonOptimizer

FLOATS = (np.float64, np.float32)
SPARSE = ("csr", "csc")


class BaseGradientEstimator(BaseEstimator):
    """Parameters and fit loop shared by all estimators."""

    _parameter_constraints: dict = {
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "solver": [StrOptions({"gd", "newton"}), NewtonOptimizer],
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

    def _validate_fit_data(self, X, y, sample_weight, reset, multi_output=False):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=SPARSE,
            dtype=FLOATS,
            multi_output=multi_output,
            reset=reset,
        )
        if multi_output and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column of labels, not multilabel
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        return X, y, sample_weight

    def _fit(self, X, Y, sample_weight, incremental):
        """Run the optimizer from the initial (or current) parameters."""
        continuing = incremental or self.warm_start
        if not (continuing and hasattr(self, "loss_curve_")):
            self.n_iter_, self.loss_curve_ = 0, []
        rng = check_random_state(self.random_state)
        newton = self._uses_newton()
        early_stopping = self.early_stopping and not (incremental or newton)
        if early_stopping:
            X, X_val, Y, Y_val, sample_weight, s_val = train_test_split(
                X, Y, sample_weight,
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=self._stratify(Y),
            )  # fmt: skip
            _check_weighted_split(sample_weight, s_val, self.validation_fraction)
        objective = self._objective(X, Y, sample_weight)
        theta0 = self._initial_theta(objective, continuing, rng)
        if newton:
            result = self._minimize_newton(objective, theta0, incremental)
        else:
            validation_score = None
            if early_stopping:
                validation_score = self._validation_scorer(
                    objective, X_val, Y_val, s_val
                )
            result = self._minimize_gd(
                objective, theta0, incremental, validation_score, rng
            )
        self._store(objective, result)
        self._warn_if_unbounded(objective, result.x)
        return self

    def _warn_if_unbounded(self, objective, theta):
        """Warn when the objective has no finite minimizer (none by default)."""

    def _uses_newton(self):
        """Whether ``solver`` is Newton's method; warn about unused parameters."""
        if not (self.solver == "newton" or isinstance(self.solver, NewtonOptimizer)):
            return False
        unused = {
            "learning_rate": self.learning_rate != "auto",
            "batch_size": self.batch_size is not None,
            "early_stopping": self.early_stopping,
        }
        unused = [name for name, is_set in unused.items() if is_set]
        if unused:
            warnings.warn(
                f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not "
                "used by solver='newton', which takes full Newton steps on the "
                "whole data set; use solver='gd' to tune them.",
                UserWarning,
                stacklevel=4,
            )
        return True

    def _minimize_gd(self, objective, theta0, incremental, validation_score, rng):
        optimizer = GradientDescent(
            self._step_size(objective, theta0),
            max_iter=1 if incremental else self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            random_state=rng,
            verbose=self.verbose,
        )
        return optimizer.minimize(
            objective,
            theta0,
            objective.n_samples,
            validation_score=validation_score,
            incremental=incremental,
        )

    def _newton_optimizer(self):
        """Return the optimizer behind ``solver="newton"``."""
        return NewtonOptimizer(
            tol=self.tol, max_iter=self.max_iter, verbose=self.verbose
        )

    def _minimize_newton(self, objective, theta0, incremental):
        """Newton iterations (one for ``partial_fit``) on the whole objective."""
        if isinstance(self.solver, NewtonOptimizer):
            optimizer = clone(self.solver)
        else:
            optimizer = self._newton_optimizer()
        if incremental:
            optimizer.set_params(max_iter=1)
        evaluations = _SharedEvaluation(objective)
        with warnings.catch_warnings():
            if incremental:
                warnings.simplefilter("ignore", ConvergenceWarning)
            result = optimizer.minimize(
                evaluations.value, theta0, evaluations.gradient, objective.newton_matrix
            )
        result.loss_curve = [float(f) for f in result.fun_history[1:]]
        result.validation_scores = []
        return result

    def _step_size(self, objective, theta):
        """``learning_rate``, or ``1/L`` for ``"auto"``, L the curvature bound."""
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        minibatches = self.batch_size is not None and (
            self.batch_size < objective.n_samples
        )
        return 1.0 / objective.lipschitz_constant(theta, per_sample=minibatches)

    def _validation_scorer(self, objective, X_val, Y_val, s_val):
        def score(theta):
            return self._score_raw(objective.decision(theta, X_val), Y_val, s_val)

        return score

    def _store(self, objective, result):
        self._set_fitted(objective, result.x)
        self.n_iter_ += result.nit
        self.loss_curve_ = self.loss_curve_ + result.loss_curve
        if result.validation_scores:
            self.validation_scores_ = result.validation_scores
            self.best_validation_score_ = max(result.validation_scores)

    def _decision(self, X):
        """Raw output scores of ``X``, after the predict-time checks."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=SPARSE, dtype=FLOATS, reset=False)
        return self._forward(X)


class _SharedEvaluation:
    """``J`` and ``∇J`` from one pass over the data, for the last ``θ`` asked."""

    def __init__(self, objective):
        self.objective = objective
        self.theta = None

    def value(self, theta):
        return self._evaluate(theta)[0]

    def gradient(self, theta):
        return self._evaluate(theta)[1]

    def _evaluate(self, theta):
        if self.theta is None or not np.array_equal(theta, self.theta):
            self.theta = np.array(theta, copy=True)
            self.result = self.objective(theta)
        return self.result


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


class BaseClassifier(ClassifierMixin, BaseGradientEstimator):
    """Labels and probabilities shared by the classifiers.

    Targets are encoded by a ``LabelBinarizer``: one sigmoid output for two
    classes (the seeds' unit), one softmax output per class for more, and
    one sigmoid output per label for a multilabel indicator ``y`` (accepted
    only when ``_accepts_multilabel``).
    """

    _accepts_multilabel = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any type); a multilabel indicator matrix where the
            estimator supports it.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights equal repeated rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y, sample_weight = self._validate_fit_data(
            X, y, sample_weight, True, multi_output=self._accepts_multilabel
        )
        check_classification_targets(y)
        self._label_binarizer = LabelBinarizer().fit(y)
        self.classes_ = self._label_binarizer.classes_
        Y = self._label_binarizer.transform(y).astype(X.dtype)
        if not self._is_multilabel():
            _check_two_weighted_classes(Y, sample_weight, self.classes_)
        return self._fit(X, Y, sample_weight, False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of gradient descent on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, all in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call, ignored after.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first_call = _check_partial_fit_first_call(self, classes)
        X, y, sample_weight = self._validate_fit_data(
            X, y, sample_weight, first_call, multi_output=self._accepts_multilabel
        )
        check_classification_targets(y)
        if first_call:
            multilabel = type_of_target(y) == "multilabel-indicator"
            self._label_binarizer = LabelBinarizer().fit(y if multilabel else classes)
            self.classes_ = self._label_binarizer.classes_
        _check_known_labels(y, self.classes_, self._is_multilabel())
        Y = self._label_binarizer.transform(y).astype(X.dtype)
        return self._fit(X, Y, sample_weight, True)

    def predict_proba(self, X):
        """Return the probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``[1 − σ(z), σ(z)]`` for two classes, ``softmax(z)`` for more,
            ``σ(z)`` per label for multilabel targets. Always float64: a
            float32 probability cannot hold ``1 − 1e-8``, and
            :meth:`predict_log_proba` must stay its logarithm.
        """
        scores = self._decision(X).astype(np.float64, copy=False)
        if self._is_multilabel():
            return expit(scores)
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
            Log-probabilities, in the order of ``classes_`` (float64).
        """
        scores = self._decision(X).astype(np.float64, copy=False)
        if self._is_multilabel():
            return log_expit(scores)
        if scores.shape[1] == 1:
            return np.hstack([log_expit(-scores), log_expit(scores)])
        return scores - logsumexp(scores, axis=1, keepdims=True)

    def predict(self, X):
        """Predict the class of largest probability (each label above ½).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels.
        """
        scores = self._decision(X)
        if self._is_multilabel():
            return (scores > 0).astype(int)
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _is_multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    def _warn_if_unbounded(self, objective, theta):
        """Warn when ``alpha=0`` and the model separates the training classes.

        A model that classifies every (weighted) sample correctly lowers the
        log-loss further by scaling its output weights up: the objective has
        no finite minimizer, and where the fit stopped is arbitrary.
        """
        if self.alpha > 0:
            return
        Z = objective.decision(theta, objective.X)
        Y, rows = objective.Y, objective.sample_weight > 0
        if Y.shape[1] == 1 or self._is_multilabel():
            separated = np.any(np.all(((Z > 0) == (Y > 0))[rows], axis=0))
        else:
            separated = np.all((Z.argmax(axis=1) == Y.argmax(axis=1))[rows])
        if separated:
            warnings.warn(
                "The model separates the training classes perfectly and alpha=0: "
                "the log-loss has no finite minimizer, so the weights grow with "
                "every iteration and the fit stopped at an arbitrary scale. Set "
                "alpha > 0 for a unique, finite solution.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _loss(self, Y):
        """Sigmoid units for one output or multilabel, softmax otherwise."""
        if Y.shape[1] == 1 or self._is_multilabel():
            return BinaryLogLoss()
        return MultinomialLogLoss()

    def _stratify(self, Y):
        if self._is_multilabel():
            return None
        return Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)

    def _score_raw(self, Z, Y, s):
        """Weighted accuracy (exact match for multilabel) of raw scores."""
        if self._is_multilabel():
            correct = np.all((Z > 0) == (Y > 0), axis=1)
        elif Z.shape[1] == 1:
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


def _check_weighted_split(s_train, s_val, validation_fraction):
    """Refuse an early-stopping split with a part of zero total weight."""
    for part, s in (("training", s_train), ("validation", s_val)):
        if not s.sum() > 0:
            raise ValueError(
                f"early_stopping left no sample of positive sample_weight in the "
                f"{part} set (validation_fraction={validation_fraction}). Give "
                "more samples a positive weight, change validation_fraction or "
                "random_state, or set early_stopping=False."
            )


def _check_known_labels(y, classes, multilabel):
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
