"""Module hooks: forward pre-hooks, forward hooks, full backward (pre-)hooks, handles."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.modules import module as module_mod


def test_forward_pre_hook_replaces_args_and_handle_removes():
    m = nn.Identity()
    seen = []

    def pre(mod, args):
        seen.append((mod, type(args), len(args)))
        return args[0] * 2  # a non-tuple is wrapped into a tuple

    h = m.register_forward_pre_hook(pre)
    x = ember.ones(2)
    assert m(x).tolist() == [2.0, 2.0]
    assert seen == [(m, tuple, 1)]
    h.remove()
    assert m(x).tolist() == [1.0, 1.0]
    assert len(seen) == 1


def test_forward_hook_replaces_output_and_order():
    m = nn.Identity()
    calls = []
    m.register_forward_hook(lambda mod, args, out: calls.append("a"))
    m.register_forward_hook(lambda mod, args, out: out + 1)
    m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    assert m(ember.zeros(1)).item() == 1.0
    assert calls == ["first", "a"]


def test_hooks_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}), with_kwargs=True)
    got = []
    m.register_forward_hook(
        lambda mod, args, kwargs, out: got.append(kwargs["factor"]), with_kwargs=True
    )
    assert m(ember.ones(1), factor=2.0).item() == 3.0
    assert got == [3.0]


def test_pre_hook_with_kwargs_bad_return(torch):
    def run(lib):
        m = lib.nn.Identity()
        m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        with pytest.raises(RuntimeError) as info:
            m(lib.ones(1))
        return str(info.value)

    # ember's message is torch's, prefixed by where it happened
    assert run(ember) == "Identity: input of shape (1,): " + run(torch)


def test_always_call_hook_runs_on_error():
    class Bad(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Bad()
    seen = []
    m.register_forward_hook(lambda mod, a, out: seen.append(out), always_call=True)
    m.register_forward_hook(lambda mod, a, out: seen.append("never"))
    with pytest.raises(ValueError, match="boom"):
        m(ember.ones(1))
    assert seen == [None]


def test_global_forward_hooks():
    seen = []
    h1 = module_mod.register_module_forward_pre_hook(lambda mod, a: seen.append(type(mod).__name__))
    h2 = module_mod.register_module_forward_hook(lambda mod, a, out: out * 10)
    try:
        out = nn.Sequential(nn.Identity())(ember.ones(1))
    finally:
        h1.remove()
        h2.remove()
    assert seen == ["Sequential", "Identity"]
    assert out.item() == 100.0
    assert nn.Identity()(ember.ones(1)).item() == 1.0


_W = np.arange(6, dtype=np.float32).reshape(2, 3) / 10


def _backward_case(lib, input_requires_grad):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(_W))
    log = []

    def pre(mod, grad_output):
        log.append(("pre", [tuple(g.shape) for g in grad_output]))
        return (grad_output[0] * 2,)

    def post(mod, grad_input, grad_output):
        log.append(
            (
                "post",
                [None if g is None else tuple(g.shape) for g in grad_input],
                [tuple(g.shape) for g in grad_output],
            )
        )
        if grad_input[0] is not None:
            return (grad_input[0] * 3,)
        return None

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(post)
    x = lib.ones(4, 3, requires_grad=input_requires_grad)
    y = m(x)
    name = type(y.grad_fn).__name__
    y.sum().backward()
    grads = (
        None if x.grad is None else x.grad.detach().numpy(),
        m.weight.grad.detach().numpy(),
    )
    return log, name, grads


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_match_torch(torch, input_requires_grad):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn when no input requires grad
        log_e, name_e, grads_e = _backward_case(ember, input_requires_grad)
        log_t, name_t, grads_t = _backward_case(torch, input_requires_grad)
    assert log_e == log_t
    assert name_e == name_t == "BackwardHookFunctionBackward"
    if input_requires_grad:
        # the pre-hook doubled grad_output, the hook tripled grad_input: 6 * ones @ W
        np.testing.assert_allclose(grads_e[0], grads_t[0], rtol=1e-6)
        np.testing.assert_allclose(grads_e[0], 6 * np.ones((4, 2)) @ _W, rtol=1e-6)
    else:
        assert grads_e[0] is None and grads_t[0] is None
    # the weight gradient saw the doubled grad_output
    np.testing.assert_allclose(grads_e[1], np.full((2, 3), 8.0))
    np.testing.assert_allclose(grads_t[1], np.full((2, 3), 8.0))


def test_full_backward_hook_input_gradient_values():
    m = nn.Linear(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 3,))
    x = ember.ones(4, 3, requires_grad=True)
    m(x).sum().backward()
    expected = 3 * np.ones((4, 2), dtype=np.float32) @ m.weight.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_no_input_grad_warns_like_torch():
    m = nn.Linear(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: None)
    y = m(ember.ones(1, 3))
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients"):
        y.sum().backward()


def test_backward_hooks_skipped_without_grad_mode():
    m = nn.Linear(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: None)
    with ember.no_grad():
        y = m(ember.ones(1, 3))
    assert y.grad_fn is None


def test_handle_context_manager():
    m = nn.Identity()
    with m.register_forward_hook(lambda mod, a, out: out + 1):
        assert m(ember.zeros(1)).item() == 1.0
    assert m(ember.zeros(1)).item() == 0.0


def _shapes(grads):
    return [None if g is None else tuple(g.shape) for g in grads]


def test_backward_hooks_several_inputs_and_outputs_match_torch(torch):
    def run(lib):
        log = []
        m = lib.nn.Bilinear(2, 3, 4)
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _shapes(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append((_shapes(gi), _shapes(go))))
        a = lib.randn(5, 2, requires_grad=True)
        y = m(a, lib.randn(5, 3))  # the second input does not require grad
        y.sum().backward()

        class Two(lib.nn.Module):
            def forward(self, x, k):
                return x * 2, x * k

        t = Two()
        t.register_full_backward_hook(lambda mod, gi, go: log.append((_shapes(gi), _shapes(go))))
        x = lib.randn(3, requires_grad=True)
        first, _ = t(x, 3.0)  # the second output is unused: its gradient is None
        first.sum().backward()
        return log

    assert run(ember) == run(torch)
