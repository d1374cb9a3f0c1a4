"""``python -m skperceptron``: fit the estimators and print what they learned.

The report has four parts:

1. the course notes' alien moods, fitted by every estimator with both solvers
   and by scikit-learn's counterparts;
2. scikit-learn's bundled data sets (breast cancer, iris, wine, two moons,
   diabetes), scored on a held-out quarter;
3. ``GridSearchCV`` over ``learning_rate``;
4. the course notes' Newton table for ``g(x) = exp(x) - log(x)``.

The experiments (:mod:`skperceptron._experiments`) return records, which
:mod:`skperceptron._report` lays out as text; ``--plots DIR`` also draws them
(:mod:`skperceptron._plots`, needs matplotlib). This module parses the command
line and runs the parts in order.
"""

import argparse
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from . import __version__ as VERSION
from . import _experiments, _report

PLOTS_HINT = (
    "--plots needs matplotlib, which is not installed. Install it with\n\n"
    '    pip install "skperceptron[plots]"\n\n'
    "(or pip install matplotlib), or run without --plots."
)


def _matplotlib_available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


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


def _run(plots):
    """Run the experiments, printing each part as soon as it is computed.

    Parameters
    ----------
    plots : Path or None
        Where to write the figures, if anywhere.
    """
    alien = _experiments.alien_moods()
    print(_report.alien_moods(alien))
    bundled = _experiments.bundled_datasets()
    print(_report.bundled_datasets(bundled))
    grid = _experiments.grid_search()
    print(_report.grid_search(grid))
    print(_report.newton_table(_experiments.newton_table()))
    if plots is not None:
        from . import _plots

        print(_report.figures(_plots.write_figures(plots, alien, bundled, grid)))


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
    print(_report.preamble(VERSION))
    # The problems are small: one BLAS thread is faster than several
    # competing for the cores, and the timings are steadier.
    with threadpool_limits(limits=1, user_api="blas"):
        _run(args.plots)
    print(_report.total_time(time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
