"""The verbose table: one aligned line per epoch or Newton iteration.

Optimizer layer. Gradient descent and Newton's method print the same
columns, so that every estimator and solver reports progress alike.
"""

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
