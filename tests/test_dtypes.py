"""dtypes and type promotion: torch's result dtype for every pair of dtypes and Python
scalars, with dim and 0-dim tensors, checked against ``torch.result_type`` and against the
dtypes (and values, and errors) of actual op outputs."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest

import ember

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, -2, 2.5]
BINARY_OPS = {
    "add": lambda a, b: a + b,
    "radd": lambda a, b: b + a,
    "sub": lambda a, b: a - b,
    "rsub": lambda a, b: b - a,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: b / a,
    "div_trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
    "div_floor": lambda a, b: a.div(b, rounding_mode="floor"),
    "floordiv": lambda a, b: a // b,
    "remainder": lambda a, b: a % b,
    "fmod": lambda a, b: a.fmod(b),
    "pow": lambda a, b: a**b,
    "rpow": lambda a, b: b**a,
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
}
TENSOR_ONLY_OPS = {
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "where": lambda lib, a, b: lib.where(lib.ones((), dtype=lib.bool), a, b),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "fmax": lambda lib, a, b: lib.fmax(a, b),
}


def _make(lib, name, dim):
    shape = (2,) if dim else ()
    dt = getattr(lib, name)
    if name == "bool":
        return lib.ones(shape, dtype=dt)
    return lib.full(shape, 3, dtype=dt)


def _outcome(fn, *args):
    try:
        r = fn(*args)
    except Exception as exc:  # the exception type and message are the outcome
        return ("error", type(exc).__name__, str(exc).replace("torch", "ember"))
    return (str(r.dtype).split(".")[-1], tuple(r.shape), np.asarray(r.tolist(), dtype=float))


def _same(e, t):
    if e[0] == "error" or t[0] == "error":
        return e == t
    return e[:2] == t[:2] and np.allclose(e[2], t[2], equal_nan=True)


PAIRS = list(itertools.product(NAMES, NAMES))


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_tensor_pairs_match_torch(torch, a, b):
    for da, db in [(True, True), (True, False), (False, True), (False, False)]:
        ea, eb = _make(ember, a, da), _make(ember, b, db)
        ta, tb = _make(torch, a, da), _make(torch, b, db)
        expected = str(torch.result_type(ta, tb)).split(".")[-1]
        assert ember.result_type(ea, eb).name == expected, (da, db)
        assert (
            ember.promote_types(getattr(ember, a), getattr(ember, b)).name
            == str(torch.promote_types(getattr(torch, a), getattr(torch, b))).split(".")[-1]
        )
        for op, fn in BINARY_OPS.items():
            if op in ("radd", "rsub", "rdiv", "rpow"):
                continue
            e, t = _outcome(fn, ea, eb), _outcome(fn, ta, tb)
            assert _same(e, t), (op, da, db, e, t)
        for op, fn in TENSOR_ONLY_OPS.items():
            e, t = _outcome(fn, ember, ea, eb), _outcome(fn, torch, ta, tb)
            assert _same(e, t), (op, da, db, e, t)


@pytest.mark.parametrize("a", NAMES)
def test_tensor_scalar_pairs_match_torch(torch, a):
    for dim, s in itertools.product((True, False), SCALARS):
        ea, ta = _make(ember, a, dim), _make(torch, a, dim)
        expected = str(torch.result_type(ta, s)).split(".")[-1]
        assert ember.result_type(ea, s).name == expected, (dim, s)
        for op, fn in BINARY_OPS.items():
            e, t = _outcome(fn, ea, s), _outcome(fn, ta, s)
            assert _same(e, t), (op, dim, s, e, t)


def test_known_promotions_without_torch():
    i = ember.tensor([1, 2])
    assert (i * 1.5).dtype is ember.float32  # int tensor * float: the default float dtype
    assert (i / 2).dtype is ember.float32
    assert (ember.ones(2, dtype=ember.float16) + ember.tensor(1.0)).dtype is ember.float16
    assert (ember.ones(2, dtype=ember.int8) + ember.tensor(1000)).dtype is ember.int8
    assert (ember.ones(2, dtype=ember.int8) + ember.tensor(1.0)).dtype is ember.float32
    assert (ember.ones(2, dtype=ember.uint8) + ember.ones(2, dtype=ember.int8)).dtype is (
        ember.int16
    )
    assert (ember.ones(2, dtype=ember.bool) + True).dtype is ember.bool
    assert (ember.ones(2, dtype=ember.int32) / ember.ones(2, dtype=ember.int64)).dtype is (
        ember.float32
    )
    assert ember.result_type(1, 2.0) is ember.float32
    assert ember.promote_types(ember.float16, ember.int64) is ember.float16


def test_int64_results():
    assert ember.arange(5).dtype is ember.int64
    assert ember.ones(3).argmax().dtype is ember.int64
    assert ember.randint(0, 5, (3,)).dtype is ember.int64
    assert ember.randperm(3).dtype is ember.int64
    assert ember.tensor([1, 2]).sum().dtype is ember.int64
    assert ember.tensor([True]).sum().dtype is ember.int64
    assert ember.tensor([1], dtype=ember.int8).sum().dtype is ember.int64


def test_default_dtype_round_trip():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.zeros(2).dtype is ember.float64
        assert ember.arange(2.0).dtype is ember.float64
        assert (ember.tensor([1]) / 2).dtype is ember.float64
        assert (ember.ones(1, dtype=ember.int64) * 1.5).dtype is ember.float64
        assert ember.linspace(0, 1, 2).dtype is ember.float64
        assert ember.rand(2).dtype is ember.float64
        # a float32 tensor with a Python float stays float32
        assert (ember.ones(2, dtype=ember.float32) * 2.5).dtype is ember.float32
        ember.set_default_dtype(ember.float16)
        assert (ember.arange(3) / 2).dtype is ember.float16
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.5]).dtype is ember.float32
    with pytest.raises(TypeError, match="only floating-point types are supported"):
        ember.set_default_dtype(ember.int64)


def test_dtype_objects():
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.half is ember.float16 and ember.long is ember.int64
    assert ember.int is ember.int32 and ember.short is ember.int16
    assert ember.bool.is_floating_point is False and ember.float32.is_floating_point
    assert ember.uint8.is_signed is False and ember.int8.is_signed
    assert ember.float64.itemsize == 8 and ember.float16.itemsize == 2
    assert repr(ember.float32) == "ember.float32" and str(ember.int64) == "ember.int64"
    assert pickle.loads(pickle.dumps(ember.float16)) is ember.float16
    assert ember.can_cast(ember.int32, ember.float32)
    assert not ember.can_cast(ember.float32, ember.int32)
    assert not ember.can_cast(ember.int64, ember.bool)


def test_dtype_objects_match_torch(torch):
    for name in NAMES:
        e, t = getattr(ember, name), getattr(torch, name)
        assert e.is_floating_point == t.is_floating_point
        assert e.is_signed == t.is_signed
        assert e.itemsize == t.itemsize
    for a, b in PAIRS:
        assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(
            getattr(torch, a), getattr(torch, b)
        ), (a, b)
    assert ember.finfo(ember.float32).eps == torch.finfo(torch.float32).eps
    assert ember.finfo(ember.float16).max == torch.finfo(torch.float16).max
    assert ember.iinfo(ember.int8).min == torch.iinfo(torch.int8).min
    assert ember.finfo().bits == torch.finfo().bits
