"""Standardized coordinates θ = Tφ, and the "auto" steps computed in them."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from skperceptron._loss import BinaryLogLoss, HalfSquaredError, MultinomialLogLoss
from skperceptron._network import TwoLayerObjective
from skperceptron._objective import LinearObjective
from skperceptron._scaling import Standardization

from ._numdiff import numerical_gradient, numerical_jacobian

LOSSES = {
    "squared": (HalfSquaredError(), 1),
    "binary": (BinaryLogLoss(), 1),
    "multinomial": (MultinomialLogLoss(), 3),
}
# Columns of very different scales and offsets, one constant column.
SCALES = np.array([1.0, 1e3, 1e-3, 3.0, 1.0])
OFFSETS = np.array([0.0, 5e3, -2.0, 100.0, 7.0])


def _data(loss_name, n_samples=40, seed=0, constant=True):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 5)) * SCALES + OFFSETS
    if constant:
        X[:, 4] = 7.0
    loss, K = LOSSES[loss_name]
    if loss_name == "squared":
        Y = rng.normal(size=(n_samples, 1))
    elif K == 1:
        Y = rng.randint(0, 2, size=(n_samples, 1)) * 1.0
    else:
        Y = np.eye(K)[rng.randint(0, K, size=n_samples)]
    s = rng.randint(0, 4, size=n_samples).astype(float)
    return loss, X, Y, s


def _linear(loss_name, alpha=0.3, sparse=False, **kwargs):
    loss, X, Y, s = _data(loss_name, **kwargs)
    if sparse:
        X = sp.csr_matrix(X)
    return LinearObjective(loss, X, Y, s, alpha)


def _network(target, alpha=0.3, activation="tanh", sparse=False, **kwargs):
    loss_name = "multinomial" if target == "multiclass" else "binary"
    loss, X, Y, s = _data(loss_name, **kwargs)
    if sparse:
        X = sp.csr_matrix(X)
    return TwoLayerObjective(loss, X, Y, s, alpha, 3, activation)


# -- the map T ---------------------------------------------------------------------


def test_standardized_rows_have_weighted_mean_zero_and_variance_one():
    loss, X, Y, s = _data("binary")
    T = Standardization.from_data(X, s, 1)
    X_hat = T.standardized_rows(X)
    c = s / s.sum()
    assert_allclose(c @ X_hat[:, :4], 0.0, atol=1e-12)
    assert_allclose(c @ X_hat[:, :4] ** 2, 1.0, rtol=1e-12)
    assert_array_equal(T.constant, [False] * 4 + [True])
    assert_array_equal(X_hat[:, 4], 0.0)  # exactly: m is the constant itself
    assert T.scale[4] == 1.0 and T.mean[4] == 7.0


def test_zero_weight_rows_do_not_count_and_weights_are_repeated_rows():
    loss, X, Y, s = _data("binary")
    weighted = Standardization.from_data(X, s, 1)
    repeated = Standardization.from_data(
        X.repeat(s.astype(int), axis=0), np.ones(int(s.sum())), 1
    )
    assert_allclose(weighted.mean, repeated.mean, rtol=1e-12)
    assert_allclose(weighted.scale, repeated.scale, rtol=1e-12)
    X[s == 0] = 1e6  # rows of zero weight change nothing
    moved = Standardization.from_data(X, s, 1)
    assert_allclose(moved.mean, weighted.mean, rtol=1e-12)
    assert_allclose(moved.scale, weighted.scale, rtol=1e-12)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_and_dense_statistics_agree(fmt):
    loss, X, Y, s = _data("binary", constant=False)
    X[np.abs(X - OFFSETS) < 0.5 * SCALES] = 0.0
    X[:, 4] = 0.0  # an empty column: constant
    dense = Standardization.from_data(X, s, 2)
    sparse = Standardization.from_data(sp.csr_matrix(X).asformat(fmt), s, 2)
    assert_allclose(sparse.mean, dense.mean, rtol=1e-10, atol=1e-12)
    assert_allclose(sparse.scale, dense.scale, rtol=1e-10)
    assert_array_equal(sparse.constant, dense.constant)
    assert dense.constant[4]


@pytest.mark.parametrize("n_columns, n_rest", [(1, 0), (3, 0), (2, 7)])
def test_the_maps_are_inverse_and_the_gradient_is_the_chain_rule(n_columns, n_rest):
    rng = np.random.RandomState(7)
    X = rng.normal(size=(30, 5)) * [1.0, 3.0, 0.5, 2.0, 1.0] + [
        0.0,
        4.0,
        -2.0,
        1.0,
        0.5,
    ]
    s = rng.randint(0, 4, size=30).astype(float)
    T = Standardization.from_data(X, s, n_columns)
    rng = np.random.RandomState(1)
    n = 6 * n_columns + n_rest
    phi = rng.normal(size=n)
    theta = T.to_model(phi)
    assert_allclose(T.to_standard(theta), phi, rtol=1e-12, atol=1e-12)
    # x·w + b = x̂·φ_w + φ_b for every column of the block
    W = theta[: 6 * n_columns].reshape(6, n_columns)
    Phi = phi[: 6 * n_columns].reshape(6, n_columns)
    assert_allclose(X @ W[:5] + W[5], T.standardized_rows(X) @ Phi[:5] + Phi[5])
    assert_array_equal(theta[6 * n_columns :], phi[6 * n_columns :])
    # ∇φ f(Tφ) = Tᵀ ∇θ f for f(θ) = ½‖Aθ‖²
    A = rng.normal(size=(n, n))

    def f(t):
        return 0.5 * np.sum((A @ t) ** 2)

    grad_theta = A.T @ (A @ theta)
    assert_allclose(
        T.gradient(grad_theta),
        numerical_gradient(lambda p: f(T.to_model(p)), phi, step=1e-7),
        rtol=1e-5,
    )
    # TᵀHT is the Hessian of f(Tφ) (f is quadratic: exact differences)
    H = A.T @ A
    expected = numerical_jacobian(lambda p: T.gradient(H @ T.to_model(p)), phi)
    assert_allclose(T.matrix(H), expected, rtol=1e-6, atol=1e-6)
    # a step of φ along model_direction(∇φ) moves θ by ∇θ
    assert_allclose(
        T.to_model(phi + T.model_direction(T.gradient(grad_theta))) - theta,
        grad_theta,
        rtol=1e-8,
        atol=1e-8 * np.abs(grad_theta).max(),
    )


def test_squares_that_overflow_are_refused_with_a_remedy():
    loss, X, Y, s = _data("binary")
    X[3, 1] = 1e200
    with pytest.raises(ValueError, match=r"1e\+200.*overflow.*Scale the features"):
        Standardization.from_data(X, s, 1)
    with pytest.raises(ValueError, match="overflow"):
        Standardization.from_data(sp.csr_matrix(X), s, 1)


# -- the "auto" steps of the linear models ------------------------------------------


def _standardized_hessian(objective, theta):
    """TᵀHT at θ, by differences of the standardized gradient."""
    problem = objective.standardized()
    phi = problem.to_standard(theta)
    return numerical_jacobian(lambda p: problem(p)[1], phi, step=1e-6), problem


def _largest_scaled_eigenvalue(steps, H):
    root = np.sqrt(steps)
    return np.linalg.eigvalsh(root[:, None] * H * root[None, :])[-1]


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("loss_name", list(LOSSES))
def test_linear_steps_keep_every_update_a_descent(loss_name, sparse):
    """P^½ ∇²J P^½ ⪯ I with P = diag(steps), at any θ (attained for squares)."""
    objective = _linear(loss_name, sparse=sparse)
    rng = np.random.RandomState(2)
    steps = objective.standardized().steps(np.zeros(objective.n_params))
    tops = []
    for _ in range(5):
        theta = rng.normal(size=objective.n_params) * 0.1
        H, _ = _standardized_hessian(objective, theta)
        tops.append(_largest_scaled_eigenvalue(steps, 0.5 * (H + H.T)))
    assert max(tops) <= 1 + 1e-5
    if loss_name == "squared":
        assert max(tops) == pytest.approx(1.0, rel=1e-5)
    assert np.all(steps > 0)


@pytest.mark.parametrize("loss_name", list(LOSSES))
def test_linear_steps_do_not_depend_on_the_units_of_the_features(loss_name):
    """Without penalty, x ↦ a x + c changes neither the steps nor the path."""
    loss, X, Y, s = _data(loss_name, constant=False)
    a = np.array([1e-3, 2.0, 1e4, 1.0, 0.5])
    c = np.array([0.0, -3.0, 1e5, 10.0, 1.0])
    plain = LinearObjective(loss, X, Y, s, 0.0).standardized()
    moved = LinearObjective(loss, X * a + c, Y, s, 0.0).standardized()
    zero = np.zeros(plain.n_params)
    assert_allclose(moved.steps(zero), plain.steps(zero), rtol=1e-9)
    phi = np.random.RandomState(3).normal(size=plain.n_params)
    for got, expected in zip(moved(phi), plain(phi), strict=True):
        assert_allclose(got, expected, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("loss_name", list(LOSSES))
def test_linear_minibatch_steps_keep_each_sample_a_descent(loss_name):
    objective = _linear(loss_name)
    problem = objective.standardized()
    steps = problem.steps(np.zeros(objective.n_params), per_sample=True)
    assert np.all(steps <= problem.steps(np.zeros(objective.n_params)) * (1 + 1e-12))
    theta = np.random.RandomState(4).normal(size=objective.n_params) * 0.1
    phi = problem.to_standard(theta)
    for i in np.flatnonzero(objective.sample_weight > 0)[:8]:
        H = numerical_jacobian(lambda p, i=i: problem(p, np.array([i]))[1], phi)
        assert _largest_scaled_eigenvalue(steps, 0.5 * (H + H.T)) <= 1 + 1e-5


def test_linear_steps_of_sparse_and_dense_and_repeated_rows_agree():
    dense = _linear("multinomial", constant=False)
    sparse = _linear("multinomial", constant=False, sparse=True)
    s = dense.sample_weight
    repeated = LinearObjective(
        dense.loss, dense.X.repeat(s.astype(int), axis=0),
        dense.Y.repeat(s.astype(int), axis=0), np.ones(int(s.sum())), dense.alpha,
    )  # fmt: skip
    zero = np.zeros(dense.n_params)
    for per_sample in (False, True):
        expected = dense.standardized().steps(zero, per_sample)
        for other in (sparse, repeated):
            got = other.standardized().steps(zero, per_sample)
            assert_allclose(got, expected, rtol=1e-9)


def test_linear_steps_matrix_free_equal_dense(monkeypatch):
    import skperceptron._objective as module

    objective = _linear("binary")
    zero = np.zeros(objective.n_params)
    dense = objective.standardized().steps(zero)
    monkeypatch.setattr(module, "_MAX_DENSE_GRAM", 2)
    assert_allclose(objective.standardized().steps(zero), dense, rtol=2e-3)
    assert np.all(objective.standardized().steps(zero) <= dense * (1 + 1e-9))


def test_a_constant_feature_without_penalty_gets_no_step():
    objective = _linear("binary", alpha=0.0)
    steps = objective.standardized().steps(np.zeros(objective.n_params))
    assert steps[4] == 0.0 and np.all(np.delete(steps, 4) > 0)


# -- the "auto" steps of the network -------------------------------------------------


def _network_curvature_bound(objective, theta, rows=None):
    """b·Σᵢ cᵢ J̃ᵢᵀJ̃ᵢ + penalty in standardized coordinates, by differences."""
    problem = objective.standardized()
    phi = problem.to_standard(theta)
    X = objective.X if rows is None else objective.X[rows]

    def scores(p):
        return problem.decision(p, X).ravel()

    J = numerical_jacobian(scores, phi).reshape(X.shape[0], objective.n_outputs, -1)
    s = objective.sample_weight if rows is None else np.ones(len(rows))
    c = s / s.sum()
    gram = np.einsum("ikp,i,ikq->pq", J, c, J)
    T = problem.standardization
    penalty = objective._standardized_penalty(T)
    return objective.loss.curvature_bound * gram + np.diag(penalty), problem, phi


@pytest.mark.parametrize("target", ["binary", "multiclass"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_network_steps_scale_the_curvature_where_the_fit_starts(target, activation):
    """Jacobi steps: P^½ M P^½ has largest eigenvalue 1, M the curvature bound."""
    objective = _network(target, activation=activation, constant=False)
    phi = np.random.RandomState(5).normal(size=objective.n_params) * 0.3
    theta = objective.standardized().to_model(phi)  # unsaturated hidden units
    M, problem, phi = _network_curvature_bound(objective, theta)
    steps = problem.steps(phi)
    assert_allclose(1 / (steps * np.diag(M)), 1 / (steps * np.diag(M))[0], rtol=1e-5)
    assert _largest_scaled_eigenvalue(steps, M) == pytest.approx(1.0, rel=2e-3)
    per_sample = problem.steps(phi, per_sample=True)
    rows = np.flatnonzero(objective.sample_weight > 0)
    for i in rows[:6]:
        M_i, _, _ = _network_curvature_bound(objective, theta, rows=np.array([i]))
        assert _largest_scaled_eigenvalue(per_sample, M_i) <= 1 + 1e-5


def test_network_steps_of_sparse_and_dense_agree():
    dense = _network("multiclass", constant=False)
    sparse = _network("multiclass", constant=False, sparse=True)
    want, got = dense.standardized(), sparse.standardized()
    phi = np.random.RandomState(6).normal(size=dense.n_params) * 0.3
    for per_sample in (False, True):
        assert_allclose(
            got.steps(phi, per_sample), want.steps(phi, per_sample), rtol=1e-6
        )


# -- the objective in standardized coordinates ------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: _linear("binary"),
        lambda: _linear("squared"),
        lambda: _linear("multinomial"),
        lambda: _network("binary", activation="sigmoid"),
        lambda: _network("multiclass"),
    ],
    ids=[
        "linear binary",
        "linear squared",
        "linear multinomial",
        "network",
        "network 3",
    ],
)
def test_standardized_objective_gradient_and_matrix_are_derivatives(make):
    objective = make()
    standard = objective.standardized()
    phi = np.random.RandomState(3).normal(scale=0.3, size=objective.n_params)
    value, grad = standard.value_and_gradient(phi)
    assert value == objective.value_and_gradient(standard.to_model(phi))[0]
    assert_allclose(
        grad,
        numerical_gradient(lambda p: standard.value_and_gradient(p)[0], phi),
        rtol=1e-5,
        atol=1e-8,
    )
    hessian = numerical_jacobian(lambda p: standard.value_and_gradient(p)[1], phi)
    matrix = standard.newton_matrix(phi)
    assert_allclose(matrix, matrix.T, rtol=1e-10, atol=1e-12)
    if isinstance(objective.loss, MultinomialLogLoss):
        # made definite along the softmax's shifts only: its Newton step is
        # one of the exact Hessian's
        step = np.linalg.solve(matrix, grad)
        assert_allclose(hessian @ step, grad, rtol=1e-5, atol=1e-7)
    else:
        assert_allclose(matrix, hessian, rtol=1e-5, atol=1e-7)
