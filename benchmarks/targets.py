"""Performance targets: each measured side by side in one run, as a ratio.

Data: standardized ``make_classification`` (``d = 50``, two classes or
three, float64 C-ordered, fixed seed); the objective is ours,
``J = mean log-loss + (alpha/2)‖W‖²`` with ``alpha = 1e-4``, and scikit-learn's
``LogisticRegression(C=1/(alpha·n))`` minimizes the same one.

- **epoch / read**: one full-batch gradient-descent epoch (loss and gradient
  together) of ``SigmoidPerceptronClassifier``, as the time of a fit of
  ``2k`` epochs minus one of ``k`` (setup excluded), over one read of ``X``
  (``X.sum()`` split over 2 threads). Goal: ≤ 2.0 at ``n = 10⁶``, ≤ 3.0 at 10⁵.
- **float32 / float64**: the same epoch on ``X`` in float32 over float64.
  Goal: ≤ 0.6.
- **newton / newton-cholesky**: ``solver="newton"`` (``tol=1e-6``) against
  ``LogisticRegression(solver="newton-cholesky", tol=1e-8)``, whole fits;
  ``gap`` is ``J_ours − J_theirs``. Goal: ≤ 1.0 (≤ 0.8 at 10⁶) with
  ``|gap| ≤ 1e-8``.
- **gd / lbfgs to 1e-6**: the time each takes to reach a relative objective
  gap of 1e-6 to the best ``J``: ours with default settings (but no early
  stop), fitted for exactly the epochs its loss curve needs; lbfgs fitted
  for the iterations it needs (found by doubling ``max_iter``). Goal: ≤ 1.0.
  The same for ``solver="nesterov"``, the accelerated option. Goal: ≤ 0.5.
- **peak memory / X**: ``tracemalloc`` peak during one fit over ``X.nbytes``.
  Goal: ≤ 0.10 for gradient descent, ≤ 0.25 for Newton.
- **GridSearchCV n_jobs=2**: 5 learning rates × 3 folds with ``n_jobs=1``
  over the same with ``n_jobs=2`` (a speed-up). Goal: ≥ 1.6.

Every fit except the searches is timed under default threading and under
``threadpool_limits(1)``, and each side is compared at its faster setting.
"""

import gc
import time
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from threadpoolctl import threadpool_limits

from skperceptron import SigmoidPerceptronClassifier
from skperceptron._loss import BinaryLogLoss, MultinomialLogLoss
from skperceptron._objective import LinearObjective

try:  # imported from the package (python -m benchmarks) or as a script's sibling
    from benchmarks._table import render
except ImportError:  # pragma: no cover
    from _table import render

ALPHA = 1e-4
N_FEATURES = 50
FULL = {
    "epoch": (100_000, 1_000_000),
    "newton": (10_000, 100_000, 1_000_000),
    "to_gap": 1_000_000,
    "memory": 1_000_000,
    "search": 100_000,
}
QUICK = {
    "epoch": (5_000,),
    "newton": (2_000,),
    "to_gap": 2_000,
    "memory": 5_000,
    "search": 1_000,
}


def make_data(n_samples, n_classes=2):
    """Standardized, seeded classification data."""
    X, y = make_classification(
        n_samples, N_FEATURES, n_informative=20, n_classes=n_classes,
        flip_y=0.05, random_state=0,
    )  # fmt: skip
    return StandardScaler().fit_transform(X), y


def objective_value(X, y, coef, intercept):
    """Our ``J`` at a model's ``coef_`` and ``intercept_``."""
    Y = LabelBinarizer().fit_transform(y).astype(np.float64)
    loss = BinaryLogLoss() if Y.shape[1] == 1 else MultinomialLogLoss()
    objective = LinearObjective(loss, X, Y, np.ones(len(X)), ALPHA)
    return float(objective.value(objective.pack(np.asarray(coef).T, intercept)))


def median_seconds(run, repeats, limits=(None, 1)):
    """Median wall time of ``run()`` under the fastest of ``limits``."""
    best = np.inf
    for limit in limits:
        times = []
        for _ in range(repeats):
            with threadpool_limits(limits=limit), warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
        best = min(best, float(np.median(times)))
    return best


def fit_seconds(models, X, y, repeats):
    """Median seconds of each model's ``fit(X, y)``."""
    return [median_seconds(lambda m=m: m.fit(X, y), repeats) for m in models]


def one_read(X, repeats):
    """Seconds to sum ``X`` in two halves on two threads."""
    half = len(X) // 2
    with ThreadPoolExecutor(2) as pool:

        def read():
            return sum(pool.map(np.sum, [X[:half], X[half:]]))

        return median_seconds(read, repeats + 2)


def epoch_seconds(X, y, repeats, k=5):
    """Seconds per full-batch epoch: (fit of 2k epochs − fit of k) / k."""

    def fit(epochs):
        clf = SigmoidPerceptronClassifier(
            learning_rate=0.1, max_iter=epochs, tol=0, n_iter_no_change=10**6
        )
        return lambda: clf.fit(X, y)

    return (median_seconds(fit(2 * k), repeats) - median_seconds(fit(k), repeats)) / k


def row(target, n, ours, reference, goal, met, note=""):
    """One table row (times in seconds)."""
    return {
        "target": target,
        "n": n,
        "ours_ms": 1e3 * ours,
        "reference_ms": 1e3 * reference,
        "ratio": ours / reference,
        "goal": goal,
        "met": bool(met),
        "note": note,
    }


def epoch_rows(sizes, repeats):
    rows = []
    for n in sizes:
        X, y = make_data(n)
        read, epoch = one_read(X, repeats), epoch_seconds(X, y, repeats)
        goal = 2.0 if n >= 1_000_000 else 3.0
        rows.append(
            row("epoch / read", n, epoch, read, f"≤ {goal}", epoch / read <= goal)
        )
        epoch32 = epoch_seconds(X.astype(np.float32), y, repeats)
        rows.append(
            row(
                "float32 / float64 epoch",
                n,
                epoch32,
                epoch,
                "≤ 0.6",
                epoch32 / epoch <= 0.6,
            )
        )
    return rows


def newton_rows(sizes, repeats):
    rows = []
    for n in sizes:
        for n_classes in (2, 3):
            X, y = make_data(n, n_classes)
            ours = SigmoidPerceptronClassifier(solver="newton", tol=1e-6, alpha=ALPHA)
            theirs = LogisticRegression(
                solver="newton-cholesky", C=1 / (ALPHA * n), tol=1e-8, max_iter=100
            )
            seconds = fit_seconds((ours, theirs), X, y, repeats)
            gap = objective_value(X, y, ours.coef_, ours.intercept_) - objective_value(
                X, y, theirs.coef_, theirs.intercept_
            )
            goal = 0.8 if n >= 1_000_000 else 1.0
            met = seconds[0] / seconds[1] <= goal and abs(gap) <= 1e-8
            iterations = f"{ours.n_iter_}/{int(np.max(theirs.n_iter_))}"
            note = f"{n_classes} classes, gap {gap:.1e}, iter {iterations}"
            rows.append(
                row("newton / newton-cholesky", n, *seconds, f"≤ {goal}", met, note)
            )
    return rows


def _epochs_to_gap(X, y, target, solver):
    clf = SigmoidPerceptronClassifier(
        solver=solver, tol=0, n_iter_no_change=10**6, max_iter=5000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    reached = np.flatnonzero(np.asarray(clf.loss_curve_) <= target)
    return int(reached[0]) + 1 if reached.size else None


def _lbfgs(X, y, max_iter):
    return LogisticRegression(C=1 / (ALPHA * len(X)), tol=1e-12, max_iter=max_iter)


def _iterations_to_gap(X, y, target):
    max_iter = 1
    while max_iter <= 4096:
        model = _lbfgs(X, y, max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        if objective_value(X, y, model.coef_, model.intercept_) <= target:
            return max_iter
        max_iter *= 2
    return None


def to_gap_rows(n, repeats, gap=1e-6):
    X, y = make_data(n)
    best = LogisticRegression(solver="newton-cholesky", C=1 / (ALPHA * n), tol=1e-10)
    best.fit(X, y)
    target = objective_value(X, y, best.coef_, best.intercept_) * (1 + gap)
    iterations = _iterations_to_gap(X, y, target)
    rows = []
    for solver, goal in (("gd", 1.0), ("nesterov", 0.5)):
        name = f"{solver} / lbfgs to 1e-6"
        epochs = _epochs_to_gap(X, y, target, solver)
        if epochs is None or iterations is None:
            rows.append(row(name, n, np.nan, np.nan, f"≤ {goal}", False, "not reached"))
            continue
        ours = SigmoidPerceptronClassifier(
            solver=solver, tol=0, n_iter_no_change=10**6, max_iter=epochs
        )
        theirs = _lbfgs(X, y, iterations)
        seconds = fit_seconds((ours, theirs), X, y, repeats)
        note = f"epochs {epochs}, lbfgs iterations ≤ {iterations}"
        met = seconds[0] <= goal * seconds[1]
        rows.append(row(name, n, *seconds, f"≤ {goal}", met, note))
    return rows


def peak_fraction(model, X, y):
    """``tracemalloc`` peak during ``model.fit`` over ``X.nbytes``."""
    gc.collect()
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / X.nbytes


def memory_rows(n):
    X, y = make_data(n)
    rows = []
    for solver, goal in (("gd", 0.10), ("newton", 0.25)):
        fraction = peak_fraction(
            SigmoidPerceptronClassifier(solver=solver, max_iter=20), X, y
        )
        rows.append(
            {
                "target": f"peak memory / X ({solver})",
                "n": n,
                "ratio": fraction,
                "goal": f"≤ {goal}",
                "met": fraction <= goal,
                "note": f"X = {X.nbytes / 2**20:.0f} MiB",
            }
        )
    return rows


def search_row(n, repeats):
    X, y = make_data(n)
    grid = {"learning_rate": [0.01, 0.03, 0.1, 0.3, 1.0]}

    def search(n_jobs):
        model = SigmoidPerceptronClassifier(max_iter=200)
        return lambda: GridSearchCV(model, grid, cv=3, n_jobs=n_jobs).fit(X, y)

    # Default threading only: joblib limits each worker's BLAS threads itself.
    serial, parallel = (median_seconds(search(j), repeats, (None,)) for j in (1, 2))
    speedup = serial / parallel
    return {
        "target": "GridSearchCV n_jobs=1 / n_jobs=2",
        "n": n,
        "ours_ms": 1e3 * serial,
        "reference_ms": 1e3 * parallel,
        "ratio": speedup,
        "goal": "≥ 1.6",
        "met": speedup >= 1.6,
        "note": "5 rates × 3 folds",
    }


def run(quick, repeats, log=print):
    """Every target row, as a list of dicts."""
    config = QUICK if quick else FULL
    rows = epoch_rows(config["epoch"], repeats)
    log("  targets: epochs done")
    rows += newton_rows(config["newton"], repeats)
    log("  targets: newton done")
    rows += to_gap_rows(config["to_gap"], repeats)
    log("  targets: gd to gap done")
    rows += memory_rows(config["memory"])
    rows.append(search_row(config["search"], repeats))
    log("  targets: memory and search done")
    return rows


COLUMNS = [
    ("target", "target", "{}"),
    ("n", "n", "{}"),
    ("ours ms", "ours_ms", "{:.3g}"),
    ("reference ms", "reference_ms", "{:.3g}"),
    ("ratio", "ratio", "{:.2f}"),
    ("goal", "goal", "{}"),
    ("met", "met", "{}"),
    ("note", "note", "{}"),
]


def table(rows, markdown=False):
    """Lines of the targets table (aligned text or markdown)."""
    return render(rows, COLUMNS, markdown)
