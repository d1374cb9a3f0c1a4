"""Gradient descent against Newton's method on one problem.

``SigmoidPerceptronClassifier`` minimizes the same objective J (mean log-loss
plus a small L2 penalty) with either solver. On scikit-learn's breast-cancer
data (standardized), the script fits

- ``solver="gd"`` with the default ``learning_rate="auto"`` (1/L, the safe
  step) and with ``learning_rate=1.0`` (larger; the best rate found by
  ``plot_grid_search.py``), each for 2000 epochs;
- ``solver="newton"``, until every component of the gradient is below 1e-10;

and plots the distance ``J − J*`` to the minimum (J* from Newton's method)
against the iteration and against the time. Gradient descent closes the gap
by a constant factor per epoch (a straight line on the log scale, slow when
the problem is ill-conditioned); Newton's method squares it near the end.
Each iteration of Newton's method costs more (it forms and solves a
31 × 31 system), and the time axis shows what that buys. The time of each
iteration is the fit time divided evenly among its iterations.

Run it as ``python examples/plot_gd_vs_newton.py [OUTPUT]``: OUTPUT is a
directory (default: the current one) or a ``.png`` path; the figure is
``gd_vs_newton.png``.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from _figure import save
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skperceptron import SigmoidPerceptronClassifier

GD_EPOCHS = 2000


def timed_fit(model, X, y):
    """Fit ``model``; return it and the fit time in seconds."""
    with warnings.catch_warnings():
        # Gradient descent runs its full budget on purpose (tol=0).
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
    return model, time.perf_counter() - start


def main():
    """Fit with both solvers, print a summary and plot J − J*."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    runs = {
        'solver="gd", learning_rate="auto"': SigmoidPerceptronClassifier(
            solver="gd", max_iter=GD_EPOCHS, tol=0.0
        ),
        'solver="gd", learning_rate=1.0': SigmoidPerceptronClassifier(
            solver="gd", learning_rate=1.0, max_iter=GD_EPOCHS, tol=0.0
        ),
        'solver="newton"': SigmoidPerceptronClassifier(solver="newton", tol=1e-10),
    }
    fitted = {label: timed_fit(model, X, y) for label, model in runs.items()}
    j_star = min(min(model.loss_curve_) for model, _ in fitted.values())

    print(f"J* = {j_star:.10f}\n")
    print(f"{'fit':<36} {'iterations':>10} {'time':>8} {'J − J* at the end':>18}")
    for label, (model, seconds) in fitted.items():
        gap = model.loss_curve_[-1] - j_star
        print(f"{label:<36} {model.n_iter_:>10} {seconds:>6.3f} s {gap:>18.2e}")

    fig, (ax_iter, ax_time) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    for (label, (model, seconds)), color in zip(
        fitted.items(), ["tab:blue", "tab:green", "tab:orange"], strict=True
    ):
        gap = np.asarray(model.loss_curve_) - j_star
        iterations = np.arange(1, len(gap) + 1)
        keep = gap > 0  # J* itself is not drawn on a log scale
        elapsed = iterations * seconds / len(gap)
        style = {
            "color": color,
            "marker": "o" if len(gap) < 50 else None,
            "markersize": 4,
        }
        ax_iter.semilogy(iterations[keep], gap[keep], label=label, **style)
        ax_time.semilogy(
            elapsed[keep], gap[keep], label=f"{label}: {seconds:.2f} s", **style
        )
    ax_iter.set_xscale("log")
    ax_iter.set_xlabel("iteration (epoch for gradient descent, log scale)")
    ax_iter.set_title("Against iterations")
    ax_time.set_xscale("log")
    ax_time.set_xlabel(
        "time (s, log scale): fit time spread evenly over its iterations"
    )
    ax_time.set_title("Against time")
    for ax in (ax_iter, ax_time):
        ax.set_ylabel("J − J*  (log scale)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(
        "SigmoidPerceptronClassifier on breast cancer (569 × 30, standardized): "
        "distance to the minimum of J"
    )
    save(fig, "gd_vs_newton.png")


if __name__ == "__main__":
    main()
