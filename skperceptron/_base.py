"""What every estimator of the package shares: parameters, fit loop, labels.

Estimator layer. A concrete estimator supplies four hooks:

- ``_objective(X, Y, sample_weight)``: the math-layer objective to minimize;
- ``_initial_theta(objective, continuing, rng, init)``: where the optimizer
  starts: the arrays of ``init`` (the ``*_init`` arguments of ``fit``) where
  given, else the current parameters when continuing, else the default;
- ``_fitted_attributes(objective, theta)``: the fitted attributes of a
  parameter vector, as a dict (set at the end of the fit, and given to the
  callbacks after each iteration);
- ``_forward(X)``: raw output scores of validated ``X`` from the fitted
  attributes.

The objective provides ``n_samples``, ``value_and_gradient(θ, batch)`` (also
as ``objective(θ, batch)``), ``decision(θ, X)`` (raw scores of other rows),
``newton_matrix(θ)`` (the Hessian or a positive definite stand-in, as a
matrix or a ``LinearOperator``) and ``standardized()``: the same objective as
a function of the coordinates ``φ`` of standardized features
(:mod:`skperceptron._scaling`), with its ``"auto"`` steps. The optimizers
always work on ``φ``; the fitted attributes are those of ``θ = Tφ``.

With scikit-learn >= 1.9 the estimators support its callbacks
(``set_callbacks``, :mod:`sklearn.callback`): a fit is a task whose subtasks
are the epochs or Newton iterations (:class:`_FitCallbacks`). Older releases
have no ``sklearn.callback``; the estimators then have no ``set_callbacks``.
"""

import functools
import warnings

import numpy as np
from scipy.special import expit, log_expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_is_fitted,
    check_random_state,
    column_or_1d,
    validate_data,
)

from ._blocks import normalized
from ._compat import (
    CallbackSupportMixin,
    Integral,
    Interval,
    Real,
    StrOptions,
    callback_context,
    check_partial_fit_first_call,
    check_sample_weight,
    fit_context,
    has_callbacks,
)
from ._docstrings import shared_docstring
from ._gradient_descent import GradientDescent
from ._loss import BinaryLogLoss, MultinomialLogLoss
from ._newton import NewtonOptimizer
from ._warnings import warn

FLOATS = (np.float64, np.float32)
SPARSE = ("csr", "csc")


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
        sample_weight = check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        return X, y, sample_weight

    def _fit(self, X, Y, sample_weight, incremental, init=None, *, y, metadata):
        """Run the optimizer from ``init``, the current or the initial parameters.

        ``init`` maps the names of the ``*_init`` arguments of ``fit`` to the
        values given (None where not given). ``y`` (the targets as given,
        validated) and ``metadata`` are passed to the callbacks. The
        optimizers work on the standardized coordinates ``φ`` of the
        parameters (:mod:`skperceptron._scaling`); the fitted attributes are
        those of ``θ = Tφ``.
        """
        continuing = incremental or self.warm_start
        if not (continuing and hasattr(self, "loss_curve_")):
            self.n_iter_, self.loss_curve_, self.history_ = 0, [], {}
            for name in ("validation_scores_", "best_validation_score_"):
                self.__dict__.pop(name, None)
        rng = check_random_state(self.random_state)
        newton = self._check_solver()
        max_iter = self._max_iter(incremental)
        task = "newton-iter" if newton else "epoch"
        callbacks = _FitCallbacks(self, max_iter, task, X=X, y=y, metadata=metadata)
        validation = None
        if self.early_stopping and not (incremental or newton):
            X, Y, sample_weight, validation = self._split(X, Y, sample_weight, rng)
        problem = self._objective(X, Y, sample_weight).standardized()
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

    def _split(self, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the rows for early stopping."""
        X, X_val, Y, Y_val, sample_weight, s_val = train_test_split(
            X, Y, sample_weight,
            test_size=self.validation_fraction,
            random_state=rng,
            stratify=self._stratify(Y),
        )  # fmt: skip
        _check_weighted_split(sample_weight, s_val, self.validation_fraction)
        return X, Y, sample_weight, (X_val, Y_val, s_val)

    def _max_iter(self, incremental):
        """Return the most epochs or Newton iterations the fit may run."""
        if incremental:
            return 1
        if isinstance(self.solver, NewtonOptimizer):
            return self.solver.max_iter
        return self.max_iter

    def _warn_if_unbounded(self, objective, theta):
        """Warn when the objective has no finite minimizer (none by default)."""

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
        result.loss_curve = [float(f) for f in result.fun_history[1:]]
        result.validation_scores = []
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
        self.loss_curve_ = self.loss_curve_ + result.loss_curve
        self.learning_rate_ = result.learning_rate
        self.history_ = _append_history(getattr(self, "history_", {}), result.history)
        if result.validation_scores:
            scores = getattr(self, "validation_scores_", []) + result.validation_scores
            self.validation_scores_ = scores
            self.best_validation_score_ = max(scores)

    def _decision(self, X):
        """Raw output scores of ``X``, after the predict-time checks."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=SPARSE, dtype=FLOATS, reset=False)
        return self._forward(X)


class _FitCallbacks:
    """Report a fit and each of its iterations to the estimator's callbacks.

    With ``sklearn.callback`` (scikit-learn >= 1.9), the fit is the root task
    of the estimator's callback context, begun here and ended by
    :meth:`close`; each epoch or Newton iteration is a subtask. When the
    estimator has callbacks, a subtask begins at the optimizer's first
    evaluation of the objective that iteration (:meth:`evaluating`) and ends
    at the new iterate, from the optimizer's callback
    (:meth:`iteration_end`), which hands the callbacks the estimator at that
    iterate (``fitted_estimator``) and stops the optimizer when one of their
    ``on_fit_task_end`` returns True. Without ``sklearn.callback`` it does
    nothing.

    Parameters
    ----------
    estimator : BaseGradientEstimator
        The estimator being fitted.
    max_iter : int
        The most iterations the fit may run.
    task_name : str
        The name of the iterations' subtasks.
    X, y : array-like
        The data given to ``fit``, passed on to the callbacks.
    metadata : dict or None, default=None
        ``{"sample_weight": ...}`` when ``fit`` was given sample weights.
    """

    def __init__(self, estimator, max_iter, task_name, *, X, y, metadata=None):
        self.estimator, self.task_name = estimator, task_name
        self.data = {"X": X, "y": y, "metadata": metadata}
        self.context = self.iteration = None
        self.context = callback_context(estimator, max_iter)
        if self.context is not None:
            self.context.call_on_fit_task_begin(estimator=estimator, **self.data)
        self.active = self.context is not None and has_callbacks(estimator)

    def evaluating(self, fun):
        """Return ``fun``, made to begin an iteration when none is under way."""
        if not self.active:
            return fun

        def evaluate(*args):
            if self.iteration is None:
                self.iteration = self.context.subcontext(task_name=self.task_name)
                self.iteration.call_on_fit_task_begin(
                    estimator=self.estimator, **self.data
                )
            return fun(*args)

        return evaluate

    def iteration_end(self, problem):
        """Return the optimizer's ``callback``, None when there are no callbacks.

        ``problem`` is the standardized objective: the optimizer's ``x`` is
        ``φ``, whose model parameters are ``θ = Tφ``.
        """
        if not self.active:
            return None

        def end(intermediate_result):
            def attributes():
                return self.estimator._fitted_attributes(
                    problem.objective, problem.to_model(intermediate_result.x)
                )

            iteration, self.iteration = self.iteration, None
            if iteration.call_on_fit_task_end(
                estimator=self.estimator,
                reconstruction_attributes=attributes,
                **self.data,
            ):
                raise StopIteration

        return end

    def close(self):
        """End an iteration left unfinished (a failed step), then the fit."""
        if self.iteration is not None:
            self.iteration.call_on_fit_task_end(estimator=self.estimator)
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator, reconstruction_attributes={}, **self.data
            )


def _callback_metadata(sample_weight):
    """Return the callbacks' metadata: the sample weights, if ``fit`` had any."""
    return None if sample_weight is None else {"sample_weight": sample_weight}


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


@shared_docstring()
class BaseClassifier(ClassifierMixin, BaseGradientEstimator):
    """Labels and probabilities shared by the classifiers.

    Targets are encoded by a ``LabelBinarizer``: one sigmoid output for two
    classes (the seeds' unit), one softmax output per class for more, and
    one sigmoid output per label for a multilabel indicator ``y`` (accepted
    only when ``_accepts_multilabel``).
    """

    _accepts_multilabel = False

    def _fit_classifier(self, X, y, sample_weight, init):
        """Validate, encode the labels and fit (the body of ``fit``)."""
        metadata = _callback_metadata(sample_weight)
        X, y, sample_weight = self._validate_fit_data(
            X, y, sample_weight, True, multi_output=self._accepts_multilabel
        )
        check_classification_targets(y)
        binarizer = LabelBinarizer().fit(y)
        if self.warm_start and hasattr(self, "classes_"):
            _check_same_classes(self.classes_, binarizer.classes_)
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_
        Y = encode_labels(self._label_binarizer, y, X.dtype)
        if not self._is_multilabel():
            _check_two_weighted_classes(Y, sample_weight, self.classes_)
        return self._fit(X, Y, sample_weight, False, init, y=y, metadata=metadata)

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
        first_call = check_partial_fit_first_call(self, classes)
        metadata = _callback_metadata(sample_weight)
        X, y, sample_weight = self._validate_fit_data(
            X, y, sample_weight, first_call, multi_output=self._accepts_multilabel
        )
        check_classification_targets(y)
        if first_call:
            multilabel = type_of_target(y) == "multilabel-indicator"
            self._label_binarizer = LabelBinarizer().fit(y if multilabel else classes)
            self.classes_ = self._label_binarizer.classes_
        _check_known_labels(y, self.classes_, self._is_multilabel())
        Y = encode_labels(self._label_binarizer, y, X.dtype)
        return self._fit(X, Y, sample_weight, True, y=y, metadata=metadata)

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
        return self._probabilities(self._decision(X))

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
        scores = self._decision(X)
        if self._is_multilabel():
            log_proba = log_expit(scores)
        elif scores.shape[1] == 1:
            log_proba = np.hstack([log_expit(-scores), log_expit(scores)])
        else:
            log_proba = scores - logsumexp(scores, axis=1, keepdims=True)
        log_proba[self._probabilities(scores) == 1] = 0.0
        return log_proba

    def _probabilities(self, scores):
        """``predict_proba`` of raw scores."""
        if self._is_multilabel():
            return expit(scores)
        if scores.shape[1] == 1:
            return np.hstack([expit(-scores), expit(scores)])
        return MultinomialLogLoss().predict(scores)

    def predict(self, X):
        """Predict the class of largest probability (each label above ½).

        {parameters_X}

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
            warn(
                "The model separates the training classes perfectly and alpha=0: "
                "the log-loss has no finite minimizer, so the weights grow with "
                "every iteration and the fit stopped at an arbitrary scale. Set "
                "alpha > 0 for a unique, finite solution.",
                ConvergenceWarning,
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


def _check_two_weighted_classes(Y, sample_weight, classes):
    """Refuse data in which fewer than two classes carry positive weight."""
    if Y.shape[1] == 1:  # the column of the second class
        second = Y[:, 0] > 0
        weight = np.array([sample_weight[~second].sum(), sample_weight[second].sum()])
    else:
        weight = sample_weight @ Y
    weighted = classes[weight[: len(classes)] > 0]
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


def _check_same_classes(previous, classes):
    """Refuse to continue a fit (``warm_start``) on other classes."""
    if len(previous) != len(classes) or np.any(previous != classes):
        raise ValueError(
            f"warm_start=True continues the fit of classes {previous.tolist()}, "
            f"but y holds the classes {classes.tolist()}: the output units "
            "would stand for other classes. Set warm_start=False to fit "
            "these classes from the start."
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
