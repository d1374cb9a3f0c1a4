"""Tests of NewtonOptimizer: the seed's example, classic test problems against
scipy's trust-exact, curvature edge cases, the result's fields, parameters,
the matrix-free path, float32 and functions with a restricted domain."""

import re
import warnings
from collections import namedtuple

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess
from scipy.sparse import csr_array
from scipy.sparse.linalg import LinearOperator, aslinearoperator
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skperceptron._check import central_differences
from skperceptron._course_notes import (
    NEWTON_MINIMIZER,
    NEWTON_X0,
    SEED_NEWTON_TABLE,
    d2g,
    dg,
    g,
)
from skperceptron._newton import NewtonOptimizer

Problem = namedtuple("Problem", ["fun", "grad", "hess", "x0", "minimizer", "atol"])


# The course notes' g(x) = exp(x) - log(x), its derivatives and minimizer.
seed_fun, seed_grad, seed_hess = g, dg, d2g
SEED_MINIMIZER = NEWTON_MINIMIZER  # exp(-x) = x, the omega constant


# Powell's singular function; its Hessian is singular at the minimizer 0.
def powell(x):
    a, b, c, d = x
    return (a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4 + 10 * (a - d) ** 4


def powell_grad(x):
    a, b, c, d = x
    u, v = (b - 2 * c) ** 3, (a - d) ** 3
    return np.array(
        [
            2 * (a + 10 * b) + 40 * v,
            20 * (a + 10 * b) + 4 * u,
            10 * (c - d) - 8 * u,
            -10 * (c - d) - 40 * v,
        ]
    )


def powell_hess(x):
    a, b, c, d = x
    u, v = 12 * (b - 2 * c) ** 2, 120 * (a - d) ** 2
    return np.array(
        [
            [2 + v, 20, 0, -v],
            [20, 200 + u, -2 * u, 0],
            [0, -2 * u, 10 + 4 * u, -10],
            [-v, 0, -10, 10 + v],
        ]
    )


# Wood's function (Colville).
def wood(x):
    a, b, c, d = x
    return (
        100 * (b - a**2) ** 2
        + (1 - a) ** 2
        + 90 * (d - c**2) ** 2
        + (1 - c) ** 2
        + 10.1 * ((b - 1) ** 2 + (d - 1) ** 2)
        + 19.8 * (b - 1) * (d - 1)
    )


def wood_grad(x):
    a, b, c, d = x
    return np.array(
        [
            -400 * a * (b - a**2) - 2 * (1 - a),
            200 * (b - a**2) + 20.2 * (b - 1) + 19.8 * (d - 1),
            -360 * c * (d - c**2) - 2 * (1 - c),
            180 * (d - c**2) + 20.2 * (d - 1) + 19.8 * (b - 1),
        ]
    )


def wood_hess(x):
    a, b, c, d = x
    return np.array(
        [
            [1200 * a**2 - 400 * b + 2, -400 * a, 0, 0],
            [-400 * a, 220.2, 0, 19.8],
            [0, 0, 1080 * c**2 - 360 * d + 2, -360 * c],
            [0, 19.8, -360 * c, 200.2],
        ]
    )


# Beale's function: sum_k r_k**2 with r_k = c_k - a + a * b**k, k = 1, 2, 3.
BEALE_C = np.array([1.5, 2.25, 2.625])
BEALE_K = np.arange(1, 4)


def beale(x):
    a, b = x
    r = BEALE_C - a + a * b**BEALE_K
    return r @ r


def beale_grad(x):
    a, b = x
    r = BEALE_C - a + a * b**BEALE_K
    dr_da = b**BEALE_K - 1
    dr_db = a * BEALE_K * b ** (BEALE_K - 1)
    return 2 * np.array([r @ dr_da, r @ dr_db])


def beale_hess(x):
    a, b = x
    k = BEALE_K
    r = BEALE_C - a + a * b**k
    dr_da = b**k - 1
    dr_db = a * k * b ** (k - 1)
    d2r_dadb = k * b ** (k - 1)
    d2r_db2 = a * k * (k - 1) * b ** np.maximum(k - 2, 0)
    off_diagonal = dr_da @ dr_db + r @ d2r_dadb
    return 2 * np.array(
        [[dr_da @ dr_da, off_diagonal], [off_diagonal, dr_db @ dr_db + r @ d2r_db2]]
    )


CLASSIC = {
    "rosenbrock": Problem(rosen, rosen_der, rosen_hess, [-1.2, 1.0], [1.0, 1.0], 1e-6),
    # Convergence to Powell's singular minimizer is only linear (ratio 2/3).
    "powell": Problem(
        powell, powell_grad, powell_hess, [3.0, -1, 0, 1], [0.0] * 4, 5e-3
    ),
    "wood": Problem(wood, wood_grad, wood_hess, [-3.0, -1, -3, -1], [1.0] * 4, 1e-6),
    "beale": Problem(beale, beale_grad, beale_hess, [1.0, 1.0], [3.0, 0.5], 1e-6),
}


def central_difference(func, x, h=1e-6):
    """Derivative of ``func`` at ``x`` by central differences, one column per x_j."""
    return np.moveaxis(central_differences(func, np.atleast_1d(x), epsilon=h), 0, -1)


def assert_derivatives_match(problem, points):
    for x in points:
        numerical_grad = central_difference(problem.fun, x)
        numerical_hess = central_difference(problem.grad, x)
        assert_allclose(problem.grad(x), numerical_grad, rtol=1e-6, atol=1e-6)
        assert_allclose(problem.hess(x), numerical_hess, rtol=1e-6, atol=1e-6)


# 1. The seed's table


def test_seed_example_reproduces_the_table_with_pure_newton_steps():
    result = NewtonOptimizer().minimize(seed_fun, NEWTON_X0, seed_grad, seed_hess)

    # The seed rounds each x_k to 3 decimals before the next step (x3 = 0.320);
    # exact iterates stay within 1e-3 of its table (x3 = 0.3205...).
    assert_allclose(result.iterates[:7], SEED_NEWTON_TABLE, atol=1e-3)
    assert_allclose(np.round(result.iterates[6:], 3), 0.567)
    # Exactly the seed's update x <- x - g'(x) / g''(x), no safeguard active.
    x = NEWTON_X0
    for iterate in result.iterates[1:]:
        x = x - seed_grad(x) / seed_hess(x)
        assert iterate == pytest.approx(x, rel=1e-12)
    assert np.all(result.history["step"][1:] == 1.0)
    assert np.all(result.history["damping"][1:] == 0.0)
    assert result.success and result.status == 0
    assert result.positive_definite is True
    assert np.ndim(result.x) == 0 and np.ndim(result.jac) == 0
    assert result.x == pytest.approx(SEED_MINIMIZER, abs=1e-10)


# 2. Classic problems against scipy's trust-exact


@pytest.mark.parametrize("name", CLASSIC)
def test_hand_written_derivatives_match_central_differences(name):
    problem = CLASSIC[name]
    rng = np.random.default_rng(0)
    x0 = np.asarray(problem.x0, dtype=float)
    points = [
        x0,
        x0 + rng.normal(scale=0.5, size=x0.size),
        np.asarray(problem.minimizer),
    ]
    assert_derivatives_match(problem, points)


@pytest.mark.parametrize("name", CLASSIC)
def test_classic_problem_as_good_as_trust_exact(name):
    problem = CLASSIC[name]
    x0 = np.asarray(problem.x0, dtype=float)
    gtol = 1e-8
    reference = minimize(
        problem.fun,
        x0,
        jac=problem.grad,
        hess=problem.hess,
        method="trust-exact",
        options={"gtol": gtol},
    )
    # trust-exact stops on ||g||_2 < gtol; max|g| <= gtol / sqrt(n) implies it.
    tol = gtol / np.sqrt(x0.size)
    result = NewtonOptimizer(tol=tol).minimize(
        problem.fun, x0, problem.grad, problem.hess
    )

    assert reference.success and result.success
    assert np.linalg.norm(result.jac) < gtol
    assert_allclose(result.x, problem.minimizer, atol=problem.atol)
    assert result.nit <= reference.nit
    assert np.all(np.diff(result.history["objective"]) <= 0)


# 3. Indefinite Hessian at the start


def double_well(x):
    return x[0] ** 4 - 2 * x[0] ** 2 + x[1] ** 2


def double_well_grad(x):
    return np.array([4 * x[0] ** 3 - 4 * x[0], 2 * x[1]])


def double_well_hess(x):
    return np.diag([12 * x[0] ** 2 - 4, 2.0])


DOUBLE_WELL = Problem(
    double_well, double_well_grad, double_well_hess, [0.1, 1.0], [1.0, 0.0], 1e-8
)


@pytest.mark.parametrize(
    "problem", [CLASSIC["beale"], DOUBLE_WELL], ids=["beale", "double_well"]
)
def test_indefinite_start_is_damped_and_ends_at_a_minimum(problem):
    assert_derivatives_match(problem, [np.asarray(problem.x0, dtype=float)])
    assert np.linalg.eigvalsh(problem.hess(np.asarray(problem.x0))).min() < 0

    result = NewtonOptimizer().minimize(
        problem.fun, problem.x0, problem.grad, problem.hess
    )

    assert result.history["damping"][1] > 0
    assert result.success and result.positive_definite is True
    assert result.min_eigenvalue > 0
    assert_allclose(result.x, problem.minimizer, atol=problem.atol)


def test_failed_line_search_raises_the_damping():
    # With a single line-search trial, the full step must pass or the damping
    # grows: a pure Levenberg-Marquardt method, which still converges.
    optimizer = NewtonOptimizer(max_line_search=1)
    result = optimizer.minimize(rosen, [-1.2, 1.0], rosen_der, rosen_hess)
    assert result.success
    assert_allclose(result.x, [1.0, 1.0], atol=1e-8)
    assert np.all(result.history["step"][1:] >= 1.0)
    # Rosenbrock's Hessian is positive definite along this path: the damping
    # comes from rejected Newton steps only.
    assert all(np.linalg.eigvalsh(rosen_hess(x)).min() > 0 for x in result.iterates)
    assert np.count_nonzero(result.history["damping"][1:]) > 0
    assert np.all(np.diff(result.history["objective"]) < 0)


# 4. Singular Hessians, saddle points and maxima


def test_quartic_with_singular_minimum_converges_linearly():
    result = NewtonOptimizer().minimize(
        lambda x: x**4, 1.0, lambda x: 4 * x**3, lambda x: 12 * x**2
    )
    # Newton on x**4 is x <- x - 4x**3 / (12x**2) = 2x/3: linear convergence.
    assert_allclose(result.iterates[1:] / result.iterates[:-1], 2 / 3)
    assert result.success and abs(result.x) < 2e-3
    assert np.all(result.history["step"][1:] == 1.0)


def test_rank_deficient_quadratic_with_gradient_in_range():
    A = np.array([[2.0, 0.0], [0.0, 0.0]])
    b = A @ np.array([1.0, 5.0])
    result = NewtonOptimizer().minimize(
        lambda x: 0.5 * x @ A @ x - b @ x,
        np.array([3.0, -2.0]),
        lambda x: A @ x - b,
        lambda x: A,
    )
    # Cholesky of the singular A fails every time.
    assert np.all(result.history["damping"][1:] > 0)
    assert_allclose(
        result.x, [1.0, -2.0], atol=1e-8
    )  # the kernel coordinate is untouched
    assert result.success  # positive semi-definite: a (non-strict) minimum
    assert result.positive_definite is False
    assert result.min_eigenvalue == pytest.approx(0.0, abs=1e-12)


STATIONARY_NON_MINIMA = {
    # f(x) = -x**2 + x**4: local maximum at 0, minima at +-1/sqrt(2).
    "maximum_1d": (
        lambda x: -(x**2) + x**4,
        lambda x: -2 * x + 4 * x**3,
        lambda x: -2 + 12 * x**2,
        0.0,
        np.sqrt(0.5),
    ),
    # f(x) = cos(x): maximum at 0, minima at +-pi.
    "cosine": (np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), 0.0, np.pi),
    # f(x, y) = x**2 - y**2 + y**4: saddle at 0, minima at (0, +-1/sqrt(2)).
    "saddle_2d": (
        lambda x: x[0] ** 2 - x[1] ** 2 + x[1] ** 4,
        lambda x: np.array([2 * x[0], -2 * x[1] + 4 * x[1] ** 3]),
        lambda x: np.diag([2.0, -2 + 12 * x[1] ** 2]),
        np.zeros(2),
        np.array([0.0, np.sqrt(0.5)]),
    ),
}


@pytest.mark.parametrize("name", STATIONARY_NON_MINIMA)
def test_start_at_saddle_or_maximum_escapes_to_a_minimum(name):
    fun, grad, hess, x0, minimizer = STATIONARY_NON_MINIMA[name]
    assert np.max(np.abs(grad(x0))) == 0.0

    result = NewtonOptimizer().minimize(fun, x0, grad, hess)

    assert result.nit > 0
    assert result.success and result.positive_definite is True
    assert_allclose(np.abs(result.x), minimizer, atol=1e-8)
    assert result.fun < fun(x0)


# 5. Result fields


def test_result_fields_have_consistent_lengths():
    result = NewtonOptimizer().minimize(rosen, [-1.2, 1.0], rosen_der, rosen_hess)
    nit = result.nit
    assert result.iterates.shape == (nit + 1, 2)
    history = result.history
    assert history["objective"].shape == history["grad_norm"].shape == (nit + 1,)
    assert history["damping"].shape == history["step"].shape == (nit + 1,)
    assert result.nfev >= nit + 1 and result.njev == nit + 1 and result.nhev == nit + 1
    assert_allclose(result.iterates[-1], result.x)
    assert result.history["objective"][-1] == result.fun == rosen(result.x)
    assert result.history["grad_norm"][-1] == np.max(np.abs(result.jac)) <= 1e-8
    assert_allclose(result.history["objective"], [rosen(x) for x in result.iterates])
    assert result.status == 0 and isinstance(result.message, str)
    assert isinstance(result.positive_definite, bool)


def test_convex_run_skips_the_hessian_at_its_end_and_nothing_else():
    # The seed's function is convex: declared so, the run takes the same steps
    # and does not evaluate the Hessian at the stationary point it ends at.
    plain = NewtonOptimizer().minimize(seed_fun, NEWTON_X0, seed_grad, seed_hess)
    convex = NewtonOptimizer().minimize(
        seed_fun, NEWTON_X0, seed_grad, seed_hess, convex=True
    )
    assert_allclose(convex.iterates, plain.iterates, rtol=0, atol=0)
    assert convex.success and convex.status == 0
    assert convex.nhev == plain.nhev - 1 == convex.nit
    assert convex.positive_definite is None and convex.min_eigenvalue is None
    assert plain.positive_definite is True


def test_convex_run_stopped_early_still_reports_its_curvature():
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        result = NewtonOptimizer(max_iter=2).minimize(
            seed_fun, NEWTON_X0, seed_grad, seed_hess, convex=True
        )
    assert result.status == 1 and result.nhev == 3
    assert result.min_eigenvalue == pytest.approx(seed_hess(result.x))


def test_max_iter_reached_warns_and_reports_failure():
    optimizer = NewtonOptimizer(max_iter=2, tol=1e-6)
    pattern = (
        rf"max\|grad\| = [\d.]+ > tol={re.escape(str(1e-6))} after 2 "
        r"iterations, max_iter=2\. Increase max_iter\."
    )
    with pytest.warns(ConvergenceWarning, match=pattern) as record:
        result = optimizer.minimize(rosen, [-1.2, 1.0], rosen_der, rosen_hess)
    assert not result.success and result.status == 1 and result.nit == 2
    assert len(result.iterates) == 3
    assert str(record[0].message) == f"NewtonOptimizer: {result.message}"
    assert f"max|grad| = {result.history['grad_norm'][-1]:.3g}" in result.message


def test_wrong_gradient_stops_with_status_2_and_warns():
    # The negated gradient makes every Newton direction point uphill: no step
    # passes the Armijo test, whatever the damping.
    message = "No further progress.*Check the gradient against the function"
    with pytest.warns(ConvergenceWarning, match=message):
        result = NewtonOptimizer().minimize(
            rosen, [-1.2, 1.0], lambda x: -rosen_der(x), rosen_hess
        )
    assert result.status == 2 and not result.success and result.nit == 0
    assert_allclose(result.x, [-1.2, 1.0])


def test_callback_sees_each_iterate_and_can_stop():
    seen = []

    def callback(intermediate_result):
        seen.append(intermediate_result.x)
        if len(seen) == 3:
            raise StopIteration

    result = NewtonOptimizer().minimize(
        rosen, [-1.2, 1.0], rosen_der, rosen_hess, callback=callback
    )
    assert result.status == 3 and not result.success and result.nit == 3
    assert_allclose(seen, result.iterates[1:])


def test_verbose_prints_a_header_and_one_line_per_iterate(capsys):
    optimizer = NewtonOptimizer(verbose=1)
    result = optimizer.minimize(seed_fun, NEWTON_X0, seed_grad, seed_hess)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "iter",
        "objective",
        "max|grad|",
        "step",
        "damping",
        "time[s]",
    ]
    assert len(lines) == result.nit + 2
    assert len({len(line) for line in lines}) == 1  # aligned columns
    assert lines[-1].split()[0] == str(result.nit)


def test_non_finite_objective_at_start_raises():
    with pytest.raises(ValueError, match="not finite"):
        NewtonOptimizer().minimize(seed_fun, -1.0, seed_grad, seed_hess)


# 6. Parameters


def test_params_clone_and_repr():
    optimizer = NewtonOptimizer(max_iter=5)
    assert repr(optimizer) == "NewtonOptimizer(max_iter=5)"
    assert optimizer.get_params()["max_iter"] == 5
    assert optimizer.set_params(tol=1e-3) is optimizer and optimizer.tol == 1e-3
    copy = clone(optimizer)
    assert copy is not optimizer and copy.get_params() == optimizer.get_params()


@pytest.mark.parametrize(
    "params", [{"tol": -1}, {"max_iter": 0}, {"armijo": 1.5}, {"damping_factor": 1.0}]
)
def test_invalid_params_raise_from_minimize(params):
    optimizer = NewtonOptimizer(**params)  # __init__ does not validate
    with pytest.raises(InvalidParameterError):
        optimizer.minimize(seed_fun, NEWTON_X0, seed_grad, seed_hess)


# 7. The matrix-free path


@pytest.mark.parametrize("matrix_free", [aslinearoperator, csr_array])
@pytest.mark.parametrize("n", [30, 100])  # 100: spectrum by Lanczos
def test_matrix_free_hessian_on_convex_quadratic_matches_dense(n, matrix_free):
    rng = np.random.default_rng(n)
    M = rng.normal(size=(n, n))
    A = M @ M.T / n + 0.1 * np.eye(n)
    b = rng.normal(size=n)

    def fun(x):
        return 0.5 * x @ A @ x - b @ x

    def grad(x):
        return A @ x - b

    x0 = np.zeros(n)
    dense = NewtonOptimizer().minimize(fun, x0, grad, lambda x: A)
    free = NewtonOptimizer().minimize(fun, x0, grad, lambda x: matrix_free(A))

    assert dense.nit == 1  # one Newton step solves a quadratic
    assert free.success and free.positive_definite is True
    assert_allclose(free.x, np.linalg.solve(A, b), atol=1e-7)
    assert_allclose(free.x, dense.x, atol=1e-7)
    smallest = np.linalg.eigvalsh(A)[0]
    assert free.min_eigenvalue == pytest.approx(smallest, rel=1e-4)


@pytest.mark.parametrize("x0", [[-1.2, 1.0], [0.5, 1.0]], ids=["classic", "indefinite"])
def test_linear_operator_on_rosenbrock_matches_dense(x0):
    dense = NewtonOptimizer().minimize(rosen, x0, rosen_der, rosen_hess)
    free = NewtonOptimizer().minimize(
        rosen, x0, rosen_der, lambda x: aslinearoperator(rosen_hess(x))
    )
    assert isinstance(aslinearoperator(rosen_hess(x0)), LinearOperator)
    assert free.success and free.positive_definite is True
    assert_allclose(free.x, [1.0, 1.0], atol=1e-7)
    assert_allclose(free.x, dense.x, atol=1e-7)


# 8. float32


def test_float32_is_kept():
    x0 = np.array([-1.2, 1.0], dtype=np.float32)
    result = NewtonOptimizer(tol=1e-3).minimize(rosen, x0, rosen_der, rosen_hess)
    assert result.x.dtype == result.jac.dtype == result.iterates.dtype == np.float32
    assert result.success
    assert_allclose(result.x, [1.0, 1.0], atol=1e-3)

    scalar = NewtonOptimizer(tol=1e-4).minimize(
        seed_fun, np.float32(NEWTON_X0), seed_grad, seed_hess
    )
    assert scalar.x.dtype == np.float32 and np.ndim(scalar.x) == 0
    assert scalar.x == pytest.approx(SEED_MINIMIZER, abs=1e-4)


# 9. Restricted domain: never accept nan or inf


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_step_leaving_the_domain_is_backtracked():
    # For the seed's g no full Newton step leaves x > 0: x - g'/g'' <= 0 needs
    # x (1 - x) exp(x) >= 2 for some 0 < x < 1, but that product stays below 1.
    # f(x) = x - log(x) (minimum at 1) has the Newton step x -> 2x - x**2,
    # which lands at -3 from x0 = 3.
    def fun(x):
        return x - np.log(x)

    def grad(x):
        return 1 - 1 / x

    def hess(x):
        return 1 / x**2

    x0 = 3.0
    assert x0 - grad(x0) / hess(x0) <= 0

    result = NewtonOptimizer().minimize(fun, x0, grad, hess)

    assert result.history["step"][1] < 1
    assert np.all(np.isfinite(result.history["objective"])) and np.all(
        result.iterates > 0
    )
    # f'(x) = 1 - 1/x: |x - 1| is about |f'(x)| <= tol at the end.
    assert result.success and result.x == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("x0", [3.0, 5.0, 1e-3])
def test_seed_function_converges_from_far_starts(x0):
    result = NewtonOptimizer().minimize(seed_fun, x0, seed_grad, seed_hess)
    assert np.all(np.isfinite(result.history["objective"])) and np.all(
        result.iterates > 0
    )
    assert result.success and result.x == pytest.approx(SEED_MINIMIZER, abs=1e-10)


def test_each_step_of_the_seed_table_from_its_rounded_predecessor():
    """The seed computes every x_{k+1} from x_k rounded to three decimals."""
    table = SEED_NEWTON_TABLE
    optimizer = NewtonOptimizer(max_iter=1, tol=0.0)
    for x_k, x_next in zip(table[:-1], table[1:], strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = optimizer.minimize(seed_fun, x_k, seed_grad, seed_hess)
        assert round(float(result.iterates[1]), 3) == x_next


# 10. Damping from the spectrum, and nearly singular Hessians


def test_collinear_least_squares_keeps_the_minimum_norm_solution():
    # x_3 = x_0 + x_1: X^T X is singular, so from 0 the damped steps stay in
    # its range and reach the minimum-norm least-squares solution. A plain
    # Cholesky that succeeds by rounding would move along the null space by
    # rounding error over rounding error; its tiny pivot refuses it.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    y = rng.normal(size=50)
    H = X.T @ X / 50

    result = NewtonOptimizer().minimize(
        lambda w: 0.5 * np.mean((X @ w - y) ** 2),
        np.zeros(4),
        lambda w: X.T @ (X @ w - y) / 50,
        lambda w: H,
    )
    assert result.success and np.all(result.history["damping"][1:] > 0)
    assert_allclose(result.x, np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-10)


def test_nearly_singular_hessian_is_not_solved_plainly():
    # The same singular matrix, with the rounding that lets Cholesky pass:
    # H + 1e-14 * I. Its last pivot is 1e-14 of its diagonal entry.
    from skperceptron._linalg import _solve_damped

    A = np.array([[1.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 5.0]])
    A += 1e-14 * np.eye(3)
    g = np.array([1.0, 0.0, 1.0])
    assert np.linalg.eigvalsh(A)[0] > 0
    assert _solve_damped(A, g, 0.0, None) is None
    assert _solve_damped(A, g, 1e-3, None) is not None
    # A badly scaled but well-determined Hessian is solved plainly.
    D = np.diag([1e-8, 1.0, 1e8])
    assert_allclose(_solve_damped(D, g, 0.0, None), -g / np.diag(D))


def first_damped_step(problem):
    """One iteration from an indefinite ``x0``; return it and its damped direction.

    Checks that the first damping exceeds ``-mu_min`` and gives a step as long
    as ``||g||^2 / ||H g||`` (the length of a gradient step on the scale of
    ``H``), before doubling.
    """
    x0 = np.asarray(problem.x0, dtype=float)
    H, g = problem.hess(x0), problem.grad(x0)
    assert np.linalg.eigvalsh(H)[0] < 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = NewtonOptimizer(max_iter=1).minimize(
            problem.fun, x0, problem.grad, problem.hess
        )
    damping = result.history["damping"][1]
    assert damping > -np.linalg.eigvalsh(H)[0]
    d = np.linalg.solve(H + damping * np.eye(x0.size), -g)
    radius = np.linalg.norm(g) ** 2 / np.linalg.norm(H @ g)
    assert np.linalg.norm(d) == pytest.approx(radius, rel=2e-3)
    return result, d


@pytest.mark.parametrize("problem", [CLASSIC["beale"], DOUBLE_WELL])
def test_indefinite_damping_is_the_least_that_keeps_the_step_in_the_radius(problem):
    result, d = first_damped_step(problem)
    step = result.iterates[1] - np.asarray(problem.x0, dtype=float)
    assert_allclose(step, result.history["step"][1] * d, rtol=1e-8)


def test_levenberg_marquardt_mode_keeps_its_damping_ladder():
    # damping="levenberg-marquardt" (the networks' setting) damps every step
    # by the ladder from initial_damping * ||H g|| / ||g||, not the spectrum.
    x0 = np.array([-1.2, 1.0])
    H, g = rosen_hess(x0), rosen_der(x0)
    result = NewtonOptimizer(damping="levenberg-marquardt").minimize(
        rosen, x0, rosen_der, rosen_hess
    )
    assert result.success and np.all(result.history["damping"][1:] > 0)
    first = 1e-3 * np.linalg.norm(H @ g) / np.linalg.norm(g)
    assert result.history["damping"][1] == pytest.approx(first)


# 11. The Newton decrement


def flat_quadratic(scale, center):
    """``scale * ||x - center||**2``: a small gradient far from the minimum."""
    return (
        lambda x: scale * np.sum((x - center) ** 2),
        lambda x: 2 * scale * (x - center),
        lambda x: 2 * scale * np.eye(np.size(x)),
    )


@pytest.mark.parametrize("convex", [False, True])
def test_small_gradient_with_a_large_decrement_takes_the_step(convex):
    # max|g| = 2e-5 <= tol = 1e-4 at x0, but f(x0) - f* = 1e-2 = the
    # decrement at x0: the gradient test alone would stop at x0.
    fun, grad, hess = flat_quadratic(1e-8, 1000.0)
    x0 = np.zeros(1)
    assert np.max(np.abs(grad(x0))) <= 1e-4

    result = NewtonOptimizer(tol=1e-4).minimize(fun, x0, grad, hess, convex=convex)

    assert result.success and result.nit == 1
    assert result.decrements[0] == pytest.approx(fun(x0))
    assert_allclose(result.x, [1000.0])
    # One Newton step solves a quadratic: its decrease is its decrement, so
    # the decrement at x_1 decides, and says stop. A convex run takes it from
    # the Hessian of that exact step instead of a new one.
    assert result.nhev == (1 if convex else 2)


def test_the_lagged_decrement_takes_one_more_step_like_newton_cholesky():
    # Logistic regression on standardized wine data at tol=1e-4: the gradient
    # test passes at iteration 8 where the objective is 1.5e-2 above its
    # minimum (relative); the decrement of the step that led there (2.4e-4)
    # does not, and one more step ends at newton-cholesky's 1.2e-3.
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.preprocessing import StandardScaler

    from skperceptron import SigmoidPerceptronClassifier

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    alpha, C = 1e-4, 1 / (1e-4 * len(X))

    def objective(coef, intercept):
        return log_loss(y, _softmax(X @ coef.T + intercept)) + alpha / 2 * np.sum(
            coef**2
        )

    exact = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-14)
    best = objective(*_fitted(exact.fit(X, y)))
    theirs = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-4).fit(X, y)
    ours = SigmoidPerceptronClassifier(solver="newton", alpha=alpha, tol=1e-4)
    ours.fit(X, y)

    assert objective(*_fitted(ours)) == pytest.approx(ours.loss_curve_[-1])
    gap = (ours.loss_curve_[-1] - best) / best
    assert gap <= 1.01 * (objective(*_fitted(theirs)) - best) / best
    assert gap < 2e-3 and ours.n_iter_ <= theirs.n_iter_[0]
    # Where the gradient test alone would have stopped:
    assert ours.history_["grad_norm"][-2] <= 1e-4
    assert (ours.loss_curve_[-2] - best) / best > 1e-2


def _softmax(z):
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _fitted(estimator):
    return estimator.coef_, estimator.intercept_


def test_start_at_the_minimum_of_a_convex_function_needs_its_hessian():
    # At x0 the decrement needs H at x0, even for a convex function.
    result = NewtonOptimizer().minimize(
        seed_fun, SEED_MINIMIZER, seed_grad, seed_hess, convex=True
    )
    assert result.success and result.nit == 0 and result.nhev == 1


def test_flat_function_at_max_iter_says_f_may_still_decrease():
    # A pseudo-Huber function 1e-6 sqrt(1 + (x - 1000)**2): max|g| <= 1e-6
    # everywhere, far from its minimum too.
    def fun(x):
        return 1e-6 * np.sqrt(1 + (x - 1000) ** 2)

    def grad(x):
        return 1e-6 * (x - 1000) / np.sqrt(1 + (x - 1000) ** 2)

    def hess(x):
        return 1e-6 / (1 + (x - 1000) ** 2) ** 1.5

    with pytest.warns(ConvergenceWarning) as record:
        result = NewtonOptimizer(tol=1e-4, max_iter=2).minimize(fun, 0.0, grad, hess)
    message = str(record[0].message)
    assert result.status == 1 and result.history["grad_norm"][-1] <= 1e-4
    assert "may still decrease" in message and "Increase max_iter" not in message


def test_exact_stationary_point_with_tol_zero_converges():
    # float32 Rosenbrock with tol=0 reaches g = 0 exactly; the last step's
    # decrement (7e-12) is not 0, but no step can change x any more.
    x0 = np.array([-1.2, 1.0], dtype=np.float32)
    result = NewtonOptimizer(tol=0.0).minimize(rosen, x0, rosen_der, rosen_hess)
    assert result.success and np.max(np.abs(result.jac)) == 0
    assert_allclose(result.x, [1.0, 1.0])


# 12. What the callables return


def test_non_finite_or_empty_x0_is_refused():
    for x0, match in [
        ([1.0, np.nan], "x0 must be finite.*flat index 1"),
        ([np.inf], "x0 must be finite"),
        ([], "x0 is empty"),
    ]:
        with pytest.raises(ValueError, match=match):
            NewtonOptimizer().minimize(rosen, x0, rosen_der, rosen_hess)
    with pytest.raises(TypeError, match="x0 must be a real number"):
        NewtonOptimizer().minimize(rosen, [1 + 1j, 0], rosen_der, rosen_hess)


@pytest.mark.parametrize(
    ("fun", "error", "match"),
    [
        (lambda x: None, TypeError, r"fun\(x\) returned None"),
        (lambda x: x, ValueError, r"fun\(x\) must return a scalar.*shape \(2,\)"),
        (lambda x: "f", TypeError, r"fun\(x\) must return a real number"),
    ],
    ids=["none", "array", "string"],
)
def test_fun_returning_no_scalar_is_refused(fun, error, match):
    with pytest.raises(error, match=match):
        NewtonOptimizer().minimize(fun, [-1.2, 1.0], rosen_der, rosen_hess)


@pytest.mark.parametrize(
    ("grad", "error", "match"),
    [
        (lambda x: None, TypeError, r"grad\(x\) returned None.*shape \(2,\)"),
        (lambda x: np.ones(3), ValueError, r"grad\(x\) must .*shape \(2,\).*\(3,\)"),
        (lambda x: np.ones((2, 2)), ValueError, r"got shape \(2, 2\)"),
    ],
    ids=["none", "length", "matrix"],
)
def test_grad_of_the_wrong_shape_is_refused(grad, error, match):
    with pytest.raises(error, match=match):
        NewtonOptimizer().minimize(rosen, [-1.2, 1.0], grad, rosen_hess)


@pytest.mark.parametrize(
    ("hess", "error", "match"),
    [
        (lambda x: None, TypeError, r"hess\(x\) returned None"),
        (lambda x: np.eye(3), ValueError, r"hess\(x\) must .*\(2, 2\).*\(3, 3\)"),
        (lambda x: np.ones(2), ValueError, r"got shape \(2,\)"),
        (lambda x: csr_array(np.eye(3)), ValueError, r"shape \(2, 2\).*\(3, 3\)"),
        (lambda x: aslinearoperator(np.eye(3)), ValueError, r"LinearOperator"),
    ],
    ids=["none", "dense", "vector", "sparse", "operator"],
)
def test_hess_of_the_wrong_shape_is_refused(hess, error, match):
    with pytest.raises(error, match=match):
        NewtonOptimizer().minimize(rosen, [-1.2, 1.0], rosen_der, hess)


def test_asymmetric_hessian_warns_and_its_symmetric_part_is_used():
    # An antisymmetric term changes no quadratic form: H + K has the
    # symmetric part H. A Cholesky of the upper triangle alone would solve
    # with the wrong matrix.
    K = np.array([[0.0, 300.0], [-300.0, 0.0]])

    def hess(x):
        return rosen_hess(x) + K

    with pytest.warns(UserWarning, match="not symmetric") as record:
        result = NewtonOptimizer().minimize(rosen, [-1.2, 1.0], rosen_der, hess)
    assert len(record) == 1  # once per run
    assert record[0].filename == __file__
    reference = NewtonOptimizer().minimize(rosen, [-1.2, 1.0], rosen_der, rosen_hess)
    assert result.success
    assert_allclose(result.iterates, reference.iterates, rtol=1e-9)


def test_symmetric_hessian_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NewtonOptimizer().minimize(rosen, [-1.2, 1.0], rosen_der, rosen_hess)


@pytest.mark.parametrize("shape", [(2, 1), (1, 2)])
def test_x_is_returned_and_passed_in_the_shape_of_x0(shape):
    seen = []

    def fun(x):
        seen.append(x.shape)
        return rosen(x.ravel())

    x0 = np.reshape([-1.2, 1.0], shape)
    result = NewtonOptimizer().minimize(
        fun,
        x0,
        lambda x: rosen_der(x.ravel()).reshape(shape),
        lambda x: rosen_hess(x.ravel()),
    )
    assert result.success
    assert result.x.shape == result.jac.shape == shape
    assert result.iterates.shape == (result.nit + 1, *shape)
    assert set(seen) == {shape}
    assert_allclose(result.x.ravel(), [1.0, 1.0], atol=1e-8)


def test_matrix_x0_with_a_matrix_of_second_derivatives():
    # x0 of shape (2, 2); the Hessian as (n, n) or as x0.shape twice.
    A = np.diag([1.0, 2.0, 3.0, 4.0])

    def fun(X):
        return 0.5 * X.ravel() @ A @ X.ravel() - X.sum()

    def grad(X):
        return (A @ X.ravel() - 1).reshape(2, 2)

    for hess in (lambda X: A, lambda X: A.reshape(2, 2, 2, 2)):
        result = NewtonOptimizer().minimize(fun, np.zeros((2, 2)), grad, hess)
        assert result.x.shape == (2, 2) and result.nit == 1
        assert_allclose(result.x.ravel(), 1 / np.diag(A))


# 13. What the warnings say


def test_convergence_warning_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        NewtonOptimizer(max_iter=1).minimize(rosen, [-1.2, 1.0], rosen_der, rosen_hess)
    (warning,) = [w for w in record if w.category is ConvergenceWarning]
    assert warning.filename == __file__


def test_convergence_warning_of_a_fit_points_at_the_callers_line():
    # Through the estimator, its _fit_context wrapper and the optimizer.
    from skperceptron import SigmoidPerceptronClassifier

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    clf = SigmoidPerceptronClassifier(solver="newton", alpha=1.0, max_iter=1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.fit(X, y)
    (warning,) = [w for w in record if w.category is ConvergenceWarning]
    assert warning.filename == __file__
    assert "Increase max_iter" in str(warning.message)


def test_kink_with_a_passing_gradient_is_not_told_to_raise_max_iter():
    # |x| at its kink: the "gradient" sign(0) = 0 passes the test; the
    # "Hessian" claims negative curvature (as a relu network's may), and no
    # step along it decreases f. Stationary, but not shown to be a minimum.
    with pytest.warns(ConvergenceWarning) as record:
        result = NewtonOptimizer(max_iter=50).minimize(
            np.abs, 0.0, np.sign, lambda x: -1.0
        )
    message = str(record[0].message)
    assert result.status == 2 and not result.success and result.nit == 0
    assert "max_iter" not in message
    assert "stationary" in message and "not shown to be a minimum" in message
    assert "relu" in message and "smallest eigenvalue -1" in message
    assert message == f"NewtonOptimizer: {result.message}"


def test_failed_line_search_in_float32_names_the_precision():
    # 1e4 * sum(cos(x)) near its minimum at (pi, pi): in float32 the gradient
    # cannot get below about 1e-3, far above tol.
    x0 = np.array([3.0, 3.1], dtype=np.float32)
    with pytest.warns(ConvergenceWarning) as record:
        result = NewtonOptimizer(tol=1e-12).minimize(
            lambda x: 1e4 * np.sum(np.cos(x)),
            x0,
            lambda x: -1e4 * np.sin(x),
            lambda x: np.diag(-1e4 * np.cos(x)),
        )
    message = str(record[0].message)
    assert result.status == 2 and result.history["grad_norm"][-1] > 1e-12
    assert "no step could decrease f" in message and "float32" in message
    assert "Check the gradient against the function" in message
    assert "max_iter" not in message


@pytest.mark.parametrize("which", ["grad", "hess"])
def test_non_finite_gradient_or_hessian_is_named(which):
    def grad(x):
        g = rosen_der(x)
        return g * np.nan if which == "grad" and x[0] > -1.2 else g

    def hess(x):
        H = rosen_hess(x)
        return H * np.inf if which == "hess" and x[0] > -1.2 else H

    with pytest.warns(ConvergenceWarning) as record:
        result = NewtonOptimizer().minimize(rosen, [-1.2, 1.0], grad, hess)
    name = {"grad": "gradient", "hess": "Hessian"}[which]
    message = str(record[0].message)
    assert result.status == 2 and result.nit == 1
    assert f"the {name} at the iterate reached after 1 iteration is not finite" in (
        message
    )
    assert f"Check {which}(x)" in message and "max_iter" not in message


def test_max_iter_at_a_saddle_says_so():
    from skperceptron._linalg import _Curvature
    from skperceptron._newton import _message

    message = _message(
        1, nit=5, grad_norm=0.0, tol=1e-8, max_iter=5, decrement=0.0,
        curvature=_Curvature(-2.0, None, 2.0), psd=False, gradient_finite=True,
        hessian_finite=True, dtype=np.float64,
    )  # fmt: skip
    assert "stationary point" in message and "saddle point" in message
    assert "Increase max_iter" not in message


def test_stationary_point_whose_decrement_no_step_achieves_says_check_the_hessian():
    from skperceptron._newton import _message

    message = _message(
        2, nit=3, grad_norm=1e-9, tol=1e-8, max_iter=100, decrement=0.5,
        curvature=None, psd=True, gradient_finite=True, hessian_finite=True,
        dtype=np.float64,
    )  # fmt: skip
    assert "Check the Hessian against the gradient" in message
    assert "max_iter" not in message
