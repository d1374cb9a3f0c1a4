"""The README's commands are the ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    command = next(line for line in ci_lines if "pytest" in line)
    readme = (ROOT / "README.md").read_text()
    assert f"```bash\n{command}\n```" in readme


def test_readme_runs_the_main_job():
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && python -m skperceptron\n" in readme


def test_readme_python_examples_run(capsys):
    readme = (ROOT / "README.md").read_text()
    blocks = [part.split("```")[0] for part in readme.split("```python\n")[1:]]
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "0.097 0.183 0.321 0.477 0.558 0.567" in capsys.readouterr().out


def test_the_architecture_names_every_module_and_only_modules():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Architecture\n")[1].split("\n## ")[0]
    named = set(re.findall(r"`(_\w+\.py|__main__\.py)`", section))
    modules = {
        path.name
        for path in (ROOT / "skperceptron").glob("*.py")
        if path.name != "__init__.py"
    }
    assert named == modules
