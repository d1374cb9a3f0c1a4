"""Alien moods: the seeds' sigmoid perceptron, end to end.

Seed 000 counts the words "aack" and "beep" in four alien sentences and labels
each one happy (1) or sad (0). A sigmoid perceptron
``ŷ = σ(w1·x1 + w2·x2 + b)``, trained on the log-loss, separates them with the
line ``w1·x1 + w2·x2 + b = 0``.

The script

1. checks the first epoch of gradient descent against the seeds' update written
   out by hand, ``w ← w − α·mean((ŷ − y)·x)``, ``b ← b − α·mean(ŷ − y)``;
2. fits ``SigmoidPerceptronClassifier`` with ``solver="gd"`` and
   ``solver="newton"`` and prints the learned weights and P(happy) of each
   sentence;
3. draws the decision boundaries and the training objective per iteration.

Run it as ``python examples/plot_alien_moods.py [OUTPUT]``: OUTPUT is a
directory (default: the current one) or a ``.png`` path; the figure is
``alien_moods.png``.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from _figure import save
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay

from skperceptron import SigmoidPerceptronClassifier
from skperceptron.datasets import load_alien_moods


def first_epoch_by_hand(X, y, learning_rate):
    """One full-batch update of the seeds' rule from w = 0, b = 0."""
    w, b = np.zeros(2), 0.0
    y_hat = expit(X @ w + b)  # σ(0) = 0.5 for every sentence
    w = w - learning_rate * np.mean((y_hat - y)[:, None] * X, axis=0)
    b = b - learning_rate * np.mean(y_hat - y)
    return w, b


def line_equation(w1, w2, b):
    """Return ``"w1·x1 + w2·x2 + b = 0"`` with signs written out."""

    def term(value, name, first=False):
        sign = "−" if value < 0 else ("" if first else "+")
        return f"{sign} {abs(value):.2f}{name}".strip()

    return f"{term(w1, '·x1', True)} {term(w2, '·x2')} {term(b, '')} = 0"


def main():
    """Fit, check, print and plot."""
    moods = load_alien_moods()
    X, y = moods.data, moods.target

    # 1. The first epoch of gradient descent is the seeds' update, exactly.
    rate = 0.5
    w, b = first_epoch_by_hand(X, y, rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1 on purpose
        one_epoch = SigmoidPerceptronClassifier(
            learning_rate=rate, max_iter=1, alpha=0.0
        ).fit(X, y)
    assert np.allclose(one_epoch.coef_[0], w) and np.isclose(one_epoch.intercept_[0], b)
    print(
        f"First epoch (learning_rate={rate}), by hand:   w = {np.round(w, 4)}, "
        f"b = {b:+.4f}\n"
        f"First epoch, SigmoidPerceptronClassifier: w = "
        f"{np.round(one_epoch.coef_[0], 4)}, b = {one_epoch.intercept_[0]:+.4f}\n"
    )

    # 2. Fit to convergence with both solvers.
    fits = {
        solver: SigmoidPerceptronClassifier(solver=solver).fit(X, y)
        for solver in ["gd", "newton"]
    }
    for solver, clf in fits.items():
        (w1, w2), b = clf.coef_[0], clf.intercept_[0]
        print(
            f'solver="{solver}": {clf.n_iter_} iterations, J = '
            f"{clf.loss_curve_[-1]:.4f}, w1 = {w1:+.3f}, w2 = {w2:+.3f}, "
            f"b = {b:+.3f}"
        )
        proba = clf.predict_proba(X)[:, 1]
        for sentence, p, label in zip(moods.sentences, proba, y, strict=True):
            print(
                f"  {sentence:<22} P(happy) = {p:.3f}  "
                f"(truth: {moods.target_names[label]})"
            )

    # 3. Decision boundaries and training curves.
    fig, (ax_data, ax_loss) = plt.subplots(
        1, 2, figsize=(12, 5.6), layout="constrained"
    )
    display = DecisionBoundaryDisplay.from_estimator(
        fits["gd"],
        X,
        response_method="predict_proba",
        grid_resolution=200,
        eps=0.8,
        levels=11,
        vmin=0,
        vmax=1,
        cmap="RdBu",
        alpha=0.7,
        xlabel='count of "aack" (x1)',
        ylabel='count of "beep" (x2)',
        ax=ax_data,
    )
    fig.colorbar(display.surface_, ax=ax_data, label='P(happy), solver="gd"')
    x1 = np.linspace(*ax_data.get_xlim(), 2)
    for (solver, clf), style in zip(fits.items(), ["-", "--"], strict=True):
        (w1, w2), b = clf.coef_[0], clf.intercept_[0]
        ax_data.plot(
            x1,
            -(w1 * x1 + b) / w2,
            "k" + style,
            label=f'solver="{solver}": {line_equation(w1, w2, b)}',
        )
    ax_data.set_ylim(-0.8, 3.8)
    for value, marker, color, name in [
        (0, "s", "tab:red", "sad"),
        (1, "o", "tab:blue", "happy"),
    ]:
        rows = y == value
        ax_data.scatter(
            *X[rows].T,
            marker=marker,
            s=70,
            color=color,
            edgecolor="k",
            label=name,
            zorder=3,
        )
    for sentence, (a, c) in zip(moods.sentences, X, strict=True):
        ax_data.annotate(
            sentence, (a, c), xytext=(0, -20), textcoords="offset points",
            ha="center", fontsize="small",
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85},
        )  # fmt: skip
    ax_data.set_title("Decision boundaries σ(z) = 0.5 of both solvers")
    ax_data.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, fontsize="small"
    )

    for solver, clf in fits.items():
        ax_loss.plot(
            np.arange(1, clf.n_iter_ + 1),
            clf.loss_curve_,
            marker="o" if clf.n_iter_ < 30 else None,
            markersize=4,
            label=f'solver="{solver}" ({clf.n_iter_} iterations)',
        )
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration (epoch for gradient descent)")
    ax_loss.set_ylabel("training objective J (log scale)")
    ax_loss.set_title("Training objective after each iteration")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend()
    fig.suptitle(
        "Alien moods (seed 000): a sigmoid perceptron separates happy from sad"
    )
    save(fig, "alien_moods.png")


if __name__ == "__main__":
    main()
