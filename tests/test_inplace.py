"""In-place rules: leaves that require grad are refused, the version counter catches a
backward that needs a value modified in place, and in-place ops on non-leaf tensors and on
views of tensors in the graph (CopySlices) give torch's values and gradients."""

from __future__ import annotations

import pytest

import ember

from .conftest import outcome


def _outcome(lib, code: str) -> str:
    out = outcome(lib, code, keep_warnings=False)
    # torch names a regenerated view's node AsStridedBackward0; ember remakes the view itself
    return out.replace("AsStridedBackward0", "<view node>")


LEAF = {
    "add_": "x.add_(1)",
    "setitem": "x[0] = 5",
    "setitem-index": "x[[0]] = 5",
    "zero_": "x.zero_()",
    "fill_": "x.fill_(1)",
    "copy_": "x.copy_(T.zeros(2))",
    "normal_": "x.normal_()",
    "uniform_": "x.uniform_()",
    "iadd": "x += 1",
    "relu_": "x.relu_()",
    "clamp_": "x.clamp_(0, 1)",
    "view-mul_": "x.view(2).mul_(2)",
    "select-mul_": "x[0].mul_(2)",
}


@pytest.mark.parametrize("case", list(LEAF))
def test_inplace_on_leaf_requiring_grad_refused(torch, case):
    code = "x = T.ones(2, requires_grad=True); " + LEAF[case]
    ours = _outcome(ember, code)
    assert ours.startswith("RuntimeError: a ") and "in-place operation" in ours
    assert ours == _outcome(torch, code)


def test_inplace_on_leaf_allowed_under_no_grad():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        x.add_(1)
        x.mul_(2)
        x[0] = 7
        x -= 0.5
        x.clamp_(0, 5)
    assert x.tolist() == [5.0, 3.5]
    assert x.requires_grad and x.is_leaf and x.grad_fn is None and x._version == 5


CASES = {
    "version-exp": "x = T.tensor([1., 2.], requires_grad=True); y = x.exp(); y.add_(1); "
    "y.sum().backward()",
    "version-mul-input": "x = T.tensor([1., 2.], requires_grad=True); y = x * 2; z = y * y; "
    "y.add_(1); z.sum().backward()",
    "version-sigmoid": "x = T.tensor([1., 2.], requires_grad=True); y = x.sigmoid(); y.mul_(2); "
    "y.sum().backward()",
    "version-sin": "x = T.tensor([1., 2.], requires_grad=True); y = x * 2; z = y.sin(); "
    "y.mul_(3); z.sum().backward()",
    "version-view": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 2; "
    "z = y.exp(); y[0].mul_(2); z.sum().backward()",
    "version-detach": "x = T.tensor([1., 2.], requires_grad=True); z = x.exp(); "
    "x.detach().add_(1); z.sum().backward()",
    "version-not-needed": "x = T.tensor([1., 2.], requires_grad=True); y = x * 2; z = y + y; "
    "y.add_(1); z.sum().backward(); r = (x.grad, y._version)",
    "version-data-bypasses": "x = T.tensor([1., 2.], requires_grad=True); z = x.exp(); "
    "x.data.add_(1); z.sum().backward(); r = x.grad",
    "non-leaf-mul_": "x = T.tensor([1., 2.], requires_grad=True); y = x * 2; y.mul_(3); "
    "r = (y.grad_fn.name(), y._version); y.sum().backward(); r = (r, x.grad)",
    "non-leaf-chain": "x = T.tensor([1., 2.], requires_grad=True); y = x * 1; y.add_(x).mul_(x)"
    ".sub_(1).div_(2).pow_(2); y.sum().backward(); r = (y, x.grad)",
    "non-leaf-zero_": "x = T.tensor([1., 2.], requires_grad=True); y = x * 1; y.zero_(); "
    "y.sum().backward(); r = x.grad",
    "non-leaf-fill_": "x = T.tensor([1., 2.], requires_grad=True); y = x * 1; y.fill_(3); "
    "y.sum().backward(); r = x.grad",
    "non-leaf-fill_-tensor": "x = T.tensor([1., 2.], requires_grad=True); v = T.tensor(3., "
    "requires_grad=True); y = x * 1; y.fill_(v); (y * T.tensor([1., 2.])).sum().backward(); "
    "r = (x.grad, v.grad)",
    "non-leaf-copy_": "x = T.tensor([1., 2.], requires_grad=True); y = x.clone(); "
    "y.copy_(x * 3); y.sum().backward(); r = x.grad",
    "non-leaf-copy_-broadcast": "x = T.tensor([1., 2.], requires_grad=True); "
    "w = T.tensor([5.], requires_grad=True); y = x * 1; y.copy_(w); y.sum().backward(); "
    "r = (x.grad, w.grad)",
    "non-leaf-clamp_": "x = T.tensor([1., 2.], requires_grad=True); y = x * 1; y.clamp_(1.5, 3);"
    " y.sum().backward(); r = (x.grad, y.grad_fn.name())",
    "non-leaf-normal_": "x = T.tensor([1., 2.], requires_grad=True); y = x * 1; y.normal_(); "
    "y.sum().backward(); r = (x.grad, y.grad_fn.name())",
    "non-leaf-retain-grad": "x = T.tensor([1., 2.], requires_grad=True); y = x * 2; "
    "y.retain_grad(); y.add_(1); (y * y).sum().backward(); r = (y.grad, x.grad)",
    "constant-mul_-by-grad": "x = T.tensor([1., 2.]); w = T.tensor([3., 4.], requires_grad=True);"
    " x.mul_(w); r = (x.requires_grad, x.grad_fn.name(), x.is_leaf); x.sum().backward(); "
    "r = (r, w.grad)",
    "view-column-mul_": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 2; "
    "y[:, 0].mul_(3); y.sum().backward(); r = (x.grad, y.grad_fn.name())",
    "setitem-row": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 2; "
    "y[0] = 10; y.sum().backward(); r = (x.grad, y.grad_fn.name(), y)",
    "setitem-tensor-value": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); "
    "w = T.tensor([5., 6.], requires_grad=True); y = x * 2; y[1] = w * w; "
    "(y * y).sum().backward(); r = (x.grad, w.grad)",
    "setitem-into-constant": "x = T.zeros(3, 2); w = T.tensor([3., 4.], requires_grad=True); "
    "x[1] = w; (x * T.arange(6.).view(3, 2)).sum().backward(); r = (w.grad, x.grad_fn.name())",
    "setitem-mask": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x.clone(); "
    "y[y > 2] = 0; (y * x).sum().backward(); r = x.grad",
    "setitem-index-lists": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); "
    "y = x.clone(); y[[0, 1], [1, 0]] = T.tensor([9., 8.]); (y * 3).sum().backward(); "
    "r = (x.grad, y.grad_fn.name())",
    "setitem-through-transpose": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); "
    "y = x.clone(); v = y.t(); v[0, 1] = 100; (y * 2).sum().backward(); r = (x.grad, y)",
    "view-exp_": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 2; v = y[0]; "
    "v.exp_(); (y ** 2).sum().backward(); r = (x.grad, y.grad_fn.name())",
    "view-add_-other": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 2; "
    "v = y[:, 1]; v.add_(x[:, 0]); (y ** 2).sum().backward(); r = x.grad",
    "view-of-view": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 1; "
    "v = y.view(4); w = v[1:3]; w.mul_(10); y.sum().backward(); r = (x.grad, y)",
    "base-modified-view-used": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); "
    "y = x * 1; v = y[0]; y.mul_(2); (v * 1).sum().backward(); r = x.grad",
    "sibling-view-modified": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 1;"
    " v = y[0]; v2 = y[1]; v.mul_(2); (v2 * v2 + y).sum().backward(); r = x.grad",
    "views-share-data": "a = T.tensor([1., 2.]); b = a.view(2); c = a[0]; b.add_(1); "
    "r = (a, c, a._version, b._version, c._version)",
    "view-under-no-grad": "x = T.tensor([1., 2.], requires_grad=True); y = x[0]\nwith "
    "T.no_grad():\n    y.add_(1)\nr = (x, y.requires_grad)",
    "base-gains-grad": "x = T.ones(3); v = x[0]; w = T.tensor(2., requires_grad=True); "
    "x.mul_(w); y = v * 3; r = (y, y.requires_grad); y.backward(); r = (r, w.grad)",
    # the operators' no-graph shortcut must not skip a view whose base gained grad
    "base-gains-grad-operators": "x = T.ones(4); v = x[:2]; u = x[2:]; "
    "w = T.tensor(2., requires_grad=True); x.mul_(w); y = v * u + v / u + v * 3.; "
    "r = (y, y.requires_grad); y.sum().backward(); r = (r, w.grad)",
    "inplace-shape-ops": "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 2; "
    "y.t_(); y.unsqueeze_(0); y.squeeze_(0); y[0].sum().backward(); r = (y.shape, x.grad)",
    "int-add-float": "x = T.tensor([1, 2]); x.add_(1.5)",
    "int-iadd-float": "x = T.tensor([1, 2]); x += 1.5",
    "int-add-float-tensor": "x = T.tensor([1, 2]); x.add_(T.tensor([1.5, 1.]))",
    "int-div_": "x = T.tensor([1, 2]); x.div_(2)",
    "int-mul-bool": "x = T.tensor([1, 2]); x.mul_(T.tensor(True)); r = x",
    "bool-add-int": "x = T.tensor([True, False]); x.add_(1)",
    "half-add-double": "x = T.tensor([1., 2.], dtype=T.float16); "
    "x.add_(T.tensor([1.], dtype=T.float64)); r = x",
    "size-mismatch": "x = T.tensor([1., 2.]); x.add_(T.ones(3))",
    "broadcast-larger": "x = T.tensor([1., 2.]); x.add_(T.ones(2, 2))",
    "broadcast-larger-graph": "x = T.tensor([1., 2.], requires_grad=True) * 1; "
    "x.mul_(T.ones(2, 2))",
    "expanded-write": "x = T.ones(3).expand(2, 3); x.add_(1)",
    "expanded-fill": "b = T.ones(3); x = b.expand(2, 3); x.fill_(2); r = b",
    "expanded-zero": "b = T.ones(3); x = b.expand(2, 3); x.zero_(); r = b",
    "expanded-copy_": "x = T.ones(3).expand(2, 3); x.copy_(T.ones(2, 3))",
    "expanded-normal_": "x = T.ones(3).expand(2, 3); x.normal_()",
    "int-inplace-values": "x = T.tensor([1, -2]); r = (x.clone().abs_(), x.clone().neg_(), "
    "x.clone().clamp_(0, 1), x.clone().copy_(T.tensor([2.7, -1.2])))",
    "int-sqrt_": "x = T.tensor([1, 4]); x.sqrt_()",
    "float-inplace-values": "x = T.tensor([1., -2.]); r = (x.clone().abs_(), "
    "x.clone().clamp_(0, 1), x.clone().sign_(), x.clone().exp_(), x.clone().pow_(2), "
    "x.clone().sub_(1, alpha=2), x.clone().addcmul_(x, x), x.clone().lerp_(x * 2, 0.5), "
    "x.clone().floor_(), x.clone().fill_(T.tensor(3.)), x.clone().copy_(T.tensor(5)), "
    "x.clone().zero_(), x.clone().clamp_min_(0.), x.clone().clamp_max_(0.))",
    "indexed-iadd": "x = T.arange(6.).view(2, 3); x[:, 1] += 10; x[x > 12] *= -1; "
    "x[[0, 0]] += 1; r = x",
}


@pytest.mark.parametrize("case", list(CASES))
def test_inplace_matches_torch(torch, case):
    assert _outcome(ember, CASES[case]) == _outcome(torch, CASES[case])


def test_version_counter_error_names_the_tensor():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[ember\.Float"):
        y.sum().backward()


def test_copyslices_gradient_known_values():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    y[:, 0].mul_(3)
    y.sum().backward()
    assert x.grad.tolist() == [[6.0, 2.0], [6.0, 2.0]]
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert y.tolist() == [[6.0, 4.0], [18.0, 8.0]]
