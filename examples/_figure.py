"""Where the example scripts write their figure: ``sys.argv[1]`` or the cwd."""

import sys
from pathlib import Path

import matplotlib.pyplot as plt


def save(fig, default_name):
    """Write ``fig`` as a PNG, close it and print its path.

    The path is ``sys.argv[1]`` when it ends in ``.png``; otherwise the
    directory ``sys.argv[1]`` (default: the current directory), under
    ``default_name``. Missing directories are created.
    """
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    if target.suffix != ".png":
        target.mkdir(parents=True, exist_ok=True)
        target = target / default_name
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=100)
    plt.close(fig)
    print(f"\nwrote {target}")
