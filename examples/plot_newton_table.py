"""Newton's method on the course notes' example g(x) = eˣ − log x.

The course notes minimize ``g(x) = exp(x) − log(x)`` by applying Newton's
root-finding update to the derivative,
``x_{k+1} = x_k − g′(x_k) / g″(x_k)`` with ``g′(x) = eˣ − 1/x`` and
``g″(x) = eˣ + 1/x²``, from ``x0 = 0.05``, and print the table
0.05, 0.097, 0.183, 0.320, 0.477, 0.558, 0.567. The function, the starting
point and the table come from ``skperceptron._course_notes``.

``NewtonOptimizer`` reproduces it: every step is the full Newton step. Two
entries of the notes differ from the exact iteration: the notes round each
iterate to three decimals before the next step, so they print 0.320 for x3
(unrounded 0.3205), and their line for x5 starts from 0.447, a typo for
x4 = 0.477 (from 0.447 the step would give 0.550, not 0.558).

The figure shows the iterates on g, the tangent lines of g′ whose zeros are
the next iterates (the picture of Newton's method), and the distance to the
minimum, which squares at every step near the end: quadratic convergence.

Run it as ``python examples/plot_newton_table.py [OUTPUT]``: OUTPUT is a
directory (default: the current one) or a ``.png`` path; the figure is
``newton_table.png``.
"""

import matplotlib.pyplot as plt
import numpy as np
from _figure import save

from skperceptron import NewtonOptimizer
from skperceptron._course_notes import (
    NEWTON_X0,
    SEED_NEWTON_TABLE,
    d2g,
    dg,
    g,
    rounded_newton_iterates,
)


def main():
    """Run Newton's method, print the table next to the notes', and plot."""
    result = NewtonOptimizer().minimize(g, NEWTON_X0, grad=dg, hess=d2g)
    iterates, x_star = result.iterates, float(result.x)
    rounded = rounded_newton_iterates()  # the notes' hand computation

    print(
        f"{'k':>2} {'x_k':>12} {'|g′(x_k)|':>10} {'3 d.p.':>7} {'seed':>6} "
        f"{'rounded steps':>14}"
    )
    for k, x in enumerate(iterates):
        seed = f"{SEED_NEWTON_TABLE[k]:.3f}" if k < len(SEED_NEWTON_TABLE) else ""
        again = f"{rounded[k]:.3f}" if k < len(rounded) else ""
        line = f"{k:>2} {x:>12.9f} {abs(dg(x)):>10.2e} {x:>7.3f} {seed:>6} {again:>14}"
        print(line.rstrip())
    print(
        f"\nx* = {x_star:.6f} after {result.nit} iterations; step sizes "
        f"{sorted(set(result.history['step'][1:].tolist()))}, damping "
        f"{sorted(set(result.history['damping'][1:].tolist()))}"
    )
    assert " ".join(str(round(float(x), 3)) for x in iterates[:7]) == (
        "0.05 0.097 0.183 0.321 0.477 0.558 0.567"
    )
    assert rounded == list(SEED_NEWTON_TABLE)

    fig, (ax_g, ax_dg, ax_err) = plt.subplots(
        1, 3, figsize=(16, 5), layout="constrained"
    )
    shown = iterates[:7]
    xs = np.linspace(0.03, 0.9, 400)
    ax_g.plot(xs, g(xs), label="g(x) = eˣ − log x")
    ax_g.plot(shown, g(shown), "o", color="tab:orange", label="Newton iterates x0 … x6")
    for k, x in enumerate(shown[:6]):
        ax_g.annotate(f"x{k}", (x, g(x)), xytext=(6, 4), textcoords="offset points")
    ax_g.axvline(x_star, color="0.5", linestyle=":", label=f"minimum x* = {x_star:.4f}")
    ax_g.set_ylim(2.2, 4.3)
    ax_g.set_xlabel("x")
    ax_g.set_ylabel("g(x)")
    ax_g.set_title("Minimizing g from x0 = 0.05")
    ax_g.legend()

    xs = np.linspace(0.04, 0.7, 400)
    ax_dg.plot(xs, dg(xs), label="g′(x) = eˣ − 1/x")
    for k, x in enumerate(shown[:5]):
        following = x - dg(x) / d2g(x)
        ax_dg.plot(
            [x, following], [dg(x), 0], "--", color="tab:orange",
            label="tangent at x_k meets 0 at x_{k+1}" if k == 0 else None,
        )  # fmt: skip
        ax_dg.plot(x, dg(x), "o", color="tab:orange")
        ax_dg.annotate(f"x{k}", (x, dg(x)), xytext=(6, -12), textcoords="offset points")
    ax_dg.axhline(0, color="k", linewidth=0.8)
    ax_dg.set_ylim(-20, 2)
    ax_dg.set_xlabel("x")
    ax_dg.set_ylabel("g′(x)")
    ax_dg.set_title("Each step: where the tangent of g′ crosses 0")
    ax_dg.legend(loc="lower right")

    errors = np.abs(iterates - x_star)
    ks = np.arange(len(errors))
    keep = errors > 0
    ax_err.semilogy(ks[keep], errors[keep], "o-", label="NewtonOptimizer: |x_k − x*|")
    seed_errors = np.abs(np.array(SEED_NEWTON_TABLE) - x_star)
    ax_err.semilogy(
        np.arange(len(seed_errors)), seed_errors, "s", mfc="none", color="tab:red",
        label="seed's table (3 decimals): |x_k − x*|",
    )  # fmt: skip
    ax_err.set_xlabel("iteration k")
    ax_err.set_ylabel("distance to the minimum (log scale)")
    ax_err.set_title("Quadratic convergence: the error squares near x*")
    ax_err.grid(True, which="both", alpha=0.3)
    ax_err.legend()
    fig.suptitle("Newton's method for g(x) = eˣ − log x (seed 004), by NewtonOptimizer")
    save(fig, "newton_table.png")


if __name__ == "__main__":
    main()
