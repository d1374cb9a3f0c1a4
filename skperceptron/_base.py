"""What every estimator of the package shares: the parameters and one fit.

Estimator layer. :meth:`BaseGradientEstimator._fit` reads like the
algorithm: validate the data, encode the targets (which decides the kind of
output, and so the loss, once: :data:`skperceptron._loss.LOSSES`), build the
objective, choose ``θ₀``, minimize, store. A concrete estimator supplies

- ``_targets(y, dtype, sample_weight, incremental, classes)``: the encoded
  targets ``Y``; it sets ``_output``, the kind of output;
- ``_objective(loss, X, Y, sample_weight)``: the math-layer objective;
- ``_initial_theta(problem, continuing, rng, init)``: where the optimizer
  starts: the arrays of ``init`` (the ``*_init`` arguments of ``fit``) where
  given, else the current parameters when continuing, else the default;
- ``_fitted_attributes(objective, theta)``: the fitted attributes of a
  parameter vector, as a dict (set at the end of the fit, and given to the
  callbacks after each iteration);
- ``_forward(X)``: raw output scores of validated ``X`` from the fitted
  attributes.

Everything that depends on the kind of output (probabilities, labels,
stratification, separation) is asked of the loss of that kind.

The objective provides ``n_samples``, ``value_and_gradient(θ, batch)`` (also
as ``objective(θ, batch)``), ``decision(θ, X)`` (raw scores of other rows),
``newton_matrix(θ)`` (the Hessian or a positive definite stand-in, as a
matrix or a ``LinearOperator``) and ``standardized()``: the same objective as
a function of the coordinates ``φ`` of standardized features
(:mod:`skperceptron._scaling`), with its ``"auto"`` steps. The optimizers
always work on ``φ``; the fitted attributes are those of ``θ = Tφ``.
"""

import functools
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ._blocks import normalized
from ._callbacks import FitCallbacks, callback_metadata
from ._compat import (
    CallbackSupportMixin,
    Integral,
    Interval,
    Real,
    StrOptions,
    check_partial_fit_first_call,
    fit_context,
)
from ._docstrings import shared_docstring
from ._gradient_descent import GradientDescent
from ._loss import LOSSES, output_kind
from ._newton import NewtonOptimizer
from ._validation import (
    FLOATS,
    SPARSE,
    check_known_labels,
    check_same_classes,
    check_two_weighted_classes,
    check_weighted_split,
    encode_labels,
    validate_fit_data,
)
from ._warnings import warn


def fit_method(fit):
    """Decorate ``fit`` or ``partial_fit``: parameters validated, all or nothing.

    scikit-learn's fit context validates the hyperparameters; then a
    fit either completes or, whatever it raises (a divergence, an error in
    a callback, ``KeyboardInterrupt``), leaves the estimator exactly as it
    was before the call: unfitted stays unfitted, and a fitted estimator
    keeps its previous fit.
    """
    validated = fit_context(prefer_skip_nested_validation=True)(fit)

    @functools.wraps(fit)
    def all_or_nothing(self, *args, **kwargs):
        state = self.__dict__.copy()
        try:
            return validated(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    return all_or_nothing


class BaseGradientEstimator(CallbackSupportMixin, BaseEstimator):
    """Parameters and fit loop shared by all estimators."""

    _parameter_constraints: dict = {
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "solver": [StrOptions({"gd", "nesterov", "newton"}), NewtonOptimizer],
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
        tol=1e-5,
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

    #: Whether ``y`` may have several columns (a multilabel indicator).
    _multi_output = False

    def _fit(self, X, y, sample_weight, *, incremental=False, init=None, classes=None):
        """Fit, or run one epoch for ``partial_fit`` (``incremental``).

        ``init`` maps the names of the ``*_init`` arguments of ``fit`` to the
        values given (None where not given); ``classes`` is the argument of
        a classifier's ``partial_fit``. The optimizers work on the
        standardized coordinates ``φ`` of the parameters
        (:mod:`skperceptron._scaling`); the fitted attributes are those of
        ``θ = Tφ``.
        """
        metadata = callback_metadata(sample_weight)
        reset = not incremental or self._first_partial_fit(classes)
        X, y, sample_weight = validate_fit_data(
            self, X, y, sample_weight, reset, multi_output=self._multi_output
        )
        Y = self._targets(y, X.dtype, sample_weight, incremental, classes)
        loss = LOSSES[self._output]
        continuing = incremental or self.warm_start
        if not (continuing and hasattr(self, "loss_curve_")):
            self.n_iter_, self.loss_curve_, self.history_ = 0, [], {}
            for name in ("validation_scores_", "best_validation_score_"):
                self.__dict__.pop(name, None)
        rng = check_random_state(self.random_state)
        newton = self._check_solver()
        max_iter = self._max_iter(incremental)
        task = "newton-iter" if newton else "epoch"
        callbacks = FitCallbacks(self, max_iter, task, X=X, y=y, metadata=metadata)
        validation = None
        if self.early_stopping and not (incremental or newton):
            X, Y, sample_weight, validation = self._split(
                loss, X, Y, sample_weight, rng
            )
        problem = self._objective_for(X, Y, sample_weight).standardized()
        theta0 = self._initial_theta(problem, continuing, rng, init or {})
        phi0 = problem.to_standard(theta0)
        if newton:
            result = self._minimize_newton(problem, phi0, incremental, callbacks)
        else:
            result = self._minimize_gd(
                problem, phi0, incremental, validation, rng, callbacks
            )
        result.x = problem.to_model(result.x)
        self._store(problem.objective, result)
        callbacks.close()
        self._warn_if_unbounded(problem.objective, result.x)
        return self

    def _objective_for(self, X, Y, sample_weight):
        """Return the objective a fit minimizes on ``X`` and encoded targets ``Y``."""
        return self._objective(LOSSES[self._output], X, Y, sample_weight)

    def _first_partial_fit(self, classes):
        """Tell whether this ``partial_fit`` is the first one."""
        return not hasattr(self, "n_features_in_")

    def _split(self, loss, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the rows for early stopping."""
        X, X_val, Y, Y_val, sample_weight, s_val = train_test_split(
            X, Y, sample_weight,
            test_size=self.validation_fraction,
            random_state=rng,
            stratify=loss.stratify(Y),
        )  # fmt: skip
        check_weighted_split(sample_weight, s_val, self.validation_fraction)
        return X, Y, sample_weight, (X_val, Y_val, s_val)

    def _max_iter(self, incremental):
        """Return the most epochs or Newton iterations the fit may run."""
        if incremental:
            return 1
        if isinstance(self.solver, NewtonOptimizer):
            return self.solver.max_iter
        return self.max_iter

    def _warn_if_unbounded(self, objective, theta):
        """Warn when ``alpha=0`` and the model separates the training classes.

        A model that classifies every (weighted) sample correctly lowers the
        log-loss further by scaling its output weights up: the objective has
        no finite minimizer, and where the fit stopped is arbitrary. (A
        squared error is never separated.)
        """
        if self.alpha > 0 or objective.loss.bounded:
            return
        rows = objective.sample_weight > 0
        Z = objective.decision(theta, objective.X)
        if objective.loss.separates(Z[rows], objective.Y[rows]):
            warn(
                "The model separates the training classes perfectly and alpha=0: "
                "the log-loss has no finite minimizer, so the weights grow with "
                "every iteration and the fit stopped at an arbitrary scale. Set "
                "alpha > 0 for a unique, finite solution.",
                ConvergenceWarning,
            )

    def _check_solver(self):
        """Return whether ``solver`` is Newton's method; warn of unused parameters."""
        newton = self.solver == "newton" or isinstance(self.solver, NewtonOptimizer)
        unused = {"batch_size": self.batch_size is not None}
        if newton:
            unused["learning_rate"] = self.learning_rate != "auto"
            unused["early_stopping"] = self.early_stopping
        unused = [name for name, is_set in unused.items() if is_set]
        if unused and self.solver != "gd":
            solver = "newton" if newton else self.solver
            steps = "full Newton steps" if newton else "full-batch steps"
            warn(
                f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not "
                f"used by solver='{solver}', which takes {steps} on the "
                "whole data set; use solver='gd' to tune them.",
                UserWarning,
            )
        return newton

    def _minimize_gd(self, problem, phi0, incremental, validation, rng, callbacks):
        """Gradient descent (one epoch for ``partial_fit``) on the objective."""
        validation_score = None
        if validation is not None:
            validation_score = self._validation_scorer(problem, *validation)
        learning_rate, precondition = self._steps(problem, phi0)
        optimizer = GradientDescent(
            learning_rate,
            max_iter=1 if incremental else self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            random_state=rng,
            verbose=self.verbose,
            accelerated=self.solver == "nesterov",
            precondition=precondition,
        )
        result = optimizer.minimize(
            callbacks.evaluating(problem),
            phi0,
            problem.n_samples,
            validation_score=validation_score,
            incremental=incremental,
            callback=callbacks.iteration_end(problem),
            advice=lambda: self._advice(problem, validation is not None),
        )
        result.learning_rate = learning_rate
        return result

    def _newton_optimizer(self):
        """Return the optimizer behind ``solver="newton"``."""
        return NewtonOptimizer(
            tol=self.tol, max_iter=self.max_iter, verbose=self.verbose
        )

    def _minimize_newton(self, problem, phi0, incremental, callbacks):
        """Newton iterations (one for ``partial_fit``) on the whole objective."""
        if isinstance(self.solver, NewtonOptimizer):
            optimizer = clone(self.solver)
        else:
            optimizer = self._newton_optimizer()
        if incremental:
            optimizer.set_params(max_iter=1)
        evaluations = _SharedEvaluation(problem)
        with warnings.catch_warnings():
            if incremental:
                warnings.simplefilter("ignore", ConvergenceWarning)
            result = optimizer.minimize(
                callbacks.evaluating(evaluations.value),
                phi0,
                callbacks.evaluating(evaluations.gradient),
                problem.newton_matrix,
                callback=callbacks.iteration_end(problem),
                convex=problem.convex,
            )
        result.learning_rate = None  # Newton's method has no learning rate
        return result

    def _steps(self, problem, phi0):
        """Return gradient descent's ``learning_rate`` and ``precondition``.

        A float ``learning_rate`` is the course notes' step on the model's
        parameters, ``θ ← θ − α∇θJ``: on ``φ`` that is the direction
        :meth:`~skperceptron._scaling.StandardizedObjective.model_direction`.
        ``"auto"`` gives one safe step per standardized coordinate
        (:meth:`~skperceptron._scaling.StandardizedObjective.steps`); for
        minibatches, safe for the curvature of any single sample.
        """
        if self.learning_rate != "auto":
            return float(self.learning_rate), problem.model_direction
        minibatches = (
            self.solver == "gd"
            and self.batch_size is not None
            and self.batch_size < problem.n_samples
        )
        return problem.steps(phi0, per_sample=minibatches).astype(phi0.dtype), None

    def _advice(self, problem, early_stopping):
        """Return what to do when gradient descent ends at ``max_iter``."""
        if self.solver == "gd" and self.batch_size is not None:
            if self.batch_size < problem.n_samples:
                return (
                    "Increase max_iter, or use batch_size=None: full-batch steps "
                    "stop on the gradient."
                )
        if early_stopping:  # the held-out loss was still going down
            return "Increase max_iter."
        remedies = ["increase max_iter"]
        if self.solver == "gd":
            remedies.append("use solver='nesterov', which needs fewer epochs")
        remedies.append("or use solver='newton'")
        if self.learning_rate != "auto":
            remedies.append(
                "use learning_rate='auto', one safe step for each standardized "
                "coordinate"
            )
        text = "; ".join(remedies)
        text = text[0].upper() + text[1:] + "."
        return " ".join(filter(None, [text, self._target_advice(problem)]))

    def _target_advice(self, problem):
        """Advice about the targets' scale, for the regressors (none here)."""
        return ""

    def _validation_scorer(self, problem, X_val, Y_val, s_val):
        """Return ``φ ↦ −Σ sᵢLᵢ / Σ sᵢ`` on the held-out rows (higher is better).

        Early stopping judges the held-out mean loss, not the accuracy: the
        accuracy of a few hundred rows moves in steps of ``1/n`` and stays flat
        for many full-batch epochs while the model still learns (on
        standardized digits it stopped the network after 46 epochs at 0.72
        held-out accuracy; on the loss, after 965 epochs at 0.95).
        """
        loss = problem.objective.loss
        weights = normalized(s_val)

        def score(phi):
            return -float(weights @ loss.loss(problem.decision(phi, X_val), Y_val))

        return score

    def _set_fitted(self, objective, theta):
        """Set the fitted attributes of the parameter vector ``theta``."""
        for name, value in self._fitted_attributes(objective, theta).items():
            setattr(self, name, value)

    def _store(self, objective, result):
        self._set_fitted(objective, result.x)
        self.n_iter_ += result.nit
        self.loss_curve_ = self.loss_curve_ + result.history["objective"][1:].tolist()
        self.learning_rate_ = result.learning_rate
        self.history_ = _append_history(getattr(self, "history_", {}), result.history)
        if "validation_scores" in result:
            scores = getattr(self, "validation_scores_", []) + result.validation_scores
            self.validation_scores_ = scores
            self.best_validation_score_ = max(scores)

    def _scored(self, X):
        """Return the loss of the fitted kind of output and the scores of ``X``."""
        scores = self._decision(X)
        return LOSSES[self._output], scores

    def _decision(self, X):
        """Raw output scores of ``X``, after the predict-time checks."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=SPARSE, dtype=FLOATS, reset=False)
        return self._forward(X)


def _append_history(history, rows):
    """Return the columns of ``history`` followed by those of ``rows``."""
    return {
        key: np.concatenate([history[key], column]) if key in history else column
        for key, column in rows.items()
    }


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


@shared_docstring()
class BaseClassifier(ClassifierMixin, BaseGradientEstimator):
    """Labels and probabilities shared by the classifiers.

    Targets are encoded by a ``LabelBinarizer``: one sigmoid output for two
    classes (the course notes' unit), one softmax output per class for more,
    and one sigmoid output per label for a multilabel indicator ``y``
    (accepted only when ``_multi_output``). Which of these is decided once
    per fit (:func:`~skperceptron._loss.output_kind`), and the loss of that
    kind gives the probabilities and the labels.
    """

    def _targets(self, y, dtype, sample_weight, incremental, classes):
        """Return the encoded labels; set ``classes_`` and the kind of output."""
        check_classification_targets(y)
        if not incremental:
            binarizer = LabelBinarizer().fit(y)
            if self.warm_start and hasattr(self, "classes_"):
                check_same_classes(self.classes_, binarizer.classes_)
            self._set_labels(binarizer)
        elif classes is not None and not hasattr(self, "_label_binarizer"):
            multilabel = type_of_target(y) == "multilabel-indicator"
            self._set_labels(LabelBinarizer().fit(y if multilabel else classes))
        multilabel = self._output == "multilabel"
        if incremental:
            check_known_labels(y, self.classes_, multilabel)
        Y = encode_labels(self._label_binarizer, y, dtype)
        if not incremental:
            check_two_weighted_classes(
                LOSSES[self._output], Y, sample_weight, self.classes_
            )
        return Y

    def _set_labels(self, binarizer):
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_
        self._output = output_kind(binarizer.y_type_, len(binarizer.classes_))

    def _first_partial_fit(self, classes):
        return check_partial_fit_first_call(self, classes)

    @fit_method
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of gradient descent on the given data.

        {parameters_X_train}
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
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Return the probability of each class.

        {parameters_X}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``[1 − σ(z), σ(z)]`` for two classes, ``softmax(z)`` for more,
            ``σ(z)`` per label for multilabel targets, in the dtype of ``X``
            (float32 or float64).
        """
        loss, scores = self._scored(X)
        return loss.predict_proba(scores)

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`, computed stably.

        {parameters_X}

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, in the order of ``classes_`` and the dtype of
            ``X``, computed from the scores: finite where a probability
            underflows to 0, and exactly 0 where it rounds to 1 (as the
            logarithm of :meth:`predict_proba` is).
        """
        loss, scores = self._scored(X)
        return loss.predict_log_proba(scores)

    def predict(self, X):
        """Predict the class of largest probability (each label above ½).

        {parameters_X}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels.
        """
        loss, scores = self._scored(X)
        return loss.labels(scores, self.classes_)
