"""The benchmark runner works end to end at its smoke-test size."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_its_tables(tmp_path):
    subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["problems"] and results["network"] and results["targets"]
    markdown = (tmp_path / "results.md").read_text()
    assert "ours/theirs" in markdown and "MLPClassifier" in markdown
    assert "Performance targets" in markdown
    # Timed ratios at this size are noise (an epoch is a difference of two
    # fits' times, which can come out negative): check their form only.
    for row in results["targets"]:
        assert isinstance(row["ratio"], float) and isinstance(row["met"], bool)
    memory = [row for row in results["targets"] if row["target"].startswith("peak")]
    assert len(memory) == 2 and all(row["ratio"] > 0 for row in memory)
