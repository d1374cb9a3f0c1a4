"""A fit ends at the minimum or says why not; a failed fit changes nothing."""

import copy
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler

from skperceptron import (
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)

ESTIMATORS = [PerceptronRegressor, SigmoidPerceptronClassifier, TwoLayerNetClassifier]


def _data(Estimator, n_samples=60, n_features=3, seed=0):
    X, y = make_classification(
        n_samples, n_features, n_informative=n_features, n_redundant=0,
        n_classes=3, n_clusters_per_class=1, random_state=seed,
    )  # fmt: skip
    X = StandardScaler().fit_transform(X)
    if Estimator is PerceptronRegressor:
        y = X @ np.arange(1.0, n_features + 1) + 0.1 * y
    return X, y


def _quietly(method, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return method(*args, **kwargs)


def _state(estimator):
    """The estimator's attributes, deep-copied, to compare before and after."""
    return copy.deepcopy(vars(estimator))


def _assert_equal(got, expected, name):
    if isinstance(expected, (list, tuple)):
        assert len(got) == len(expected), name
        for a, b in zip(got, expected, strict=True):
            _assert_equal(a, b, name)
    elif isinstance(expected, dict):
        assert got.keys() == expected.keys(), name
        for key in expected:
            _assert_equal(got[key], expected[key], name)
    elif isinstance(expected, (np.ndarray, float, int, str, np.generic)):
        assert_array_equal(got, expected, err_msg=name)


def _assert_same_state(estimator, state):
    """Same attributes with equal values (objects such as binarizers by type)."""
    assert set(vars(estimator)) == set(state)
    for name, value in state.items():
        got = vars(estimator)[name]
        assert type(got) is type(value), name
        _assert_equal(got, value, name)


# -- 7. a failed fit leaves the estimator as it was ----------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_diverging_fit_leaves_an_unfitted_estimator_unfitted(Estimator, method):
    X, y = _data(Estimator)
    est = Estimator(learning_rate=1e300, random_state=0)  # J overflows
    before = _state(est)
    kwargs = (
        {}
        if method == "fit" or Estimator is PerceptronRegressor
        else {"classes": np.unique(y)}
    )
    with pytest.raises(ValueError, match="diverged"):
        getattr(est, method)(X * 100, y, **kwargs)
    _assert_same_state(est, before)
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_failed_refit_on_other_data_keeps_the_previous_fit(Estimator):
    X, y = _data(Estimator)
    est = _quietly(Estimator(random_state=0).fit, X, y)
    prediction, before = est.predict(X), _state(est)
    wider, y_wide = _data(Estimator, n_features=5)
    est.set_params(learning_rate=1e3)
    with pytest.raises(ValueError, match="diverged"):
        est.fit(wider * 100, y_wide)
    _assert_same_state(est, {**before, "learning_rate": 1e3})
    assert est.n_features_in_ == 3
    assert_array_equal(est.predict(X), prediction)


class _FailingCallback:
    """A scikit-learn FitCallback that raises at the end of the first step."""

    def __init__(self, error):
        self.error, self.steps = error, 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None, fitted_estimator=None):
        if context.parent is not None:
            self.steps += 1
            if self.steps == 1:
                raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("stop")])
@pytest.mark.parametrize("solver", ["gd", "newton"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_an_error_in_a_callback_leaves_the_estimator_as_it_was(
    Estimator, solver, error
):
    X, y = _data(Estimator)
    est = Estimator(solver=solver, random_state=0)
    if not hasattr(est, "set_callbacks"):
        pytest.skip("scikit-learn < 1.9 has no callbacks")
    fitted = _quietly(clone(est).fit, X, y)
    for target in (est, fitted):  # unfitted, then fitted
        target.set_callbacks(_FailingCallback(error))
        before = _state(target)
        with pytest.raises(type(error)):
            target.fit(X, y)
        target.set_callbacks()  # compare what the fit could have changed
        before.pop("_skl_callbacks", None)
        vars(target).pop("_skl_callbacks", None)
        _assert_same_state(target, before)
    with pytest.raises(NotFittedError):
        est.predict(X)


# -- 8. state that stays consistent ---------------------------------------------------


@pytest.mark.parametrize(
    "Classifier", [SigmoidPerceptronClassifier, TwoLayerNetClassifier]
)
def test_warm_start_refuses_other_classes(Classifier):
    X, y = _data(Classifier)
    clf = _quietly(Classifier(warm_start=True, random_state=0, max_iter=20).fit, X, y)
    _quietly(clf.fit, X, y)  # the same classes: continues
    with pytest.raises(ValueError, match=r"warm_start=True.*\[0, 1, 2\].*\[0, 1, 5\]"):
        clf.fit(X, np.where(y == 2, 5, y))
    with pytest.raises(ValueError, match="warm_start=True"):
        clf.fit(X, np.where(y == 2, 1, y))  # two classes instead of three


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_validation_scores_grow_with_the_loss_curve_on_warm_start(Estimator):
    X, y = _data(Estimator, n_samples=200)
    est = Estimator(
        early_stopping=True, warm_start=True, max_iter=6, random_state=0, tol=0.0
    )
    _quietly(est.fit, X, y)
    _quietly(est.fit, X, y)
    assert len(est.validation_scores_) == len(est.loss_curve_) == est.n_iter_ == 12
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize(
    "Classifier", [SigmoidPerceptronClassifier, TwoLayerNetClassifier]
)
def test_float32_input_gives_float32_probabilities(Classifier):
    X, y = _data(Classifier)
    clf = _quietly(Classifier(random_state=0, max_iter=50).fit, X.astype(np.float32), y)
    proba = clf.predict_proba(X.astype(np.float32))
    log_proba = clf.predict_log_proba(X.astype(np.float32))
    assert proba.dtype == log_proba.dtype == np.float32
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert_allclose(np.log(proba), log_proba, rtol=1e-5, atol=1e-6)


# -- 9. clear errors on overflowing data ----------------------------------------------


@pytest.mark.parametrize("solver", ["gd", "nesterov", "newton"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_features_whose_squares_overflow_are_refused(Estimator, solver, capfd):
    X, y = _data(Estimator)
    X[:, 1] *= 1e200
    est = Estimator(solver=solver)
    with pytest.raises(ValueError, match=r"overflow float64.*Scale the features"):
        est.fit(X, y)
    captured = capfd.readouterr()
    assert "DLASCL" not in captured.out + captured.err
    assert not hasattr(est, "n_features_in_")


# -- 6. warnings that tell the truth, on the user's line ------------------------------


def _warning_of(fit, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(*args)
    warned = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(warned) == 1, [str(w.message) for w in caught]
    return warned[0]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_max_iter_warning_quotes_the_gradient_on_the_users_line(Estimator):
    X, y = _data(Estimator)
    warning = _warning_of(Estimator(max_iter=3, random_state=0).fit, X, y)
    message = str(warning.message)
    assert "max_iter=3" in message and "tol=1e-05" in message
    assert "max|∇J|" in message and "solver='newton'" in message
    assert "learning_rate='auto'" not in message  # the fit used it
    assert "scale the features" not in message.lower()
    assert warning.filename == __file__

    literal = _warning_of(Estimator(max_iter=3, learning_rate=1e-3).fit, X, y)
    assert "learning_rate='auto'" in str(literal.message)


def test_a_large_target_is_named_as_the_remedy():
    X, y = load_diabetes(return_X_y=True)  # scaled features, y of spread 77
    warning = _warning_of(PerceptronRegressor(max_iter=20).fit, X, y * 1e3)
    message = str(warning.message)
    assert "standard deviation is 7.7e+04" in message
    assert "TransformedTargetRegressor" in message
    assert "scale the features" not in message.lower()
    y_std = (y - y.mean()) / y.std()
    plain = _warning_of(PerceptronRegressor(max_iter=20).fit, X, y_std)
    assert "TransformedTargetRegressor" not in str(plain.message)


def test_raw_diabetes_converges_at_the_defaults():
    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        reg = PerceptronRegressor().fit(X, y)
    assert reg.n_iter_ < reg.max_iter


# -- 4. minibatches: noise is not divergence ------------------------------------------


def _objective_value(est, X, y):
    return est.loss_curve_  # one value per epoch, the full objective


def test_minibatches_on_uncentred_data_end_below_their_start():
    rng = np.random.RandomState(0)
    X = 100 + rng.normal(size=(60, 3))
    y = (X - 100) @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=60)
    reg = _quietly(PerceptronRegressor(batch_size=3, random_state=0).fit, X, y)
    start = 0.5 * np.mean(y**2)
    final = (
        0.5 * np.mean((y - reg.predict(X)) ** 2) + reg.alpha / 2 * reg.coef_ @ reg.coef_
    )
    assert final < 0.05 * start
    assert final == pytest.approx(min(reg.loss_curve_), rel=1e-12)  # the best kept


def test_minibatches_return_the_lowest_objective_seen():
    rng = np.random.RandomState(1)
    categories = rng.randint(0, 6, size=(300, 3))
    X = np.concatenate([np.eye(6)[categories[:, j]] for j in range(3)], axis=1)
    y = (categories[:, 0] + categories[:, 1] > 5).astype(int) + (categories[:, 2] > 3)
    clf = _quietly(
        SigmoidPerceptronClassifier(
            batch_size=32, learning_rate=5.0, random_state=0
        ).fit,
        X,
        y,
    )
    proba = clf.predict_proba(X)
    J = -np.mean(np.log(proba[np.arange(len(y)), y])) + clf.alpha / 2 * np.sum(
        clf.coef_**2
    )
    assert J == pytest.approx(min(clf.loss_curve_), rel=1e-10)
    assert J < clf.loss_curve_[-1] or J == clf.loss_curve_[-1]


# -- 5. each remedy fits its case -----------------------------------------------------


def _float32_warning(max_iter, tol):
    X, y = make_classification(200, 5, random_state=0)
    clf = SigmoidPerceptronClassifier(
        solver="nesterov", alpha=1e-2, max_iter=max_iter, tol=tol
    )
    return str(_warning_of(clf.fit, X.astype(np.float32), y).message)


def test_float32_rounding_is_named_only_where_it_can_be_the_cause():
    early = _float32_warning(max_iter=3, tol=1e-5)
    assert "float32" not in early and "Increase max_iter" in early
    # 7e-5 of the start's gradient after 60 epochs, 2e-6 after 100: more
    # epochs still help there, so no rounding note
    slow = _float32_warning(max_iter=60, tol=1e-12)
    assert "rounding" not in slow and "Increase max_iter" in slow
    stuck = _float32_warning(max_iter=3000, tol=1e-12)
    assert "rounding" in stuck and "fit float64 data" in stuck
    assert "Increase max_iter" not in stuck


def test_early_stopping_still_improving_asks_for_more_epochs():
    X, y = make_classification(400, 5, random_state=0)
    clf = SigmoidPerceptronClassifier(max_iter=5, early_stopping=True, random_state=0)
    message = str(_warning_of(clf.fit, X, y).message)
    assert "validation score" in message
    assert message.endswith("Increase max_iter.")


def test_early_stopping_returns_the_best_held_out_point_at_the_gradient_test():
    X, y = make_classification(300, 5, flip_y=0.2, random_state=0)
    params = dict(early_stopping=True, alpha=0.0, n_iter_no_change=1000, random_state=0)
    clf = SigmoidPerceptronClassifier(tol=1e-3, **params).fit(X, y)
    best = int(np.argmax(clf.validation_scores_)) + 1  # scores from epoch 1
    assert best < clf.n_iter_ < clf.max_iter  # stopped by the gradient test, later
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # the same path, cut at the best epoch, ends at the returned parameters
    cut = _quietly(SigmoidPerceptronClassifier(max_iter=best, **params).fit, X, y)
    assert_array_equal(clf.coef_, cut.coef_)
    assert_array_equal(clf.intercept_, cut.intercept_)
