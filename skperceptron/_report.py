"""The text of ``python -m skperceptron``: the records of the experiments, laid out.

Every function takes records of :mod:`skperceptron._experiments` and returns
the text of one part of the report, without a final newline; nothing here
fits or computes anything the records do not hold.
"""

import numpy as np

from ._experiments import RANDOM_STATE, TEST_SIZE


def _table_header(header):
    """Return a table's header line, indented 3 spaces, and its rule."""
    return [header, "   " + "-" * (len(header) - 3)]


def _iterations(fit):
    if fit.n_iter is None:
        return "-"
    return f"{fit.n_iter}" + ("" if fit.converged else "*")


def _objective(fit):
    value = fit.final_objective
    if value is None:
        return "-"
    return f"{value:.4f}" if value < 100 else f"{value:.1f}"


def _seconds(fit):
    return f"{fit.seconds:.2f} s"


def preamble(version):
    """Return the report's opening lines, for skperceptron ``version``."""
    return (
        f"skperceptron {version}: perceptrons and a two-layer network trained by "
        'hand-derived\ngradients (solver="gd") and Newton\'s method '
        '(solver="newton"), next to scikit-learn.\n'
        "In the tables, iter counts epochs of gradient descent or Newton "
        "iterations (* = stopped\nat max_iter before meeting tol), final J is "
        "the training objective J(θ) = mean loss\n+ (alpha/2)·‖W‖² that "
        "skperceptron minimizes, time is the fit time.\n"
    )


# ----------------------------------------------------------------------------
# 1. Alien moods
# ----------------------------------------------------------------------------


def _sentences(moods):
    lines = [f"   {'':<4} {'sentence':<22} {'aack':>4} {'beep':>4}  mood"]
    for i, (sentence, x, label) in enumerate(
        zip(moods.sentences, moods.data, moods.target, strict=True), start=1
    ):
        lines.append(
            f"   s{i:<3} {sentence:<22} {x[0]:>4.0f} {x[1]:>4.0f}  "
            f"{moods.target_names[label]}"
        )
    return lines


def _alien_row(fit):
    outputs = " ".join(f"{v:>6.3f}" for v in fit.outputs)
    return (
        f"   {fit.name:<27} {fit.solver:<6} {_iterations(fit):>5} "
        f"{_objective(fit):>7}  {outputs}  {fit.score:>5.3f}"
    )


def alien_moods(record):
    """Return part 1: the sentences and each model's outputs on them.

    Parameters
    ----------
    record : AlienMoods

    Returns
    -------
    text : str
    """
    header = (
        f"   {'model':<27} {'solver':<6} {'iter':>5} {'final J':>7}  "
        f"{'s1':>6} {'s2':>6} {'s3':>6} {'s4':>6}  {'score':>5}"
    )
    lines = [
        "1. The seeds' alien moods (seed 000)",
        '   Four sentences, x = (count of "aack", count of "beep"), '
        "y = happy (1) or sad (0):\n",
        *_sentences(record.moods),
        "\n   Each model is fitted on the four sentences. Columns s1-s4: P(happy) "
        "from the\n   classifiers, the prediction ŷ from the regressors; score: "
        "training accuracy,\n   or R² for the regressors.\n",
        *_table_header(header),
        *(_alien_row(fit) for fit in record.fits),
        "\n   scikit-learn's models keep their defaults: LogisticRegression's C=1 "
        "penalizes\n   the weights far more than alpha=1e-4 does here, hence its "
        "softer probabilities.",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# 2. scikit-learn's bundled data sets
# ----------------------------------------------------------------------------


def _describe(record):
    n, d = record.X.shape
    k = record.n_classes
    if k is None:
        return f"{n} samples, {d} features, regression"
    output = "one sigmoid output" if k == 2 else "softmax outputs"
    return f"{n} samples, {d} features, {k} classes ({output})"


def _held_out_rows(record):
    header = (
        f"   {'model':<27} {'solver':<6} {'iter':>5} {'final J':>8} "
        f"{'held-out ' + record.metric:>18} {'fit time':>9}"
    )
    lines = [f"\n   {record.title}: {_describe(record)}", *_table_header(header)]
    for fit in record.fits:
        lines.append(
            f"   {fit.name:<27} {fit.solver:<6} {_iterations(fit):>5} "
            f"{_objective(fit):>8} {fit.score:>18.3f} {_seconds(fit):>9}"
        )
    return lines


def bundled_datasets(records):
    """Return part 2: one table of held-out scores per data set.

    Parameters
    ----------
    records : list of HeldOut

    Returns
    -------
    text : str
    """
    lines = [
        "\n2. scikit-learn's bundled data sets",
        f"   Each model is fitted on {1 - TEST_SIZE:.0%} of the data (stratified "
        f"split, random_state={RANDOM_STATE})\n   and scored on the held-out "
        f"{TEST_SIZE:.0%}; a StandardScaler in the pipeline standardizes the\n"
        "   features. scikit-learn's models minimize their own objectives, so "
        "their J is\n   not shown.",
    ]
    for record in records:
        lines += _held_out_rows(record)
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# 3. GridSearchCV over learning_rate
# ----------------------------------------------------------------------------


def _grid_rows(record):
    lines = [f"   {'learning_rate':>13} {'mean R²':>9} {'± std':>7} {'fit time':>9}"]
    for i, rate in enumerate(record.rates):
        mean, std = record.mean_scores[i], record.std_scores[i]
        fit_time = f"{record.mean_fit_times[i]:.3f} s"
        if np.isnan(mean):
            line = f"   {rate:>13.3g} {'diverged':>9} {'':>7} {fit_time:>9}"
        else:
            line = f"   {rate:>13.3g} {mean:>9.3f} {std:>7.3f} {fit_time:>9}"
        lines.append(line + ("  <- chosen" if i == record.best_index else ""))
    return lines


def grid_search(record):
    """Return part 3: the score of every rate, the chosen one and ``2/L``.

    Parameters
    ----------
    record : GridSearch

    Returns
    -------
    text : str
    """
    L, steps = record.lipschitz, record.auto_steps
    lines = [
        "\n3. GridSearchCV over learning_rate",
        "   PerceptronRegressor on diabetes (standardized), each fit given "
        f"max_iter={record.max_iter}\n   epochs of full-batch gradient descent; "
        "5-fold cross-validated R²:\n",
        *_grid_rows(record),
        f"\n   chosen learning_rate = {record.best_rate:.3g}, mean cross-validated "
        f"R² {record.best_score:.3f}",
        f"   Too small a rate has not converged in {record.max_iter} epochs. Above "
        f"2/L = {2 / L:.3g}, L = {L:.3g}\n"
        "   being the largest curvature of J, every step overshoots and the fit "
        "diverges:\n   it raises ValueError, which GridSearchCV records as a NaN "
        'score.\n   The default learning_rate="auto" takes one step per '
        "coefficient instead, each safe\n   for its own curvature: here from "
        f"{steps.min():.3g} to {steps.max():.3g}.",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# 4. Newton's method on the course notes' example
# ----------------------------------------------------------------------------


def _newton_rows(record):
    header = (
        f"   {'k':>2} {'x_k':>12} {'g(x_k)':>10} {'|g′(x_k)|':>10} "
        f"{'step':>5} {'x_k, 3 d.p.':>12} {'seed prints':>12}"
    )
    lines = _table_header(header)
    notes = record.notes_table
    steps = list(record.step) + [np.nan]
    for k, x in enumerate(record.iterates):
        seed = f"{notes[k]:.3f}" if k < len(notes) else ""
        step = "" if np.isnan(steps[k]) else f"{steps[k]:g}"
        line = (
            f"   {k:>2} {x:>12.9f} {record.objective[k]:>10.6f} "
            f"{record.grad_norm[k]:>10.2e} {step:>5} {x:>12.3f} {seed:>12}"
        )
        lines.append(line.rstrip())
    return lines


def _newton_notes(record):
    """Return the lines comparing the run with the course notes' column."""
    x2, x4, typo = record.notes_table[2], record.notes_table[4], record.notes_typo
    step = record.steps_from
    rounded = " ".join(f"{x:.3f}" for x in record.rounded)
    return [
        "   The seed's column differs in two places. It rounds x2 to "
        f"{x2:.3f} before stepping:\n"
        f"   {x2:.3f} − g′({x2:.3f})/g″({x2:.3f}) = {step[x2]:.4f}, printed "
        f"{record.notes_table[3]:.3f}; unrounded, x3 = {record.iterates[3]:.4f}.\n"
        "   Rounding every iterate to 3 decimals reproduces its column:\n"
        f"   {rounded}.\n"
        f"   And its line for x5 starts from {typo:.3f}, a typo for x4 = {x4:.3f}: "
        f"the step from {x4:.3f}\n   gives {step[x4]:.3f}, as printed; from "
        f"{typo:.3f} it would give {step[typo]:.3f}."
    ]


def newton_table(record):
    """Return part 4: the iterates of Newton's method next to the notes' table.

    Parameters
    ----------
    record : NewtonTable

    Returns
    -------
    text : str
    """
    shown = " ".join(str(round(float(x), 3)) for x in record.iterates[:7])
    lines = [
        "\n4. Newton's method (seed 004): minimize g(x) = exp(x) − log(x)",
        "   x_{k+1} = x_k − g′(x_k)/g″(x_k) from x0 = 0.05, g′ = eˣ − 1/x, "
        "g″ = eˣ + 1/x²,\n   run by NewtonOptimizer (step: the line-search "
        "step size, 1 = the full Newton step):\n",
        *_newton_rows(record),
        f"\n   iterates to 3 decimals: {shown}",
        f"   minimum x* = {record.x:.6f}, g(x*) = {record.fun:.6f}, "
        f"after {record.nit} iterations.",
    ]
    if record.full_steps:
        lines.append(
            "   No step was damped or shortened: every step is the seed's update "
            "x − g′/g″."
        )
    return "\n".join(lines + _newton_notes(record))


def figures(paths):
    """Return the list of the figures written."""
    return "\n".join(["\nFigures written:", *(f"   {path}" for path in paths)])


def total_time(seconds):
    """Return the report's last line."""
    return f"\nTotal time: {seconds:.1f} s."
