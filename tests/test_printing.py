"""repr(tensor) against torch's own repr of a tensor with the same values ('torch.' read as
'ember.'), over sizes, dtypes, signs, magnitudes, special values, autograd suffixes and
print options; plus known-value checks that run without torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember

RNG = np.random.default_rng(1234)


def _cases():
    r = RNG
    f32, f64, f16 = np.float32, np.float64, np.float16
    yield "0d-float", np.array(1.5, f32)
    yield "0d-int", np.array(3, np.int64)
    yield "0d-bool", np.array(True)
    yield "0d-neg-double", np.array(-3.0, f64)
    yield "0d-tiny", np.array(1e-7, f32)
    yield "0d-huge", np.array(1e10, f32)
    yield "empty-1d", np.zeros((0,), f32)
    yield "empty-2d", np.zeros((2, 0), f32)
    yield "empty-int", np.zeros((0, 3), np.int64)
    yield "empty-double", np.zeros((0,), f64)
    yield "1d", r.standard_normal(5).astype(f32)
    yield "2d", r.standard_normal((3, 4)).astype(f32)
    yield "3d", r.standard_normal((2, 3, 4)).astype(f32)
    yield "4d", r.standard_normal((2, 2, 2, 2)).astype(f32)
    yield "wide-wrap", r.standard_normal(30).astype(f32)
    yield "wide-2d", r.standard_normal((40, 40)).astype(f32)
    yield "summarized-1d", r.standard_normal(2000).astype(f32)
    yield "summarized-3d", r.standard_normal((10, 10, 11)).astype(f32)
    yield "summarized-4d", r.standard_normal((1, 1, 1, 1200)).astype(f32)
    yield "summarized-int", np.arange(1100, dtype=np.int64)
    yield "summarized-sci", (r.standard_normal(1500) * 1e6).astype(f32)
    yield "sci-wide", (r.standard_normal(30) * 1e5).astype(f64)
    yield "sci-wide-2d", (r.standard_normal((3, 30)) * 1e5).astype(f64)
    for dt in (f16, f32, f64):
        yield f"float-{np.dtype(dt).name}", r.standard_normal((2, 3)).astype(dt)
    for dt in (np.int8, np.int16, np.int32, np.int64, np.uint8):
        lo = 0 if dt is np.uint8 else -100
        yield f"int-{np.dtype(dt).name}", r.integers(lo, 100, (2, 5)).astype(dt)
    yield "bool", r.random((3, 3)) < 0.5
    yield "int-valued-floats", np.array([1.0, 2.0, 3.0], f32)
    yield "int-valued-mixed-sign", np.array([1.0, -2.0, 300.0], f32)
    yield "int-valued-sci", np.array([1e10, 1.0], f32)
    yield "int-valued-large", np.array([123456789.0], f32)
    yield "ratio-1e3", np.array([0.1, 100000.0], f32)
    yield "small-1e-3", np.array([0.001, 1.0], f32)
    yield "small-1e-4", np.array([0.0001, 1.0], f32)
    yield "small-1e-5", np.array([1e-5, 1.0], f32)
    yield "smaller", np.array([1e-5, 1e-6], f32)
    yield "below-1e-4", np.array([0.00012, 0.1], f32)
    yield "double-1e9", np.array([1e9, 2.0], f64)
    yield "extreme", np.array([1e20, -1e-20], f64)
    yield "mixed-magnitude", np.array([12345.678, 0.5], f32)
    yield "1000-and-half", np.array([1000.0, 0.5], f32)
    yield "inf-nan", np.array([np.inf, -np.inf, np.nan, 1.5], f32)
    yield "inf-ints", np.array([np.inf, 1.0, 2.0], f32)
    yield "nan-only", np.array([np.nan], f32)
    yield "zeros-signed", np.array([0.0, -0.0, 0.0], f32)
    yield "signs", np.array([-1.5, 2.25], f32)
    yield "int-mixed", np.array([100, -5], np.int64)
    yield "int-big", np.array([2**40], np.int64)
    yield "int-millions", np.arange(30, dtype=np.int64) * 1000000
    yield "half-values", np.array([1.5, 2.0], f16)
    yield "half-large", np.array([60000.0, 1.0], f16)
    yield "5e-3-5e3", np.array([5.0e-3, 5.0e3])
    yield "int32-full", np.full((2, 2), 7, np.int32)


CASES = list(_cases())


def _torch_repr(t) -> str:
    return repr(t).replace("torch.", "ember.")


@pytest.mark.parametrize("name,array", CASES, ids=[c[0] for c in CASES])
def test_repr_matches_torch(torch, name, array):
    assert repr(ember.from_numpy(array.copy())) == _torch_repr(torch.from_numpy(array.copy()))
    assert str(ember.from_numpy(array.copy())) == str(torch.from_numpy(array.copy())).replace(
        "torch.", "ember."
    )


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_requires_grad_and_grad_fn_suffixes(torch, dtype):
    a = RNG.standard_normal((3, 4)).astype(dtype)
    e = ember.from_numpy(a.copy()).requires_grad_()
    t = torch.from_numpy(a.copy()).requires_grad_()
    assert repr(e) == _torch_repr(t)
    assert repr(e * 2) == _torch_repr(t * 2)
    assert repr(e.sum()) == _torch_repr(t.sum())
    assert repr(e[0]) == _torch_repr(t[0])
    assert repr(e.exp().double()) == _torch_repr(t.exp().double())
    wide_e = ember.from_numpy(RNG.standard_normal((2, 50)).astype(dtype)).requires_grad_()
    wide_t = torch.from_numpy(wide_e.detach().numpy().copy()).requires_grad_()
    assert repr(wide_e * 2) == _torch_repr(wide_t * 2)


def test_parameter_repr(torch):
    e = ember.nn.Parameter(ember.ones(2, 2))
    t = torch.nn.Parameter(torch.ones(2, 2))
    assert repr(e) == _torch_repr(t)
    e = ember.nn.Parameter(ember.ones(2, dtype=ember.float64), requires_grad=False)
    t = torch.nn.Parameter(torch.ones(2, dtype=torch.float64), requires_grad=False)
    assert repr(e) == _torch_repr(t)


def test_inplace_node_names_print_short(torch):
    e = ember.ones(2, 2, requires_grad=True) * 1
    t = torch.ones(2, 2, requires_grad=True) * 1
    e[0] = 5.0
    t[0] = 5.0
    assert repr(e) == _torch_repr(t)  # grad_fn=<CopySlices>


OPTION_ARRAYS = [
    RNG.standard_normal((3, 4)).astype(np.float32),
    RNG.standard_normal(2000).astype(np.float32) * 100,
    np.array([1e-5, 1.0]),
    np.arange(50).astype(np.float32),
    RNG.standard_normal((8, 9, 10)),
    np.arange(30),
    np.array(2.5),
    RNG.standard_normal((5, 5)).astype(np.float32) * 1e-3,
    np.array([1.0, 2.0]),
    np.array([1e10, 1.0]),
    RNG.random(40) < 0.5,
]
OPTIONS = [
    dict(precision=2),
    dict(precision=8),
    dict(precision=0),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(edgeitems=5, threshold=10),
    dict(linewidth=40),
    dict(linewidth=200),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="default"),
]


@pytest.fixture
def restore_printoptions(torch):
    yield
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_set_printoptions_matches_torch(torch, restore_printoptions, options):
    ember.set_printoptions(**options)
    torch.set_printoptions(**options)
    for a in OPTION_ARRAYS:
        assert repr(ember.from_numpy(a.copy())) == _torch_repr(torch.from_numpy(a.copy()))


def test_set_printoptions_resets_unset_sci_mode_as_torch(torch, restore_printoptions):
    # each call sets sci_mode (None unless given), as torch's does
    for lib in (ember, torch):
        lib.set_printoptions(sci_mode=True)
        lib.set_printoptions(precision=2)
    a = np.array([1.2345, 2.0])
    assert repr(ember.from_numpy(a)) == _torch_repr(torch.from_numpy(a))


def test_printoptions_context_restores():
    before = ember.get_printoptions()
    with ember.printoptions(precision=1):
        assert repr(ember.tensor([1.25, 2.0])) == "tensor([1.2, 2.0])"
    assert ember.get_printoptions() == before
    assert repr(ember.tensor([1.25, 2.0])) == "tensor([1.2500, 2.0000])"


def test_known_reprs_without_torch():
    assert repr(ember.tensor([[1.7575, 1.6852]])) == "tensor([[1.7575, 1.6852]])"
    assert repr(ember.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ember.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ember.tensor(2.5, dtype=ember.float64)) == "tensor(2.5000, dtype=ember.float64)"
    assert repr(ember.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"
    assert repr(ember.tensor([True, False])) == "tensor([ True, False])"
    assert repr(ember.zeros(0, 2)) == "tensor([], size=(0, 2))"
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x + 1) == "tensor([2., 3.], grad_fn=<AddBackward0>)"
    assert repr(ember.arange(2000)).startswith("tensor([   0,    1,    2,  ..., 1997, 1998, 1999")
    assert repr(ember.Size([5, 3])) == "ember.Size([5, 3])"
