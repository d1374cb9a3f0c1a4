"""The estimators' shared docstring paragraphs, written once.

The estimators share most of their parameters and fitted attributes. Each
shared paragraph stands here once, with the words that differ between the
models as format fields; :func:`shared_docstring` writes the paragraphs into a
class docstring where it says ``{parameters}`` and ``{attributes}``.
"""

import re
import textwrap

#: The shared parameters, in the order of ``__init__``: a numpydoc entry each,
#: its description reflowed when rendered.
PARAMETERS = {
    "learning_rate": """learning_rate : float or "auto", default="auto"
        The step size α of ``θ ← θ − α ∇J(θ)``. A float is used literally,
        on the {own_parameters}. ``"auto"`` is blind to the units of the
        features: {auto_steps} The steps used are ``learning_rate_``.""",
    "solver": """solver : {{"gd", "nesterov", "newton"}} or NewtonOptimizer, \
default="gd"
        ``"gd"``: gradient descent, the course notes' update. ``"nesterov"``:
        full-batch accelerated gradient descent with the same
        ``learning_rate`` (FISTA's momentum ``(k − 1)/(k + 2)``, dropped
        whenever it points uphill; no momentum to tune; ``batch_size`` does
        not apply and the momentum starts from zero at each call of ``fit``
        or ``partial_fit``). ``"newton"``: {newton} Pass a configured
        :class:`NewtonOptimizer` to choose its settings. Newton iterations
        use the whole data set: ``learning_rate``, ``batch_size`` and
        ``early_stopping`` do not apply (setting them warns).""",
    "max_iter": """max_iter : int, default=1000
        Maximum number of epochs (Newton iterations for
        ``solver="newton"``).""",
    "tol": """tol : float, default=1e-5
        Full-batch fits (``solver="gd"`` with ``batch_size=None``,
        ``"nesterov"``, ``"newton"``) stop when ``max|∇J| ≤ tol``, the
        gradient taken with respect to the coefficients of standardized
        features (so that the test, like the steps, does not depend on the
        units of the features; on standardized data it is the plain
        ``max|∇J|``, the test of {same_test}); Newton's method also requires
        its Newton decrement ``½ gᵀH⁻¹g ≤ tol``. Minibatches
        (``batch_size=k``) and ``early_stopping`` stop when the objective, or
        the validation score, has not improved by ``tol`` for
        ``n_iter_no_change`` epochs (or on the gradient test), keeping the
        best parameters seen. When ``max_iter`` ends a fit first, a
        ``ConvergenceWarning`` says so, with the measured gradient and a
        remedy.""",
    "n_iter_no_change": """n_iter_no_change : int, default=5
        Epochs without improvement before minibatches or ``early_stopping``
        stop; see ``tol``.""",
    "alpha": """alpha : float, default=1e-4
        Strength of the L2 penalty ``{penalty}`` ({not_penalized} not
        penalized).{alpha_note}""",
    "batch_size": """batch_size : int or None, default=None
        ``None``: one full-batch update per epoch, the course notes' averaged
        gradient. ``k``: shuffled minibatches of ``k`` rows (``1`` is the
        course notes' per-sample update).""",
    "shuffle": """shuffle : bool, default=True
        Whether to shuffle the rows before each epoch of minibatches.""",
    "random_state": """random_state : int, RandomState instance or None, \
default=None
        Seeds {seeded} the shuffling and the validation split.""",
    "warm_start": """warm_start : bool, default=False
        Continue from the current ``{coef}_`` and ``{intercept}_`` (fitted or
        set by hand) instead of {start}. ``{coef}_init`` and
        ``{intercept}_init`` given to :meth:`fit` take precedence.""",
    "verbose": """verbose : int, default=0
        Print one line per epoch when positive.""",
    "early_stopping": """early_stopping : bool, default=False
        Hold out {held_out} of the data and stop when its mean {loss} has not
        decreased by ``tol`` for ``n_iter_no_change`` epochs; keep the
        parameters of the lowest held-out loss.{early_stopping_note}""",
    "validation_fraction": """validation_fraction : float, default=0.1
        Fraction of the data held out by ``early_stopping``.""",
}

#: The shared fitted attributes, in the order the class docstrings list them.
ATTRIBUTES = {
    "n_iter_": """n_iter_ : int
        Number of epochs run (Newton iterations for ``solver="newton"``),
        summed over the calls of ``partial_fit`` and of ``fit`` with
        ``warm_start``.""",
    "learning_rate_": """learning_rate_ : float, ndarray of shape (n_params,) \
or None
        The step of the last fit: the float ``learning_rate``; for
        ``"auto"`` the steps ``αⱼ`` of the {auto_parameters}, ordered as
        ``{parameter_order}``; None for Newton's method.""",
    "loss_curve_": """loss_curve_ : list of float
        The training objective ``J`` after each epoch (or Newton
        iteration).""",
    "history_": """history_ : dict of ndarray
        The ``verbose`` table's columns, recorded even when not printed:
        ``"iter"``, ``"objective"`` (``J``), ``"grad_norm"`` (``max|∇J|``),
        ``"step"``, ``"damping"`` (NaN for gradient descent) and ``"time"``.
        Each call's first row is its starting point, so that
        ``history_["objective"][1:]`` is ``loss_curve_`` after one fit;
        ``partial_fit`` and ``warm_start`` append their rows.""",
    "validation_scores_": """validation_scores_ : list of float
        Minus the mean {validation_loss} of the held-out rows after each
        epoch, higher being better (only with ``early_stopping``).""",
    "best_validation_score_": """best_validation_score_ : float
        Best of ``validation_scores_`` (only with ``early_stopping``).""",
    "n_features_in_": """n_features_in_ : int
        Number of features seen during fit.""",
    "feature_names_in_": """feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column
        names.""",
}

#: The fields of the linear models (the perceptrons).
_LINEAR = {
    "own_parameters": "model's own coefficients",
    "auto_steps": (
        "the update runs on the coefficients the same model has for "
        "standardized features (centred, scaled to unit variance), with one "
        "step per coefficient, ``αⱼ = 1/(λ Dⱼ)``, ``D`` the diagonal of a "
        "bound of the curvature of ``J`` and ``λ`` the largest curvature left "
        "after that scaling, so that every full-batch update lowers ``J`` "
        "(for minibatches, every single-sample update)."
    ),
    "newton": (
        "Newton's method on the hand-derived Hessian (:class:`NewtonOptimizer` "
        "with ``tol``, ``max_iter`` and ``verbose``)."
    ),
    "seeded": "",
    **{"coef": "coef", "intercept": "intercept", "start": "zeros"},
    "auto_parameters": "coefficients of standardized features",
    "parameter_order": "[coef_.T.ravel(), intercept_]",
}

#: The fields of the classifiers: early stopping on a stratified log-loss.
_CLASSIFIER = {
    "held_out": "a stratified ``validation_fraction``",
    "early_stopping_note": (
        " Its accuracy, which moves in steps of one row, stays flat for many "
        "full-batch epochs while the model still learns."
    ),
    **{"loss": "log-loss", "validation_loss": "log-loss"},
}

#: :class:`~skperceptron.PerceptronRegressor`'s fields.
REGRESSOR = {
    **_LINEAR,
    "same_test": "``LogisticRegression``'s lbfgs and newton-cholesky solvers",
    **{"penalty": "(alpha/2)‖w‖²", "not_penalized": "the intercept is"},
    **{"held_out": "``validation_fraction``", "loss": "loss"},
    **{"alpha_note": "", "early_stopping_note": ""},
    "validation_loss": "half squared error",
}

#: :class:`~skperceptron.SigmoidPerceptronClassifier`'s fields.
LOGISTIC = {
    **_LINEAR,
    **_CLASSIFIER,
    "same_test": REGRESSOR["same_test"],
    **{"penalty": "(alpha/2)‖W‖²", "not_penalized": "intercepts are"},
    "alpha_note": (
        " ``LogisticRegression(C=1/(alpha·n_samples))`` minimizes the same objective."
    ),
}

#: :class:`~skperceptron.TwoLayerNetClassifier`'s fields.
NETWORK = {
    **_CLASSIFIER,
    "own_parameters": "network's own weights",
    "auto_steps": (
        "the update runs on the weights the same network has for standardized "
        "inputs (centred, scaled to unit variance), with one step per weight, "
        "``αⱼ = 1/(λ Dⱼ)``: ``D`` is the diagonal of a bound of the "
        "Gauss–Newton curvature of ``J`` where the fit starts (the network is "
        "not convex) and ``λ`` the largest curvature left after that scaling "
        "(for minibatches, that of a single sample)."
    ),
    "newton": (
        "Newton's method (:class:`NewtonOptimizer` with ``tol``, ``max_iter`` "
        "and ``verbose``) on the exact, hand-derived Hessian of ``J`` "
        "(computed matrix-free above 2000 parameters), with "
        "Levenberg–Marquardt damping ``(H + λI) d = −∇J``: ``λ`` starts at "
        "``0.1‖H∇J‖/‖∇J‖``, is raised until ``H + λI`` is positive definite "
        "and the full step decreases ``J``, and shrinks tenfold after each "
        "full step, so that steps go from gradient-like to pure Newton steps "
        "(quadratic convergence) near a minimum. At a stationary point with "
        "negative curvature (a saddle such as ``W = 0``) it steps along that "
        "curvature. For softmax outputs, the directions along which ``J`` is "
        "constant (one shift of all classes' scores) are made definite."
    ),
    "same_test": "``MLPClassifier``'s lbfgs solver",
    **{"penalty": "(alpha/2)(‖W1‖² + ‖W2‖²)", "not_penalized": "intercepts are"},
    **{"alpha_note": "", "seeded": "the initial weights,"},
    **{"coef": "coefs", "intercept": "intercepts", "start": "random weights"},
    "auto_parameters": "weights for standardized inputs",
    "parameter_order": "[W1.ravel(), b1, W2.ravel(), b2]",
}

#: Shared entries of methods and functions, written as they are where their
#: placeholder stands: the ``X`` of the methods that predict and of those that
#: fit, the network's arrays, an objective's data, and a plot's file.
ENTRIES = {
    "parameters_X": """Parameters
----------
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    Inputs.""",
    "parameters_X_train": """Parameters
----------
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    Training inputs.""",
    "parameters_X_A1": """Parameters
----------
X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Inputs.
A1 : ndarray of shape (n_samples, n_hidden)
    Hidden activations.""",
    "objective_data": """X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Inputs.
Y : ndarray of shape (n_samples, n_outputs)
    Targets, encoded for ``loss``.
sample_weight : ndarray of shape (n_samples,)
    Non-negative weights with a positive sum.""",
    "png_path": """path : path-like
    Where to write the PNG.

Returns
-------
path : path-like
    ``path``.""",
}

_PLACEHOLDER = re.compile(r"^([ \t]*)\{(\w+)\}[ \t]*$", re.M)


def _entry(template, fields, indent):
    """Return one numpydoc entry of ``template``, indented by ``indent``."""
    header, _, description = template.format(**fields).partition("\n")
    body = textwrap.fill(
        " ".join(description.split()),
        width=79,
        initial_indent=indent + "    ",
        subsequent_indent=indent + "    ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return f"{indent}{header}\n{body}"


def render(docstring, fields):
    """Write the shared entries into ``docstring`` with the model's ``fields``.

    Parameters
    ----------
    docstring : str
        A docstring whose lines ``{parameters}`` and ``{attributes}`` stand for
        the shared parameters and attributes (``{Parameters}`` for the
        parameters with their section heading), and ``{parameters_X}`` (any
        key of :data:`ENTRIES`) for that entry, each alone on its line.
    fields : dict of str
        The model-specific words of the shared parameters and attributes.

    Returns
    -------
    docstring : str
        The docstring with the entries in place; other lines are left as they
        are.
    """
    sections = {"parameters": PARAMETERS, "attributes": ATTRIBUTES}

    def entries(match):
        indent, name = match.groups()
        if name in ENTRIES:
            return textwrap.indent(ENTRIES[name], indent)
        header = ""
        if name == "Parameters":  # the section's heading too
            name, header = "parameters", f"{indent}Parameters\n{indent}----------\n"
        if name not in sections:
            return match.group(0)
        return header + "\n".join(
            _entry(template, fields, indent) for template in sections[name].values()
        )

    return _PLACEHOLDER.sub(entries, docstring)


def shared_docstring(*field_sets, **fields):
    """Return a decorator writing the shared entries into docstrings.

    A function's docstring is rendered; for a class, its docstring and those
    of the methods it defines (the function a method decorator wraps too).

    Parameters
    ----------
    *field_sets : dict of str
        Sets of model-specific words, such as :data:`REGRESSOR`.
    **fields : str
        More words, taking precedence over those of ``field_sets``.

    Returns
    -------
    decorate : callable
        The decorator, returning the function or class with its docstrings
        rendered by :func:`render`.
    """
    merged = {}
    for field_set in field_sets:
        merged.update(field_set)
    merged.update(fields)

    def decorate(obj):
        if obj.__doc__:
            obj.__doc__ = render(obj.__doc__, merged)
        if not isinstance(obj, type):
            return obj
        for member in vars(obj).values():
            while callable(member) and getattr(member, "__doc__", None):
                member.__doc__ = render(member.__doc__, merged)
                member = getattr(member, "__wrapped__", None)
        return obj

    return decorate
