"""``python -m skperceptron``: the report, its figures, and running without matplotlib.

The command runs twice in this module: once with ``--plots`` (the ``plotted``
fixture) and once with matplotlib made impossible to import (``no_matplotlib``).
"""

import contextlib
import io
import re
import sys

import numpy as np
import pytest
from matplotlib.image import imread

from skperceptron.__main__ import main

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
ROW = re.compile(
    r"^\s+(?P<model>\w+)\s+(?P<solver>gd|newton|lbfgs|lstsq)\s+"
    r"(?P<iter>\d+\*?|-)\s+(?P<J>[\d.]+|-)\s+(?P<rest>.*)$"
)


def _run(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    return status, out.getvalue()


@pytest.fixture(scope="module")
def plotted(tmp_path_factory):
    directory = tmp_path_factory.mktemp("figures")
    status, report = _run(["--plots", str(directory)])
    return status, report, directory


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


def _section(report, start, end=None):
    text = report.split(start, 1)[1]
    return text.split(end, 1)[0] if end else text


def _rows(text):
    """Parsed table rows (model, solver, iter, J, rest) of a report section."""
    return [m.groupdict() for line in text.splitlines() if (m := ROW.match(line))]


def _bundled_blocks(report):
    """{data set: its table rows} of part 2 of the report."""
    part = _section(report, "2. scikit-learn's bundled data sets", "3. GridSearchCV")
    blocks = {}
    for title in THRESHOLDS:
        text = part.split(f"\n   {title}: ", 1)[1].split("\n\n", 1)[0]
        blocks[title] = _rows(text)
    return blocks


def test_main_succeeds(plotted):
    status, report, _ = plotted
    assert status == 0
    for part in [
        "1. The seeds' alien moods",
        "2. scikit-learn's bundled data sets",
        "3. GridSearchCV over learning_rate",
        "4. Newton's method",
    ]:
        assert part in report


def test_every_estimator_and_solver_on_every_data_set(plotted):
    blocks = _bundled_blocks(plotted[1])
    for title, rows in blocks.items():
        expected = REGRESSOR_ROWS if title == "diabetes" else CLASSIFIER_ROWS
        assert [(row["model"], row["solver"]) for row in rows] == expected, title


def test_held_out_scores_are_good(plotted):
    for title, rows in _bundled_blocks(plotted[1]).items():
        for row in rows:
            score, seconds = row["rest"].split()[:2]
            assert float(score) >= THRESHOLDS[title], (title, row)
            assert float(seconds) >= 0
            if row["model"] == "LinearRegression":
                assert row["iter"] == "-"
            else:
                assert int(row["iter"].rstrip("*")) >= 1


def test_network_bends_where_a_line_cannot(plotted):
    rows = _bundled_blocks(plotted[1])["two moons"]
    score = {(r["model"], r["solver"]): float(r["rest"].split()[0]) for r in rows}
    for solver in ["gd", "newton"]:
        line = score["SigmoidPerceptronClassifier", solver]
        network = score["TwoLayerNetClassifier", solver]
        assert line < 0.9 < network


def test_newton_reaches_the_convex_minimum(plotted):
    """On convex problems Newton's J is the minimum: never above gradient descent's."""
    for title, rows in _bundled_blocks(plotted[1]).items():
        objective = {(r["model"], r["solver"]): r["J"] for r in rows}
        if title == "diabetes":
            ours, theirs = "PerceptronRegressor", ("LinearRegression", "lstsq")
        else:
            ours, theirs = (
                "SigmoidPerceptronClassifier",
                ("LogisticRegression", "lbfgs"),
            )
        newton, gd = float(objective[ours, "newton"]), float(objective[ours, "gd"])
        assert newton <= gd * (1 + 1e-6), title
        # scikit-learn's models minimize other objectives: no J is shown.
        assert objective[theirs] == "-"


def test_alien_moods_fits(plotted):
    part = _section(plotted[1], "1. The seeds' alien moods", "2. scikit-learn's")
    rows = _rows(part)
    assert [(r["model"], r["solver"]) for r in rows] == CLASSIFIER_ROWS + REGRESSOR_ROWS
    outputs = {}
    for row in rows:
        values = [float(v) for v in row["rest"].split()]
        assert len(values) == 5  # s1 .. s4 and the training score
        outputs[row["model"], row["solver"]] = values
    for model, solver in CLASSIFIER_ROWS:
        p_happy = np.array(outputs[model, solver][:4])
        assert np.array_equal(p_happy > 0.5, [True, False, False, True])
        assert outputs[model, solver][4] == 1.0  # training accuracy
    # Newton's method on a quadratic is least squares, in one step.
    newton = outputs["PerceptronRegressor", "newton"]
    assert newton == pytest.approx(outputs["LinearRegression", "lstsq"], abs=2e-3)
    iterations = {(r["model"], r["solver"]): r["iter"] for r in rows}
    assert iterations["PerceptronRegressor", "newton"] == "1"


def test_grid_search_report(plotted):
    part = _section(plotted[1], "3. GridSearchCV over learning_rate", "4. Newton")
    table = re.findall(r"^\s+([\d.e+-]+)\s+(diverged|-?[\d.]+)\b", part, re.M)
    rates = [float(rate) for rate, _ in table]
    assert rates == pytest.approx(np.logspace(-3, 1, 9), rel=1e-2)
    bound = float(re.search(r"2/L = ([\d.]+)", part).group(1))
    for rate, score in table:
        # Gradient descent diverges exactly above 2/L.
        assert (score == "diverged") == (float(rate) > bound)
    chosen = re.search(
        r"chosen learning_rate = ([\d.]+), mean cross-validated R² ([\d.]+)", part
    )
    assert chosen is not None
    assert float(chosen.group(1)) < bound
    assert float(chosen.group(2)) > 0.45
    assert part.count("<- chosen") == 1


def test_newton_table_is_the_seeds(plotted):
    part = _section(plotted[1], "4. Newton's method")
    assert "iterates to 3 decimals: 0.05 0.097 0.183 0.321 0.477 0.558 0.567\n" in part
    rows = re.findall(
        r"^\s+(\d)\s+(0\.\d{9})\s.*?(0\.\d{3})(?:\s+(0\.\d{3}))?$", part, re.M
    )
    assert [int(k) for k, *_ in rows] == list(range(len(rows)))
    exact = [round(float(x), 3) for _, x, _, _ in rows]
    assert exact[:7] == [0.05, 0.097, 0.183, 0.321, 0.477, 0.558, 0.567]
    seed = [float(s) for *_, s in rows if s]
    assert seed == [0.05, 0.097, 0.183, 0.320, 0.477, 0.558, 0.567]
    assert float(rows[-1][1]) == pytest.approx(0.5671432904, abs=1e-9)
    # The two differences from the seed, explained.
    assert "0.050 0.097 0.183 0.320 0.477 0.558 0.567" in part
    assert "0.447" in part and "0.550" in part


def test_plots_are_written(plotted):
    _, report, directory = plotted
    for name in FIGURES:
        path = directory / name
        assert path.stat().st_size > 10_000, name
        assert str(path) in report
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

    assert without_times(report) == without_times(plotted[1])


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
