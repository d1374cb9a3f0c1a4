"""The experiments of ``python -m skperceptron``, returning records.

Each experiment fits its models and returns what the report says about them
as a record (:class:`Fit`, :class:`AlienMoods`, :class:`HeldOut`,
:class:`GridSearch`, :class:`NewtonTable`); :mod:`skperceptron._report` lays
the records out as text and :mod:`skperceptron._plots` draws them.
"""

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import (
    NewtonOptimizer,
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)
from ._course_notes import (
    NEWTON_X0,
    NOTES_X5_TYPO,
    SEED_NEWTON_TABLE,
    d2g,
    dg,
    g,
    newton_step,
    rounded_newton_iterates,
)
from .datasets import load_alien_moods

RANDOM_STATE = 0
TEST_SIZE = 0.25
GRID_RATES = np.logspace(-3, 1, 9)
GRID_MAX_ITER = 100
GRID_PARAM = "perceptronregressor__learning_rate"


# ----------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------


@dataclass
class Fit:
    """One fitted model and what the report says about it.

    Attributes
    ----------
    model : estimator or Pipeline
        The fitted model.
    name : str
        Class name of the estimator (the last step of a pipeline).
    solver : str
        Its solver; ``"lstsq"`` for ``LinearRegression``.
    seconds : float
        Time of the fit.
    converged : bool
        False when the fit stopped at ``max_iter`` (a ``ConvergenceWarning``).
    n_iter : int or None
        Iterations run (the largest over outputs), None for a closed form.
    final_objective : float or None
        skperceptron's objective J at the end of the fit; None for
        scikit-learn's models, which minimize their own.
    score : float
        Training or held-out accuracy, or R².
    outputs : ndarray or None
        P(happy) per sample for classifiers, ŷ for regressors (alien moods).
    """

    model: Any
    name: str
    solver: str
    seconds: float
    converged: bool
    n_iter: int | None
    final_objective: float | None
    score: float = np.nan
    outputs: np.ndarray | None = None

    @property
    def estimator(self):
        """The last step of the pipeline (or the model itself)."""
        return _estimator(self.model)


@dataclass
class AlienMoods:
    """Part 1: the alien-moods data set and the fits on it."""

    moods: Any
    fits: list


@dataclass
class HeldOut:
    """Part 2: one bundled data set, its split and the fits scored on it."""

    title: str
    X: np.ndarray
    y: np.ndarray
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    metric: str
    fits: list

    @property
    def n_classes(self):
        """Classes of ``y``; None for a regression."""
        return None if self.metric == "R²" else len(np.unique(self.y))


@dataclass
class GridSearch:
    """Part 3: ``GridSearchCV`` over ``learning_rate`` and the curvature of J.

    Attributes
    ----------
    search : GridSearchCV
        The fitted search over ``param``.
    param : str
        The searched parameter.
    max_iter : int
        The epochs every candidate is given.
    rates, mean_scores, std_scores, mean_fit_times : ndarray
        Per candidate; a diverged fit scores NaN.
    best_index : int
        The chosen candidate.
    best_rate, best_score : float
        Its rate and mean cross-validated R².
    lipschitz : float
        ``L``, the largest eigenvalue of the Hessian of the estimator's own
        objective on the standardized data: float rates above ``2/L`` diverge.
    auto_steps : ndarray
        The steps ``learning_rate="auto"`` takes on the same data.
    """

    search: Any
    param: str
    max_iter: int
    rates: np.ndarray
    mean_scores: np.ndarray
    std_scores: np.ndarray
    mean_fit_times: np.ndarray
    best_index: int
    best_rate: float
    best_score: float
    lipschitz: float
    auto_steps: np.ndarray

    @property
    def diverged(self):
        """Whether each candidate diverged (scored NaN)."""
        return np.isnan(self.mean_scores)


@dataclass
class NewtonTable:
    """Part 4: ``NewtonOptimizer`` on the course notes' ``g(x) = eˣ − log x``.

    Attributes
    ----------
    iterates, objective, grad_norm : ndarray
        ``x_k``, ``g(x_k)`` and ``|g′(x_k)|`` for ``k = 0 ... nit``.
    step, damping : ndarray
        Line-search step size and damping of each step.
    x, fun : float
        The minimum and ``g`` there.
    nit : int
        Iterations.
    notes_table : tuple of float
        The iterates the course notes print.
    notes_typo : float
        Where the notes' line for x5 starts: a typo for x4.
    rounded : list of float
        The notes' hand computation, rounding before every step.
    steps_from : dict of float to float
        The Newton step from the points the report discusses: the notes'
        rounded x2, x4 and the typo for x4.
    """

    iterates: np.ndarray
    objective: np.ndarray
    grad_norm: np.ndarray
    step: np.ndarray
    damping: np.ndarray
    x: float
    fun: float
    nit: int
    notes_table: tuple
    notes_typo: float
    rounded: list
    steps_from: dict

    @property
    def full_steps(self):
        """Whether no step was damped or shortened."""
        return not np.any(self.damping) and bool(np.all(self.step == 1))


# ----------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------


def _estimator(model):
    return model[-1] if hasattr(model, "steps") else model


def _solver_name(estimator):
    if isinstance(estimator, LinearRegression):
        return "lstsq"
    return str(estimator.solver)


def _n_iter(estimator):
    n_iter = getattr(estimator, "n_iter_", None)
    return None if n_iter is None else int(np.max(n_iter))


def _final_objective(estimator):
    curve = getattr(estimator, "loss_curve_", None)
    ours = type(estimator).__module__.startswith("skperceptron")
    return float(curve[-1]) if ours and curve else None


def _timed_fit(model, X, y):
    """Fit ``model``; return the seconds and whether it met its tolerance."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:
            warnings.warn(warning.message, warning.category, stacklevel=3)
    return seconds, converged


def fit_model(model, X, y):
    """Fit ``model``, timing it and noting whether it stopped at ``max_iter``.

    Returns
    -------
    fit : Fit
        Without ``score`` and ``outputs``.
    """
    seconds, converged = _timed_fit(model, X, y)
    estimator = _estimator(model)
    return Fit(
        model=model,
        name=type(estimator).__name__,
        solver=_solver_name(estimator),
        seconds=seconds,
        converged=converged,
        n_iter=_n_iter(estimator),
        final_objective=_final_objective(estimator),
    )


def classifiers():
    """Return each classifier with both solvers, and scikit-learn's counterparts."""
    return [
        SigmoidPerceptronClassifier(solver="gd"),
        SigmoidPerceptronClassifier(solver="newton"),
        LogisticRegression(),
        TwoLayerNetClassifier(solver="gd", random_state=RANDOM_STATE),
        TwoLayerNetClassifier(solver="newton", random_state=RANDOM_STATE),
        MLPClassifier(
            (16,),
            activation="logistic",
            solver="lbfgs",
            max_iter=1000,
            random_state=RANDOM_STATE,
        ),
    ]


def regressors():
    """Return the regression perceptron with both solvers, and least squares."""
    return [
        PerceptronRegressor(solver="gd"),
        PerceptronRegressor(solver="newton"),
        LinearRegression(),
    ]


# ----------------------------------------------------------------------------
# 1. Alien moods
# ----------------------------------------------------------------------------


def alien_moods():
    """Fit every model on the course notes' four alien sentences.

    Returns
    -------
    record : AlienMoods
        The data set and one :class:`Fit` per model, whose ``outputs`` are
        P(happy) per sentence for classifiers, the prediction ŷ for
        regressors, and ``score`` the training accuracy or R².
    """
    moods = load_alien_moods()
    X, y = moods.data, moods.target
    fits = []
    for model in classifiers() + regressors():
        fit = fit_model(model, X, y)
        if hasattr(model, "predict_proba"):
            fit.outputs = model.predict_proba(X)[:, 1]
        else:
            fit.outputs = model.predict(X)
        fit.score = model.score(X, y)
        fits.append(fit)
    return AlienMoods(moods, fits)


# ----------------------------------------------------------------------------
# 2. scikit-learn's bundled data sets
# ----------------------------------------------------------------------------


def _datasets():
    """(title, X, y, is_classification) of the bundled data sets."""
    moons_X, moons_y = make_moons(300, noise=0.2, random_state=RANDOM_STATE)
    return [
        ("breast cancer", *load_breast_cancer(return_X_y=True), True),
        ("iris", *load_iris(return_X_y=True), True),
        ("wine", *load_wine(return_X_y=True), True),
        ("two moons", moons_X, moons_y, True),
        ("diabetes", *load_diabetes(return_X_y=True), False),
    ]


def _held_out(title, X, y, classification):
    """Fit every model on a stratified 75 % of ``X``, score the rest."""
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=TEST_SIZE,
        random_state=RANDOM_STATE,
        stratify=y if classification else None,
    )
    fits = []
    for model in classifiers() if classification else regressors():
        fit = fit_model(make_pipeline(StandardScaler(), model), X_train, y_train)
        fit.score = fit.model.score(X_test, y_test)
        fits.append(fit)
    metric = "accuracy" if classification else "R²"
    return HeldOut(title, X, y, X_train, X_test, y_train, y_test, metric, fits)


def bundled_datasets():
    """Fit and score every model on each of scikit-learn's bundled data sets.

    Returns
    -------
    records : list of HeldOut
        One per data set; each model is a pipeline standardizing the features.
    """
    return [_held_out(*dataset) for dataset in _datasets()]


# ----------------------------------------------------------------------------
# 3. GridSearchCV over learning_rate
# ----------------------------------------------------------------------------


def _curvature(estimator, X, y):
    """Return ``L`` and the ``"auto"`` steps of ``estimator``'s objective on ``X``.

    ``J`` is quadratic: its Hessian, from the estimator's own objective (its
    loss and its ``alpha``), is the same at every point.
    """
    Y = estimator._targets(y, X.dtype, None, True, None)
    objective = estimator._objective_for(X, Y, np.ones(len(X)))
    theta = np.zeros(objective.n_params)
    lipschitz = float(np.linalg.eigvalsh(objective.hessian(theta))[-1])
    problem = objective.standardized()
    return lipschitz, problem.steps(problem.to_standard(theta))


def grid_search():
    """Search ``learning_rate`` of ``PerceptronRegressor`` on diabetes.

    Each candidate gets the same budget of ``GRID_MAX_ITER`` epochs. Rates
    above ``2/L`` (``L`` the largest curvature of the objective) make gradient
    descent diverge: the fit raises ``ValueError`` and ``GridSearchCV`` scores
    it NaN.

    Returns
    -------
    record : GridSearch
    """
    X, y = load_diabetes(return_X_y=True)
    estimator = PerceptronRegressor(max_iter=GRID_MAX_ITER)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), estimator), {GRID_PARAM: GRID_RATES}, cv=5
    )
    with warnings.catch_warnings():
        # Diverging fits are reported as NaN scores, which the table explains.
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.filterwarnings("ignore", "One or more of the test scores")
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    lipschitz, auto_steps = _curvature(estimator, StandardScaler().fit_transform(X), y)
    results = search.cv_results_
    return GridSearch(
        search=search,
        param=GRID_PARAM,
        max_iter=GRID_MAX_ITER,
        rates=np.array(results[f"param_{GRID_PARAM}"], dtype=float),
        mean_scores=np.asarray(results["mean_test_score"]),
        std_scores=np.asarray(results["std_test_score"]),
        mean_fit_times=np.asarray(results["mean_fit_time"]),
        best_index=int(search.best_index_),
        best_rate=float(search.best_params_[GRID_PARAM]),
        best_score=float(search.best_score_),
        lipschitz=lipschitz,
        auto_steps=auto_steps,
    )


# ----------------------------------------------------------------------------
# 4. Newton's method on the course notes' example
# ----------------------------------------------------------------------------


def newton_table():
    """Minimize the course notes' ``g(x) = exp(x) − log(x)`` from ``x0 = 0.05``.

    Returns
    -------
    record : NewtonTable
        The run of :meth:`NewtonOptimizer.minimize`, next to the notes' table
        and hand computation.
    """
    result = NewtonOptimizer().minimize(g, NEWTON_X0, grad=dg, hess=d2g)
    discussed = (SEED_NEWTON_TABLE[2], SEED_NEWTON_TABLE[4], NOTES_X5_TYPO)
    return NewtonTable(
        iterates=np.asarray(result.iterates),
        objective=np.asarray(result.history["objective"]),
        grad_norm=np.asarray(result.history["grad_norm"]),
        step=np.asarray(result.history["step"][1:]),
        damping=np.asarray(result.history["damping"][1:]),
        x=float(result.x),
        fun=float(result.fun),
        nit=int(result.nit),
        notes_table=SEED_NEWTON_TABLE,
        notes_typo=NOTES_X5_TYPO,
        rounded=rounded_newton_iterates(),
        steps_from={x: newton_step(x) for x in discussed},
    )
