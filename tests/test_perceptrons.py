"""The perceptron estimators: parity with exact solvers, invariants, bad input."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError

from skperceptron import PerceptronRegressor, SigmoidPerceptronClassifier
from skperceptron._validation import encode_labels

TIGHT = dict(tol=1e-12, n_iter_no_change=20, max_iter=100_000)


def _regression(n_samples=200, n_features=5, seed=0):
    X, y = make_regression(n_samples, n_features, noise=10.0, random_state=seed)
    return StandardScaler().fit_transform(X), y


def _classification(n_classes=2, n_samples=300, seed=0):
    X, y = make_classification(
        n_samples,
        n_features=5,
        n_informative=3,
        n_classes=n_classes,
        flip_y=0.1,
        class_sep=0.5,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


# -- parity with scikit-learn's exact solvers ---------------------------------


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_regressor_converges_to_linear_regression(solver):
    X, y = _regression()
    ours = PerceptronRegressor(alpha=0.0, solver=solver, **TIGHT).fit(X, y)
    exact = LinearRegression().fit(X, y)
    assert_allclose(ours.coef_, exact.coef_, rtol=1e-4)
    assert ours.intercept_ == pytest.approx(exact.intercept_, rel=1e-4)


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_classifier_converges_to_logistic_regression(n_classes, alpha, solver):
    X, y = _classification(n_classes)
    ours = SigmoidPerceptronClassifier(alpha=alpha, solver=solver, **TIGHT)
    ours.fit(X, y)
    if alpha == 0:
        exact = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
    else:
        exact = LogisticRegression(C=1 / (alpha * len(X)), tol=1e-12, max_iter=10_000)
    exact.fit(X, y)
    # Probabilities are identifiable for softmax even where coefficients are not.
    assert_allclose(ours.predict_proba(X), exact.predict_proba(X), rtol=1e-5)
    if n_classes == 2 or alpha > 0:
        assert_allclose(ours.coef_, exact.coef_, rtol=1e-4, atol=1e-6)
        assert_allclose(ours.intercept_, exact.intercept_, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_nesterov_reaches_the_optimum_in_fewer_epochs(n_classes):
    X, y = _classification(n_classes)
    fits = {
        solver: SigmoidPerceptronClassifier(solver=solver, **TIGHT).fit(X, y)
        for solver in ("gd", "nesterov")
    }
    assert fits["nesterov"].n_iter_ < 0.6 * fits["gd"].n_iter_
    assert fits["nesterov"].loss_curve_[-1] <= fits["gd"].loss_curve_[-1] + 1e-9


def test_nesterov_warns_that_batch_size_is_unused():
    X, y = _classification()
    clf = SigmoidPerceptronClassifier(solver="nesterov", batch_size=10)
    with pytest.warns(UserWarning, match="batch_size is not used by solver='nesterov'"):
        clf.fit(X, y)
    full_batch = SigmoidPerceptronClassifier(solver="nesterov").fit(X, y)
    assert_array_equal(clf.coef_, full_batch.coef_)


# -- invariants ---------------------------------------------------------------


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_integer_sample_weight_is_repeating_rows(Estimator):
    X, y = _classification(3, n_samples=60)
    weights = np.random.RandomState(0).randint(0, 4, size=len(X))
    weighted = Estimator(max_iter=200).fit(X, y, sample_weight=weights)
    repeated = Estimator(max_iter=200).fit(X.repeat(weights, 0), y.repeat(weights))
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    assert weighted.n_iter_ == repeated.n_iter_


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_float32_in_float32_out(Estimator):
    X, y = _classification(3)
    est32 = Estimator().fit(X.astype(np.float32), y)
    est64 = Estimator().fit(X, y)
    assert est32.coef_.dtype == np.float32
    assert np.asarray(est32.intercept_).dtype == np.float32
    prediction = est32.predict(X.astype(np.float32))
    if Estimator is PerceptronRegressor:
        assert prediction.dtype == np.float32
    else:
        assert est32.decision_function(X.astype(np.float32)).dtype == np.float32
        proba32 = est32.predict_proba(X.astype(np.float32))
        log_proba32 = est32.predict_log_proba(X.astype(np.float32))
        assert proba32.dtype == log_proba32.dtype == np.float32
        assert_allclose(proba32, est64.predict_proba(X), atol=2e-3)
        assert_allclose(np.exp(log_proba32), proba32, rtol=1e-5)
    assert_allclose(est32.coef_, est64.coef_, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(Estimator, fmt):
    X, y = _classification(3)
    X[np.abs(X) < 0.7] = 0.0
    dense = Estimator().fit(X, y)
    sparse = Estimator().fit(sp.csr_matrix(X).asformat(fmt), y)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8)
    assert_allclose(sparse.predict(sp.csr_matrix(X)), dense.predict(X))


def test_string_labels_and_class_order():
    X, y = _classification(3)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = SigmoidPerceptronClassifier().fit(X, names)
    assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    assert set(clf.predict(X)) <= set(names)
    assert clf.coef_.shape == (3, 5) and clf.intercept_.shape == (3,)
    binary = SigmoidPerceptronClassifier().fit(X, names == "setosa")
    assert binary.coef_.shape == (1, 5) and binary.intercept_.shape == (1,)
    assert binary.decision_function(X).shape == (len(X),)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_probabilities_are_consistent(n_classes):
    X, y = _classification(n_classes)
    clf = SigmoidPerceptronClassifier().fit(X, y)
    proba = clf.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_full_batch_partial_fit_equals_fit(Estimator):
    X, y = _classification(3)
    fitted = Estimator(tol=0, n_iter_no_change=100, max_iter=10)
    with pytest.warns(ConvergenceWarning):
        fitted.fit(X, y)
    stepped = Estimator()
    kwargs = (
        {"classes": np.unique(y)} if Estimator is SigmoidPerceptronClassifier else {}
    )
    for _ in range(10):
        stepped.partial_fit(X, y, **kwargs)
    assert_allclose(stepped.coef_, fitted.coef_, rtol=1e-12)
    assert stepped.n_iter_ == 10
    assert_allclose(stepped.loss_curve_, fitted.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_warm_start_continues_a_fit(Estimator):
    X, y = _classification(2)
    params = dict(tol=0, n_iter_no_change=100)
    whole = Estimator(max_iter=20, **params)
    halves = Estimator(max_iter=10, warm_start=True, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole.fit(X, y)
        halves.fit(X, y).fit(X, y)
    assert_allclose(halves.coef_, whole.coef_, rtol=1e-12)
    assert halves.n_iter_ == 20 and len(halves.loss_curve_) == 20


def test_warm_start_from_parameters_set_by_hand():
    X, y = _regression()
    exact = LinearRegression().fit(X, y)
    reg = PerceptronRegressor(alpha=0.0, warm_start=True, learning_rate=1e-12)
    reg.coef_, reg.intercept_ = exact.coef_.copy(), exact.intercept_
    reg.fit(X, y)  # a negligible rate: it must stay where it was put
    assert_allclose(reg.coef_, exact.coef_, rtol=1e-9)
    reg.coef_ = np.zeros(3)
    with pytest.raises(ValueError, match="coef_ of shape"):
        reg.fit(X, y)


def test_early_stopping_holds_out_data_and_keeps_the_best_score():
    X, y = _classification(2, n_samples=500)
    clf = SigmoidPerceptronClassifier(
        early_stopping=True, validation_fraction=0.2, random_state=0
    ).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    X, y = _regression()
    reg = PerceptronRegressor(early_stopping=True, random_state=0).fit(X, y)
    # the held-out rows: the same split as the fit's (validation_fraction=0.1)
    _, X_val, _, y_val = train_test_split(
        X, y, test_size=0.1, random_state=check_random_state(0)
    )
    held_out = 0.5 * np.mean((y_val - reg.predict(X_val)) ** 2)
    assert reg.best_validation_score_ == pytest.approx(-held_out, rel=1e-10)
    assert reg.score(X_val, y_val) > 0.9


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_auto_rate_converges_on_unscaled_data(Estimator):
    X, y = _classification(2)
    X = X * np.array([1e3, 1.0, 1e-2, 50.0, 1.0]) + 100.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Estimator().fit(X, y)
    assert np.all(np.isfinite(est.coef_))
    assert np.all(np.diff(est.loss_curve_) <= 1e-12)  # 1/L never overshoots


# -- scikit-learn workflows -----------------------------------------------------


def test_grid_search_over_learning_rate_picks_a_sensible_rate():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), SigmoidPerceptronClassifier(max_iter=300)),
        {"sigmoidperceptronclassifier__learning_rate": [1e-4, 1e-2, 1.0, 1e3]},
        n_jobs=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(FitFailedWarning, match="(?s)5 fits failed.*diverged"):
            grid.fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.isnan(scores[-1])  # 1e3 diverges: reported, not a crash
    assert grid.best_params_["sigmoidperceptronclassifier__learning_rate"] == 1.0
    assert grid.best_score_ > 0.9


# -- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused(Estimator, bad):
    X, y = _classification(2)
    X_bad = X.copy()
    X_bad[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        Estimator().fit(X_bad, y)
    y_bad = y.astype(float)
    y_bad[0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        Estimator().fit(X, y_bad)


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_predict_errors(Estimator):
    X, y = _classification(2)
    with pytest.raises(NotFittedError):
        Estimator().predict(X)
    est = Estimator().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :3])


def test_classifier_refuses_regression_targets_and_single_classes():
    X, y = _regression()
    with pytest.raises(ValueError, match="Unknown label type"):
        SigmoidPerceptronClassifier().fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SigmoidPerceptronClassifier().fit(X, np.ones(len(X)))
    with pytest.raises(ValueError, match="at least 2 classes"):
        labels = np.arange(len(X)) % 2
        SigmoidPerceptronClassifier().fit(X, labels, sample_weight=labels)


def test_partial_fit_needs_classes_and_known_labels():
    X, y = _classification(2)
    clf = SigmoidPerceptronClassifier()
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"not in classes \[0, 1\]"):
        clf.partial_fit(X, y + 1)


@pytest.mark.parametrize(
    "params",
    [
        {"learning_rate": 0.0},
        {"learning_rate": -1.0},
        {"learning_rate": "fast"},
        {"max_iter": 0},
        {"alpha": -1.0},
        {"solver": "lbfgs"},
        {"batch_size": 0},
        {"validation_fraction": 1.0},
    ],
)
def test_invalid_hyperparameters_are_refused(params):
    X, y = _classification(2)
    with pytest.raises(InvalidParameterError):
        SigmoidPerceptronClassifier(**params).fit(X, y)


@pytest.mark.parametrize(
    "Estimator", [PerceptronRegressor, SigmoidPerceptronClassifier]
)
def test_inputs_are_not_mutated(Estimator):
    X, y = _classification(2)
    weights = np.linspace(0.5, 2.0, len(X))
    copies = [X.copy(), y.copy(), weights.copy()]
    est = Estimator(early_stopping=True, random_state=0)
    est.fit(X, y, sample_weight=weights)
    est.predict(X)
    for original, copy in zip([X, y, weights], copies, strict=True):
        assert_array_equal(original, copy)
    assert est.get_params() == clone(est).get_params()


@pytest.mark.parametrize(
    "y, fitted_on",
    [
        (np.array([3, 7, 7, 3, 7]), None),
        (np.array(["sad", "happy", "happy"]), None),
        (np.array([0, 2, 1, 2, 0, 1]), None),
        (np.array(["b", "c", "b"]), np.array(["a", "b", "c", "d"])),
        (np.array([5, 5]), np.array([5, 6])),
        (np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]]), None),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_encode_labels_equals_label_binarizer(y, fitted_on, dtype):
    binarizer = LabelBinarizer().fit(y if fitted_on is None else fitted_on)
    Y = encode_labels(binarizer, y, dtype)
    assert Y.dtype == dtype
    assert_array_equal(Y, binarizer.transform(y))
