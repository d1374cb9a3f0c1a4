"""Gradient descent is the seeds' update, stops as scikit-learn does, fails loudly."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from skperceptron import PerceptronRegressor, SigmoidPerceptronClassifier
from skperceptron._gradient_descent import GradientDescent
from skperceptron.datasets import load_alien_moods


def _from(estimator, w, b, **params):
    estimator.set_params(warm_start=True, alpha=0.0, **params)
    estimator.coef_, estimator.intercept_ = w, b
    return estimator


def test_one_epoch_of_the_regressor_is_the_seeds_update():
    """Seed 000: w ← w + α·mean((y − ŷ)x), b ← b + α·mean(y − ŷ)."""
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(7, 2)), rng.normal(size=7)
    w, b, lr = np.array([0.3, -0.2]), 0.1, 0.05
    reg = _from(PerceptronRegressor(), w.copy(), b, learning_rate=lr, max_iter=1)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
    y_hat = X @ w + b
    assert_allclose(reg.coef_, w + lr * np.mean((y - y_hat)[:, None] * X, axis=0))
    assert reg.intercept_ == pytest.approx(b + lr * np.mean(y - y_hat))


def test_one_epoch_of_the_classifier_is_the_seeds_update():
    """Seeds 000/003: w ← w − α·mean((ŷ − y)x), with ŷ = σ(w·x + b)."""
    X, y = load_alien_moods(return_X_y=True)
    w, b, lr = np.array([[0.5, -0.4]]), np.array([0.2]), 0.3
    clf = _from(SigmoidPerceptronClassifier(), w.copy(), b.copy(), learning_rate=lr)
    clf.partial_fit(X, y, classes=[0, 1])
    y_hat = expit(X @ w[0] + b[0])
    assert_allclose(clf.coef_[0], w[0] - lr * np.mean((y_hat - y)[:, None] * X, axis=0))
    assert_allclose(clf.intercept_, b - lr * np.mean(y_hat - y))


def test_batch_size_one_is_the_seeds_per_sample_update():
    X, y = load_alien_moods(return_X_y=True)
    lr = 0.1
    clf = SigmoidPerceptronClassifier(
        learning_rate=lr, alpha=0.0, batch_size=1, shuffle=False
    ).partial_fit(X, y, classes=[0, 1])
    w, b = np.zeros(2), 0.0
    for x_i, y_i in zip(X, y, strict=True):
        error = expit(x_i @ w + b) - y_i
        w, b = w - lr * error * x_i, b - lr * error
    assert_allclose(clf.coef_[0], w)
    assert_allclose(clf.intercept_[0], b)


def test_loss_curve_records_the_objective_after_each_epoch():
    X, y = load_alien_moods(return_X_y=True)
    clf = SigmoidPerceptronClassifier(learning_rate=0.1, max_iter=3, tol=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    w, b, curve = np.zeros(2), 0.0, []
    for _ in range(3):
        error = expit(X @ w + b) - y
        w = w - 0.1 * (X.T @ error / 4 + clf.alpha * w)
        b = b - 0.1 * error.mean()
        y_hat = expit(X @ w + b)
        loss = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
        curve.append(loss + clf.alpha / 2 * w @ w)
    assert clf.n_iter_ == 3
    assert_allclose(clf.loss_curve_, curve)


def test_full_batch_steps_stop_on_the_gradient():
    """One step of 1/L reaches the minimum of a quadratic: max|∇J| = 0 ≤ tol."""
    optimizer = GradientDescent(1.0, max_iter=50, tol=1e-3, n_iter_no_change=3)
    result = optimizer.minimize(_quadratic(curvature=1.0), np.array([1.0]), 1)
    assert result.success and result.nit == 1
    assert_allclose(result.x, [0.0])


def test_slow_full_batch_epochs_are_not_convergence():
    """Epochs improving J by less than tol do not stop full-batch descent."""
    optimizer = GradientDescent(1e-3, max_iter=300, tol=1e-4, n_iter_no_change=3)
    with pytest.warns(ConvergenceWarning, match="max\\|∇J\\| fell to tol"):
        result = optimizer.minimize(_quadratic(1.0), np.array([1.0]), 1)
    assert result.nit == 300 and not result.success and result.status == 1
    assert np.max(np.abs(result.jac)) > 1e-4


def test_a_start_that_passes_the_gradient_test_takes_no_epoch():
    optimizer = GradientDescent(0.5, max_iter=50, tol=1e-3, n_iter_no_change=3)
    result = optimizer.minimize(_quadratic(1.0), np.array([1e-4]), 1)
    assert result.success and result.status == 0 and result.nit == 0
    assert result.history["iter"].tolist() == [0]


def test_minibatches_stop_on_no_improvement_and_return_the_best_point():
    """Noisy steps: the lowest objective seen is returned, never a worse one."""
    rng = np.random.RandomState(0)
    targets = rng.normal(size=20)

    def fun(theta, batch=None):  # J = mean ½(θ − tᵢ)²
        t = targets if batch is None else targets[batch]
        return 0.5 * np.mean((theta[0] - t) ** 2), np.array([theta[0] - t.mean()])

    optimizer = GradientDescent(
        0.9, max_iter=200, tol=1e-3, n_iter_no_change=4, batch_size=1,
        random_state=0,
    )  # fmt: skip
    result = optimizer.minimize(fun, np.array([5.0]), 20)
    assert result.success and result.nit < 200
    curve = result.history["objective"][1:]
    assert result.fun == min(curve) and result.fun < curve[-1]  # the best, not the last
    assert fun(result.x)[0] == result.fun
    best = int(np.argmin(curve))
    assert result.nit - (best + 1) >= 4  # n_iter_no_change epochs after the best


def test_minibatches_that_never_improve_warn_and_return_the_start():
    def fun(theta, batch=None):  # every minibatch step doubles the distance
        return 0.5 * float(theta @ theta), (theta if batch is None else 3 * theta)

    optimizer = GradientDescent(
        1.0, max_iter=20, tol=0.0, n_iter_no_change=3, batch_size=1
    )
    with pytest.warns(ConvergenceWarning, match="No epoch.*smaller learning_rate"):
        result = optimizer.minimize(fun, np.array([1.0]), 2)
    assert_allclose(result.x, [1.0])


def test_nesterov_is_not_stopped_by_its_restarts():
    """A restart raises J for an epoch; only the gradient test stops the run."""
    curvature = np.array([1.0, 0.1])
    optimizer = GradientDescent(
        0.9, max_iter=5000, tol=1e-10, n_iter_no_change=5, accelerated=True
    )
    result = optimizer.minimize(_quadratic(curvature), np.array([1.0, 1.0]), 1)
    uphill = np.flatnonzero(np.diff(result.history["objective"][1:]) > 0)
    assert uphill.size >= 3 and uphill[0] < 15  # restarts went uphill, early on
    assert result.success and np.max(np.abs(result.jac)) <= 1e-10


def test_warns_when_max_iter_is_reached_quoting_tol_and_max_iter():
    optimizer = GradientDescent(0.01, max_iter=7, tol=1e-9, n_iter_no_change=5)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=7.*tol=1e-09"):
        result = optimizer.minimize(_quadratic(1.0), np.array([1.0]), 1)
    assert not result.success
    assert len(result.history["objective"][1:]) == 7


@pytest.mark.parametrize("batch_size", [None, 2])
def test_divergence_raises_naming_the_epoch_and_the_rate(batch_size):
    X, y = load_alien_moods(return_X_y=True)
    reg = PerceptronRegressor(learning_rate=10.0, batch_size=batch_size)
    message = re.escape("learning_rate=10") + ".*smaller learning_rate.*'auto'"
    with pytest.raises(ValueError, match="diverged at epoch [0-9]+ with " + message):
        reg.fit(X * 100, y)
    assert not hasattr(reg, "coef_")


def test_validation_score_keeps_the_best_parameters():
    scores = iter([0.5, 0.9, 0.7, 0.6, 0.4, 0.3])
    optimizer = GradientDescent(0.1, max_iter=20, tol=0.0, n_iter_no_change=3)
    seen = []

    def score(theta):
        seen.append(theta.copy())
        return next(scores)

    result = optimizer.minimize(
        _quadratic(1.0), np.array([1.0]), 1, validation_score=score
    )
    assert result.nit == 5
    assert_allclose(result.x, seen[1])
    assert result.validation_scores == [0.5, 0.9, 0.7, 0.6, 0.4]


def test_minibatches_are_reproducible_and_depend_on_the_seed():
    X, y = load_alien_moods(return_X_y=True)
    fits = [
        SigmoidPerceptronClassifier(batch_size=1, random_state=seed, max_iter=3)
        .fit(X, y)
        .coef_
        for seed in (0, 0, 1)
    ]
    assert_allclose(fits[0], fits[1])
    assert not np.allclose(fits[0], fits[2])


def _quadratic(curvature):
    def fun(theta, batch=None):
        return 0.5 * curvature * theta @ theta, curvature * theta

    return fun


@pytest.mark.parametrize("solver", ["gd", "newton"])
def test_verbose_prints_one_aligned_line_per_iteration(solver, capsys):
    X, y = load_alien_moods(return_X_y=True)
    clf = SigmoidPerceptronClassifier(solver=solver, verbose=1, max_iter=4, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "iter", "objective", "max|grad|", "step", "damping", "time[s]"
    ]  # fmt: skip
    rows = [line.split() for line in lines[1:]]
    assert [int(row[0]) for row in rows] == list(range(clf.n_iter_ + 1))
    assert_allclose([float(row[1]) for row in rows[1:]], clf.loss_curve_, rtol=1e-8)
    assert len({len(line) for line in lines}) == 1  # aligned columns


def _nesterov_by_hand(grad, theta, learning_rate, n_steps):
    """FISTA with the gradient restart, written out from the formulas."""
    x, k, points, restarts = theta.copy(), 1, [], 0
    for _ in range(n_steps):
        g = grad(theta)
        x_next = theta - learning_rate * g
        if g @ (x_next - x) > 0:
            k, restarts = 1, restarts + 1
        theta = x_next + (k - 1) / (k + 2) * (x_next - x)
        x, k = x_next, k + 1
        points.append(theta)
    return points, restarts


def test_nesterov_steps_are_the_formulas_with_restart():
    curvature = np.array([1.0, 0.02])  # condition number 50: momentum restarts
    fun = _quadratic(curvature)
    theta0 = np.array([1.0, 1.0])
    expected, restarts = _nesterov_by_hand(lambda t: fun(t)[1], theta0, 0.9, 60)
    assert restarts > 0
    first_step = theta0 - 0.9 * fun(theta0)[1]
    assert_allclose(expected[0], first_step)  # k = 1: no momentum yet
    optimizer = GradientDescent(
        0.9, max_iter=60, tol=0, n_iter_no_change=10**6, accelerated=True
    )
    with pytest.warns(ConvergenceWarning):
        result = optimizer.minimize(fun, theta0, n_samples=1)
    assert_allclose(result.x, expected[-1], rtol=1e-12, atol=1e-300)
    values = [fun(point)[0] for point in expected]
    assert_allclose(result.history["objective"][1:], values, rtol=1e-12, atol=1e-300)


def test_nesterov_needs_fewer_epochs_than_plain_descent():
    fun = _quadratic(np.array([1.0, 0.01]))
    epochs = {}
    for accelerated in (False, True):
        optimizer = GradientDescent(
            1.0, max_iter=5000, tol=1e-12, n_iter_no_change=5, accelerated=accelerated
        )
        result = optimizer.minimize(fun, np.array([1.0, 1.0]), n_samples=1)
        assert result.success and result.fun < 1e-9
        epochs[accelerated] = result.nit
    assert epochs[True] < epochs[False] / 4


def test_the_result_speaks_newtons_vocabulary():
    # The fields of NewtonOptimizer's result; the objective after each epoch
    # is read from the history, and validation scores appear only with them.
    optimizer = GradientDescent(0.5, max_iter=50, tol=1e-6, n_iter_no_change=3)
    result = optimizer.minimize(_quadratic(1.0), np.array([1.0]), 1)
    for name in ("x", "fun", "jac", "nit", "status", "success", "message"):
        assert name in result
    assert "validation_scores" not in result and "loss_curve" not in result
    assert result.history["objective"][-1] == result.fun
    assert result.history["iter"].tolist() == list(range(result.nit + 1))
