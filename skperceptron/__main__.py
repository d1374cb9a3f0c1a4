"""``python -m skperceptron``: fit the estimators and print what they learned.

The report has four parts:

1. the seeds' alien moods, fitted by every estimator with both solvers and by
   scikit-learn's counterparts;
2. scikit-learn's bundled data sets (breast cancer, iris, wine, two moons,
   diabetes), scored on a held-out quarter;
3. ``GridSearchCV`` over ``learning_rate``;
4. the seeds' Newton table for ``g(x) = exp(x) - log(x)``.

``--plots DIR`` also writes figures of the same fits (needs matplotlib).
"""

import argparse
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from . import (
    NewtonOptimizer,
    PerceptronRegressor,
    SigmoidPerceptronClassifier,
    TwoLayerNetClassifier,
)
from . import __version__ as VERSION
from .datasets import load_alien_moods

RANDOM_STATE = 0
TEST_SIZE = 0.25
GRID_RATES = np.logspace(-3, 1, 9)
GRID_MAX_ITER = 100
PLOTS_HINT = (
    "--plots needs matplotlib, which is not installed. Install it with\n\n"
    '    pip install "skperceptron[plots]"\n\n'
    "(or pip install matplotlib), or run without --plots."
)

# Seed 004's worked example: its printed iterates x0 ... x5 and x*.
SEED_NEWTON_TABLE = (0.05, 0.097, 0.183, 0.320, 0.477, 0.558, 0.567)


# ----------------------------------------------------------------------------
# Fitting and recording
# ----------------------------------------------------------------------------


@dataclass
class Fit:
    """One fitted model and what the report says about it."""

    model: object
    solver: str
    seconds: float
    converged: bool
    score: float = np.nan
    extra: dict = field(default_factory=dict)

    @property
    def estimator(self):
        """The last step of the pipeline (or the model itself)."""
        return self.model[-1] if hasattr(self.model, "steps") else self.model

    @property
    def name(self):
        """Class name of the estimator."""
        return type(self.estimator).__name__

    @property
    def n_iter(self):
        """Iterations run, or None for a closed-form solution."""
        n_iter = getattr(self.estimator, "n_iter_", None)
        return None if n_iter is None else int(np.max(n_iter))

    @property
    def final_objective(self):
        """The skperceptron objective J at the end of the fit, else None."""
        curve = getattr(self.estimator, "loss_curve_", None)
        ours = type(self.estimator).__module__.startswith("skperceptron")
        return float(curve[-1]) if ours and curve else None


def _print_header(header):
    """Print a table's header line, indented 3 spaces, and its rule."""
    print(header)
    print("   " + "-" * (len(header) - 3))


def _solver_name(model):
    if isinstance(model, LinearRegression):
        return "lstsq"
    return str(model.solver)


def _fit(model, X, y):
    """Fit ``model``, timing it and noting whether it stopped at ``max_iter``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:
            warnings.warn(warning.message, warning.category, stacklevel=2)
    estimator = model[-1] if hasattr(model, "steps") else model
    return Fit(model, _solver_name(estimator), seconds, converged)


def _classifiers():
    """Return each classifier with both solvers, and scikit-learn's counterparts."""
    return [
        SigmoidPerceptronClassifier(solver="gd"),
        SigmoidPerceptronClassifier(solver="newton"),
        LogisticRegression(),
        TwoLayerNetClassifier(solver="gd", random_state=RANDOM_STATE),
        TwoLayerNetClassifier(solver="newton", random_state=RANDOM_STATE),
        MLPClassifier(
            (16,),
            activation="logistic",
            solver="lbfgs",
            max_iter=1000,
            random_state=RANDOM_STATE,
        ),
    ]


def _regressors():
    """Return the regression perceptron with both solvers, and least squares."""
    return [
        PerceptronRegressor(solver="gd"),
        PerceptronRegressor(solver="newton"),
        LinearRegression(),
    ]


# ----------------------------------------------------------------------------
# 1. Alien moods
# ----------------------------------------------------------------------------


def alien_moods():
    """Fit every model on the seeds' four alien sentences.

    Returns
    -------
    moods : Bunch
        The data set, from :func:`~skperceptron.datasets.load_alien_moods`.
    fits : list of Fit
        With ``extra["outputs"]``: P(happy) per sentence for classifiers,
        the prediction ŷ for regressors; ``score`` is the training accuracy
        or R².
    """
    moods = load_alien_moods()
    X, y = moods.data, moods.target
    fits = []
    for model in _classifiers() + _regressors():
        fit = _fit(model, X, y)
        if hasattr(model, "predict_proba"):
            fit.extra["outputs"] = model.predict_proba(X)[:, 1]
            fit.extra["metric"] = "accuracy"
        else:
            fit.extra["outputs"] = model.predict(X)
            fit.extra["metric"] = "R²"
        fit.score = model.score(X, y)
        fits.append(fit)
    return moods, fits


def _print_alien_moods(moods, fits):
    print("1. The seeds' alien moods (seed 000)")
    print(
        '   Four sentences, x = (count of "aack", count of "beep"), '
        "y = happy (1) or sad (0):\n"
    )
    print(f"   {'':<4} {'sentence':<22} {'aack':>4} {'beep':>4}  mood")
    for i, (sentence, x, label) in enumerate(
        zip(moods.sentences, moods.data, moods.target, strict=True), start=1
    ):
        print(
            f"   s{i:<3} {sentence:<22} {x[0]:>4.0f} {x[1]:>4.0f}  "
            f"{moods.target_names[label]}"
        )
    print(
        "\n   Each model is fitted on the four sentences. Columns s1-s4: P(happy) "
        "from the\n   classifiers, the prediction ŷ from the regressors; score: "
        "training accuracy,\n   or R² for the regressors.\n"
    )
    header = (
        f"   {'model':<27} {'solver':<6} {'iter':>5} {'final J':>7}  "
        f"{'s1':>6} {'s2':>6} {'s3':>6} {'s4':>6}  {'score':>5}"
    )
    _print_header(header)
    for fit in fits:
        outputs = " ".join(f"{v:>6.3f}" for v in fit.extra["outputs"])
        print(
            f"   {fit.name:<27} {fit.solver:<6} {_iterations(fit):>5} "
            f"{_objective(fit):>7}  {outputs}  {fit.score:>5.3f}"
        )
    print(
        "\n   scikit-learn's models keep their defaults: LogisticRegression's C=1 "
        "penalizes\n   the weights far more than alpha=1e-4 does here, hence its "
        "softer probabilities."
    )


# ----------------------------------------------------------------------------
# 2. scikit-learn's bundled data sets
# ----------------------------------------------------------------------------


def _datasets():
    """(title, X, y, is_classification) of the bundled data sets."""
    moons_X, moons_y = make_moons(300, noise=0.2, random_state=RANDOM_STATE)
    return [
        ("breast cancer", *load_breast_cancer(return_X_y=True), True),
        ("iris", *load_iris(return_X_y=True), True),
        ("wine", *load_wine(return_X_y=True), True),
        ("two moons", moons_X, moons_y, True),
        ("diabetes", *load_diabetes(return_X_y=True), False),
    ]


def bundled_datasets():
    """Fit every model on a stratified 75 % of each data set, score the rest.

    Returns
    -------
    results : list of dict
        One per data set, with ``title``, ``X``, ``y``, ``X_train``,
        ``y_train``, ``X_test``, ``y_test``, ``metric`` and ``fits`` (a list
        of :class:`Fit`; each model is a pipeline standardizing the features).
    """
    results = []
    for title, X, y, classification in _datasets():
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=TEST_SIZE,
            random_state=RANDOM_STATE,
            stratify=y if classification else None,
        )
        models = _classifiers() if classification else _regressors()
        fits = []
        for model in models:
            fit = _fit(make_pipeline(StandardScaler(), model), X_train, y_train)
            fit.score = fit.model.score(X_test, y_test)
            fits.append(fit)
        results.append(
            {
                "title": title,
                "X": X,
                "y": y,
                "X_train": X_train,
                "y_train": y_train,
                "X_test": X_test,
                "y_test": y_test,
                "metric": "accuracy" if classification else "R²",
                "fits": fits,
            }
        )
    return results


def _describe(result):
    n, d = result["X"].shape
    if result["metric"] == "R²":
        return f"{n} samples, {d} features, regression"
    k = len(np.unique(result["y"]))
    output = "one sigmoid output" if k == 2 else "softmax outputs"
    return f"{n} samples, {d} features, {k} classes ({output})"


def _print_bundled(results):
    print("\n2. scikit-learn's bundled data sets")
    print(
        f"   Each model is fitted on {1 - TEST_SIZE:.0%} of the data (stratified "
        f"split, random_state={RANDOM_STATE})\n   and scored on the held-out "
        f"{TEST_SIZE:.0%}; a StandardScaler in the pipeline standardizes the\n"
        "   features. scikit-learn's models minimize their own objectives, so "
        "their J is\n   not shown."
    )
    for result in results:
        metric = result["metric"]
        print(f"\n   {result['title']}: {_describe(result)}")
        header = (
            f"   {'model':<27} {'solver':<6} {'iter':>5} {'final J':>8} "
            f"{'held-out ' + metric:>18} {'fit time':>9}"
        )
        _print_header(header)
        for fit in result["fits"]:
            print(
                f"   {fit.name:<27} {fit.solver:<6} {_iterations(fit):>5} "
                f"{_objective(fit):>8} {fit.score:>18.3f} {_seconds(fit):>9}"
            )


# ----------------------------------------------------------------------------
# 3. GridSearchCV over learning_rate
# ----------------------------------------------------------------------------


def grid_search():
    """Search ``learning_rate`` of ``PerceptronRegressor`` on diabetes.

    Each candidate gets the same budget of ``GRID_MAX_ITER`` epochs. Rates
    above ``2/L`` (``L`` the largest curvature of the objective) make gradient
    descent diverge: the fit raises ``ValueError`` and ``GridSearchCV`` scores
    it NaN.

    Returns
    -------
    search : GridSearchCV
        The fitted search.
    lipschitz : float
        ``L`` for the standardized data: float rates above ``2/L`` diverge.
    auto_steps : ndarray
        The steps ``learning_rate="auto"`` takes on the same data, one per
        coefficient of the standardized features (``learning_rate_``).
    """
    X, y = load_diabetes(return_X_y=True)
    pipeline = make_pipeline(
        StandardScaler(), PerceptronRegressor(max_iter=GRID_MAX_ITER)
    )
    search = GridSearchCV(
        pipeline, {"perceptronregressor__learning_rate": GRID_RATES}, cv=5
    )
    with warnings.catch_warnings():
        # Diverging fits are reported as NaN scores, which the table explains.
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.filterwarnings("ignore", "One or more of the test scores")
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    Z = np.column_stack([StandardScaler().fit_transform(X), np.ones(len(X))])
    lipschitz = np.linalg.eigvalsh(Z.T @ Z / len(X))[-1] + 1e-4  # + alpha
    auto = PerceptronRegressor(max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto.fit(Z[:, :-1], y)
    return search, float(lipschitz), auto.learning_rate_


def _print_grid_search(search, lipschitz, auto_steps):
    results = search.cv_results_
    print("\n3. GridSearchCV over learning_rate")
    print(
        "   PerceptronRegressor on diabetes (standardized), each fit given "
        f"max_iter={GRID_MAX_ITER}\n   epochs of full-batch gradient descent; "
        "5-fold cross-validated R²:\n"
    )
    print(f"   {'learning_rate':>13} {'mean R²':>9} {'± std':>7} {'fit time':>9}")
    best = search.best_index_
    for i, rate in enumerate(GRID_RATES):
        mean, std = results["mean_test_score"][i], results["std_test_score"][i]
        fit_time = f"{results['mean_fit_time'][i]:.3f} s"
        if np.isnan(mean):
            line = f"   {rate:>13.3g} {'diverged':>9} {'':>7} {fit_time:>9}"
        else:
            line = f"   {rate:>13.3g} {mean:>9.3f} {std:>7.3f} {fit_time:>9}"
        print(line + ("  <- chosen" if i == best else ""))
    rate = search.best_params_["perceptronregressor__learning_rate"]
    print(
        f"\n   chosen learning_rate = {rate:.3g}, mean cross-validated R² "
        f"{search.best_score_:.3f}"
    )
    print(
        f"   Too small a rate has not converged in {GRID_MAX_ITER} epochs. Above "
        f"2/L = {2 / lipschitz:.3g}, L = {lipschitz:.3g}\n"
        "   being the largest curvature of J, every step overshoots and the fit "
        "diverges:\n   it raises ValueError, which GridSearchCV records as a NaN "
        'score.\n   The default learning_rate="auto" takes one step per '
        "coefficient instead, each safe\n   for its own curvature: here from "
        f"{auto_steps.min():.3g} to {auto_steps.max():.3g}."
    )


# ----------------------------------------------------------------------------
# 4. Newton's method, seed 004
# ----------------------------------------------------------------------------


def _g(x):
    return np.exp(x) - np.log(x)


def _dg(x):
    return np.exp(x) - 1 / x


def _d2g(x):
    return np.exp(x) + 1 / x**2


def newton_table():
    """Minimize the seeds' ``g(x) = exp(x) - log(x)`` from ``x0 = 0.05``.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        From :meth:`NewtonOptimizer.minimize`.
    rounded : list of float
        The seed's hand computation: each iterate rounded to three decimals
        before the next step.
    """
    result = NewtonOptimizer().minimize(_g, 0.05, grad=_dg, hess=_d2g)
    rounded = [0.05]
    for _ in SEED_NEWTON_TABLE[1:]:
        x = rounded[-1]
        rounded.append(round(float(x - _dg(x) / _d2g(x)), 3))
    return result, rounded


def _print_newton_table(result, rounded):
    print("\n4. Newton's method (seed 004): minimize g(x) = exp(x) − log(x)")
    print(
        "   x_{k+1} = x_k − g′(x_k)/g″(x_k) from x0 = 0.05, g′ = eˣ − 1/x, "
        "g″ = eˣ + 1/x²,\n   run by NewtonOptimizer (step: the line-search "
        "step size, 1 = the full Newton step):\n"
    )
    header = (
        f"   {'k':>2} {'x_k':>12} {'g(x_k)':>10} {'|g′(x_k)|':>10} "
        f"{'step':>5} {'x_k, 3 d.p.':>12} {'seed prints':>12}"
    )
    _print_header(header)
    history = result.history
    steps = list(history["step"][1:]) + [np.nan]
    for k, x in enumerate(result.iterates):
        seed = f"{SEED_NEWTON_TABLE[k]:.3f}" if k < len(SEED_NEWTON_TABLE) else ""
        step = "" if np.isnan(steps[k]) else f"{steps[k]:g}"
        line = (
            f"   {k:>2} {x:>12.9f} {history['objective'][k]:>10.6f} "
            f"{history['grad_norm'][k]:>10.2e} {step:>5} {x:>12.3f} {seed:>12}"
        )
        print(line.rstrip())
    shown = " ".join(str(round(float(x), 3)) for x in result.iterates[:7])
    print(f"\n   iterates to 3 decimals: {shown}")
    damped = int(np.count_nonzero(history["damping"][1:]))
    print(
        f"   minimum x* = {float(result.x):.6f}, g(x*) = {float(result.fun):.6f}, "
        f"after {result.nit} iterations."
    )
    if damped == 0 and np.all(history["step"][1:] == 1):
        print(
            "   No step was damped or shortened: every step is the seed's update "
            "x − g′/g″."
        )
    seed_like = " ".join(f"{x:.3f}" for x in rounded)
    print(
        "   The seed's column differs in two places. It rounds x2 to 0.183 "
        "before stepping:\n"
        f"   0.183 − g′(0.183)/g″(0.183) = {_step(0.183):.4f}, printed 0.320; "
        f"unrounded, x3 = {result.iterates[3]:.4f}.\n"
        "   Rounding every iterate to 3 decimals reproduces its column:\n"
        f"   {seed_like}.\n"
        "   And its line for x5 starts from 0.447, a typo for x4 = 0.477: the "
        f"step from 0.477\n   gives {_step(0.477):.3f}, as printed; from 0.447 "
        f"it would give {_step(0.447):.3f}."
    )


def _step(x):
    return float(x - _dg(x) / _d2g(x))


# ----------------------------------------------------------------------------
# Formatting helpers
# ----------------------------------------------------------------------------


def _iterations(fit):
    if fit.n_iter is None:
        return "-"
    return f"{fit.n_iter}" + ("" if fit.converged else "*")


def _objective(fit):
    value = fit.final_objective
    if value is None:
        return "-"
    return f"{value:.4f}" if value < 100 else f"{value:.1f}"


def _seconds(fit):
    return f"{fit.seconds:.2f} s"


# ----------------------------------------------------------------------------
# Plots
# ----------------------------------------------------------------------------


def _matplotlib_available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _write_plots(directory, moods, alien_fits, bundled, search, lipschitz):
    from . import _plots

    directory.mkdir(parents=True, exist_ok=True)
    by_title = {result["title"]: result for result in bundled}

    def fits_of(title, name):
        return [fit for fit in by_title[title]["fits"] if fit.name == name]

    loss_panels = [
        (f"{name}\non {title}", fits_of(title, name))
        for name, title in [
            ("PerceptronRegressor", "diabetes"),
            ("SigmoidPerceptronClassifier", "breast cancer"),
            ("TwoLayerNetClassifier", "breast cancer"),
        ]
    ]
    paths = [
        _plots.plot_loss_curves(loss_panels, directory / "loss_curves.png"),
        _plots.plot_alien_boundaries(
            moods, alien_fits, directory / "alien_boundaries.png"
        ),
        _plots.plot_moons_boundaries(
            by_title["two moons"], directory / "moons_boundaries.png"
        ),
        _plots.plot_grid_search(
            search,
            "perceptronregressor__learning_rate",
            lipschitz,
            "GridSearchCV over learning_rate: PerceptronRegressor on diabetes,\n"
            f"{GRID_MAX_ITER} epochs of gradient descent per fit",
            directory / "grid_search.png",
        ),
    ]
    print("\nFigures written:")
    for path in paths:
        print(f"   {path}")


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------


_DESCRIPTION = """\
Fit the skperceptron estimators, each with solver="gd" (gradient descent) and
solver="newton" (Newton's method), next to their scikit-learn counterparts, and
print a report:

  1. the alien-moods sentences of the course notes (seed 000), fitted by
     PerceptronRegressor, SigmoidPerceptronClassifier and TwoLayerNetClassifier,
     and by LinearRegression, LogisticRegression and MLPClassifier;
  2. held-out scores on scikit-learn's bundled data: breast cancer, iris, wine
     and two moons (classifiers), diabetes (regressors);
  3. GridSearchCV over learning_rate (PerceptronRegressor on diabetes): the
     chosen rate and the cross-validated score of every rate;
  4. the notes' Newton table for g(x) = exp(x) - log(x) from x0 = 0.05
     (seed 004), computed by NewtonOptimizer.

Columns: iter = epochs of gradient descent or Newton iterations (* = stopped
at max_iter), final J = training objective, score, fit time. Every random
choice is seeded (random_state=0): only the times vary between runs.
"""

_EPILOG = """\
figures written by --plots DIR (needs matplotlib: pip install "skperceptron[plots]"):
  loss_curves.png       training objective J against iteration, gradient
                        descent vs Newton, for each estimator (log scales)
  alien_boundaries.png  decision boundaries on the alien data: perceptron vs
                        network, both solvers (DecisionBoundaryDisplay)
  moons_boundaries.png  the same on two moons
  grid_search.png       cross-validated score against learning rate (log axis)
"""


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m skperceptron",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--plots",
        metavar="DIR",
        type=Path,
        help=(
            "also write the figures listed below as PNG files to DIR (created "
            'if missing). Needs matplotlib: pip install "skperceptron[plots]".'
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    return parser


def main(argv=None):
    """Run the report; with ``--plots DIR``, also write its figures.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success.

    Raises
    ------
    SystemExit
        With a non-zero status when ``--plots`` is given and matplotlib is
        not installed (before any fitting), or for invalid arguments.
    """
    args = _parser().parse_args(argv)
    if args.plots is not None and not _matplotlib_available():
        print(f"error: {PLOTS_HINT}", file=sys.stderr)
        raise SystemExit(1)
    start = time.perf_counter()
    print(
        f"skperceptron {VERSION}: perceptrons and a two-layer network trained by "
        'hand-derived\ngradients (solver="gd") and Newton\'s method '
        '(solver="newton"), next to scikit-learn.\n'
        "In the tables, iter counts epochs of gradient descent or Newton "
        "iterations (* = stopped\nat max_iter before meeting tol), final J is "
        "the training objective J(θ) = mean loss\n+ (alpha/2)·‖W‖² that "
        "skperceptron minimizes, time is the fit time.\n"
    )
    # The problems are small: one BLAS thread is faster than several
    # competing for the cores, and the timings are steadier.
    with threadpool_limits(limits=1, user_api="blas"):
        moods, alien_fits = alien_moods()
        _print_alien_moods(moods, alien_fits)
        bundled = bundled_datasets()
        _print_bundled(bundled)
        search, lipschitz, auto_steps = grid_search()
        _print_grid_search(search, lipschitz, auto_steps)
        _print_newton_table(*newton_table())
        if args.plots is not None:
            _write_plots(args.plots, moods, alien_fits, bundled, search, lipschitz)
    print(f"\nTotal time: {time.perf_counter() - start:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
