"""The Tensor API: metadata, autograd state, conversions, Python protocols, pickling and
deepcopy. Each torch case runs the same code with ``T`` = ember and ``T`` = torch and compares
the outcome (value repr, or exception type and message, 'torch' read as 'ember')."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import ember

from .conftest import outcome


def _outcome(lib, code: str) -> str:
    return outcome(lib, code, copy=copy, pickle=pickle)


CASES = {
    "metadata": "x = T.ones(2, 3); r = (x.shape, x.size(), x.size(1), x.size(-1), x.dim(), "
    "x.ndim, x.numel(), x.dtype, x.device, x.nelement(), x.ndimension())",
    "size-out-of-range": "r = T.ones(2, 3).size(2)",
    "size-negative-out-of-range": "r = T.ones(2, 3).size(-3)",
    "size-compare": "r = (T.ones(2, 3).size() == (2, 3), T.ones(2).shape + (4,))",
    "strides": "x = T.ones(2, 3); r = (x.stride(), x.t().stride(), x[:, 1].stride(), "
    "x.storage_offset(), x[1].storage_offset(), x.stride(0))",
    "contiguity": "x = T.ones(2, 3).t(); c = x.contiguous(); r = (x.is_contiguous(), "
    "c.is_contiguous(), c.stride(), T.ones(2).expand(2, 2).is_contiguous())",
    "sizes-in-bytes": "x = T.zeros(2, 3); r = (x.element_size(), x.nbytes, x.itemsize, "
    "x.is_floating_point(), T.ones(2, dtype=T.int8).is_signed(), "
    "T.ones(1, dtype=T.uint8).is_signed())",
    "requires-grad-leaf": "x = T.ones(2, 3); x.requires_grad = True; r = x.requires_grad",
    "requires-grad-off-non-leaf": "x = T.ones(2, requires_grad=True); y = x * 2; "
    "y.requires_grad = False",
    "requires-grad-on-non-leaf": "x = T.ones(2, requires_grad=True); y = x * 2; "
    "y.requires_grad = True",
    "requires-grad_-on-non-leaf": "x = T.ones(2, requires_grad=True); y = x * 2; "
    "r = y.requires_grad_(True).requires_grad",
    "requires-grad_-off-non-leaf": "x = T.ones(2, requires_grad=True); y = x * 2; "
    "y.requires_grad_(False)",
    "requires-grad-int": "x = T.ones(2, dtype=T.int64); x.requires_grad = True",
    "requires-grad_-int": "x = T.ones(2, dtype=T.int64); x.requires_grad_()",
    "requires-grad_-int-off": "r = T.ones(2, dtype=T.int64).requires_grad_(False)",
    "requires-grad_-returns-self": "x = T.ones(2); r = x.requires_grad_() is x",
    "leaf-state": "x = T.ones(2, 3, requires_grad=True); y = x * 2; "
    "r = (x.is_leaf, y.is_leaf, x.grad, y.grad_fn.name(), T.ones(1).is_leaf, T.ones(1).grad_fn)",
    "non-leaf-grad-warns": "x = T.ones(2, requires_grad=True); r = (x * 2).grad",
    "T-2d": "r = T.arange(6.).reshape(2, 3).T",
    "mT": "r = (T.arange(6.).reshape(2, 3).mT, T.arange(24.).reshape(2, 3, 4).mT.shape)",
    "T-1d-warns": "r = T.arange(3.).T",
    "T-3d": "r = T.arange(8.).reshape(2, 2, 2).permute(2, 1, 0).shape",
    "mT-1d": "r = T.arange(3.).mT",
    "item": "r = (T.tensor(2.5).item(), T.tensor([3]).item(), T.tensor(True).item(), "
    "type(T.tensor(3).item()), type(T.tensor(3.).item()))",
    "item-many": "r = T.ones(2).item()",
    "item-empty": "r = T.ones(0).item()",
    "tolist": "r = (T.arange(6).reshape(2, 3).tolist(), T.tensor(2.5).tolist(), "
    "T.tensor([1.5, 2]).tolist(), T.tensor([True]).tolist())",
    "numpy-requires-grad": "r = T.ones(2, requires_grad=True).numpy()",
    "numpy-detached": "r = T.ones(2, requires_grad=True).detach().numpy()",
    "numpy-shares": "x = T.ones(2); n = x.numpy(); n[0] = 5; r = x",
    "numpy-force": "r = T.ones(2, requires_grad=True).numpy(force=True)",
    "detach": "x = T.ones(2, requires_grad=True); d = x.detach(); "
    "r = (d.requires_grad, d.is_leaf, d.grad_fn)",
    "detach-shares": "x = T.ones(2, requires_grad=True); d = x.detach(); d[0] = 7; r = x",
    "detach-shares-version": "x = T.ones(2, requires_grad=True); d = x.detach(); d.add_(1); "
    "r = (x._version, d._version)",
    "clone": "x = T.ones(2, requires_grad=True); y = x * 2; r = (y.clone(), x.clone().is_leaf)",
    "clone-copies": "x = T.ones(2); c = x.clone(); c[0] = 5; r = x",
    "contiguous-self": "x = T.ones(2, requires_grad=True); r = x.contiguous() is x",
    "contiguous-grad": "r = T.ones(2, 3, requires_grad=True).t().contiguous()",
    "retain-grad": "x = T.ones(2, requires_grad=True); y = x * 2; y.retain_grad(); "
    "(y * y).sum().backward(); r = (y.grad, x.grad, y.retains_grad, x.retains_grad)",
    "retain-grad-no-grad": "x = T.ones(2); x.retain_grad()",
    "register-hook-no-grad": "x = T.ones(2); x.register_hook(lambda g: g)",
    "backward-gradient": "x = T.ones(2, requires_grad=True); (x * 2).backward(T.tensor([1., 2.]));"
    " r = x.grad",
    "backward-wrong-shape": "x = T.ones(2, requires_grad=True); "
    "(x * 2).backward(T.tensor([1., 2., 3.]))",
    "backward-inputs": "x = T.ones(2, requires_grad=True); w = T.ones(2, requires_grad=True); "
    "(x * w).sum().backward(inputs=[x]); r = (x.grad, w.grad)",
    "to-dtypes": "x = T.tensor([1.5, -2.5]); r = (x.to(T.float64), x.double(), x.half(), "
    "x.long(), x.int(), x.bool(), x.float(), x.short(), x.char(), x.byte())",
    "to-same-is-self": "x = T.tensor([1., 2.]); r = (x.to(T.float32) is x, x.float() is x, "
    "x.to('cpu') is x, x.to(T.float32, copy=True) is x)",
    "to-tensor": "x = T.tensor([1., 2.]); r = x.to(T.ones(1, dtype=T.float64))",
    "to-grad": "x = T.ones(2, requires_grad=True); r = x.to(T.float64)",
    "to-uint8-wraps": "r = T.tensor([300., -1.]).to(T.uint8)",
    "type": "x = T.tensor([1., 2.]); r = (x.type(), x.type(T.float64), "
    "x.type('torch.IntTensor'), x.type_as(T.tensor([1])))",
    "new-methods": "x = T.tensor([1., 2.], dtype=T.float64); r = (x.new_zeros(2, 3), "
    "x.new_ones((2,)), x.new_full((2,), 3), x.new_tensor([1, 2]), x.new_empty(2).shape, "
    "x.new_zeros(2, dtype=T.int64), x.new_ones(1, requires_grad=True))",
    "new-dtypes": "x = T.tensor([1, 2]); r = (x.new_full((2,), 3.5), x.new_tensor([1.5]))",
    "data": "x = T.tensor([1., 2.], requires_grad=True); d = x.data; "
    "r = (d, d.requires_grad, d.is_leaf, (x * 2).data.grad_fn)",
    "data-set": "x = T.tensor([1., 2.], requires_grad=True); x.data = T.tensor([5., 6.]); r = x",
    "data-inplace": "x = T.tensor([1., 2.], requires_grad=True); x.data.mul_(2); r = x",
    "len-iter-scalars": "x = T.tensor([[1., 2.], [3, 4]]); r = (len(x), [t for t in x], "
    "bool(T.tensor([1])), float(T.tensor([2.5])), int(T.tensor(3.7)), [0, 1, 2][T.tensor(2)])",
    "len-0d": "r = len(T.tensor(1.))",
    "iter-0d": "r = list(T.tensor(1.))",
    "bool-many": "r = bool(T.tensor([1, 2]))",
    "bool-empty": "r = bool(T.tensor([]))",
    "float-many": "r = float(T.tensor([1., 2.]))",
    "int-many": "r = int(T.tensor([1., 2.]))",
    "index-float": "r = [0, 1][T.tensor(1.)]",
    "index-many": "r = [0, 1][T.tensor([1, 0])]",
    "array": "r = (np.asarray(T.tensor([1., 2.])), T.tensor([1., 2.]).__array__(np.float64))",
    "array-requires-grad": "r = np.asarray(T.tensor([1., 2.], requires_grad=True))",
    "hash-identity": "a = T.ones(2); b = T.ones(2); r = (hash(a) != hash(b), len({a, b}), a in {a},"
    " hash(a) == id(a) or hash(a) == hash(a))",
    "eq-none": "r = T.tensor([1, 2]) == None",
    "contains": "r = (2 in T.tensor([1, 2]), 5 in T.tensor([1, 2]))",
    "format": "r = (format(T.tensor(2.5), '.2f'), f'{T.tensor([1., 2.])}', f'{T.tensor(3)}')",
    "format-spec-many": "r = f'{T.tensor([1., 2.]):.2f}'",
    "grad-assign": "x = T.ones(2, requires_grad=True); x.grad = T.tensor([3., 4.]); r = x.grad",
    "grad-assign-shape": "x = T.ones(2, requires_grad=True); x.grad = T.ones(3)",
    "grad-assign-dtype": "x = T.ones(2, requires_grad=True); x.grad = T.ones(2, dtype=T.float64)",
    "grad-assign-list": "x = T.ones(2, requires_grad=True); x.grad = [1, 2]",
    "grad-delete": "x = T.ones(2, requires_grad=True); x.grad = T.ones(2); del x.grad; r = x.grad",
    "pickle": "x = T.tensor([1., 2.], requires_grad=True); y = pickle.loads(pickle.dumps(x)); "
    "r = (y, y.requires_grad, y.is_leaf)",
    "pickle-non-leaf": "x = T.tensor([1., 2.], requires_grad=True); "
    "y = pickle.loads(pickle.dumps(x * 2))",
    "pickle-view": "x = T.arange(6.).reshape(2, 3); y = pickle.loads(pickle.dumps(x[:, 1])); "
    "y[0] = 9; r = (y, x)",
    "deepcopy": "x = T.tensor([1., 2.], requires_grad=True); x.grad = T.tensor([3., 4.]); "
    "y = copy.deepcopy(x); r = (y, y.grad, y is x, y.grad is x.grad)",
    "deepcopy-non-leaf": "x = T.tensor([1., 2.], requires_grad=True); y = copy.deepcopy(x * 2)",
    "deepcopy-views-share": "x = T.arange(6.).reshape(2, 3); a, b, c = copy.deepcopy("
    "(x, x[:, 1], x.t())); b[0] = 100; r = (a, c, x)",
    "deepcopy-memo": "x = T.ones(2); a, b = copy.deepcopy([x, x]); r = a is b",
    "copy-shallow": "x = T.ones(2); y = copy.copy(x); y[0] = 5; r = (x, y is x)",
    "size-type": "r = (T.Size([2, 3]), T.Size([2, 3])[1:], T.Size([2, 3]).numel(), "
    "str(T.Size([1])), T.Size([2]) + T.Size([3]), isinstance(T.ones(2).shape, tuple))",
    "device": "r = (T.device('cpu'), T.device('cuda:1'), T.device('cuda', 0), "
    "str(T.device('cpu')), T.device('cpu') == 'cpu', T.device('cpu').type, "
    "T.device('cpu').index, T.ones(1).device == T.device('cpu'), T.ones(1).is_cuda, "
    "T.ones(1).get_device())",
    "pos-neg-abs": "x = T.tensor([1., -2.]); r = (+x, -x, abs(x), ~T.tensor([True, False]))",
    "missing-method": "r = hasattr(T.ones(1), 'no_such_method_anywhere')",
    "numpy-scalar-operands": "r = (np.float64(2.0) * T.ones(2), T.ones(2) * np.float64(2.0), "
    "np.float32(3) + T.ones(2, dtype=T.float16), (T.ones(2, dtype=T.int64) * np.int32(2)).dtype,"
    " T.ones(2) / np.float64(4), np.int64(1) - T.ones(2), T.ones(2) ** np.float64(2.0))",
    "float-requires-grad-warns": "x = T.tensor([1.5], requires_grad=True); "
    "r = (float(x), x.item(), int(x))",
}


@pytest.mark.parametrize("case", list(CASES))
def test_tensor_api_matches_torch(torch, case):
    ours = _outcome(ember, CASES[case])
    theirs = _outcome(torch, CASES[case])
    assert ours == theirs


def test_ndarray_operand_reads_as_a_tensor():
    # torch reads the array as a tensor too (and emits a NumPy deprecation warning doing so)
    r = ember.ones(2) + np.ones(2)
    assert r.dtype is ember.float64 and r.tolist() == [2.0, 2.0]
    r = np.ones(2, dtype=np.float32) * ember.ones(2)
    assert isinstance(r, ember.Tensor) and r.dtype is ember.float32


def test_hooks_and_accumulation():
    x = ember.ones(2, requires_grad=True)
    h = x.register_hook(lambda g: g * 3)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    h.remove()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [8.0, 8.0]  # accumulated, the hook gone


def test_missing_torch_method_is_named():
    from ember.compat import MissingAttribute

    with pytest.raises(MissingAttribute, match=r"ember does not implement torch\.Tensor\.stft"):
        ember.ones(4).stft  # noqa: B018
    with pytest.raises(NotImplementedError):
        ember.ones(4).stft  # noqa: B018
    assert not hasattr(ember.ones(1), "_private_missing")


def test_data_never_used_internally_keeps_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).sum()
    assert x.data.requires_grad is False
    y.backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_pickle_and_deepcopy_keep_subclass_and_attributes():
    p = ember.nn.Parameter(ember.ones(2))
    p.extra = "kept"
    for q in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert type(q) is ember.nn.Parameter and q.requires_grad and q.extra == "kept"
        assert q.tolist() == [1.0, 1.0]


def test_torch_only_names_cover_torch_tensor():
    # every public torch.Tensor attribute is either implemented or named as missing
    torch = pytest.importorskip("torch")
    from ember._torch_names import TORCH_ONLY

    ours = {n for n in dir(ember.Tensor) if not n.startswith("_")}
    theirs = {n for n in dir(torch.Tensor) if not n.startswith("_")}
    assert theirs <= ours
    for name in TORCH_ONLY:  # a listed name never hides an implemented one
        assert not hasattr(ember.Tensor, name), name


def test_tensor_has_fast_attribute_reads():
    # a __getattr__ on Tensor would make every attribute read take CPython's slow path
    assert "__getattr__" not in vars(ember.Tensor)
    t = ember.ones(2)
    t.name = "mine"  # a missing torch name can still be set on an instance
    assert t.name == "mine"


def test_relu_and_clamp_keep_negative_zero_and_nan_as_torch():
    x = ember.tensor([-0.0, float("nan"), -1.0, 2.0])
    for y in (ember.relu(x), x.clamp(min=0.0), x.clamp(0.0, 5.0)):
        d = y.numpy()
        assert np.signbit(d[0]) and d[0] == 0  # torch keeps -0.0: it is not below 0
        assert np.isnan(d[1]) and d[2] == 0 and d[3] == 2


STACKS = {
    "int-and-float": lambda t: [t.tensor([1, 2]), t.tensor([1.5, 2.0])],
    "int32-and-int64": lambda t: [t.tensor([1, 2], dtype=t.int32), t.tensor([3, 4])],
    "bool-and-int8": lambda t: [t.tensor([True, False]), t.tensor([3, 4], dtype=t.int8)],
    "same-float": lambda t: [t.arange(6.0).reshape(2, 3), t.ones(2, 3)],
    "rows-of-one-tensor": lambda t: list(t.arange(12.0).reshape(3, 4)),
    "0-d": lambda t: [t.tensor(1), t.tensor(2)],
}


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("case", list(STACKS))
def test_stack_dtypes_and_dims_match_torch(torch, case, dim):
    def outcome(lib):
        try:
            r = lib.stack(STACKS[case](lib), dim)
        except IndexError:  # (dim 1 of 0-d tensors)
            return "IndexError"
        return str(r.dtype).split(".")[-1], r.tolist()

    assert outcome(ember) == outcome(torch)


def test_int_index_is_a_view_with_torch_errors_and_gradient(torch):
    out = {}
    for lib in (ember, torch):
        x = lib.arange(12.0).reshape(3, 4)
        rows = [x[i] for i in (0, -1, 2)]
        rows[1][0] = 100.0  # a view: the write reaches x
        w = lib.ones(3, 2, requires_grad=True)
        (w[-2] * 3).sum().backward()
        errors = []
        for k in (3, -4):
            with pytest.raises(IndexError) as info:
                x[k]
            errors.append(str(info.value))
        out[lib] = (x.tolist(), [r.tolist() for r in rows], w.grad.tolist(), errors,
                    type(w[0].grad_fn).__name__, x._version)  # fmt: skip
    assert out[ember] == out[torch]


def test_int_index_of_a_view_whose_base_changed_in_place_takes_its_new_history(torch):
    out = {}
    for lib in (ember, torch):
        x = lib.zeros(3, 4)
        v = x[1:]  # a view of a tensor that needs no grad ...
        w = lib.ones(4, requires_grad=True)
        x.add_(w)  # ... until its base is written with one that does
        row = v[0]
        row.sum().backward()
        a = lib.arange(12.0).reshape(3, 4)
        r = a[1]
        a.mul_(2)  # the row shares the base's data and version counter
        out[lib] = (row.requires_grad, type(row.grad_fn).__name__, w.grad.tolist(),
                    r.tolist(), r._version, r.requires_grad, r.grad_fn)  # fmt: skip
    assert out[ember] == out[torch]
