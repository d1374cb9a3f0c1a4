"""Convergence rows: how close each default fit ends to the exact minimum.

Real data at raw and standardized scales (breast cancer, wine, digits,
diabetes; standardized breast cancer with features scaled by 1e-3…1e3;
diabetes with features ×1e3; ``X = randn(200, 3)·1e-3``, ``y = X·[1e3, −2e3,
3e3]``). For each, every full-batch solver of ours at its defaults
(``SigmoidPerceptronClassifier`` or ``PerceptronRegressor``) and
scikit-learn's ``LogisticRegression()`` (lbfgs) or ``Ridge()`` at theirs,
mapped to the same objective ``J = mean loss + (alpha/2)‖W‖²``,
``alpha = 1e-4``. The relative gap ``(J − J*)/J*`` is to the smallest ``J``
of scikit-learn's exact solvers run tightly (``newton-cholesky`` and
``lbfgs`` at ``tol=1e-12``; ``Ridge(solver="cholesky")``); ``J`` is
computed from the coefficients, not by the package. ``warned``: the fit
raised ``ConvergenceWarning``. Times are medians of the repeats, one
thread; the ratio is ours over scikit-learn's.
"""

import time
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skperceptron import PerceptronRegressor, SigmoidPerceptronClassifier

try:  # imported from the package (python -m benchmarks) or as a script's sibling
    from benchmarks._table import render
except ImportError:  # pragma: no cover
    from _table import render

ALPHA = 1e-4  # the estimators' default
REGRESSION = ("diabetes", "tiny-features")


def objective(coef, intercept, X, y, classifier):
    """J = mean loss + (alpha/2)‖W‖², from the coefficients alone."""
    W, b = np.atleast_2d(coef), np.atleast_1d(intercept)
    Z = X @ W.T + b
    if not classifier:
        loss = 0.5 * (y - Z[:, 0]) ** 2
    elif Z.shape[1] == 1:
        t = (y == np.unique(y)[1]).astype(float)
        loss = np.logaddexp(0, Z[:, 0]) - t * Z[:, 0]
    else:
        codes = np.searchsorted(np.unique(y), y)
        loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), codes]
    return loss.mean() + ALPHA / 2 * np.sum(W**2)


def reference_minimum(X, y, classifier):
    """The smallest J of scikit-learn's exact solvers, solved tightly."""
    n = len(X)
    if not classifier:
        model = Ridge(alpha=ALPHA * n, solver="cholesky").fit(X, y)
        return objective(model.coef_, model.intercept_, X, y, False)
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for solver in ("newton-cholesky", "lbfgs"):
            model = LogisticRegression(
                C=1 / (ALPHA * n), solver=solver, tol=1e-12, max_iter=10_000
            ).fit(X, y)
            values.append(objective(model.coef_, model.intercept_, X, y, True))
    return min(values)


def datasets():
    """The data sets of the rows, by name: ``{name: (X, y)}``."""
    loaders = {
        "breast-cancer": load_breast_cancer,
        "wine": load_wine,
        "digits": load_digits,
        "diabetes": load_diabetes,
    }
    data = {}
    for name, load in loaders.items():
        X, y = load(return_X_y=True)
        data[f"{name}-raw"] = (X, y)
        data[f"{name}-standardized"] = (StandardScaler().fit_transform(X), y)
    X, y = load_breast_cancer(return_X_y=True)
    scales = np.logspace(-3, 3, X.shape[1])
    data["breast-cancer-scaled-1e-3..1e3"] = (
        StandardScaler().fit_transform(X) * scales,
        y,
    )
    X, y = load_diabetes(return_X_y=True)
    data["diabetes-x1e3"] = (X * 1e3, y)
    X = np.random.RandomState(0).normal(size=(200, 3)) * 1e-3
    data["tiny-features"] = (X, X @ [1e3, -2e3, 3e3])
    return data


def is_regression(name):
    """Whether the data set ``name`` has a continuous target."""
    return name.startswith(REGRESSION)


def fit_and_record(estimator, X, y):
    """Fit ``estimator``; return it and whether it warned ConvergenceWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return estimator, warned


def _seconds(make, X, y, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit_and_record(make(), X, y)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _theirs(name, n):
    if is_regression(name):
        return lambda: Ridge(alpha=ALPHA * n)
    return lambda: LogisticRegression(C=1 / (ALPHA * n))


def run(quick=False, repeats=3, log=print):
    """Measure every row; return them as a list of dicts."""
    rows, data = [], datasets()
    if quick:
        data = {name: data[name] for name in ("wine-raw", "tiny-features")}
    for name, (X, y) in data.items():
        classifier = not is_regression(name)
        best = reference_minimum(X, y, classifier)
        Ours = SigmoidPerceptronClassifier if classifier else PerceptronRegressor
        theirs = _theirs(name, len(X))
        with threadpool_limits(1):
            model, _ = fit_and_record(theirs(), X, y)
            their_gap = objective(model.coef_, model.intercept_, X, y, classifier)
            their_seconds = _seconds(theirs, X, y, repeats)
            for solver in ("gd", "nesterov", "newton"):
                ours, warned = fit_and_record(Ours(solver=solver), X, y)
                J = objective(ours.coef_, ours.intercept_, X, y, classifier)
                seconds = _seconds(lambda E=Ours, s=solver: E(solver=s), X, y, repeats)
                rows.append(
                    {
                        "data": name,
                        "solver": solver,
                        "iter": int(ours.n_iter_),
                        "gap": (J - best) / best,
                        "warned": warned,
                        "ok": bool(warned or (J - best) / best <= 1e-2),
                        "ours_ms": 1e3 * seconds,
                        "theirs_ms": 1e3 * their_seconds,
                        "ratio": seconds / their_seconds,
                        "their_gap": (their_gap - best) / best,
                    }
                )
                log(f"convergence {name} {solver}: {rows[-1]['gap']:.1e}")
    return rows


COLUMNS = [
    ("data", "data", "{}"),
    ("solver", "solver", "{}"),
    ("iter", "iter", "{}"),
    ("gap", "gap", "{:.1e}"),
    ("warned", "warned", "{}"),
    ("gap ≤ 1e-2 or warned", "ok", "{}"),
    ("ours ms", "ours_ms", "{:.3g}"),
    ("sklearn ms", "theirs_ms", "{:.3g}"),
    ("ours/sklearn", "ratio", "{:.2f}"),
    ("sklearn gap", "their_gap", "{:.1e}"),
]


def table(rows, markdown=False):
    """The rows as an aligned (or markdown) table."""
    return render(rows, COLUMNS, markdown)
