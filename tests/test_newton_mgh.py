"""NewtonOptimizer on the test problems of Moré, Garbow and Hillstrom (1981).

Each problem's hand-derived residual derivatives are checked against finite
differences; then NewtonOptimizer (its defaults, a dense Hessian, max_iter
500) must reach a minimum, in at most as many iterations as scipy's
trust-exact from the paper's standard start.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from skperceptron._newton import NewtonOptimizer

from ._mgh import PROBLEMS
from .test_newton import first_damped_step

NAMES = list(PROBLEMS)
GTOL = 1e-8  # trust-exact's test: ||g||_2 < gtol


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


def _reached(result, reference, problem):
    """Whether ``result.fun`` is trust-exact's minimum, or the paper's."""
    f_ref = reference.fun
    if result.fun <= f_ref + 1e-8 * max(1.0, abs(f_ref)):
        return True
    f_min = problem.f_min
    return f_min is not None and abs(result.fun - f_min) <= max(1e-5 * f_min, 1e-8)


def _iterations_to(result, reference):
    """Our first iteration as good as where trust-exact stopped, unconverged.

    That is: objective within 1e-8 (relative) of trust-exact's last one, and
    ``max|g|`` at most its last ``max|g|``.
    """
    target_f = reference.fun + 1e-8 * max(1.0, abs(reference.fun))
    target_g = np.max(np.abs(reference.jac))
    good = (result.history["objective"] <= target_f) & (
        result.history["grad_norm"] <= target_g
    )
    return int(np.argmax(good)) if good.any() else np.inf


@pytest.mark.parametrize("strict", [False, True], ids=["default-tol", "l2-tol"])
@pytest.mark.parametrize("name", NAMES)
def test_reaches_a_minimum_in_no_more_iterations_than_trust_exact(name, strict):
    problem = PROBLEMS[name]
    with warnings.catch_warnings():
        # trust-exact's subproblem overflows at some of its trial points.
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = minimize(
            problem.fun,
            problem.x0,
            jac=problem.grad,
            hess=problem.hess,
            method="trust-exact",
            options={"gtol": GTOL, "maxiter": 500},
        )
    # "l2-tol": max|g| <= gtol / sqrt(n) implies trust-exact's ||g||_2 < gtol.
    tol = GTOL / np.sqrt(problem.n) if strict else 1e-8
    with warnings.catch_warnings():
        # Meyer's function ends at the precision limit of its gradient (f near
        # 88 with x_2 near 6000), where trust-exact stops too (status 2).
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = NewtonOptimizer(tol=tol, max_iter=500).minimize(
            problem.fun, problem.x0, problem.grad, problem.hess
        )

    assert _reached(result, reference, problem), (result.fun, reference.fun)
    assert result.success or reference.status != 0
    if reference.status == 0:
        assert result.nit <= reference.nit
    else:
        # trust-exact stopped before its gradient test passed (status 1:
        # maxiter; 2: its model predicted no decrease, the precision limit).
        # Its nit then counts iterations to a point short of convergence;
        # compare the iterations we needed to be as good as that point.
        # (Jennrich and Sampson: both reach the same point at iteration 9,
        # where trust-exact stops and we take a 10th step to max|g| = 2e-12.)
        assert _iterations_to(result, reference) <= reference.nit
    # Armijo: f decreases, up to its rounding error next to the minimum.
    rounding = 8 * np.finfo(float).eps * np.abs(result.history["objective"][:-1])
    assert np.all(np.diff(result.history["objective"]) <= rounding)


def test_biggs_exp6_leaves_the_symmetric_subspace():
    # From x0 = (1, 2, 1, 1, 1, 1), swapping (x1, x3) with (x5, x6) leaves f
    # unchanged and x0 too: every damped direction -(H + lam I)^{-1} g keeps
    # x1 = x5 and x3 = x6, a subspace where f only creeps down to 0.243
    # (500 iterations before the spectral damping). The eigenvector of
    # negative curvature that breaks the symmetry (mu = -0.034, orthogonal
    # to g) is added to the first step.
    problem = PROBLEMS["biggs_exp6"]
    H, g = problem.hess(problem.x0), problem.grad(problem.x0)
    values, vectors = np.linalg.eigh(H)
    swap = [4, 1, 5, 3, 0, 2]
    antisymmetric = np.abs(vectors[swap] + vectors).max(axis=0) < 1e-12
    assert np.any(antisymmetric & (values < 0))
    assert np.abs(vectors[:, antisymmetric].T @ g).max() < 1e-14

    result = NewtonOptimizer(max_iter=500).minimize(
        problem.fun, problem.x0, problem.grad, problem.hess
    )
    first = result.iterates[1]
    assert abs(first[0] - first[4]) > 1e-3
    assert result.success and result.fun < 1e-15
    assert result.nit <= 40  # trust-exact: 40


def test_first_damping_comes_from_the_spectrum():
    # Biggs EXP6 at x0 is indefinite (mu_min = -0.175): the first damping is
    # the least one above -mu_min whose direction fits the first radius.
    problem = PROBLEMS["biggs_exp6"]
    result, d = first_damped_step(problem)
    # The step is d, plus the symmetry-breaking eigenvector (as long as d),
    # times the step size t.
    _, vectors = np.linalg.eigh(problem.hess(problem.x0))
    step = result.iterates[1] - problem.x0
    along = vectors[:, 1] * np.sign(vectors[np.argmax(np.abs(vectors[:, 1])), 1])
    expected = result.history["step"][1] * (d + np.linalg.norm(d) * along)
    assert_allclose(step, expected, rtol=1e-6, atol=1e-9)
