"""The example scripts run and write their figures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.image import imread

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# (script, arguments, where its figure is expected, relative to the cwd): the
# output may be the current directory, a directory or a .png path.
RUNS = [
    ("plot_alien_moods.py", [], "alien_moods.png"),
    ("plot_two_layer_backprop.py", [], "two_layer_backprop.png"),
    ("plot_newton_table.py", ["figures/newton.png"], "figures/newton.png"),
    ("plot_grid_search.py", ["figures"], "figures/grid_search.png"),
    ("plot_gd_vs_newton.py", [], "gd_vs_newton.png"),
]


def test_every_example_is_run_and_described():
    scripts = sorted(path.name for path in EXAMPLES.glob("plot_*.py"))
    assert scripts == sorted(script for script, _, _ in RUNS)
    readme = (EXAMPLES / "README.txt").read_text()
    for script, _, _ in RUNS:
        assert script in readme


@pytest.mark.parametrize(("script", "args", "figure"), RUNS)
def test_example_writes_its_figure(script, args, figure, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    completed = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", str(EXAMPLES / script), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    path = tmp_path / figure
    last_line = completed.stdout.strip().splitlines()[-1]
    assert last_line.startswith("wrote ")
    assert (tmp_path / last_line.removeprefix("wrote ")).resolve() == path.resolve()
    assert path.stat().st_size > 10_000
    height, width, _ = imread(path).shape
    assert height >= 400 and width >= 800
    assert list(tmp_path.rglob("*.png")) == [path]  # nothing written elsewhere
