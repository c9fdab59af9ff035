"""The op table test: every row of tests/op_table/*.py, against PyTorch and gradcheck.

For each row, shape case and dtype: the same input values go to ember and to torch; forward
values, output dtypes and ``requires_grad`` must match, and so must the gradients of every
float input (through a random weighting of the outputs). Each case runs with contiguous inputs
and, where an input has two or more dims, with non-contiguous ones. Differentiable rows also
pass a float64 ``gradcheck``, which needs no torch.
"""

from __future__ import annotations

import importlib
import pkgutil
import zlib

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

from . import op_table
from .conftest import _torch, assert_close

ROWS = []
for info in sorted(pkgutil.iter_modules(op_table.__path__), key=lambda m: m.name):
    ROWS += importlib.import_module(f"{op_table.__name__}.{info.name}").ROWS


def _cases():
    for row in ROWS:
        for k, shapes in enumerate(row.shapes):
            for dtype in row.dtypes:
                yield pytest.param(row, k, shapes, dtype, id=f"{row.name}-{k}-{dtype}")


def _draw(row, shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for i, shape in enumerate(shapes):
        if i in row.inputs:
            arrays.append(np.asarray(row.inputs[i](rng, shape)))
            continue
        np_dtype = np.dtype(dtype)
        if np_dtype.kind == "f":
            dom = row.domain
            if callable(dom):
                arrays.append(np.asarray(dom(rng, shape, np_dtype), dtype=np_dtype))
            else:
                arrays.append(rng.uniform(dom[0], dom[1], size=shape).astype(np_dtype))
        elif np_dtype.kind == "b":
            arrays.append(np.asarray(rng.random(size=shape) < 0.5))
        else:
            arrays.append(np.asarray(rng.integers(-5, 6, size=shape), dtype=np_dtype))
    return arrays


def _noncontig(a):
    if a.ndim < 2:
        return a
    return np.asfortranarray(a)


def _flat(out):
    if isinstance(out, (list, tuple)):
        res = []
        for o in out:
            res += _flat(o)
        return res
    return [out]


def _make(lib, arrays, grad, row):
    tensors = []
    for i, a in enumerate(arrays):
        t = lib.from_numpy(a.copy(order="K")) if lib is ember else lib.from_numpy(a.copy(order="K"))
        if grad and a.dtype.kind == "f" and i not in row.inputs:
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def _tol(row, dtype):
    if dtype == "float32":
        return max(row.rtol, 2e-4), max(row.atol, 2e-5)
    return row.rtol, row.atol


@pytest.mark.parametrize("row,case,shapes,dtype", list(_cases()))
def test_op_matches_torch(row, case, shapes, dtype):
    if _torch is None:
        pytest.skip("torch is not installed")
    seed = zlib.crc32(f"{row.name}/{case}/{dtype}".encode())
    base = _draw(row, shapes, dtype, seed)
    layouts = [base]
    if row.noncontig and any(a.ndim >= 2 for a in base):
        layouts.append([_noncontig(a) if i not in row.inputs else a for i, a in enumerate(base)])
    rtol, atol = _tol(row, dtype)
    for arrays in layouts:
        grad = row.grad
        ours = _make(ember, arrays, grad, row)
        theirs = _make(_torch, arrays, grad, row)
        out_e = _flat(row.fn(ember, *ours, **row.kwargs))
        out_t = _flat(row.fn(_torch, *theirs, **row.kwargs))
        assert len(out_e) == len(out_t)
        for k, (e, t) in enumerate(zip(out_e, out_t)):
            if not isinstance(t, _torch.Tensor):
                assert e == t if not isinstance(t, float) else abs(e - t) <= atol + rtol * abs(t)
                continue
            assert isinstance(e, ember.Tensor), f"output {k} is {type(e)}"
            assert tuple(e.shape) == tuple(t.shape), f"output {k}: {e.shape} vs {t.shape}"
            if row.check_dtype:
                assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (
                    f"output {k} dtype {e.dtype} vs {t.dtype}"
                )
            assert e.requires_grad == t.requires_grad, f"output {k} requires_grad"
            if not row.random:
                assert_close(e.detach(), t, rtol, atol, f"{row.name} output {k}")
        if not grad:
            continue
        rng = np.random.default_rng(seed + 1)
        loss_e, loss_t = 0, 0
        for e, t in zip(out_e, out_t):
            if isinstance(t, _torch.Tensor) and t.requires_grad:
                w = np.asarray(rng.standard_normal(tuple(t.shape)), dtype=str(t.dtype)[6:])
                loss_e = loss_e + (e * ember.from_numpy(w.copy())).sum()
                loss_t = loss_t + (t * _torch.from_numpy(w.copy())).sum()
        if isinstance(loss_t, int):
            continue
        loss_e.backward()
        loss_t.backward()
        for i, (e, t) in enumerate(zip(ours, theirs)):
            if not t.requires_grad:
                continue
            if t.grad is None:
                assert e.grad is None or not np.any(e.grad.numpy()), f"grad of input {i}"
                continue
            assert e.grad is not None, f"{row.name}: no gradient for input {i}"
            assert_close(e.grad, t.grad, rtol * 10, atol * 10, f"{row.name} grad of input {i}")


def _gradcheck_cases():
    for row in ROWS:
        if not (row.grad and row.gradcheck) or "float64" not in row.dtypes:
            continue
        for k, shapes in enumerate(row.shapes):
            if any(np.prod(s) > 60 for s in shapes):
                continue
            yield pytest.param(row, k, shapes, id=f"{row.name}-{k}")


@pytest.mark.parametrize("row,case,shapes", list(_gradcheck_cases()))
def test_op_gradcheck(row, case, shapes):
    seed = zlib.crc32(f"{row.name}/{case}/gradcheck".encode())
    arrays = _draw(row, shapes, "float64", seed)
    inputs = _make(ember, arrays, True, row)
    if not any(t.requires_grad for t in inputs):
        pytest.skip("no differentiable input")

    def fn(*xs):
        out = row.fn(ember, *xs, **row.kwargs)
        return tuple(o for o in _flat(out) if isinstance(o, ember.Tensor))

    assert gradcheck(fn, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)
