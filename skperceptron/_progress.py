"""The verbose table: one aligned line per epoch or Newton iteration.

Optimizer layer. Gradient descent and Newton's method print the same
columns, so that every estimator and solver reports progress alike. The
rows are recorded whether or not they are printed (:class:`Table`): they
become the estimators' ``history_``.
"""

import time

import numpy as np
from scipy.optimize import OptimizeResult

#: The key of each column in a recorded history, in the order of ``COLUMNS``.
KEYS = ("iter", "objective", "grad_norm", "step", "damping", "time")

#: (name, width, format) of each column.
COLUMNS = [
    ("iter", 5, "d"),
    ("objective", 15, ".8e"),
    ("max|grad|", 10, ".3e"),
    ("step", 9, ".3g"),
    ("damping", 9, ".2e"),
    ("time[s]", 8, ".3f"),
]


def header():
    """Return the line of column names."""
    return line(*(name for name, _, _ in COLUMNS))


def line(*values):
    """Return one line of the table, right-aligned under ``COLUMNS``.

    Numbers are formatted, strings (the column names, "-") printed as they are.
    """
    return " ".join(
        f"{value:>{width}}" if isinstance(value, str) else f"{value:>{width}{spec}}"
        for value, (_, width, spec) in zip(values, COLUMNS, strict=True)
    )


class Table:
    """The rows of the table: printed when ``verbose``, always recorded.

    Parameters
    ----------
    verbose : int
        Print the header now, and each row as it is added, when positive.
    """

    def __init__(self, verbose):
        self.verbose = verbose
        self.rows = []
        self.start = time.perf_counter()
        if verbose:
            print(header())

    def add(self, iteration, objective, grad_norm, step=None, damping=None):
        """Record (and print) the row of one iterate.

        ``step`` and ``damping`` are None where they do not apply (the
        starting point, the damping of gradient descent): printed "-" and
        recorded as NaN. The time is the seconds since the table was made.
        """
        seconds = time.perf_counter() - self.start
        values = (iteration, float(objective), float(grad_norm), step, damping)
        self.rows.append((*values[:3], *_nan_if_none(step, damping), seconds))
        if self.verbose:
            print(line(*("-" if value is None else value for value in values), seconds))

    def history(self):
        """Return the rows as a dict of 1-d arrays, keyed by ``KEYS``.

        ``"iter"`` holds integers, every other column floats.
        """
        columns = list(zip(*self.rows, strict=True)) or [()] * len(KEYS)
        history = dict(zip(KEYS, np.array(columns, dtype=float), strict=True))
        history["iter"] = history["iter"].astype(np.int64)
        return history


def _nan_if_none(*values):
    return tuple(np.nan if value is None else float(value) for value in values)


def stopped_by(callback, **fields):
    """Call ``callback(OptimizeResult(**fields))``; True if it raised StopIteration.

    The convention of :func:`scipy.optimize.minimize` for ``callback``.
    """
    if callback is None:
        return False
    try:
        callback(OptimizeResult(**fields))
    except StopIteration:
        return True
    return False
