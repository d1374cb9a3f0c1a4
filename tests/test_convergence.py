"""Every fit ends near the minimum of its objective, or warns that it did not.

The reference minimum J* comes from scikit-learn's exact solvers on the same
objective (``LogisticRegression(C=1/(alpha·n))``, ``Ridge(alpha=alpha·n)``),
and J is computed here from the fitted coefficients, not by the package.
"""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from skperceptron import PerceptronRegressor, SigmoidPerceptronClassifier

ALPHA = 1e-4  # the estimators' default


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


def _datasets():
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


DATA = _datasets()
REFERENCE = {}


def _gap(name, estimator):
    X, y = DATA[name]
    classifier = not isinstance(estimator, PerceptronRegressor)
    if name not in REFERENCE:
        REFERENCE[name] = reference_minimum(X, y, classifier)
    J = objective(estimator.coef_, estimator.intercept_, X, y, classifier)
    return (J - REFERENCE[name]) / REFERENCE[name]


def _fit(name, **params):
    X, y = DATA[name]
    regression = name.startswith("diabetes") or name == "tiny-features"
    Estimator = PerceptronRegressor if regression else SigmoidPerceptronClassifier
    estimator = Estimator(**params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return estimator, warned


@pytest.mark.parametrize("solver", ["gd", "nesterov", "newton"])
@pytest.mark.parametrize("name", list(DATA))
def test_default_fits_end_near_the_minimum_or_warn(name, solver):
    estimator, warned = _fit(name, solver=solver)
    gap = _gap(name, estimator)
    assert gap > -1e-9  # nothing beats the exact solvers
    assert warned or gap <= 1e-2, f"relative gap {gap:.2e} and no warning"


@pytest.mark.parametrize("name", [name for name in DATA if name.endswith("-raw")])
def test_nesterov_reaches_the_minimum_on_raw_data(name):
    estimator, _ = _fit(name, solver="nesterov", max_iter=5000, tol=1e-10)
    assert _gap(name, estimator) <= 1e-3


@pytest.mark.parametrize("name", ["diabetes-raw", "diabetes-x1e3", "tiny-features"])
def test_gradient_descent_at_the_defaults_reaches_the_minimum(name):
    estimator, _ = _fit(name)
    assert _gap(name, estimator) <= 1e-3
