"""Estimator API: initial parameters at fit, the fit history, callbacks."""

import copy
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, softmax
from sklearn.base import clone
from sklearn.callback import FitCallback, ProgressBar, ScoringMonitor
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skperceptron import (
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)
from skperceptron import _progress as progress
from skperceptron.datasets import load_alien_moods
from tests.test_two_layer import _seed_network, _seeds_update

ONE_STEP = dict(max_iter=1, alpha=0.0, learning_rate=0.3, batch_size=None)


def _regression(n_samples=40, n_features=3):
    X, y = make_regression(n_samples, n_features, noise=1.0, random_state=0)
    return StandardScaler().fit_transform(X), y / y.std()


def _classification(n_classes=2, n_samples=60, n_features=3):
    X, y = make_classification(
        n_samples, n_features, n_informative=n_features, n_redundant=0,
        n_classes=n_classes, n_clusters_per_class=1, flip_y=0.2, random_state=0,
    )  # fmt: skip
    return StandardScaler().fit_transform(X), y


def _quietly(method, *args, **kwargs):
    """Call ``method``, ignoring ConvergenceWarning (max_iter=1, alpha=0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return method(*args, **kwargs)


# -- 1. initial parameters at fit --------------------------------------------------


@pytest.mark.parametrize("intercept_init", [0.7, np.array([0.7])])
def test_regressor_one_epoch_from_init_is_one_gradient_step(intercept_init):
    X, y = _regression()
    w0 = np.array([0.5, -1.0, 2.0])
    reg = PerceptronRegressor(**ONE_STEP)
    _quietly(reg.fit, X, y, coef_init=w0, intercept_init=intercept_init)

    error = X @ w0 + 0.7 - y  # seed 000: w ← w − α mean((ŷ − y) x)
    assert_allclose(reg.coef_, w0 - 0.3 * X.T @ error / len(y), rtol=1e-12)
    assert_allclose(reg.intercept_, 0.7 - 0.3 * error.mean(), rtol=1e-12)
    assert reg.n_iter_ == 1


@pytest.mark.parametrize("as_row", [False, True])
def test_binary_classifier_one_epoch_from_init_is_one_gradient_step(as_row):
    X, y = _classification()
    w0, b0 = np.array([0.5, -1.0, 2.0]), 0.25
    clf = SigmoidPerceptronClassifier(**ONE_STEP)
    coef_init = w0[None, :] if as_row else w0
    intercept_init = np.array([b0]) if as_row else b0
    _quietly(clf.fit, X, y, coef_init=coef_init, intercept_init=intercept_init)

    error = expit(X @ w0 + b0) - y  # seed 003: delta = (ŷ − y) / N
    assert_allclose(clf.coef_, [w0 - 0.3 * X.T @ error / len(y)], rtol=1e-12)
    assert_allclose(clf.intercept_, [b0 - 0.3 * error.mean()], rtol=1e-12)


def test_multiclass_classifier_one_epoch_from_init_is_one_gradient_step():
    X, y = _classification(n_classes=3)
    W0 = np.arange(9.0).reshape(3, 3) / 9 - 0.5  # (n_classes, n_features)
    b0 = np.array([0.1, -0.2, 0.3])
    clf = SigmoidPerceptronClassifier(**ONE_STEP)
    _quietly(clf.fit, X, y, coef_init=W0, intercept_init=b0)

    error = (softmax(X @ W0.T + b0, axis=1) - np.eye(3)[y]) / len(y)
    assert_allclose(clf.coef_, W0 - 0.3 * error.T @ X, rtol=1e-12)
    assert_allclose(clf.intercept_, b0 - 0.3 * error.sum(axis=0), rtol=1e-12)


def test_network_one_epoch_from_coefs_init_is_the_seeds_update():
    X, y = load_alien_moods(return_X_y=True)
    w, b_hidden, w_out, b_out = _seed_network()
    clf = TwoLayerNetClassifier(n_hidden=2, **{**ONE_STEP, "learning_rate": 0.5})
    coefs_init = [w, w_out[:, None]]
    intercepts_init = [b_hidden, np.array([b_out])]
    _quietly(clf.fit, X, y, coefs_init=coefs_init, intercepts_init=intercepts_init)

    w, b_hidden, w_out, b_out = _seeds_update(X, y, 0.5)
    assert_allclose(clf.coefs_[0], w, rtol=1e-12)
    assert_allclose(clf.intercepts_[0], b_hidden, rtol=1e-12)
    assert_allclose(clf.coefs_[1][:, 0], w_out, rtol=1e-12)
    assert_allclose(clf.intercepts_[1], [b_out], rtol=1e-12)


def _linear_init(n_features, n_outputs, seed=0):
    rng = np.random.RandomState(seed)
    return {
        "coef_init": rng.uniform(-1, 1, (n_outputs, n_features)),
        "intercept_init": rng.uniform(-1, 1, n_outputs),
    }


def _network_init(n_features, n_hidden, n_outputs, seed=0):
    rng = np.random.RandomState(seed)
    return {
        "coefs_init": [
            rng.uniform(-1, 1, (n_features, n_hidden)),
            rng.uniform(-1, 1, (n_hidden, n_outputs)),
        ],
        "intercepts_init": [
            rng.uniform(-1, 1, n_hidden),
            rng.uniform(-1, 1, n_outputs),
        ],
    }


def _cases():
    """(estimator, X, y, valid init) for each estimator."""
    X, y = _regression()
    init = _linear_init(3, 1)
    init["coef_init"] = init["coef_init"][0]
    yield PerceptronRegressor(max_iter=5), X, y, init
    X, y = _classification(n_classes=3)
    yield SigmoidPerceptronClassifier(max_iter=5), X, y, _linear_init(3, 3)
    yield TwoLayerNetClassifier(n_hidden=4, max_iter=5), X, y, _network_init(3, 4, 3)


CASES = list(_cases())
IDS = [type(case[0]).__name__ for case in CASES]


def _arrays(estimator):
    """The fitted parameters, as a list of arrays."""
    if hasattr(estimator, "coefs_"):
        return [*estimator.coefs_, *estimator.intercepts_]
    return [estimator.coef_, estimator.intercept_]


def _parameters(estimator):
    """The fitted parameters, flattened into one vector."""
    return np.concatenate([np.ravel(a) for a in _arrays(estimator)])


@pytest.mark.parametrize("estimator, X, y, init", CASES, ids=IDS)
def test_init_takes_precedence_over_warm_start_and_random_state(estimator, X, y, init):
    fresh = _quietly(clone(estimator).set_params(random_state=0).fit, X, y)
    from_init = _quietly(clone(fresh).fit, X, y, **init)
    warm = fresh.set_params(warm_start=True, random_state=1)
    _quietly(warm.fit, X, y, **init)
    assert_array_equal(_parameters(warm), _parameters(from_init))
    default = _quietly(clone(fresh).fit, X, y)
    assert not np.allclose(_parameters(from_init), _parameters(default))


@pytest.mark.parametrize("solver", ["gd", "newton"])
def test_network_from_init_does_not_depend_on_random_state(solver):
    X, y = _classification(n_classes=3)
    init = _network_init(3, 4, 3)
    fits = []
    for seed in (0, 1):
        clf = TwoLayerNetClassifier(
            n_hidden=4, max_iter=5, solver=solver, random_state=seed
        )
        fits.append(_quietly(clf.fit, X, y, **init))
    assert_array_equal(_parameters(fits[0]), _parameters(fits[1]))


def test_init_given_for_one_parameter_leaves_the_other_at_its_default():
    X, y = _regression()
    reg = PerceptronRegressor(**ONE_STEP)
    _quietly(reg.fit, X, y, intercept_init=2.0)
    error = 2.0 - y  # from w = 0
    assert_allclose(reg.coef_, -0.3 * X.T @ error / len(y), rtol=1e-12)
    assert_allclose(reg.intercept_, 2.0 - 0.3 * error.mean(), rtol=1e-12)


def _bad_inits():
    """(estimator, X, y, init, expected message) of each kind of bad init."""
    X, y = _regression()
    reg = PerceptronRegressor()
    yield reg, X, y, {"coef_init": np.zeros(2)}, r"shape \(3,\) .*got shape \(2,\)"
    yield reg, X, y, {"coef_init": np.zeros((1, 3))}, r"\(3,\) .*got shape \(1, 3\)"
    yield (
        reg,
        X,
        y,
        {"intercept_init": np.zeros(2)},
        r"^intercept_init .*\(\) or \(1,\)",
    )
    yield reg, X, y, {"coef_init": [0.0, np.nan, 1.0]}, "^coef_init must hold finite"
    yield reg, X, y, {"coef_init": ["a", "b", "c"]}, "^coef_init .*got no numeric"
    X, y = _classification(n_classes=2)
    clf = SigmoidPerceptronClassifier()
    yield clf, X, y, {"coef_init": np.zeros((2, 3))}, r"\(1, 3\) or \(3,\) .*\(2, 3\)"
    yield clf, X, y, {"intercept_init": np.zeros(2)}, r"\(1,\) or \(\) .*\(2,\)"
    X, y = _classification(n_classes=3)
    yield clf, X, y, {"coef_init": np.zeros(3)}, r"\(3, 3\) .*got shape \(3,\)"
    yield clf, X, y, {"intercept_init": np.zeros(1)}, r"\(3,\) .*got shape \(1,\)"
    big = {"coef_init": np.full((3, 3), 1e300)}
    yield clf, X.astype(np.float32), y, big, "finite values of float32"
    net = TwoLayerNetClassifier(n_hidden=4)
    (W1, W2), (b1, _) = _network_init(3, 4, 3).values()
    yield net, X, y, {"coefs_init": [W1]}, "coefs_init must be a list of 2 .*got 1"
    yield net, X, y, {"coefs_init": 1.0}, "coefs_init must be a list of 2 .*got float"
    yield net, X, y, {"coefs_init": [W1, W2.T]}, r"coefs_init\[1\] .*shape \(4, 3\)"
    yield (
        net,
        X,
        y,
        {"intercepts_init": [b1, [0.0, np.inf, 0.0]]},
        r"init\[1\] .*finite",
    )


@pytest.mark.parametrize("estimator, X, y, init, message", list(_bad_inits()))
def test_init_of_the_wrong_shape_or_not_finite_raises(estimator, X, y, init, message):
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y, **init)


def _init_arrays(init):
    """The arrays of ``init``, flattened out of their lists."""
    return [a for value in init.values() for a in np.atleast_1d(*value)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("estimator, X, y, init", CASES, ids=IDS)
def test_init_arrays_are_neither_modified_nor_kept(estimator, X, y, init, dtype):
    before = copy.deepcopy(_init_arrays(init))
    fitted = _quietly(clone(estimator).fit, X.astype(dtype), y, **init)
    for array, original in zip(_init_arrays(init), before, strict=True):
        assert_array_equal(array, original)
    for fitted_array in _arrays(fitted):
        assert np.asarray(fitted_array).dtype == dtype
        for array in _init_arrays(init):
            assert not np.shares_memory(fitted_array, array)


# -- 2. the history of a fit -------------------------------------------------------


def _fits():
    """(unfitted estimator, X, y) for each estimator and solver."""
    X_reg, y_reg = _regression()
    X_clf, y_clf = _classification(n_classes=3)
    for solver in ("gd", "newton"):
        params = dict(solver=solver, max_iter=8, random_state=0)
        yield PerceptronRegressor(**params), X_reg, y_reg
        yield SigmoidPerceptronClassifier(**params), X_clf, y_clf
        yield TwoLayerNetClassifier(n_hidden=3, **params), X_clf, y_clf


FITS = list(_fits())
FIT_IDS = [f"{type(est).__name__}-{est.solver}" for est, _, _ in FITS]


@pytest.mark.parametrize("estimator, X, y", FITS, ids=FIT_IDS)
def test_history_has_a_row_for_the_start_and_one_per_iteration(estimator, X, y):
    est = _quietly(clone(estimator).fit, X, y)
    history = est.history_
    keys = ["iter", "objective", "grad_norm", "step", "damping", "time"]
    assert list(history) == keys
    for column in history.values():
        assert column.shape == (est.n_iter_ + 1,)
    assert_array_equal(history["iter"], np.arange(est.n_iter_ + 1))
    assert_array_equal(history["objective"][1:], est.loss_curve_)
    assert np.isnan(history["step"][0]) and np.isnan(history["damping"][0])
    assert np.all(history["grad_norm"] > 0) and np.all(np.diff(history["time"]) >= 0)
    if est.solver == "gd":  # "auto": one step per coordinate, no single number
        assert np.all(np.isnan(history["step"])) and est.learning_rate_.ndim == 1
        assert np.all(np.isnan(history["damping"]))
    else:
        assert np.all(history["step"][1:] > 0) and np.all(history["damping"][1:] >= 0)


def _row_as_printed(row):
    """The verbose line of a history row: NaN is printed "-"."""
    values = [int(row[0])] + ["-" if np.isnan(v) else v for v in row[1:]]
    return progress.line(*values)


@pytest.mark.parametrize("estimator, X, y", FITS, ids=FIT_IDS)
def test_history_holds_the_rows_the_verbose_table_prints(estimator, X, y, capsys):
    est = _quietly(clone(estimator).set_params(verbose=1).fit, X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == progress.header()
    rows = zip(*est.history_.values(), strict=True)
    assert lines[1:] == [_row_as_printed(row) for row in rows]

    quiet = _quietly(clone(estimator).fit, X, y)
    assert capsys.readouterr().out == ""
    assert_array_equal(quiet.history_["objective"], est.history_["objective"])


@pytest.mark.parametrize("solver", ["gd", "newton"])
def test_history_starts_at_the_objective_of_the_init(solver):
    X, y = _regression()
    w0, b0, alpha = np.array([0.5, -1.0, 2.0]), 0.7, 0.1
    reg = PerceptronRegressor(solver=solver, alpha=alpha, max_iter=3)
    _quietly(reg.fit, X, y, coef_init=w0, intercept_init=b0)
    error = X @ w0 + b0 - y  # J = mean(½(ŷ − y)²) + (alpha/2)‖w‖²
    objective = 0.5 * error @ error / len(y) + 0.5 * alpha * w0 @ w0
    gradient = [*(X.T @ error / len(y) + alpha * w0), error.mean()]
    assert_allclose(reg.history_["objective"][0], objective, rtol=1e-12)
    assert_allclose(reg.history_["grad_norm"][0], np.max(np.abs(gradient)))


@pytest.mark.parametrize("estimator, X, y", FITS[:3], ids=FIT_IDS[:3])
def test_partial_fit_and_warm_start_append_to_the_history(estimator, X, y):
    est = clone(estimator)
    for _ in range(3):
        if isinstance(est, PerceptronRegressor):
            _quietly(est.partial_fit, X, y)
        else:
            _quietly(est.partial_fit, X, y, classes=np.unique(y))
    history = est.history_
    assert_array_equal(history["iter"], [0, 1] * 3)
    assert_array_equal(history["objective"][history["iter"] > 0], est.loss_curve_)
    assert_array_equal(history["objective"][1:-1:2], history["objective"][2::2])

    _quietly(est.set_params(warm_start=True, max_iter=2).fit, X, y)
    assert_array_equal(est.history_["iter"], [0, 1] * 3 + [0, 1, 2])
    assert len(est.loss_curve_) == est.n_iter_ == 5

    _quietly(est.set_params(warm_start=False).fit, X, y)
    assert_array_equal(est.history_["iter"], [0, 1, 2])


# -- 3. scikit-learn's callbacks ---------------------------------------------------


class RecordingCallback:
    """A FitCallback that records each hook call with its task."""

    def __init__(self, stop_at=None):
        self.calls = []
        self.stop_at = stop_at

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, context.task_id, None))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name, context.task_id, None))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.calls.append(("begin", context.task_name, context.task_id, None))

    def on_fit_task_end(self, estimator, context, *, X=None, fitted_estimator=None):
        self.calls.append(("end", context.task_name, context.task_id, fitted_estimator))
        return context.task_id + 1 == self.stop_at and context.parent is not None

    def iterations(self, hook):
        return [call for call in self.calls if call[0] == hook and call[1] != "fit"]


@pytest.mark.parametrize("converge", [False, True])
@pytest.mark.parametrize("estimator, X, y", FITS, ids=FIT_IDS)
def test_a_fit_callback_sees_each_iteration_once(estimator, X, y, converge):
    recorder = RecordingCallback()
    assert isinstance(recorder, FitCallback)
    max_iter, tol = (300, 1e-2) if converge else (4, 0.0)
    est = clone(estimator).set_params(max_iter=max_iter, tol=tol)
    est.set_callbacks(recorder)
    _quietly(est.fit, X, y)

    name = "epoch" if est.solver == "gd" else "newton-iter"
    n = est.n_iter_
    assert [call[:3] for call in recorder.calls] == [
        ("setup", "fit", 0),
        ("begin", "fit", 0),
        *[(hook, name, i) for i in range(n) for hook in ("begin", "end")],
        ("end", "fit", 0),
        ("teardown", "fit", 0),
    ]
    ends = recorder.iterations("end")
    assert all(isinstance(call[3], type(est)) for call in ends)
    assert_allclose(_parameters(ends[-1][3]), _parameters(est), rtol=1e-12)
    if est.solver == "gd":  # (Newton's first step may reach the minimum)
        assert not np.allclose(_parameters(ends[0][3]), _parameters(est))
    assert_array_equal(recorder.calls[-2][3].predict(X), est.predict(X))
    assert n < max_iter if converge else n == max_iter


@pytest.mark.parametrize("estimator, X, y", FITS, ids=FIT_IDS)
def test_a_callback_returning_true_stops_the_fit(estimator, X, y):
    est = clone(estimator).set_params(max_iter=50, tol=0.0)
    est.set_callbacks(RecordingCallback(stop_at=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopping is asked for
        est.fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 3 and len(est.history_["objective"]) == 4


@pytest.mark.parametrize("estimator, X, y", FITS[:3], ids=FIT_IDS[:3])
def test_partial_fit_is_one_iteration_for_the_callbacks(estimator, X, y):
    recorder = RecordingCallback()
    est = clone(estimator).set_callbacks(recorder)
    kwargs = {} if isinstance(est, PerceptronRegressor) else {"classes": np.unique(y)}
    for _ in range(2):
        _quietly(est.partial_fit, X, y, **kwargs)
    assert [call[:3] for call in recorder.calls] == 2 * [
        ("setup", "fit", 0),
        ("begin", "fit", 0),
        ("begin", "epoch", 0),
        ("end", "epoch", 0),
        ("end", "fit", 0),
        ("teardown", "fit", 0),
    ]


@pytest.mark.parametrize("estimator, X, y", FITS, ids=FIT_IDS)
def test_a_progress_bar_leaves_the_fit_unchanged(estimator, X, y):
    plain = _quietly(clone(estimator).fit, X, y)
    with_bar = clone(estimator).set_callbacks(ProgressBar())
    _quietly(with_bar.fit, X, y)
    assert with_bar.n_iter_ == plain.n_iter_
    assert_array_equal(_parameters(with_bar), _parameters(plain))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("estimator, X, y", FITS, ids=FIT_IDS)
def test_a_scoring_monitor_scores_each_iteration(estimator, X, y, weighted):
    metric = "r2" if isinstance(estimator, PerceptronRegressor) else "accuracy"
    monitor = ScoringMonitor(scoring=metric)
    sample_weight = np.linspace(0.5, 2, len(y)) if weighted else None
    est = clone(estimator).set_callbacks(monitor)
    _quietly(est.fit, X, y, sample_weight=sample_weight)

    rows = monitor.get_logs().data
    fit, *iterations = rows  # sorted by task: the fit, then its iterations
    assert fit["task_name"] == "fit" and len(iterations) == est.n_iter_
    final = est.score(X, y, sample_weight=sample_weight)
    assert fit[metric] == pytest.approx(final)
    assert iterations[-1][metric] == pytest.approx(final)
    first = clone(est).set_params(max_iter=1)
    _quietly(first.fit, X, y, sample_weight=sample_weight)
    assert iterations[0][metric] == pytest.approx(first.score(X, y, sample_weight))


BEFORE_CALLBACKS = """
import sys, types
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import skperceptron  # imports what it needs of scikit-learn, then is forgotten
for name in [name for name in sys.modules if name.startswith("skperceptron")]:
    del sys.modules[name]
sys.modules["sklearn.callback"] = types.ModuleType("sklearn.callback")  # < 1.9

from skperceptron import (
    PerceptronRegressor, SigmoidPerceptronClassifier, TwoLayerNetClassifier,
)

warnings.simplefilter("ignore", ConvergenceWarning)
X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
y = np.array([1, 1, 1, 0])
for Estimator in (PerceptronRegressor, SigmoidPerceptronClassifier,
                  TwoLayerNetClassifier):
    for solver in ("gd", "newton"):
        est = Estimator(solver=solver, max_iter=3).fit(X, y)
        assert not hasattr(est, "set_callbacks"), Estimator
        assert est.predict(X).shape == (4,)
        assert len(est.history_["step"]) == est.n_iter_ + 1 > 1
print("fitted without sklearn.callback")
"""


def test_without_sklearn_callback_the_estimators_work_without_set_callbacks():
    result = subprocess.run(
        [sys.executable, "-c", BEFORE_CALLBACKS],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "fitted without sklearn.callback"
