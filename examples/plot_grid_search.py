"""Choosing the learning rate with GridSearchCV.

The learning rate α of the seeds' update ``θ ← θ − α·∇J(θ)`` is a
hyperparameter like any other: ``GridSearchCV`` tunes it by cross-validation,
here for ``SigmoidPerceptronClassifier`` on scikit-learn's breast-cancer data
(standardized in a pipeline). Every candidate gets the same budget of 100
epochs, so a rate that is too small has not converged when the budget runs
out, and one that is too large overshoots. The search scores accuracy and
log-loss and picks the rate with the best log-loss, which varies more
smoothly than accuracy.

Run it as ``python examples/plot_grid_search.py [OUTPUT]``: OUTPUT is a
directory (default: the current one) or a ``.png`` path; the figure is
``grid_search.png``.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from _figure import save
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skperceptron import SigmoidPerceptronClassifier

RATES = np.logspace(-3, 1, 9)
MAX_ITER = 100


def main():
    """Search, print the table and plot both scores against the rate."""
    X, y = load_breast_cancer(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), SigmoidPerceptronClassifier(max_iter=MAX_ITER)),
        {"sigmoidperceptronclassifier__learning_rate": RATES},
        scoring={"accuracy": "accuracy", "log-loss": "neg_log_loss"},
        refit="log-loss",
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
    )
    with warnings.catch_warnings():
        # The small rates do not converge in MAX_ITER epochs: that is the point.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    results = search.cv_results_
    accuracy = results["mean_test_accuracy"]
    loss = -results["mean_test_log-loss"]
    best = search.best_index_

    print(f"{'learning_rate':>13} {'accuracy':>9} {'log-loss':>9}")
    for i, rate in enumerate(RATES):
        mark = "  <- chosen" if i == best else ""
        print(f"{rate:>13.3g} {accuracy[i]:>9.4f} {loss[i]:>9.4f}{mark}")
    chosen = search.best_params_["sigmoidperceptronclassifier__learning_rate"]
    print(f"\nchosen learning_rate = {chosen:.3g}")

    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    for ax, mean, std, label in [
        (ax_acc, accuracy, results["std_test_accuracy"], "mean accuracy"),
        (ax_loss, loss, results["std_test_log-loss"], "mean log-loss"),
    ]:
        ax.errorbar(
            RATES,
            mean,
            yerr=std,
            marker="o",
            capsize=4,
            label="mean ± std over 5 folds",
        )
        ax.plot(
            RATES[best], mean[best], "*", markersize=18, color="gold",
            markeredgecolor="k", label=f"chosen: learning_rate = {chosen:.3g}",
        )  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("learning_rate (log scale)")
        ax.set_ylabel(f"{label} (5-fold cross-validation)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    ax_acc.set_title("Accuracy: higher is better")
    ax_loss.set_title("Log-loss: lower is better (used to choose)")
    fig.suptitle(
        f"GridSearchCV over learning_rate: SigmoidPerceptronClassifier on breast "
        f"cancer, {MAX_ITER} epochs per fit"
    )
    save(fig, "grid_search.png")


if __name__ == "__main__":
    main()
