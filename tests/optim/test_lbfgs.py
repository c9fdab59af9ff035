"""LBFGS against torch in float64 on a smooth, well-conditioned problem whose loss and
gradient both frameworks compute with the same NumPy code, so the closures are identical."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from .convert import array, to_ember, to_torch
from .test_trajectory import assert_params, assert_state_dicts

_rng = np.random.default_rng(7)
INIT = [2 * _rng.standard_normal((3, 2)), 2 * _rng.standard_normal(4)]
_Q, _ = np.linalg.qr(_rng.standard_normal((10, 10)))
A = _Q @ np.diag(np.linspace(0.5, 3.0, 10)) @ _Q.T
B = _rng.standard_normal(10)


def loss_and_grad(x):
    """f(x) = x'Ax/2 + sum(softplus(x)) - b'x + 0.1 sum(x^4): smooth and strongly convex."""
    loss = 0.5 * x @ A @ x + np.logaddexp(0, x).sum() - B @ x + 0.1 * np.sum(x**4)
    grad = A @ x + 1 / (1 + np.exp(-x)) - B + 0.4 * x**3
    return loss, grad


class Run:
    def __init__(self, lib, options, values):
        self.lib = lib
        self.params = [lib.nn.Parameter(lib.tensor(v.copy(), dtype=lib.float64)) for v in values]
        self.opt = lib.optim.LBFGS(self.params, **options)
        self.calls = 0

    def closure(self):
        self.calls += 1
        x = np.concatenate([array(p).ravel() for p in self.params])
        loss, grad = loss_and_grad(x)
        offset = 0
        for p in self.params:
            n = p.numel()
            g = grad[offset : offset + n].reshape(tuple(p.shape))
            p.grad = self.lib.tensor(g, dtype=self.lib.float64)
            offset += n
        return self.lib.tensor(loss, dtype=self.lib.float64)

    def steps(self, n):
        return [float(self.opt.step(self.closure)) for _ in range(n)]

    def values(self):
        return [array(p).copy() for p in self.params]


OPTIONS = [
    dict(max_iter=5),
    dict(max_iter=5, line_search_fn="strong_wolfe"),
    dict(max_iter=7, history_size=3, lr=0.5),
    dict(max_iter=6, history_size=2, line_search_fn="strong_wolfe"),
    dict(max_iter=4, lr=1.5, max_eval=3),
    dict(max_iter=20, tolerance_change=1e-3),
    dict(max_iter=20, tolerance_grad=1e-2, line_search_fn="strong_wolfe"),
]


@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items())
)
def test_lbfgs_matches_torch(torch, options):
    ref = Run(torch, options, INIT)
    ref_losses = ref.steps(4)
    run = Run(ember, options, INIT)
    assert run.steps(4) == pytest.approx(ref_losses, rel=1e-10)
    assert run.calls == ref.calls
    assert_params(run.values(), ref.values())
    # al and ro come from dot products that cancel near the minimum: absolute tolerance too
    assert_state_dicts(run.opt.state_dict(), ref.opt.state_dict(), torch, atol=1e-10)

    # checkpoints: ember for 2 steps, torch for 1, ember for 1
    run = Run(ember, options, INIT)
    run.steps(2)
    run_t = Run(torch, options, run.values())
    run_t.opt.load_state_dict(to_torch(run.opt.state_dict(), torch))
    run_t.steps(1)
    run = Run(ember, options, run_t.values())
    run.opt.load_state_dict(to_ember(run_t.opt.state_dict(), torch))
    run.steps(1)
    assert_params(run.values(), ref.values())


def test_lbfgs_minimises_without_torch():
    """Run alone, it reaches the minimum: the gradient vanishes there."""
    run = Run(ember, dict(max_iter=50, line_search_fn="strong_wolfe"), INIT)
    losses = run.steps(3)
    x = np.concatenate([v.ravel() for v in run.values()])
    assert np.abs(loss_and_grad(x)[1]).max() < 1e-5
    assert losses[0] > losses[1] >= losses[2]


def test_lbfgs_returns_at_once_when_the_gradient_is_small():
    run = Run(ember, dict(tolerance_grad=1e3), INIT)
    before = run.values()
    run.steps(1)
    assert run.calls == 1
    for a, b in zip(run.values(), before):
        np.testing.assert_array_equal(a, b)


def _fit_tanh(lib):
    w = lib.nn.Parameter(lib.tensor(INIT[0], dtype=lib.float64))
    x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=lib.float64)
    target = lib.tensor(np.arange(8.0).reshape(4, 2) / 8, dtype=lib.float64)
    opt = lib.optim.LBFGS([w], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((lib.tanh(x @ w) - target) ** 2).mean()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(3)]
    return losses, array(w).copy()


def test_lbfgs_with_an_autograd_closure(torch):
    """A closure that runs a model and backward, returning a loss that requires grad (read
    without the scalar-conversion warning; tanh's rounding differs a little between the two)."""
    ours, theirs = _fit_tanh(ember), _fit_tanh(torch)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-8)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-12)
