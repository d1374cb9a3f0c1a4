"""The test problems of Moré, Garbow and Hillstrom (1981), for NewtonOptimizer.

Each problem's hand-derived residual derivatives are checked against finite
differences.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ._mgh import PROBLEMS

NAMES = list(PROBLEMS)


STEP = 1e-6


def central_differences(func, x):
    """Derivative of ``func`` at ``x``, the last axis indexing ``x``.

    Steps relative to each coordinate, ``STEP * max(1, |x_j|)``: the problems
    mix variables of size 1e-2 (Osborne 1's rates) and 1e6 (Brown's).
    """
    columns = []
    for j in range(x.size):
        h = STEP * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        columns.append((np.asarray(func(x + e)) - np.asarray(func(x - e))) / (2 * h))
    return np.stack(columns, axis=-1)


def assert_matches_differences(analytic, numerical, values):
    """Agreement within the error of central differences of ``values``.

    Truncation, ``1e-6`` of the largest derivative, plus rounding: ``f(x + h)
    - f(x - h)`` carries a few ulps of the largest value ``|f|`` (Brown's
    badly scaled residual x_1 - 1e6 at x_1 = 1 loses 10 of 16 digits).
    """
    scale = max(1.0, float(np.max(np.abs(numerical))))
    rounding = 4 * np.finfo(float).eps * float(np.max(np.abs(values))) / STEP
    assert_allclose(analytic, numerical, rtol=0, atol=1e-6 * scale + rounding)


def _points(problem):
    """The standard start and two points near it, for the derivative checks."""
    rng = np.random.default_rng(problem.number)
    x0 = problem.x0
    spread = 0.1 * np.maximum(1.0, np.abs(x0))
    return [x0] + [x0 + spread * rng.uniform(-1, 1, x0.size) for _ in range(2)]


@pytest.mark.parametrize("name", NAMES)
def test_hand_derived_residual_derivatives_match_finite_differences(name):
    problem = PROBLEMS[name]
    for x in _points(problem):
        r, J, T = problem.residuals(x)
        assert r.ndim == 1 and J.shape == (r.size, x.size)
        assert T.shape == (r.size, x.size, x.size)
        assert_allclose(T, T.transpose(0, 2, 1), rtol=0, atol=0)
        assert_matches_differences(
            J, central_differences(lambda z: problem.residuals(z)[0], x), r
        )
        assert_matches_differences(
            T, central_differences(lambda z: problem.residuals(z)[1], x), J
        )


@pytest.mark.parametrize("name", NAMES)
def test_objective_gradient_and_hessian_match_finite_differences(name):
    problem = PROBLEMS[name]
    for x in _points(problem):
        g = problem.grad(x)
        assert_matches_differences(
            g, central_differences(problem.fun, x), problem.fun(x)
        )
        assert_matches_differences(
            problem.hess(x), central_differences(problem.grad, x), g
        )


def test_the_problems_are_the_papers():
    numbers = sorted({problem.number for problem in PROBLEMS.values()})
    assert numbers == list(range(1, 36))
    # f(x0) as the paper's starting points give them (rounded).
    assert PROBLEMS["rosenbrock"].fun(PROBLEMS["rosenbrock"].x0) == pytest.approx(24.2)
    assert PROBLEMS["wood"].fun(PROBLEMS["wood"].x0) == pytest.approx(19192)
    assert PROBLEMS["helical_valley"].fun([-1, 0, 0]) == pytest.approx(2500)
    # The minimizers the paper names.
    for name, minimizer in [
        ("freudenstein_roth", [5, 4]),
        ("powell_badly_scaled", [1.098159e-5, 9.106146]),
        ("brown_badly_scaled", [1e6, 2e-6]),
        ("beale", [3, 0.5]),
        ("box_3d", [1, 10, 1]),
        ("biggs_exp6", [1, 10, 1, 5, 4, 3]),
        ("gulf", [50, 25, 1.5]),
    ]:
        assert PROBLEMS[name].fun(np.array(minimizer, float)) < 1e-9, name
