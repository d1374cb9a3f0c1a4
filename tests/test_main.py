"""``python -m skperceptron``: its records, their text, its figures, and no matplotlib.

The command runs twice in this module: once with ``--plots`` (the ``plotted``
fixture), which also keeps the records each experiment returned, and once
with matplotlib made impossible to import (``no_matplotlib``). The facts are
checked on the records; a few tests check the text and the command line.
"""

import contextlib
import io
import re
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.image import imread
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skperceptron import PerceptronRegressor, _experiments, _report
from skperceptron import __version__ as VERSION
from skperceptron.__main__ import main
from skperceptron._course_notes import NEWTON_MINIMIZER

FIGURES = [
    "loss_curves.png",
    "alien_boundaries.png",
    "moons_boundaries.png",
    "grid_search.png",
]
CLASSIFIER_ROWS = [
    ("SigmoidPerceptronClassifier", "gd"),
    ("SigmoidPerceptronClassifier", "newton"),
    ("LogisticRegression", "lbfgs"),
    ("TwoLayerNetClassifier", "gd"),
    ("TwoLayerNetClassifier", "newton"),
    ("MLPClassifier", "lbfgs"),
]
REGRESSOR_ROWS = [
    ("PerceptronRegressor", "gd"),
    ("PerceptronRegressor", "newton"),
    ("LinearRegression", "lstsq"),
]
# Lowest acceptable held-out score of every model on each data set.
THRESHOLDS = {
    "breast cancer": 0.93,
    "iris": 0.9,
    "wine": 0.93,
    "two moons": 0.8,
    "diabetes": 0.3,
}
PARTS = ["alien_moods", "bundled_datasets", "grid_search", "newton_table"]


def _run(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    return status, out.getvalue()


def _recording(experiment, records, name):
    """Wrap ``experiment`` to keep the record it returns in ``records[name]``."""

    def run():
        records[name] = experiment()
        return records[name]

    return run


@pytest.fixture(scope="module")
def plotted(tmp_path_factory):
    directory = tmp_path_factory.mktemp("figures")
    records = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in PARTS:
            experiment = getattr(_experiments, name)
            monkeypatch.setattr(
                _experiments, name, _recording(experiment, records, name)
            )
        status, report = _run(["--plots", str(directory)])
    return SimpleNamespace(status=status, report=report, directory=directory, **records)


def _block_matplotlib(monkeypatch):
    """Make every ``import matplotlib...`` raise ImportError."""
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.fixture
def block_matplotlib(monkeypatch):
    _block_matplotlib(monkeypatch)


@pytest.fixture(scope="module")
def no_matplotlib():
    with pytest.MonkeyPatch.context() as monkeypatch:
        _block_matplotlib(monkeypatch)
        with pytest.raises(ImportError):
            import matplotlib  # noqa: F401
        return _run([])


def _held_out(plotted):
    """{data set: its HeldOut record} of part 2."""
    return {record.title: record for record in plotted.bundled_datasets}


def _by_model(fits):
    return {(fit.name, fit.solver): fit for fit in fits}


# ----------------------------------------------------------------------------
# The command and its text
# ----------------------------------------------------------------------------


def test_main_succeeds(plotted):
    assert plotted.status == 0
    for part in [
        "1. The seeds' alien moods",
        "2. scikit-learn's bundled data sets",
        "3. GridSearchCV over learning_rate",
        "4. Newton's method",
    ]:
        assert part in plotted.report


def test_the_report_is_the_text_of_the_records(plotted):
    paths = [plotted.directory / name for name in FIGURES]
    parts = [
        _report.preamble(VERSION),
        _report.alien_moods(plotted.alien_moods),
        _report.bundled_datasets(plotted.bundled_datasets),
        _report.grid_search(plotted.grid_search),
        _report.newton_table(plotted.newton_table),
        _report.figures(paths),
    ]
    body, total = plotted.report.split("\nTotal time: ")
    assert body == "\n".join(parts) + "\n"
    assert re.fullmatch(r"\d+\.\d s\.\n", total)


def test_the_text_shows_the_tables(plotted):
    report = plotted.report
    assert report.count("<- chosen") == 1
    assert "iterates to 3 decimals: 0.05 0.097 0.183 0.321 0.477 0.558 0.567\n" in (
        report
    )
    # The two differences from the course notes' column, explained.
    assert "0.050 0.097 0.183 0.320 0.477 0.558 0.567" in report
    assert "0.447" in report and "0.550" in report
    for title in THRESHOLDS:
        assert f"\n   {title}: " in report
    assert "   PerceptronRegressor         newton     1   1390.2" in report


# ----------------------------------------------------------------------------
# 1. Alien moods
# ----------------------------------------------------------------------------


def test_alien_moods_fits(plotted):
    fits = plotted.alien_moods.fits
    assert [(f.name, f.solver) for f in fits] == CLASSIFIER_ROWS + REGRESSOR_ROWS
    for fit in fits:
        assert fit.outputs.shape == (4,)  # s1 .. s4
    by_model = _by_model(fits)
    for row in CLASSIFIER_ROWS:
        p_happy = by_model[row].outputs
        assert np.array_equal(p_happy > 0.5, [True, False, False, True])
        assert by_model[row].score == 1.0  # training accuracy
    # Newton's method on a quadratic is least squares, in one step.
    newton = by_model["PerceptronRegressor", "newton"]
    lstsq = by_model["LinearRegression", "lstsq"]
    assert newton.outputs == pytest.approx(lstsq.outputs, abs=2e-3)
    assert newton.score == pytest.approx(lstsq.score, abs=2e-3)
    assert newton.n_iter == 1 and newton.converged


# ----------------------------------------------------------------------------
# 2. scikit-learn's bundled data sets
# ----------------------------------------------------------------------------


def test_every_estimator_and_solver_on_every_data_set(plotted):
    records = _held_out(plotted)
    assert list(records) == list(THRESHOLDS)
    for title, record in records.items():
        expected = REGRESSOR_ROWS if title == "diabetes" else CLASSIFIER_ROWS
        assert [(fit.name, fit.solver) for fit in record.fits] == expected, title
        assert record.metric == ("R²" if title == "diabetes" else "accuracy")
        assert len(record.X_test) == pytest.approx(0.25 * len(record.X), abs=1)


def test_held_out_scores_are_good(plotted):
    for title, record in _held_out(plotted).items():
        for fit in record.fits:
            assert fit.score >= THRESHOLDS[title], (title, fit.name, fit.solver)
            assert fit.seconds >= 0
            if fit.name == "LinearRegression":
                assert fit.n_iter is None
            else:
                assert fit.n_iter >= 1


def test_network_bends_where_a_line_cannot(plotted):
    fits = _by_model(_held_out(plotted)["two moons"].fits)
    for solver in ["gd", "newton"]:
        line = fits["SigmoidPerceptronClassifier", solver].score
        network = fits["TwoLayerNetClassifier", solver].score
        assert line < 0.9 < network


def test_newton_reaches_the_convex_minimum(plotted):
    """On convex problems Newton's J is the minimum: never above gradient descent's."""
    for title, record in _held_out(plotted).items():
        by_model = _by_model(record.fits)
        if title == "diabetes":
            ours, theirs = "PerceptronRegressor", ("LinearRegression", "lstsq")
        else:
            ours, theirs = (
                "SigmoidPerceptronClassifier",
                ("LogisticRegression", "lbfgs"),
            )
        newton = by_model[ours, "newton"].final_objective
        gd = by_model[ours, "gd"].final_objective
        assert newton <= gd * (1 + 1e-6), title
        # scikit-learn's models minimize other objectives: no J is recorded.
        assert by_model[theirs].final_objective is None


# ----------------------------------------------------------------------------
# 3. GridSearchCV over learning_rate
# ----------------------------------------------------------------------------


def test_grid_search_report(plotted):
    record = plotted.grid_search
    assert record.rates == pytest.approx(np.logspace(-3, 1, 9), rel=1e-12)
    bound = 2 / record.lipschitz
    # Gradient descent diverges exactly above 2/L.
    assert np.array_equal(record.diverged, record.rates > bound)
    assert record.best_rate == record.rates[record.best_index] < bound
    assert record.best_score > 0.45
    assert record.best_score == np.nanmax(record.mean_scores)


def test_grid_search_curvature_is_the_estimators(plotted):
    """L and the "auto" steps of the record are those of PerceptronRegressor."""
    record = plotted.grid_search
    X, y = load_diabetes(return_X_y=True)
    Z = StandardScaler().fit_transform(X)
    # The largest curvature of the mean half squared error + (alpha/2)‖w‖².
    Z1 = np.column_stack([Z, np.ones(len(Z))])
    alpha = PerceptronRegressor().alpha
    penalty = np.diag(np.append(np.full(Z.shape[1], alpha), 0.0))
    lipschitz = np.linalg.eigvalsh(Z1.T @ Z1 / len(Z) + penalty)[-1]
    assert record.lipschitz == pytest.approx(lipschitz, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = PerceptronRegressor(max_iter=1).fit(Z, y)
    assert np.array_equal(record.auto_steps, auto.learning_rate_)


# ----------------------------------------------------------------------------
# 4. Newton's method on the course notes' example
# ----------------------------------------------------------------------------


def test_newton_table_is_the_course_notes(plotted):
    record = plotted.newton_table
    exact = [round(float(x), 3) for x in record.iterates[:7]]
    assert exact == [0.05, 0.097, 0.183, 0.321, 0.477, 0.558, 0.567]
    assert record.notes_table == (0.05, 0.097, 0.183, 0.320, 0.477, 0.558, 0.567)
    assert float(record.iterates[-1]) == pytest.approx(0.5671432904, abs=1e-9)
    assert record.x == pytest.approx(NEWTON_MINIMIZER, abs=1e-9)
    assert record.nit == len(record.iterates) - 1
    assert record.full_steps
    # The two differences from the notes, explained: rounding before each
    # step reproduces their column, and x5 is computed from 0.477, not 0.447.
    assert record.rounded == list(record.notes_table)
    assert round(record.steps_from[0.183], 3) == 0.320
    assert round(record.steps_from[0.477], 3) == 0.558
    assert record.notes_typo == 0.447
    assert round(record.steps_from[0.447], 3) == 0.550


# ----------------------------------------------------------------------------
# Figures and matplotlib
# ----------------------------------------------------------------------------


def test_plots_are_written(plotted):
    for name in FIGURES:
        path = plotted.directory / name
        assert path.stat().st_size > 10_000, name
        assert str(path) in plotted.report
        image = imread(path)
        height, width, channels = image.shape
        assert height >= 400 and width >= 600 and channels in (3, 4)
        # Drawn on, not blank: many distinct colours.
        assert image[..., :3].std() > 0.05, name


def test_runs_without_matplotlib(no_matplotlib, plotted):
    status, report = no_matplotlib
    assert status == 0
    assert "iterates to 3 decimals: 0.05 0.097 0.183 0.321 0.477 0.558 0.567" in report
    assert "Figures written" not in report

    # Seeded everywhere: the same report as the run with --plots, but for times.
    def without_times(text):
        text = text.split("\nFigures written:")[0].split("\nTotal time:")[0]
        return re.sub(r"\s*\d+\.\d+ s\b", " <time>", text)

    assert without_times(report) == without_times(plotted.report)


def test_plots_without_matplotlib_says_how_to_get_it(
    block_matplotlib, tmp_path, capsys
):
    with pytest.raises(SystemExit) as exit_info:
        main(["--plots", str(tmp_path / "figures")])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert 'pip install "skperceptron[plots]"' in captured.err
    assert "matplotlib" in captured.err
    assert captured.out == ""  # it stops before fitting anything
    assert not (tmp_path / "figures").exists()


def test_help_documents_everything(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for word in [
        "--plots DIR",
        'solver="gd"',
        'solver="newton"',
        "GridSearchCV",
        "learning_rate",
        "NewtonOptimizer",
        "breast cancer",
        "diabetes",
        'pip install "skperceptron[plots]"',
        *FIGURES,
    ]:
        assert word in text, word
