"""One step of backpropagation through the seeds' 2-2-1 network.

Seeds 001 and 004 derive, by the chain rule, the gradient of the log-loss
``L = −y ln ŷ − (1 − y) ln(1 − ŷ)`` of the network

    z1 = w11·x1 + w21·x2 + b1,   a1 = σ(z1)
    z2 = w12·x1 + w22·x2 + b2,   a2 = σ(z2)
    z  = w1·a1 + w2·a2 + b,      ŷ = σ(z)

and find, after the cancellations,

    ∂L/∂w1  = (ŷ − y)·a1                  ∂L/∂b  = ŷ − y
    ∂L/∂w11 = (ŷ − y)·w1·a1(1 − a1)·x1    ∂L/∂b1 = (ŷ − y)·w1·a1(1 − a1)
    ∂L/∂w21 = (ŷ − y)·w1·a1(1 − a1)·x2    (and likewise for unit 2 with w2, a2).

(The notes' summary slide labels hidden unit 1's weights w11 and w12; with
their forward pass ``z1 = x1·w11 + x2·w21 + b1`` they are w11 and w21.)

The notes write these rules with symbols only, so the script starts from the
weights set in ``START`` below. It evaluates the rules one sentence at a time
on the alien-moods data (seed 000), averages them over the four sentences, and
takes one step ``θ ← θ − α·∇J``. ``TwoLayerNetClassifier(n_hidden=2)`` started
from the same weights with ``max_iter=1`` takes exactly the same step: the
script checks it, prints both and draws the network before and after.

Run it as ``python examples/plot_two_layer_backprop.py [OUTPUT]``: OUTPUT is a
directory (default: the current one) or a ``.png`` path; the figure is
``two_layer_backprop.png``.
"""

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from _figure import save
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss

from skperceptron import TwoLayerNetClassifier
from skperceptron.datasets import load_alien_moods

LEARNING_RATE = 0.5
# The weights the step starts from: w_jk joins input j to hidden unit k.
START = {
    "w11": 0.5, "w21": -0.4, "b1": 0.1,
    "w12": -0.3, "w22": 0.6, "b2": -0.1,
    "w1": 0.8, "w2": -0.7, "b": 0.2,
}  # fmt: skip
NAMES = list(START)


def sigmoid(z):
    """Return σ(z) = 1 / (1 + e^−z)."""
    return 1 / (1 + math.exp(-z))


def forward(p, x1, x2):
    """Run the 2-2-1 forward pass of one sentence: return (a1, a2, ŷ)."""
    a1 = sigmoid(p["w11"] * x1 + p["w21"] * x2 + p["b1"])
    a2 = sigmoid(p["w12"] * x1 + p["w22"] * x2 + p["b2"])
    y_hat = sigmoid(p["w1"] * a1 + p["w2"] * a2 + p["b"])
    return a1, a2, y_hat


def gradient_one_sentence(p, x1, x2, y):
    """Return the seeds' chain-rule gradient of L for one sentence."""
    a1, a2, y_hat = forward(p, x1, x2)
    error = y_hat - y
    d1 = error * p["w1"] * a1 * (1 - a1)  # ∂L/∂z1
    d2 = error * p["w2"] * a2 * (1 - a2)  # ∂L/∂z2
    return {
        "w11": d1 * x1, "w21": d1 * x2, "b1": d1,
        "w12": d2 * x1, "w22": d2 * x2, "b2": d2,
        "w1": error * a1, "w2": error * a2, "b": error,
    }  # fmt: skip


def objective(p, X, y):
    """Return J, the mean log-loss over the sentences."""
    losses = []
    for (x1, x2), target in zip(X, y, strict=True):
        y_hat = forward(p, x1, x2)[2]
        losses.append(-target * math.log(y_hat) - (1 - target) * math.log(1 - y_hat))
    return sum(losses) / len(losses)


def estimator_step(X, y):
    """Run one epoch of TwoLayerNetClassifier from ``START``; return it and θ."""
    W1 = [[START["w11"], START["w12"]], [START["w21"], START["w22"]]]
    W2 = [[START["w1"]], [START["w2"]]]
    net = TwoLayerNetClassifier(
        n_hidden=2, learning_rate=LEARNING_RATE, max_iter=1, alpha=0.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1 on purpose
        net.fit(
            X,
            y,
            coefs_init=[W1, W2],
            intercepts_init=[[START["b1"], START["b2"]], [START["b"]]],
        )
    (W1, W2), (b1, b2) = net.coefs_, net.intercepts_
    after = {
        "w11": W1[0, 0], "w21": W1[1, 0], "b1": b1[0],
        "w12": W1[0, 1], "w22": W1[1, 1], "b2": b1[1],
        "w1": W2[0, 0], "w2": W2[1, 0], "b": b2[0],
    }  # fmt: skip
    return net, {name: float(value) for name, value in after.items()}


def draw_network(ax, before, after):
    """Draw the 2-2-1 network, each weight labelled before → after the step."""
    nodes = {
        "x1": (0, 1.5), "x2": (0, -1.5), "a1": (2.6, 1.5), "a2": (2.6, -1.5),
        "ŷ": (5, 0),
    }  # fmt: skip
    edges = [
        ("x1", "a1", "w11", 0.5), ("x2", "a1", "w21", 0.3),
        ("x1", "a2", "w12", 0.3), ("x2", "a2", "w22", 0.5),
        ("a1", "ŷ", "w1", 0.5), ("a2", "ŷ", "w2", 0.5),
    ]  # fmt: skip
    for start, end, name, where in edges:
        (x0, y0), (x1, y1) = nodes[start], nodes[end]
        ax.plot([x0, x1], [y0, y1], color="0.5", zorder=1)
        ax.text(
            x0 + where * (x1 - x0),
            y0 + where * (y1 - y0),
            f"{name}: {before[name]:+.3f} → {after[name]:+.3f}",
            ha="center",
            va="center",
            fontsize="small",
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.7"},
            zorder=3,
        )
    inputs = {"x1": 'count of\n"aack"', "x2": 'count of\n"beep"'}
    biases = {"a1": "b1", "a2": "b2", "ŷ": "b"}
    for node, (x, y) in nodes.items():
        ax.scatter(x, y, s=1500, color="lightsteelblue", edgecolor="k", zorder=2)
        ax.text(x, y, node, ha="center", va="center", fontsize="large", zorder=4)
        if node in inputs:
            ax.text(x - 0.4, y, inputs[node], ha="right", va="center")
        if node in biases:
            name = biases[node]
            ax.text(
                x, y - 0.55 if y <= 0 else y + 0.55,
                f"{name}: {before[name]:+.3f} → {after[name]:+.3f}",
                ha="center", va="center", fontsize="small",
            )  # fmt: skip
    ax.set_xlim(-1.4, 5.6)
    ax.set_ylim(-2.4, 2.4)
    ax.axis("off")
    ax.set_title(
        "The 2-2-1 network: each parameter before → after one step "
        f"(α = {LEARNING_RATE})"
    )


def main():
    """Take the step by hand and by the estimator, compare, print and plot."""
    moods = load_alien_moods()
    X, y = moods.data, moods.target

    per_sentence = [
        gradient_one_sentence(START, x1, x2, target)
        for (x1, x2), target in zip(X, y, strict=True)
    ]
    grad = {name: np.mean([g[name] for g in per_sentence]) for name in NAMES}
    by_hand = {name: START[name] - LEARNING_RATE * grad[name] for name in NAMES}
    net, by_estimator = estimator_step(X, y)
    estimator_grad = {
        name: (START[name] - by_estimator[name]) / LEARNING_RATE for name in NAMES
    }
    assert np.allclose([by_hand[n] for n in NAMES], [by_estimator[n] for n in NAMES])

    print(f"One epoch on the four alien sentences, α = {LEARNING_RATE}:\n")
    print(
        f"{'param':>6} {'before':>8} {'∂J (seeds)':>11} {'after (seeds)':>14} "
        f"{'after (net)':>12}"
    )
    for name in NAMES:
        print(
            f"{name:>6} {START[name]:>+8.4f} {grad[name]:>+11.5f} "
            f"{by_hand[name]:>+14.5f} {by_estimator[name]:>+12.5f}"
        )
    j_before, j_after = objective(START, X, y), objective(by_hand, X, y)
    j_net = log_loss(y, net.predict_proba(X))
    print(
        f"\nJ before = {j_before:.5f}, after = {j_after:.5f} "
        f"(TwoLayerNetClassifier: {j_net:.5f})"
    )

    fig, (ax_net, ax_grad) = plt.subplots(
        1, 2, figsize=(14, 5.5), width_ratios=[1.25, 1], layout="constrained"
    )
    draw_network(ax_net, START, by_hand)
    positions = np.arange(len(NAMES))
    ax_grad.bar(
        positions - 0.2, [grad[n] for n in NAMES], 0.4,
        label="seeds' rules, averaged over the 4 sentences",
    )  # fmt: skip
    ax_grad.bar(
        positions + 0.2, [estimator_grad[n] for n in NAMES], 0.4,
        label="TwoLayerNetClassifier: (before − after) / α",
    )  # fmt: skip
    ax_grad.axhline(0, color="k", linewidth=0.8)
    ax_grad.set_xticks(positions, NAMES)
    ax_grad.set_xlabel("parameter")
    ax_grad.set_ylabel("∂J/∂parameter")
    ax_grad.set_title(
        f"The gradient, by hand and by the estimator\nJ: {j_before:.4f} → {j_after:.4f}"
    )
    ax_grad.legend(fontsize="small")
    ax_grad.grid(True, axis="y", alpha=0.3)
    fig.suptitle(
        "Backpropagation in the seeds' 2-2-1 network, alien-moods data (seeds 000, 001)"
    )
    save(fig, "two_layer_backprop.png")


if __name__ == "__main__":
    main()
