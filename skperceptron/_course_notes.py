"""The course notes' worked Newton example, in one place.

The notes minimize ``g(x) = exp(x) − log(x)`` by Newton's root-finding update
on the derivative, ``x_{k+1} = x_k − g′(x_k) / g″(x_k)``, from ``x0 = 0.05``,
and print the table :data:`SEED_NEWTON_TABLE`. They round every iterate to
three decimals before the next step (hence 0.320 for x3, unrounded 0.3205),
and their line for x5 starts from :data:`NOTES_X5_TYPO`, 0.447, a typo for
x4 = 0.477: from 0.477 the step gives the printed 0.558.
"""

import numpy as np

#: The notes' starting point.
NEWTON_X0 = 0.05

#: The notes' printed iterates x0 ... x5 and x*, each rounded to 3 decimals.
SEED_NEWTON_TABLE = (0.05, 0.097, 0.183, 0.320, 0.477, 0.558, 0.567)

#: Where the notes' line for x5 starts: a typo for x4 = 0.477.
NOTES_X5_TYPO = 0.447

#: The minimizer of ``g``: the solution of ``exp(−x) = x``, the omega constant.
NEWTON_MINIMIZER = 0.5671432904097838


def g(x):
    """Return the notes' function ``g(x) = eˣ − log x``."""
    return np.exp(x) - np.log(x)


def dg(x):
    """Return ``g′(x) = eˣ − 1/x``."""
    return np.exp(x) - 1 / x


def d2g(x):
    """Return ``g″(x) = eˣ + 1/x²``."""
    return np.exp(x) + 1 / x**2


def newton_step(x):
    """Return the notes' update ``x − g′(x)/g″(x)``, as a float."""
    return float(x - dg(x) / d2g(x))


def rounded_newton_iterates(n_iterates=None):
    """Return the notes' hand computation: round to 3 decimals, then step.

    Parameters
    ----------
    n_iterates : int, default=None
        Iterates to return, ``x0`` included; None: as many as the notes print.

    Returns
    -------
    iterates : list of float
        ``x0``, then each step from the previous iterate rounded to three
        decimals; equal to :data:`SEED_NEWTON_TABLE`.
    """
    if n_iterates is None:
        n_iterates = len(SEED_NEWTON_TABLE)
    iterates = [NEWTON_X0]
    while len(iterates) < n_iterates:
        iterates.append(round(newton_step(iterates[-1]), 3))
    return iterates
