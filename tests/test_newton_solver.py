"""solver="newton" in the perceptrons: exact solutions in a few iterations."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression

from skperceptron import (
    NewtonOptimizer,
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
)
from skperceptron.datasets import load_alien_moods

from .test_perceptrons import _classification, _regression


def test_regressor_solves_least_squares_in_at_most_two_iterations():
    X, y = _regression()
    reg = PerceptronRegressor(solver="newton", alpha=0.0, tol=1e-10).fit(X, y)
    exact = LinearRegression().fit(X, y)
    assert reg.n_iter_ <= 2
    assert_allclose(reg.coef_, exact.coef_, rtol=1e-8)
    assert reg.intercept_ == pytest.approx(exact.intercept_, rel=1e-8)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_matches_unpenalized_logistic_regression(n_classes):
    X, y = _classification(n_classes)
    clf = SigmoidPerceptronClassifier(solver="newton", alpha=0.0, tol=1e-10)
    clf.fit(X, y)
    exact = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert clf.n_iter_ <= 15
    assert_allclose(clf.predict_proba(X), exact.predict_proba(X), rtol=1e-6)
    if n_classes == 2:
        assert_allclose(clf.coef_, exact.coef_, rtol=1e-6)
        assert_allclose(clf.intercept_, exact.intercept_, rtol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_matches_penalized_logistic_regression(n_classes):
    X, y = _classification(n_classes)
    alpha = 0.05
    clf = SigmoidPerceptronClassifier(solver="newton", alpha=alpha, tol=1e-10)
    clf.fit(X, y)
    exact = LogisticRegression(
        C=1 / (alpha * len(X)), solver="newton-cholesky", tol=1e-12, max_iter=100
    ).fit(X, y)
    assert clf.n_iter_ <= 15
    assert_allclose(clf.coef_, exact.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(clf.intercept_, exact.intercept_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_gradient_descent_and_newton_agree(Estimator):
    X, y = _classification(3)
    gd = Estimator(alpha=0.01, tol=1e-12, n_iter_no_change=20, max_iter=100_000)
    newton = Estimator(alpha=0.01, solver="newton", tol=1e-10)
    assert_allclose(gd.fit(X, y).coef_, newton.fit(X, y).coef_, rtol=1e-5)
    assert newton.loss_curve_[-1] <= gd.loss_curve_[-1] + 1e-12


def test_loss_curve_counts_newton_iterations():
    X, y = _classification(2)
    clf = SigmoidPerceptronClassifier(solver="newton", tol=1e-10).fit(X, y)
    assert len(clf.loss_curve_) == clf.n_iter_ <= 6
    assert np.all(np.diff(clf.loss_curve_) <= 1e-15)  # down, up to rounding


def test_separable_data_without_penalty_stops_cleanly():
    X, y = load_alien_moods(return_X_y=True)
    clf = SigmoidPerceptronClassifier(solver="newton", alpha=0.0)
    with pytest.warns(ConvergenceWarning, match="no finite minimizer"):
        clf.fit(X, y)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    assert_array_equal(clf.predict(X), y)
    assert clf.n_iter_ < 100


def test_a_configured_optimizer_is_used_and_left_untouched():
    X, y = _classification(2)
    optimizer = NewtonOptimizer(tol=1e-3, max_iter=50)
    clf = SigmoidPerceptronClassifier(solver=optimizer).fit(X, y)
    loose = clf.n_iter_
    tight = SigmoidPerceptronClassifier(solver=NewtonOptimizer(tol=1e-12)).fit(X, y)
    assert tight.n_iter_ > loose
    assert optimizer.get_params()["max_iter"] == 50
    assert not hasattr(optimizer, "n_iter_")


@pytest.mark.parametrize(
    "params", [{"learning_rate": 0.1}, {"batch_size": 10}, {"early_stopping": True}]
)
def test_parameters_newton_does_not_use_are_reported(params):
    X, y = _classification(2)
    name = next(iter(params))
    with pytest.warns(UserWarning, match=f"{name} is not used by solver='newton'"):
        SigmoidPerceptronClassifier(solver="newton", **params).fit(X, y)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_on_sparse_input_matches_dense(n_classes):
    X, y = _classification(n_classes)
    X[np.abs(X) < 0.7] = 0.0
    dense = SigmoidPerceptronClassifier(solver="newton", tol=1e-10).fit(X, y)
    sparse = SigmoidPerceptronClassifier(solver="newton", tol=1e-10)
    sparse.fit(sp.csc_matrix(X), y)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8, atol=1e-10)


def test_partial_fit_takes_one_newton_step():
    X, y = _regression()
    reg = PerceptronRegressor(solver="newton", alpha=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.partial_fit(X, y)
    assert reg.n_iter_ == 1
    assert_allclose(reg.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-8)
