"""``ember.autograd.Function`` for users, and ``gradcheck``/``gradgradcheck``. Torch cases run
the same code with ``T`` = ember and ``T`` = torch and compare the outcome."""

from __future__ import annotations

import inspect

import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck

from .conftest import outcome as _outcome

HEADER = """
class Scale(T.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        ctx.seen = ctx.needs_input_grad
        return x * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.k * 10, None


class Two(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, ga, gb):
        return ga + gb * 100


class Square(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g
"""

CASES = {
    "apply": "x = T.tensor([1., 2.], requires_grad=True); y = Scale.apply(x, 3); "
    "y.sum().backward(); r = (y, x.grad, type(y.grad_fn).__name__, y.grad_fn.name(), "
    "y.grad_fn.seen)",
    "needs-input-grad": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, "
    "x, y):\n        ctx.nig = ctx.needs_input_grad\n        return x + y\n    @staticmethod\n"
    "    def backward(ctx, g):\n        return g, g\nx = T.tensor([1., 2.], requires_grad=True)\n"
    "r = F.apply(x, T.ones(2)).grad_fn.nig",
    "no-grad-inputs": "r = Scale.apply(T.tensor([1., 3.]), 2)",
    "forward-runs-without-grad": "class F(T.autograd.Function):\n    @staticmethod\n    def "
    "forward(ctx, x):\n        return x * (1000 if T.is_grad_enabled() else 2)\n    "
    "@staticmethod\n    def backward(ctx, g):\n        return g\nr = F.apply(T.tensor([1.],"
    " requires_grad=True))",
    "kwargs": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x, y=None):"
    "\n        return x * (2 if y is None else y)\n    @staticmethod\n    def backward(ctx, g):\n"
    "        return g * 2, None\nr = (F.apply(T.tensor([1., 3.], requires_grad=True), y=3), "
    "F.apply(T.tensor([1.], requires_grad=True)))",
    "multiple-outputs": "x = T.tensor([1., 3.], requires_grad=True); a, b = Two.apply(x); "
    "(a + b).sum().backward(); r = (a, b, x.grad, a.grad_fn is b.grad_fn)",
    "materialized-zeros": "x = T.tensor([1., 3.], requires_grad=True); a, b = Two.apply(x); "
    "a.sum().backward(); r = x.grad",
    "set-materialize-grads": "class F(T.autograd.Function):\n    @staticmethod\n    def "
    "forward(ctx, x):\n        ctx.set_materialize_grads(False)\n        return x * 2, x * 3\n"
    "    @staticmethod\n    def backward(ctx, ga, gb):\n        return ga * (1 if gb is None "
    "else 100)\nx = T.tensor([1., 3.], requires_grad=True); a, b = F.apply(x); "
    "a.sum().backward(); r = x.grad",
    "mark-non-differentiable": "class F(T.autograd.Function):\n    @staticmethod\n    def "
    "forward(ctx, x):\n        a = x * 2; b = x * 3\n        ctx.mark_non_differentiable(b)\n"
    "        return a, b\n    @staticmethod\n    def backward(ctx, ga, gb):\n        return ga "
    "* 2 + (gb if gb is not None else 0)\nx = T.tensor([1., 3.], requires_grad=True); "
    "a, b = F.apply(x); a.sum().backward(); r = (b.requires_grad, b.grad_fn, x.grad)",
    "integer-output": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):"
    "\n        return x.argmax(), x * 2\n    @staticmethod\n    def backward(ctx, gi, g):\n"
    "        return g\nx = T.tensor([1., 3.], requires_grad=True); i, y = F.apply(x); "
    "r = (i.requires_grad, y.requires_grad)",
    "mark-dirty": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        x.mul_(2)\n        ctx.mark_dirty(x)\n        return x\n    @staticmethod\n    def "
    "backward(ctx, g):\n        return g * 2\nx = T.tensor([1., 3.], requires_grad=True); "
    "y = x.clone(); z = F.apply(y); r = (z is y, y, y.grad_fn.name(), y._version); "
    "z.sum().backward(); r = (r, x.grad)",
    "mark-dirty-leaf": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x)"
    ":\n        x.mul_(2)\n        ctx.mark_dirty(x)\n        return x\n    @staticmethod\n    "
    "def backward(ctx, g):\n        return g\nF.apply(T.tensor([1.], requires_grad=True))",
    "return-input": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        return x\n    @staticmethod\n    def backward(ctx, g):\n        return g * 2\n"
    "x = T.tensor([1., 3.], requires_grad=True); y = F.apply(x); r = (y is x, "
    "y.grad_fn.name()); y.sum().backward(); r = (r, x.grad)",
    "return-view": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        return x.view(2)\n    @staticmethod\n    def backward(ctx, g):\n        return g * 2\n"
    "x = T.tensor([1., 3.], requires_grad=True); F.apply(x).sum().backward(); r = x.grad",
    "non-tensor-outputs": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx,"
    " x):\n        return x * 2, 1, None\n    @staticmethod\n    def backward(ctx, g, g1, g2):\n"
    "        return g\nx = T.tensor([1., 3.], requires_grad=True); out = F.apply(x); "
    "out[0].sum().backward(); r = (out, x.grad)",
    "setup-context": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(x, k):\n"
    "        return x * k\n    @staticmethod\n    def setup_context(ctx, inputs, output):\n"
    "        ctx.k = inputs[1]\n        ctx.save_for_backward(inputs[0])\n    @staticmethod\n"
    "    def backward(ctx, g):\n        (x,) = ctx.saved_tensors\n        return g * ctx.k + "
    "x * 0, None\nx = T.tensor([1., 3.], requires_grad=True); y = F.apply(x, 5); "
    "y.sum().backward(); r = (y, x.grad)",
    "double-backward": "x = T.tensor([1., 3.], requires_grad=True); (g,) = T.autograd.grad("
    "Square.apply(x).sum(), x, create_graph=True); g.sum().backward(); r = (g, x.grad)",
    "once-differentiable": "class F(T.autograd.Function):\n    @staticmethod\n    def forward("
    "ctx, x):\n        ctx.save_for_backward(x)\n        return x ** 2\n    @staticmethod\n    "
    "@T.autograd.function.once_differentiable\n    def backward(ctx, g):\n        (x,) = "
    "ctx.saved_tensors\n        return 2 * x * g\nx = T.tensor([1., 3.], requires_grad=True)\n"
    "(g,) = T.autograd.grad(F.apply(x).sum(), x, create_graph=True); r = (g, g.requires_grad)",
    "saved-tensors-freed": "x = T.tensor([1., 3.], requires_grad=True); y = Scale.apply(x, 2); "
    "y.sum().backward(); y.grad_fn.saved_tensors",
    "saved-tensors-retained": "x = T.tensor([1., 3.], requires_grad=True); y = Scale.apply(x, 2);"
    " y.sum().backward(retain_graph=True); r = y.grad_fn.saved_tensors",
    "saved-modified-in-place": "x = T.tensor([1., 3.], requires_grad=True); h = x * 1; "
    "y = Square.apply(h); h.add_(1); y.sum().backward()",
    "too-many-grads": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        return g, g\n"
    "F.apply(T.tensor([1.], requires_grad=True)).sum().backward()",
    "wrong-grad-shape": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x)"
    ":\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        return "
    "T.ones(3)\nF.apply(T.tensor([1., 3.], requires_grad=True)).sum().backward()",
    "broadcastable-grad": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx,"
    " x):\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        return "
    "T.ones(1)\nx = T.tensor([1., 3.], requires_grad=True); F.apply(x).sum().backward(); "
    "r = x.grad",
    "grad-cast-to-input-dtype": "class F(T.autograd.Function):\n    @staticmethod\n    def forward"
    "(ctx, x):\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        "
    "return g.double()\nx = T.tensor([1., 3.], requires_grad=True); "
    "F.apply(x).sum().backward(); r = x.grad",
    "no-backward": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        return x * 2\nF.apply(T.tensor([1.], requires_grad=True)).sum().backward()",
    "instantiate-warns": "class F(T.autograd.Function):\n    @staticmethod\n    def forward(ctx,"
    " x):\n        return x\nr = type(F()).__name__",
}


@pytest.mark.parametrize("case", list(CASES))
def test_function_matches_torch(torch, case):
    code = HEADER + "\n" + CASES[case]
    assert _outcome(ember, code) == _outcome(torch, code)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class CubeDetached(Cube):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x.detach()  # right value, wrong second derivative


class WrongBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


def _x():
    return ember.tensor([[1.0, 3.0], [0.5, -2.0]], dtype=ember.float64, requires_grad=True)


def test_gradcheck_passes_and_detects_wrong_backward():
    x = _x()
    assert gradcheck(Cube.apply, (x,))
    assert gradgradcheck(Cube.apply, (x,))
    assert gradcheck(lambda a: (a.sin() * a).sum(1), x)
    assert gradgradcheck(lambda a, b: (a * b).exp(), (x, _x() * 0.5))
    with pytest.raises(ember.autograd.GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongBackward.apply, (x,))
    assert gradcheck(WrongBackward.apply, (x,), raise_exception=False) is False
    assert gradcheck(CubeDetached.apply, (x,))
    with pytest.raises(ember.autograd.GradcheckError):
        gradgradcheck(CubeDetached.apply, (x,))


def test_gradcheck_non_contiguous_and_several_outputs():
    x = _x().detach().t().requires_grad_()
    assert not x.is_contiguous()
    assert gradcheck(lambda a: (a.exp(), a.sum(0) * 2), (x,))


def test_gradcheck_signature_and_defaults_match_torch(torch):
    pairs = ((gradcheck, torch.autograd.gradcheck), (gradgradcheck, torch.autograd.gradgradcheck))
    for ours, theirs in pairs:
        a = [(p.name, p.default, p.kind) for p in inspect.signature(ours).parameters.values()]
        b = [(p.name, p.default, p.kind) for p in inspect.signature(theirs).parameters.values()]
        assert a == b


def test_gradcheck_messages_match_torch(torch):
    for lib in (ember, torch):
        x = lib.tensor([1.0, 3.0], dtype=lib.float64)
        with pytest.raises(ValueError, match="none of them have requires_grad=True"):
            lib.autograd.gradcheck(lambda a: a * 2, (x,))
    x32 = ember.tensor([1.0, 3.0], requires_grad=True)
    with pytest.warns(UserWarning, match="not a double precision"):
        gradcheck(lambda a: a * 2, (x32,), raise_exception=False)
    code = HEADER + (
        "\nclass W(T.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
        "        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        return g * 3\n"
        "T.autograd.gradcheck(W.apply, (T.tensor([1., 3.], dtype=T.float64, requires_grad=True),))"
    )
    assert _outcome(ember, code) == _outcome(torch, code)
