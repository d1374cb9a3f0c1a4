"""Figures of ``python -m skperceptron --plots DIR``.

Every function imports matplotlib when called, so that the package and the
rest of the main command work without it. Figures are drawn with the Agg
backend and saved as PNG; each function returns the path it wrote.
"""

from ._docstrings import shared_docstring

COLORS = {"gd": "tab:blue", "newton": "tab:orange"}
SOLVER_LABELS = {"gd": "gradient descent", "newton": "Newton's method"}


def _figure(nrows, ncols, figsize):
    """Return a new figure and its axes, drawn by the Agg backend (no display)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _plural(count, noun):
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _save(fig, path):
    fig.savefig(path, dpi=110)
    return path


@shared_docstring()
def plot_loss_curves(panels, path):
    """Plot the training objective against the iteration, one panel per model.

    Parameters
    ----------
    panels : list of (str, list of Fit)
        A title and the fits to draw in that panel (one per solver); each
        fit's estimator has ``loss_curve_`` and ``n_iter_``.
    {png_path}
    """
    fig, axes = _figure(1, len(panels), (5.2 * len(panels), 4.6))
    for ax, (title, fits) in zip(axes[0], panels, strict=True):
        lowest = min(min(fit.estimator.loss_curve_) for fit in fits)
        for fit in fits:
            curve = fit.estimator.loss_curve_
            iterations = range(1, len(curve) + 1)
            ax.plot(
                iterations,
                curve,
                marker="o" if len(curve) < 100 else None,
                markersize=7 if len(curve) == 1 else 3,
                color=COLORS[fit.solver],
                zorder=3,
                label=(
                    f"{SOLVER_LABELS[fit.solver]}: {_plural(len(curve), 'iteration')}"
                    f", {fit.seconds:.2f} s"
                ),
            )
        ax.axhline(lowest, color="0.4", linestyle=":", label=f"lowest J = {lowest:.4g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("iteration (epoch for gradient descent)")
        ax.set_ylabel("training objective J (log scale)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(
        "Training objective J after each iteration: gradient descent vs "
        "Newton's method (standardized training split)"
    )
    return _save(fig, path)


def _scatter_classes(ax, X, y, labels, size=30):
    """Scatter the two classes: red squares for 0, blue circles for 1."""
    for value, (label, marker, color) in enumerate(
        zip(labels, "so", ["tab:red", "tab:blue"], strict=True)
    ):
        rows = y == value
        ax.scatter(
            X[rows, 0],
            X[rows, 1],
            marker=marker,
            color=color,
            edgecolor="black",
            linewidth=1.5 if size > 30 else 1,
            s=size,
            label=label,
            zorder=3,
        )


def _boundary(ax, estimator, X, xlabel, ylabel, eps):
    """Draw P(class 1) as filled contours and the 0.5 boundary as a line."""
    from sklearn.inspection import DecisionBoundaryDisplay

    display = DecisionBoundaryDisplay.from_estimator(
        estimator,
        X,
        response_method="predict_proba",
        plot_method="contourf",
        grid_resolution=200,
        eps=eps,
        levels=11,
        vmin=0,
        vmax=1,
        cmap="RdBu",
        alpha=0.75,
        xlabel=xlabel,
        ylabel=ylabel,
        ax=ax,
    )
    DecisionBoundaryDisplay.from_estimator(
        estimator,
        X,
        response_method="predict_proba",
        plot_method="contour",
        grid_resolution=200,
        eps=eps,
        levels=[0.5],
        colors="black",
        linewidths=1.5,
        ax=ax,
    )
    return display


def _pick(fits, name, solver):
    return next(fit for fit in fits if fit.name == name and fit.solver == solver)


@shared_docstring()
def plot_alien_boundaries(record, path):
    """Decision boundaries of the perceptron and the network on the alien data.

    Parameters
    ----------
    record : AlienMoods
        The alien-moods data set and the fits on it, including
        ``SigmoidPerceptronClassifier`` and ``TwoLayerNetClassifier`` with
        both solvers.
    {png_path}
    """
    moods, fits = record.moods, record.fits
    X, y = moods.data, moods.target
    names = ["SigmoidPerceptronClassifier", "TwoLayerNetClassifier"]
    fig, axes = _figure(2, 2, (12, 9.5))
    for row, solver in enumerate(["gd", "newton"]):
        for col, name in enumerate(names):
            ax, fit = axes[row, col], _pick(fits, name, solver)
            display = _boundary(
                ax, fit.model, X, 'count of "aack" (x1)', 'count of "beep" (x2)', 0.8
            )
            _scatter_classes(ax, X, y, ["sad", "happy"], size=70)
            for sentence, (x1, x2) in zip(moods.sentences, X, strict=True):
                ax.annotate(
                    sentence,
                    (x1, x2),
                    xytext=(0, -20),
                    textcoords="offset points",
                    ha="center",
                    fontsize="small",
                    bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85},
                )
            ax.set_title(
                f'{name}, solver="{solver}"\n'
                f"{_plural(fit.n_iter, 'iteration')}, training accuracy {fit.score:.2f}"
            )
            ax.set_aspect("equal")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, title="mood")
    fig.colorbar(display.surface_, ax=axes, label="P(happy)", shrink=0.6)
    fig.suptitle(
        "Alien moods (seed 000): P(happy) and the boundary P = 0.5 (black line)"
    )
    return _save(fig, path)


@shared_docstring()
def plot_moons_boundaries(record, path):
    """Decision boundaries on two moons: one perceptron against the network.

    Parameters
    ----------
    record : HeldOut
        The two-moons record of the main command's held-out results, whose
        ``fits`` are pipelines fitted on the training split.
    {png_path}
    """
    X, y, fits = record.X, record.y, record.fits
    names = ["SigmoidPerceptronClassifier", "TwoLayerNetClassifier"]
    fig, axes = _figure(2, 2, (12, 9.5))
    for row, solver in enumerate(["gd", "newton"]):
        for col, name in enumerate(names):
            ax, fit = axes[row, col], _pick(fits, name, solver)
            display = _boundary(ax, fit.model, X, "x1", "x2", 0.3)
            _scatter_classes(ax, X, y, ["class 0", "class 1"])
            ax.set_title(
                f'{name}, solver="{solver}"\n'
                f"{_plural(fit.n_iter, 'iteration')}, held-out accuracy {fit.score:.3f}"
            )
            ax.legend(loc="lower left")
    fig.colorbar(display.surface_, ax=axes, label="P(class 1)", shrink=0.6)
    fig.suptitle(
        "Two moons (300 points, noise 0.2): a perceptron draws one line, "
        "the network (16 hidden units) bends it"
    )
    return _save(fig, path)


@shared_docstring()
def plot_grid_search(record, path):
    """Plot the cross-validated score of each learning rate of a grid search.

    Parameters
    ----------
    record : GridSearch
        The search, the largest curvature ``L`` of the objective (gradient
        descent diverges above ``2/L``) and the ``"auto"`` steps.
    {png_path}
    """
    import numpy as np

    rates, mean, std = record.rates, record.mean_scores, record.std_scores
    lipschitz, auto = record.lipschitz, record.auto_steps
    ok = np.isfinite(mean)
    fig, axes = _figure(1, 1, (8, 6))
    ax = axes[0, 0]
    ax.errorbar(
        rates[ok],
        mean[ok],
        yerr=std[ok],
        marker="o",
        capsize=4,
        label="mean ± std over 5 folds",
    )
    floor = np.min(mean[ok] - std[ok])
    if not ok.all():
        ax.scatter(
            rates[~ok],
            np.full((~ok).sum(), floor),
            marker="x",
            s=80,
            color="tab:red",
            label="diverged (fit raised ValueError, score NaN)",
            zorder=3,
        )
    best = record.best_index
    ax.scatter(
        rates[best],
        mean[best],
        marker="*",
        s=250,
        color="gold",
        edgecolor="black",
        zorder=4,
        label=f"chosen: learning_rate = {rates[best]:.3g}",
    )
    ax.axvline(
        auto.max(),
        color="tab:green",
        linestyle="--",
        label=f'learning_rate="auto": steps {auto.min():.3g} to {auto.max():.3g}',
    )
    ax.axvline(
        2 / lipschitz,
        color="tab:red",
        linestyle=":",
        label=f"2/L = {2 / lipschitz:.3g}: larger steps diverge",
    )
    ax.set_xscale("log")
    ax.set_xlabel("learning_rate (log scale)")
    ax.set_ylabel("mean cross-validated R²")
    ax.set_title(
        "GridSearchCV over learning_rate: PerceptronRegressor on diabetes,\n"
        f"{record.max_iter} epochs of gradient descent per fit"
    )
    ax.grid(True, which="both", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=2, fontsize="small")
    return _save(fig, path)


def _loss_panels(bundled):
    """(title, fits) of the loss-curve panels: both solvers of each estimator."""
    by_title = {record.title: record for record in bundled}
    return [
        (
            f"{name}\non {title}",
            [fit for fit in by_title[title].fits if fit.name == name],
        )
        for name, title in [
            ("PerceptronRegressor", "diabetes"),
            ("SigmoidPerceptronClassifier", "breast cancer"),
            ("TwoLayerNetClassifier", "breast cancer"),
        ]
    ]


def write_figures(directory, alien, bundled, grid):
    """Write the main command's figures to ``directory`` (created if missing).

    Parameters
    ----------
    directory : Path
        Where to write the PNG files.
    alien : AlienMoods
        Part 1 of the report.
    bundled : list of HeldOut
        Part 2, which must include "two moons", "breast cancer" and "diabetes".
    grid : GridSearch
        Part 3.

    Returns
    -------
    paths : list of Path
        The files written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    moons = next(record for record in bundled if record.title == "two moons")
    return [
        plot_loss_curves(_loss_panels(bundled), directory / "loss_curves.png"),
        plot_alien_boundaries(alien, directory / "alien_boundaries.png"),
        plot_moons_boundaries(moons, directory / "moons_boundaries.png"),
        plot_grid_search(grid, directory / "grid_search.png"),
    ]
