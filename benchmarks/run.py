"""Benchmark skperceptron's perceptrons against scikit-learn, side by side.

Run ``python benchmarks/run.py`` (or ``python -m benchmarks``) from the
repository root; ``--quick`` is the CI smoke test (a few seconds),
``--repeats R`` sets the number of timed fits, ``--out DIR`` where
``results.json`` and ``results.md`` are written (``benchmarks/results/``).

What is measured
----------------
Problems: standardized ``make_regression`` (y standardized too) and
``make_classification`` data (two classes, and three), fixed seeds, float64
C-ordered ``X``; ``d = 50`` features and ``n = 10⁴, 10⁵`` samples
(``--quick``: ``d = 20``, ``n = 2000``). Every solver on a problem minimizes,
or approximates, the same objective

    J(W, b) = mean_i L_i + (alpha/2) ‖W‖²,    alpha = 1e-4

(``L = ½(y − ŷ)²`` for regression, log-loss otherwise), scikit-learn's
parameters being mapped to it: ``SGD*(alpha=alpha)`` (same mean-loss scale),
``Ridge(alpha=alpha·n)`` and ``LogisticRegression(C=1/(alpha·n))`` (their
objectives are ``n/…`` times ours); the run checks both mappings numerically
(section "Checks"). ``LinearRegression`` is unpenalized, so it minimizes a
slightly different objective and its ``ΔJ`` is not quite zero. ``SGDClassifier``
fits three classes one-vs-rest, so on the 3-class problem it is evaluated as a
softmax model it was never trained as.

Each row pits one of ours (``GD defaults``, or ``GD tight``: ``tol=1e-8``,
``n_iter_no_change=10``, ``max_iter=10000``, or ``Nesterov tight``: the same
with ``solver="nesterov"``) against one scikit-learn counterpart; once the
estimators accept ``solver="newton"``, a ``Newton`` row (our defaults
otherwise) is added against Ridge / newton-cholesky. Each repeat
walks the rows in order, fitting ours then theirs under default threading,
then both again under ``threadpoolctl.threadpool_limits(1)`` (the order of the
two threadings alternates between repeats; a configuration shared by several
rows is fitted once per repeat). Before timing, each estimator is fitted once,
untimed, under ``tracemalloc`` (this is also the warm-up).

How to read the table
---------------------
- ``ours ms`` / ``theirs ms``: median [min–max] wall time of ``fit`` over the
  repeats, under the faster threading of that side (``thr``: ``dflt`` = default
  BLAS threads, ``1`` = one thread). OpenBLAS's 2 threads slow down some
  small or skinny products, so each side gets its better setting
  (``results.json`` also holds every time and the ratio under default
  threading, ``ratio_default_threading``).
- ``ours/theirs``: median over median. Above 1, ours is slower. A ratio means
  little without ``ΔJ``: a fast fit that stops far from the optimum is not a win.
- ``J``: OUR objective at each fitted model's ``coef_``/``intercept_``;
  ``ΔJ = J − J_best``, ``J_best`` being the smallest ``J`` of any solver on
  that problem ("best" marks it, "~0" a gap below 1e-12·max(1, J_best)).
- ``iter``: ``n_iter_`` (epochs for GD/SGD, iterations for lbfgs/Newton;
  ``-`` for direct solvers).
- ``mem ×X``: peak bytes traced by ``tracemalloc`` during one untimed fit,
  divided by ``X.nbytes``. Memory allocated by compiled code outside NumPy's
  allocator (e.g. inside SGD's Cython loop) is not seen.
- ``warn``: timed fits that raised ``ConvergenceWarning`` (suppressed and
  counted) out of timed fits.

No number here is asserted on; the benchmark only reports.
"""

import argparse
import gc
import json
import os
import platform
import time
import tracemalloc
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy
import sklearn
import threadpoolctl
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

import skperceptron
from skperceptron import PerceptronRegressor, SigmoidPerceptronClassifier

try:  # run as a script (python benchmarks/run.py) or as a package module
    from benchmarks import convergence, network, targets
except ImportError:  # pragma: no cover
    import convergence
    import network
    import targets
from skperceptron._loss import BinaryLogLoss, HalfSquaredError, MultinomialLogLoss
from skperceptron._objective import LinearObjective

ALPHA = 1e-4
SEED = 0
TIGHT = {"tol": 1e-8, "n_iter_no_change": 10, "max_iter": 10_000}
#: Threading settings: name -> ``threadpool_limits`` argument (None: unchanged).
THREADINGS = {"dflt": None, "1": 1}
FULL = {"sizes": (10_000, 100_000), "n_features": 50}
QUICK = {"sizes": (2_000,), "n_features": 20}
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


# -- problems -----------------------------------------------------------------


@dataclass
class Problem:
    """One data set and the objective every solver is judged by."""

    task: str  # "regression", "binary" or "3-class"
    X: np.ndarray
    y: np.ndarray
    Y: np.ndarray  # y encoded for the loss: (n, 1), or one-hot (n, K)
    loss: object

    @property
    def name(self):
        n = self.X.shape[0]
        size = f"{n // 1000}k" if n % 1000 == 0 else str(n)
        return f"{self.task} n={size}"

    def objective(self):
        ones = np.ones(self.X.shape[0])
        return LinearObjective(self.loss, self.X, self.Y, ones, ALPHA)


def make_problem(task, n_samples, n_features):
    """Standardized, seeded data for ``task``; float64, C-ordered."""
    if task == "regression":
        X, y = make_regression(
            n_samples,
            n_features,
            n_informative=min(10, n_features),
            noise=50.0,
            random_state=SEED,
        )
        y = (y - y.mean()) / y.std()
        Y, loss = y.reshape(-1, 1), HalfSquaredError()
    else:
        n_classes = 2 if task == "binary" else 3
        X, y = make_classification(
            n_samples,
            n_features,
            n_informative=n_features // 2,
            n_redundant=n_features // 10,
            n_classes=n_classes,
            random_state=SEED,
        )
        Y = LabelBinarizer().fit_transform(y).astype(np.float64)
        loss = BinaryLogLoss() if n_classes == 2 else MultinomialLogLoss()
    X = np.ascontiguousarray(StandardScaler().fit_transform(X), dtype=np.float64)
    return Problem(task, X, y, Y, loss)


def make_problems(sizes, n_features):
    tasks = ("regression", "binary", "3-class")
    return [make_problem(t, n, n_features) for n in sizes for t in tasks]


# -- solvers and rows ---------------------------------------------------------


@dataclass(frozen=True)
class Solver:
    """A named estimator factory; ``side`` is "ours" or "theirs"."""

    label: str
    side: str
    make: object  # callable(n_samples) -> unfitted estimator


def regression_solvers():
    return {
        "gd": Solver("GD defaults", "ours", lambda n: PerceptronRegressor(alpha=ALPHA)),
        "gd_tight": Solver(
            "GD tight", "ours", lambda n: PerceptronRegressor(alpha=ALPHA, **TIGHT)
        ),
        "sgd": Solver(
            "SGDRegressor",
            "theirs",
            lambda n: SGDRegressor(alpha=ALPHA, random_state=SEED),
        ),
        "ridge": Solver("Ridge(a=alpha*n)", "theirs", lambda n: Ridge(alpha=ALPHA * n)),
        "ols": Solver("LinearRegression", "theirs", lambda n: LinearRegression()),
    }


def classification_solvers():
    def logistic(solver):
        return lambda n: LogisticRegression(C=1 / (ALPHA * n), solver=solver)

    return {
        "gd": Solver(
            "GD defaults", "ours", lambda n: SigmoidPerceptronClassifier(alpha=ALPHA)
        ),
        "gd_tight": Solver(
            "GD tight",
            "ours",
            lambda n: SigmoidPerceptronClassifier(alpha=ALPHA, **TIGHT),
        ),
        "sgd": Solver(
            "SGDClassifier(log)",
            "theirs",
            lambda n: SGDClassifier(loss="log_loss", alpha=ALPHA, random_state=SEED),
        ),
        "lbfgs": Solver("LogReg lbfgs", "theirs", logistic("lbfgs")),
        "newton": Solver("LogReg newton-chol", "theirs", logistic("newton-cholesky")),
    }


def accepts_newton(estimator_class):
    """Whether ``solver="newton"`` is accepted (it may land after this file)."""
    try:
        estimator_class(solver="newton")._validate_params()
    except InvalidParameterError:
        return False
    return True


def solvers_and_rows(problem):
    """The solvers of ``problem`` and its rows, as (ours key, theirs key)."""
    if problem.task == "regression":
        solvers, direct = regression_solvers(), "ridge"
        pairs = [("gd", "sgd"), ("gd_tight", "ridge"), ("gd_tight", "ols")]
        ours_class = PerceptronRegressor
    else:
        solvers, direct = classification_solvers(), "newton"
        pairs = [("gd", "sgd"), ("gd_tight", "lbfgs"), ("gd_tight", "newton")]
        ours_class = SigmoidPerceptronClassifier
    solvers["nesterov_tight"] = Solver(
        "Nesterov tight",
        "ours",
        lambda n: ours_class(solver="nesterov", alpha=ALPHA, **TIGHT),
    )
    pairs.append(
        ("nesterov_tight", direct if problem.task == "regression" else "lbfgs")
    )
    if accepts_newton(ours_class):
        solvers["ours_newton"] = Solver(
            "Newton", "ours", lambda n: ours_class(solver="newton", alpha=ALPHA)
        )
        pairs.append(("ours_newton", direct))
        if problem.task != "regression":
            pairs.append(("ours_newton", "lbfgs"))
    return solvers, pairs


# -- measuring ----------------------------------------------------------------


@dataclass
class Measurement:
    """Everything recorded about one solver on one problem."""

    times: dict = field(default_factory=lambda: {t: [] for t in THREADINGS})
    warned: int = 0
    fits: int = 0
    model: object = None
    memory: float = float("nan")


def timed_fit(estimator, X, y):
    """Fit once; return (seconds, number of ConvergenceWarnings)."""
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        estimator.fit(X, y)
        elapsed = time.perf_counter() - start
    converge = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if w not in converge:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return elapsed, len(converge)


def peak_memory_ratio(solver, problem):
    """Peak bytes traced during one fit, over ``X.nbytes``."""
    estimator = solver.make(problem.X.shape[0])
    gc.collect()
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(problem.X, problem.y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / problem.X.nbytes


def measure(solver, problem, threading, record):
    """One timed fit of ``solver`` under ``threading``, added to ``record``."""
    estimator = solver.make(problem.X.shape[0])
    with threadpool_limits(limits=THREADINGS[threading]):
        elapsed, n_warnings = timed_fit(estimator, problem.X, problem.y)
    record.times[threading].append(elapsed)
    record.warned += n_warnings > 0
    record.fits += 1
    if record.model is None:
        record.model = estimator


def fit_order(rows, repeat):
    """(solver key, threading) pairs of one repeat: ours, theirs, ours, theirs…"""
    threadings = list(THREADINGS)
    if repeat % 2:
        threadings.reverse()
    order = []
    for ours, theirs in rows:
        for threading in threadings:
            for key in (ours, theirs):
                if (key, threading) not in order:
                    order.append((key, threading))
    return order


def measure_problem(problem, repeats, log, only=None):
    """Memory run, then ``repeats`` interleaved timed fits of every solver."""
    solvers, rows = solvers_and_rows(problem)
    if only:
        rows = [row for row in rows if only in row[0]]
        solvers = {key: solvers[key] for key in {k for row in rows for k in row}}
    records = {key: Measurement() for key in solvers}
    for key, solver in solvers.items():
        records[key].memory = peak_memory_ratio(solver, problem)
    for repeat in range(repeats):
        for key, threading in fit_order(rows, repeat):
            measure(solvers[key], problem, threading, records[key])
        log(f"  {problem.name}: repeat {repeat + 1}/{repeats} done")
    return solvers, rows, records


# -- summarizing --------------------------------------------------------------


def theta_of(model):
    """Our parameter vector ``[vec(W), b]`` from any linear model's attributes."""
    coef = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    W = coef.T  # (n_features, n_outputs)
    b = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    b = np.broadcast_to(b, (W.shape[1],))
    return np.concatenate([W.ravel(), b])


def n_iter_of(model):
    n_iter = getattr(model, "n_iter_", None)
    return None if n_iter is None else int(np.max(n_iter))


def time_stats(times):
    return {
        "median": float(np.median(times)),
        "min": float(np.min(times)),
        "max": float(np.max(times)),
        "all": [float(t) for t in times],
    }


def summarize_solver(key, solver, record, objective):
    """The per-solver record: times by threading, J, ‖∇J‖, iterations…"""
    theta = theta_of(record.model)
    value, grad = objective.value_and_gradient(theta)
    by_threading = {t: time_stats(ts) for t, ts in record.times.items() if ts}
    fastest = min(by_threading, key=lambda t: by_threading[t]["median"])
    return {
        "key": key,
        "label": solver.label,
        "side": solver.side,
        "estimator": repr(record.model),
        "times": by_threading,
        "fastest_threading": fastest,
        "J": float(value),
        "grad_norm": float(np.linalg.norm(grad)),
        "n_iter": n_iter_of(record.model),
        "peak_memory_over_X": record.memory,
        "convergence_warnings": record.warned,
        "fits": record.fits,
    }


def summarize_problem(problem, solvers, rows, records):
    objective = problem.objective()
    summaries = {
        key: summarize_solver(key, solvers[key], records[key], objective)
        for key in solvers
    }
    j_best = min(s["J"] for s in summaries.values())
    for s in summaries.values():
        s["J_gap"] = s["J"] - j_best
    n, d = problem.X.shape
    return {
        "problem": problem.name,
        "task": problem.task,
        "n_samples": n,
        "n_features": d,
        "n_outputs": problem.Y.shape[1],
        "X_nbytes": problem.X.nbytes,
        "J_best": j_best,
        "solvers": summaries,
        "rows": [row_of(summaries[o], summaries[t]) for o, t in rows],
    }


def row_of(ours, theirs):
    t_ours = ours["times"][ours["fastest_threading"]]["median"]
    t_theirs = theirs["times"][theirs["fastest_threading"]]["median"]
    t_ours_dflt = ours["times"]["dflt"]["median"]
    t_theirs_dflt = theirs["times"]["dflt"]["median"]
    return {
        "ours": ours["key"],
        "theirs": theirs["key"],
        "ratio": t_ours / t_theirs,
        "ratio_default_threading": t_ours_dflt / t_theirs_dflt,
    }


# -- checks -------------------------------------------------------------------


def check_ridge_mapping(problem):
    """Ridge(alpha·n) against the normal equations of OUR objective."""
    X, y = problem.X, problem.y
    n, d = X.shape
    Xt = np.hstack([X, np.ones((n, 1))])
    penalty = np.diag(np.r_[np.full(d, ALPHA), 0.0])
    theta_star = np.linalg.solve(Xt.T @ Xt / n + penalty, Xt.T @ y / n)
    objective = problem.objective()
    result = {"problem": problem.name, "check": "Ridge(alpha=alpha*n) == argmin J"}
    for label, a in (("alpha*n", ALPHA * n), ("alpha (unmapped)", ALPHA)):
        theta = theta_of(Ridge(alpha=a, solver="cholesky").fit(X, y))
        grad = objective.value_and_gradient(theta)[1]
        result[label] = {
            "max_abs_diff_to_argmin": float(np.max(np.abs(theta - theta_star))),
            "grad_norm": float(np.linalg.norm(grad)),
        }
    return result


def check_logistic_mapping(problem):
    """LogisticRegression(C=1/(alpha·n)), solved tightly, is stationary for J."""
    n = problem.X.shape[0]
    objective = problem.objective()
    result = {"problem": problem.name, "check": "LogReg(C=1/(alpha*n)) == argmin J"}
    for label, C in (
        ("C=1/(alpha*n)", 1 / (ALPHA * n)),
        ("C=1/alpha (unmapped)", 1 / ALPHA),
    ):
        model = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10)
        model.fit(problem.X, problem.y)
        grad = objective.value_and_gradient(theta_of(model))[1]
        result[label] = {"grad_norm": float(np.linalg.norm(grad))}
    return result


def run_checks(problems):
    checks = []
    for task, check in (
        ("regression", check_ridge_mapping),
        ("binary", check_logistic_mapping),
        ("3-class", check_logistic_mapping),
    ):
        problem = next(p for p in problems if p.task == task)
        checks.append(check(problem))
    return checks


# -- formatting ---------------------------------------------------------------

HEADER = (
    "problem",
    "ours",
    "theirs",
    "ours ms",
    "theirs ms",
    "thr o/t",
    "ours/theirs",
    "J ours",
    "J theirs",
    "ΔJ ours",
    "ΔJ theirs",
    "iter o/t",
    "mem ×X o/t",
    "warn o/t",
)
RIGHT_ALIGNED = set(range(3, len(HEADER)))


def fmt_ms(seconds):
    ms = 1e3 * seconds
    if ms >= 100:
        return f"{ms:.0f}"
    return f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def fmt_time(stats):
    return f"{fmt_ms(stats['median'])} [{fmt_ms(stats['min'])}–{fmt_ms(stats['max'])}]"


def fmt_gap(gap, j_best):
    """``best`` for the best solver; ``~0`` below floating-point resolution."""
    if gap == 0:
        return "best"
    return "~0" if gap < 1e-12 * max(1.0, abs(j_best)) else f"{gap:.1e}"


def fmt_iter(n_iter):
    return "-" if n_iter is None else str(n_iter)


def row_cells(problem, row):
    ours = problem["solvers"][row["ours"]]
    theirs = problem["solvers"][row["theirs"]]
    t_o, t_t = ours["fastest_threading"], theirs["fastest_threading"]
    return (
        problem["problem"],
        ours["label"],
        theirs["label"],
        fmt_time(ours["times"][t_o]),
        fmt_time(theirs["times"][t_t]),
        f"{t_o}/{t_t}",
        f"{row['ratio']:.2f}",
        f"{ours['J']:.8g}",
        f"{theirs['J']:.8g}",
        fmt_gap(ours["J_gap"], problem["J_best"]),
        fmt_gap(theirs["J_gap"], problem["J_best"]),
        f"{fmt_iter(ours['n_iter'])}/{fmt_iter(theirs['n_iter'])}",
        f"{ours['peak_memory_over_X']:.2f}/{theirs['peak_memory_over_X']:.2f}",
        f"{ours['convergence_warnings']}/{ours['fits']}"
        f" {theirs['convergence_warnings']}/{theirs['fits']}",
    )


def table_cells(results):
    return [row_cells(p, row) for p in results["problems"] for row in p["rows"]]


def render_table(cells, markdown):
    """Aligned text table; a GitHub markdown table when ``markdown``."""
    lines = [HEADER, *cells]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def render(line):
        padded = [
            cell.rjust(w) if i in RIGHT_ALIGNED else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |" if markdown else "  ".join(padded)

    if markdown:
        rule = [
            "-" * (w - 1) + ":" if i in RIGHT_ALIGNED else "-" * w
            for i, w in enumerate(widths)
        ]
        return [render(HEADER), "| " + " | ".join(rule) + " |"] + [
            render(line) for line in cells
        ]
    return [render(HEADER), "  ".join("-" * w for w in widths)] + [
        render(line) for line in cells
    ]


def check_lines(checks):
    lines = []
    for check in checks:
        parts = []
        for key, value in check.items():
            if isinstance(value, dict):
                numbers = ", ".join(f"{k} {v:.1e}" for k, v in value.items())
                parts.append(f"{key}: {numbers}")
        lines.append(f"{check['check']} on {check['problem']}: " + "; ".join(parts))
    return lines


def markdown_report(results):
    meta = results["meta"]
    legend = (
        "Times: median [min–max] over {repeats} fits, ms, under the faster "
        "threading of each side (thr: dflt = default BLAS threads, 1 = "
        "threadpool_limits(1)). ours/theirs = median/median (> 1: ours slower). "
        "J = our objective (mean loss + alpha/2 ‖W‖², alpha = {alpha:g}) at each "
        "fitted model; ΔJ = J − best J of all solvers on the problem. mem ×X = "
        "tracemalloc peak during fit / X.nbytes. warn = fits with "
        "ConvergenceWarning / timed fits. See benchmarks/run.py's docstring."
    ).format(**meta)
    environment = (
        f"skperceptron {meta['skperceptron']}, scikit-learn {meta['sklearn']}, "
        f"numpy {meta['numpy']}, scipy {meta['scipy']}, Python {meta['python']}, "
        f"{meta['cpu_count']} CPUs, BLAS threads {meta['blas_threads']}; "
        f"{meta['date']}; `{meta['command']}`."
    )
    lines = ["# skperceptron vs scikit-learn", "", environment, "", legend, ""]
    lines += render_table(table_cells(results), markdown=True)
    lines += [
        "",
        "Checks of the parameter mappings (‖∇J‖ of our objective at "
        "scikit-learn's solution):",
        "",
    ]
    lines += [f"- {line}" for line in check_lines(results["checks"])]
    if results.get("network"):
        lines += ["", "## TwoLayerNetClassifier vs MLPClassifier", ""]
        lines += [network.__doc__.split("\n\n", 1)[1].strip(), ""]
        lines += network.table(results["network"], markdown=True)
    if results.get("targets"):
        lines += ["", "## Performance targets", ""]
        lines += [targets.__doc__.split("\n\n", 1)[1].strip(), ""]
        lines += targets.table(results["targets"], markdown=True)
    if results.get("convergence"):
        lines += ["", "## Convergence on real data", ""]
        lines += [convergence.__doc__.split("\n\n", 1)[1].strip(), ""]
        lines += convergence.table(results["convergence"], markdown=True)
    return "\n".join(lines) + "\n"


# -- main ---------------------------------------------------------------------


def blas_threads():
    info = threadpoolctl.threadpool_info()
    return ", ".join(f"{i['internal_api']}:{i['num_threads']}" for i in info) or "?"


def metadata(args, config):
    return {
        "command": "python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + f" --repeats {args.repeats}",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "repeats": args.repeats,
        "alpha": ALPHA,
        "tight": TIGHT,
        "sizes": list(config["sizes"]),
        "n_features": config["n_features"],
        "skperceptron": getattr(skperceptron, "__version__", "?"),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "blas_threads": blas_threads(),
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test run")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed fits per solver and threading (3; 1 with --quick)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output directory (default {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=None,
        help="numbers of samples, instead of the preset sizes",
    )
    parser.add_argument(
        "--suite",
        choices=("all", "linear", "network", "targets", "convergence"),
        default="all",
        help="the perceptrons' rows, the network's rows, the performance "
        "targets' rows, the convergence rows (gaps to the exact minimum on "
        "real data), or all of them (default)",
    )
    parser.add_argument(
        "--rows",
        default=None,
        help="run only the rows of ours whose key contains this (e.g. newton)",
    )
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def run(args, log=print):
    config = dict(QUICK if args.quick else FULL)
    if args.sizes:
        config["sizes"] = tuple(args.sizes)
    problems = make_problems(config["sizes"], config["n_features"])
    results = {"meta": metadata(args, config), "problems": [], "checks": []}
    if args.suite in ("all", "linear"):
        for problem in problems:
            measured = measure_problem(problem, args.repeats, log, args.rows)
            results["problems"].append(summarize_problem(problem, *measured))
        results["checks"] = run_checks(problems)
    if args.suite in ("all", "network"):
        results["network"] = network.run(args.quick, args.repeats, log)
    if args.suite in ("all", "targets"):
        results["targets"] = targets.run(args.quick, args.repeats, log)
    if args.suite in ("all", "convergence"):
        results["convergence"] = convergence.run(args.quick, args.repeats, log)
    return results


def write(results, out):
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(markdown_report(results))


def main(argv=None):
    args = parse_args(argv)
    results = run(args)
    write(results, args.out)
    print()
    print("\n".join(render_table(table_cells(results), markdown=False)))
    print()
    print("\n".join(check_lines(results["checks"])))
    if results.get("network"):
        print()
        print("\n".join(network.table(results["network"])))
    if results.get("targets"):
        print()
        print("\n".join(targets.table(results["targets"])))
    if results.get("convergence"):
        print()
        print("\n".join(convergence.table(results["convergence"])))
    print(f"\nwrote {args.out / 'results.json'} and {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
