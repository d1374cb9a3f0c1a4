"""The hand-derived gradients equal numerical derivatives."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import expit

from skperceptron import _blocks
from skperceptron._loss import BinaryLogLoss, HalfSquaredError, MultinomialLogLoss
from skperceptron._objective import LinearObjective

from ._numdiff import numerical_gradient, numerical_jacobian


def _problem(loss_name, n_samples=40, n_features=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    if loss_name == "squared":
        return HalfSquaredError(), X, rng.normal(size=(n_samples, 1))
    if loss_name == "binary":
        return BinaryLogLoss(), X, rng.randint(0, 2, size=(n_samples, 1)) * 1.0
    classes = rng.randint(0, 3, size=n_samples)
    return MultinomialLogLoss(), X, np.eye(3)[classes]


LOSSES = ["squared", "binary", "multinomial"]


@pytest.mark.parametrize("loss_name", LOSSES)
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_equals_numerical_derivative(loss_name, alpha, weighted):
    loss, X, Y = _problem(loss_name)
    rng = np.random.RandomState(1)
    s = rng.randint(0, 4, size=len(X)) * 1.0 if weighted else np.ones(len(X))
    objective = LinearObjective(loss, X, Y, s, alpha)
    theta = rng.normal(size=objective.n_params)

    value, grad = objective.value_and_gradient(theta)

    assert value == pytest.approx(objective.value(theta), rel=1e-12)
    expected = numerical_gradient(objective.value, theta)
    assert_allclose(grad, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss_name", LOSSES)
def test_loss_derivative_is_y_hat_minus_y(loss_name):
    """dL/dz = ŷ − y for every loss: the seeds' error term."""
    loss, _, Y = _problem(loss_name, n_samples=6)
    Z = np.random.RandomState(2).normal(size=Y.shape)
    _, error = loss.loss_gradient(Z, Y)
    assert_allclose(error, loss.predict(Z) - Y)
    for i in range(len(Z)):
        numeric = numerical_gradient(
            lambda z, i=i: loss.loss(z[None], Y[i : i + 1])[0], Z[i]
        )
        assert_allclose(error[i], numeric, rtol=1e-6, atol=1e-10)


def test_value_matches_the_seeds_formulas():
    """J is the seeds' mean loss, written from the probabilities."""
    _, X, Y = _problem("binary")
    objective = LinearObjective(BinaryLogLoss(), X, Y, np.ones(len(X)), 0.0)
    theta = np.random.RandomState(3).normal(size=objective.n_params)
    W, b = objective.unpack(theta)
    y_hat = expit(X @ W + b)
    seed_003 = -np.mean(Y * np.log(y_hat) + (1 - Y) * np.log(1 - y_hat))
    assert objective.value(theta) == pytest.approx(seed_003, rel=1e-12)

    _, X, Y = _problem("squared")
    objective = LinearObjective(HalfSquaredError(), X, Y, np.ones(len(X)), 0.0)
    W, b = objective.unpack(theta[: objective.n_params])
    seed_000 = np.mean(0.5 * (Y - (X @ W + b)) ** 2)
    assert objective.value(theta[: objective.n_params]) == pytest.approx(seed_000)


def test_penalty_skips_intercepts():
    _, X, Y = _problem("multinomial")
    objective = LinearObjective(MultinomialLogLoss(), X, Y, np.ones(len(X)), 2.0)
    theta = np.zeros(objective.n_params)
    theta[-3:] = 5.0  # intercepts only: softmax is shift-invariant, J = ln 3
    assert objective.value(theta) == pytest.approx(np.log(3))


@pytest.mark.parametrize("loss", [BinaryLogLoss(), MultinomialLogLoss()])
def test_log_losses_are_stable_for_extreme_scores(loss):
    Z = np.array([[800.0, -800.0, 0.0], [-800.0, 800.0, 0.0]])
    Y = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    if isinstance(loss, BinaryLogLoss):
        Z, Y = Z[:, :1], Y[:, :1]
    values, error = loss.loss_gradient(Z, Y)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(error))
    assert values[0] == pytest.approx(0.0, abs=1e-300)
    assert values[1] == pytest.approx(1600.0 if Z.shape[1] == 3 else 800.0)


def test_batch_objective_is_the_objective_of_the_rows():
    loss, X, Y = _problem("binary")
    s = np.arange(len(X)) % 3 + 1.0
    rows = np.array([3, 7, 8, 20])
    full = LinearObjective(loss, X, Y, s, 0.1)
    part = LinearObjective(loss, X[rows], Y[rows], s[rows], 0.1)
    theta = np.random.RandomState(4).normal(size=full.n_params)
    for a, b in zip(full(theta, rows), part(theta), strict=True):
        assert_allclose(a, b)


@pytest.mark.parametrize("loss_name", LOSSES)
def test_sparse_and_dense_agree(loss_name):
    loss, X, Y = _problem(loss_name)
    X[X < 0.5] = 0.0
    s = np.ones(len(X))
    dense = LinearObjective(loss, X, Y, s, 0.1)
    sparse = LinearObjective(loss, sp.csr_matrix(X), Y, s, 0.1)
    theta = np.random.RandomState(5).normal(size=dense.n_params)
    for a, b in zip(dense(theta), sparse(theta), strict=True):
        assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("loss_name", LOSSES)
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_hessian_equals_numerical_derivative_of_the_gradient(
    loss_name, alpha, weighted, sparse
):
    loss, X, Y = _problem(loss_name)
    rng = np.random.RandomState(7)
    s = rng.randint(0, 4, size=len(X)) * 1.0 if weighted else np.ones(len(X))
    objective = LinearObjective(loss, sp.csr_matrix(X) if sparse else X, Y, s, alpha)
    theta = rng.normal(size=objective.n_params)

    H = objective.hessian(theta)

    expected = numerical_jacobian(lambda t: objective(t)[1], theta)
    assert_allclose(H, expected, rtol=1e-6, atol=1e-8)
    assert_allclose(H, H.T)


def test_one_newton_step_solves_least_squares():
    loss, X, Y = _problem("squared")
    objective = LinearObjective(loss, X, Y, np.ones(len(X)), 0.0)
    theta = np.zeros(objective.n_params)
    theta -= np.linalg.solve(objective.hessian(theta), objective(theta)[1])
    exact = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), Y[:, 0])[0]
    assert_allclose(theta, exact, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("in_pieces", [False, True])
def test_weighted_grams_equal_the_direct_products(dtype, in_pieces, monkeypatch):
    # Columns of weights of either sign, of both signs, and all zero; in
    # pieces, the 37 rows and 5 columns of both signs take several products.
    if in_pieces:
        monkeypatch.setattr(_blocks, "STACKED_COLUMNS", 12)
        monkeypatch.setattr(_blocks, "STACKED_ELEMENTS", 100)
    rng = np.random.RandomState(0)
    X, S = rng.normal(size=(37, 4)).astype(dtype), rng.normal(size=(37, 8))
    S[:, 0], S[:, 1], S[:, 3] = np.abs(S[:, 0]), -np.abs(S[:, 1]), 0.0
    X1 = np.hstack([X, np.ones((37, 1))]).astype(np.float64)
    expected = np.stack([X1.T @ (s[:, None] * X1) for s in S.T])
    for X_in in (X, sp.csr_array(X)):
        grams = _blocks.weighted_grams(X_in, S.astype(dtype))
        assert grams.dtype == np.float64
        single = dtype == np.float32
        assert_allclose(
            grams,
            expected,
            rtol=1e-5 if single else 1e-13,
            atol=1e-5 if single else 1e-12,
        )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_log_loss_is_exact_to_rounding(dtype):
    # ln(1 + e^z) − y z against logaddexp in float64, over z of either sign.
    z = np.linspace(-40, 40, 20001).astype(dtype)[:, None]
    y = (np.arange(z.size) % 2).astype(dtype)[:, None]
    losses, error = BinaryLogLoss().loss_gradient(z, y)
    z64, y64 = z[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
    eps = np.finfo(dtype).eps
    assert losses.dtype == error.dtype == dtype
    exact = np.logaddexp(0, z64) - y64 * z64
    assert np.all(np.abs(losses - exact) <= 2 * eps * np.maximum(1, np.abs(z64)))
    assert_allclose(error[:, 0], expit(z64) - y64, rtol=0, atol=2 * eps)


@pytest.mark.parametrize("loss_name", ["squared", "binary", "multinomial"])
def test_hessian_factor_squares_to_the_hessian_weights(loss_name):
    loss, X, Y = _problem(loss_name)
    Z = np.random.RandomState(3).normal(scale=3, size=Y.shape)
    R = loss.hessian_factor(Z)
    assert_allclose(
        np.einsum("ikm,ikl->iml", R, R), loss.hessian_weights(Z), atol=1e-15
    )
