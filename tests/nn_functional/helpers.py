"""Parity helpers: build a layer in torch and in ember, copy torch's state into ember's, run
both on the same inputs and compare outputs, gradients, buffers, repr and state_dict keys."""

from __future__ import annotations

import numpy as np

import ember

from ..conftest import assert_close


def draw(spec, rng, dtype):
    """An input array from a spec: ('x', shape) differentiable floats, ('int', shape, high)
    class indices, ('sign', shape) values in {-1, 1}, ('unit', shape) values in (0, 1),
    ('pos', shape) positive floats, ('distinct', shape) well separated floats."""
    kind, shape = spec[0], spec[1]
    if kind == "int":
        return rng.integers(0, spec[2], size=shape)
    if kind == "sign":
        return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(dtype)
    if kind == "unit":
        return rng.uniform(0.05, 0.95, size=shape).astype(dtype)
    if kind == "pos":
        return rng.uniform(0.2, 2.0, size=shape).astype(dtype)
    if kind == "distinct":
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.37 - n * 0.15).reshape(shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def copy_state(torch_module, ember_module) -> None:
    """Load torch's state_dict (parameters and buffers) into the ember module."""
    state = {k: ember.tensor(v.detach().numpy()) for k, v in torch_module.state_dict().items()}
    missing, unexpected = ember_module.load_state_dict(state)
    assert not missing and not unexpected


def check_parity(torch, make, specs, dtype="float32", train=True, seed=0, rtol=None, atol=None):
    """Build ``make(nn)`` in both frameworks, copy the state, run forward and backward on the
    inputs ``specs`` describe, and compare everything observable."""
    torch.manual_seed(seed)
    t_mod = make(torch.nn)
    e_mod = make(ember.nn)
    assert repr(e_mod).replace("ember.", "torch.") == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert [n for n, _ in e_mod.named_parameters()] == [n for n, _ in t_mod.named_parameters()]
    if dtype == "float64":
        t_mod, e_mod = t_mod.double(), e_mod.double()
    copy_state(t_mod, e_mod)
    t_mod.train(train)
    e_mod.train(train)
    rng = np.random.default_rng(seed)
    arrays = [draw(s, rng, dtype) for s in specs]
    t_in, e_in = [], []
    for s, a in zip(specs, arrays):
        t, e = torch.from_numpy(a.copy()), ember.from_numpy(a.copy())
        if s[0] in ("x", "distinct"):
            t.requires_grad_(True)
            e.requires_grad_(True)
        t_in.append(t)
        e_in.append(e)
    t_out, e_out = t_mod(*t_in), e_mod(*e_in)
    t_outs = t_out if isinstance(t_out, tuple) else (t_out,)
    e_outs = e_out if isinstance(e_out, tuple) else (e_out,)
    if rtol is None:
        rtol, atol = (2e-4, 2e-5) if dtype == "float32" else (1e-7, 1e-9)
    assert len(t_outs) == len(e_outs)
    for t, e in zip(t_outs, e_outs):
        assert tuple(e.shape) == tuple(t.shape)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert_close(e.detach(), t.detach(), rtol, atol, "output")
    loss_t, loss_e = 0, 0
    for t, e in zip(t_outs, e_outs):
        if t.requires_grad:
            w = rng.standard_normal(tuple(t.shape)).astype(dtype)
            loss_t = loss_t + (t * torch.from_numpy(w.copy())).sum()
            loss_e = loss_e + (e * ember.from_numpy(w.copy())).sum()
    if not isinstance(loss_t, int):
        loss_t.backward()
        loss_e.backward()
        for i, (t, e) in enumerate(zip(t_in, e_in)):
            if t.requires_grad:
                assert_close(e.grad, t.grad, rtol * 10, atol * 10, f"grad of input {i}")
        t_params = dict(t_mod.named_parameters())
        for name, p in e_mod.named_parameters():
            tp = t_params[name]
            if tp.grad is None:
                assert p.grad is None or not np.any(p.grad.numpy())
                continue
            assert_close(p.grad, tp.grad, rtol * 10, atol * 10, f"grad of {name}")
    t_state = t_mod.state_dict()
    for name, value in e_mod.state_dict().items():
        assert_close(value, t_state[name], rtol, atol, f"state {name}")
    return t_mod, e_mod
