"""Network rows: ``TwoLayerNetClassifier`` against ``MLPClassifier``.

Same data (standardized ``make_classification``, ``d = 20``, two classes),
same architecture (one hidden layer of ``h`` logistic units), same objective:
MLPClassifier's ``loss_`` is the mean log-loss plus ``alpha_mlp/(2n)·‖W‖²``,
ours with ``alpha = alpha_mlp / n``.

- **epoch**: full-batch gradient descent, ours (``solver="gd"``, fixed
  ``learning_rate``) against MLPClassifier's ``sgd`` with ``batch_size=n``,
  no momentum, the same rate: wall time per epoch.
- **to lbfgs's loss**: ours ``solver="newton"`` against MLPClassifier's
  ``lbfgs`` (and ``adam``), each run to convergence from its own start: wall
  time, iterations and final objective; "reached" when the final objective is
  within 1% of lbfgs's.
- **same start**: ours ``solver="newton"`` and MLPClassifier's ``lbfgs``
  started from the same weights (uniform in [-1, 1], one start per seed) on
  standardized noisy moons (``n = 200``, ``noise = 0.25``, ``alpha = 1e-3``):
  median time and iterations over the starts, and at how many starts each
  reached the other's objective + 1% and ours used fewer iterations.

Each fit is timed under default threading and under
``threadpool_limits(1)``; each side is compared at its faster setting.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_classification, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skperceptron import TwoLayerNetClassifier

try:  # imported from the package (python -m benchmarks) or as a script's sibling
    from benchmarks._table import render
except ImportError:  # pragma: no cover
    from _table import render

ALPHA = 1e-4
RATE = 0.1
N_FEATURES = 20
FULL = {
    "sizes": (10_000, 100_000),
    "hidden": (2, 8, 32),
    "epochs": 20,
    "same_start": {"hidden": (2, 4, 8, 32), "starts": 8},
}
QUICK = {
    "sizes": (1_000,),
    "hidden": (2,),
    "epochs": 5,
    "same_start": {"hidden": (2,), "starts": 2},
}
SAME_START_ALPHA = 1e-3


def make_data(n_samples):
    """Standardized, seeded binary data."""
    X, y = make_classification(
        n_samples, N_FEATURES, n_informative=10, flip_y=0.05, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def best_time(make, X, y, repeats):
    """Fit ``repeats`` times per threading; return (min median seconds, model)."""
    medians, model = {}, None
    for limit in (None, 1):
        times = []
        for _ in range(repeats):
            model = make()
            with threadpool_limits(limits=limit), warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                model.fit(X, y)
                times.append(time.perf_counter() - start)
        medians["dflt" if limit is None else "1"] = float(np.median(times))
    threading = min(medians, key=medians.get)
    return medians[threading], threading, model


def epoch_row(X, y, h, epochs, repeats):
    n = len(X)
    ours = lambda: TwoLayerNetClassifier(  # noqa: E731
        n_hidden=h, learning_rate=RATE, max_iter=epochs, tol=0,
        n_iter_no_change=epochs + 1, alpha=ALPHA, random_state=0,
    )  # fmt: skip
    theirs = lambda: MLPClassifier(  # noqa: E731
        (h,), activation="logistic", solver="sgd", batch_size=n,
        learning_rate_init=RATE, momentum=0.0, nesterovs_momentum=False,
        max_iter=epochs, tol=0, n_iter_no_change=epochs + 1, shuffle=False,
        alpha=ALPHA * n, random_state=0,
    )  # fmt: skip
    t_ours, thr_ours, _ = best_time(ours, X, y, repeats)
    t_theirs, thr_theirs, _ = best_time(theirs, X, y, repeats)
    return {
        "row": "epoch (full-batch GD vs sgd)",
        "n": n,
        "h": h,
        "ours_ms": 1e3 * t_ours / epochs,
        "theirs_ms": 1e3 * t_theirs / epochs,
        "threading": f"{thr_ours}/{thr_theirs}",
        "ratio": t_ours / t_theirs,
    }


def to_loss_rows(X, y, h, repeats):
    n = len(X)
    ours = lambda: TwoLayerNetClassifier(  # noqa: E731
        n_hidden=h, solver="newton", tol=1e-6, alpha=ALPHA, random_state=0
    )
    lbfgs = lambda: MLPClassifier(  # noqa: E731
        (h,), activation="logistic", solver="lbfgs", max_iter=2000,
        alpha=ALPHA * n, random_state=0,
    )  # fmt: skip
    adam = lambda: MLPClassifier(  # noqa: E731
        (h,), activation="logistic", solver="adam", max_iter=200,
        alpha=ALPHA * n, random_state=0,
    )  # fmt: skip
    t_ours, thr_ours, m_ours = best_time(ours, X, y, repeats)
    rows = []
    for name, make in (("lbfgs", lbfgs), ("adam", adam)):
        t_theirs, thr_theirs, m_theirs = best_time(make, X, y, repeats)
        if name == "lbfgs":
            target = m_theirs.loss_
        rows.append(
            {
                "row": f"to lbfgs's loss (newton vs {name})",
                "n": n,
                "h": h,
                "ours_ms": 1e3 * t_ours,
                "theirs_ms": 1e3 * t_theirs,
                "threading": f"{thr_ours}/{thr_theirs}",
                "ratio": t_ours / t_theirs,
                "J_ours": m_ours.loss_curve_[-1],
                "J_theirs": float(m_theirs.loss_),
                "iter": f"{m_ours.n_iter_}/{m_theirs.n_iter_}",
            }
        )
    for row in rows:
        row["reached"] = f"{row['J_ours'] <= 1.01 * target}/" + (
            f"{row['J_theirs'] <= 1.01 * target}"
        )
    return rows


def _same_start_fits(X, y, h, seed):
    """Fit ours and lbfgs from one start; return (ours, theirs, seconds each)."""
    rng = np.random.RandomState(seed)
    start = [rng.uniform(-1, 1, size) for size in [(2, h), h, (h, 1), 1]]
    lbfgs = MLPClassifier(
        (h,), activation="logistic", solver="lbfgs", alpha=SAME_START_ALPHA * len(X),
        max_iter=1, random_state=seed,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lbfgs.fit(X, y)  # to create the fitted attributes, then set them
    lbfgs.set_params(warm_start=True, max_iter=10_000, tol=1e-12)
    ours = TwoLayerNetClassifier(
        n_hidden=h, solver="newton", tol=1e-8, alpha=SAME_START_ALPHA, warm_start=True
    )
    seconds = []
    for model in (ours, lbfgs):
        W1, b1, W2, b2 = (a.copy() for a in start)
        model.coefs_, model.intercepts_ = [W1, W2], [b1, b2]
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            begin = time.perf_counter()
            model.fit(X, y)
            seconds.append(time.perf_counter() - begin)
    return ours, lbfgs, seconds


def same_start_row(h, starts):
    """Ours against lbfgs from the same starts on noisy moons (BLAS 1 thread)."""
    X, y = make_moons(200, noise=0.25, random_state=0)
    X = StandardScaler().fit_transform(X)
    fits = [_same_start_fits(X, y, h, seed) for seed in range(starts)]
    J = np.array([[o.loss_curve_[-1], t.loss_] for o, t, _ in fits])
    iters = np.array([[o.n_iter_, t.n_iter_] for o, t, _ in fits])
    seconds = np.array([s for _, _, s in fits])
    reached = J <= 1.01 * J[:, ::-1]
    fewer = reached[:, 0] & (iters[:, 0] < iters[:, 1])
    return {
        "row": "same start (newton vs lbfgs)",
        "n": len(X),
        "h": h,
        "ours_ms": 1e3 * float(np.median(seconds[:, 0])),
        "theirs_ms": 1e3 * float(np.median(seconds[:, 1])),
        "threading": "1/1",
        "ratio": float(np.median(seconds[:, 0] / seconds[:, 1])),
        "iter": "{}/{}".format(*np.median(iters, axis=0).astype(int)),
        "reached": "{}/{}".format(*reached.sum(axis=0)) + f" of {starts}",
        "fewer": f"{fewer.sum()} of {starts}",
    }


def run(quick, repeats, log=print):
    """All network rows, as a list of dicts."""
    config = QUICK if quick else FULL
    rows = []
    for n in config["sizes"]:
        X, y = make_data(n)
        for h in config["hidden"]:
            rows.append(epoch_row(X, y, h, config["epochs"], repeats))
            rows.extend(to_loss_rows(X, y, h, repeats))
            log(f"  network n={n} h={h} done")
    for h in config["same_start"]["hidden"]:
        rows.append(same_start_row(h, config["same_start"]["starts"]))
        log(f"  network same start h={h} done")
    return rows


COLUMNS = [
    ("row", "row", "{}"),
    ("n", "n", "{}"),
    ("h", "h", "{}"),
    ("ours ms", "ours_ms", "{:.3g}"),
    ("theirs ms", "theirs_ms", "{:.3g}"),
    ("thr o/t", "threading", "{}"),
    ("ours/theirs", "ratio", "{:.2f}"),
    ("J ours", "J_ours", "{:.6f}"),
    ("J theirs", "J_theirs", "{:.6f}"),
    ("iter o/t", "iter", "{}"),
    ("reached o/t", "reached", "{}"),
    ("fewer iter", "fewer", "{}"),
]


def table(rows, markdown=False):
    """Lines of the network table (aligned text or markdown)."""
    return render(rows, COLUMNS, markdown)
