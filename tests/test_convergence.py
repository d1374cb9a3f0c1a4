"""Every fit ends near the minimum of its objective, or warns that it did not.

The reference minimum J* comes from scikit-learn's exact solvers on the same
objective (``LogisticRegression(C=1/(alpha·n))``, ``Ridge(alpha=alpha·n)``),
and J is computed from the fitted coefficients, not by the package (the
data, J and J* are those of ``benchmarks/convergence.py``).
"""

import pytest

from benchmarks.convergence import (
    datasets,
    fit_and_record,
    is_regression,
    objective,
    reference_minimum,
)
from skperceptron import PerceptronRegressor, SigmoidPerceptronClassifier

DATA = datasets()
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
    Estimator = (
        PerceptronRegressor if is_regression(name) else SigmoidPerceptronClassifier
    )
    return fit_and_record(Estimator(**params), X, y)


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
