"""The array module behind a tensor: NumPy, or CuPy for tensors on a GPU.

Every kernel is written once against ``xp = get_array_module(array)``; the device follows the
data. CuPy is imported only when a tensor is first moved to a GPU, so until then
``get_array_module`` answers NumPy without looking at its arguments.
"""

from __future__ import annotations

import math

import numpy as np

from . import threads

__all__ = [
    "get_array_module",
    "cupy",
    "load_cupy",
    "to_numpy",
    "as_array",
    "broadcast_to",
    "fill_where",
]

cupy = None


def load_cupy():
    """Import CuPy (the ``cuda`` extra) and make it visible to ``get_array_module``."""
    global cupy
    if cupy is None:
        try:
            import cupy as cp
        except ImportError:
            raise RuntimeError(
                "CUDA tensors need CuPy: pip install 'ember[cuda]' (or a cupy-cudaXX wheel)"
            ) from None
        cupy = cp
    return cupy


def get_array_module(*arrays):
    """``numpy`` or ``cupy``: the module whose functions work on ``arrays``."""
    if cupy is None:
        return np
    for a in arrays:
        if isinstance(a, cupy.ndarray):
            return cupy
    return np


def to_numpy(array) -> np.ndarray:
    """A NumPy array with the values of ``array`` (copied off the GPU when needed)."""
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy.asnumpy(array)
    return array


def is_cuda_available() -> bool:
    try:
        cp = load_cupy()
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def as_array(value):
    """An array from an array-library result: NumPy returns scalars for 0-d results."""
    if isinstance(value, np.generic):
        return np.asarray(value)
    return value


_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_SMALL = 4096  # below this many elements NumPy's ``where`` beats the bit select's set-up


def ones_array(shape, np_dtype, xp=np):
    """``xp.ones(shape, np_dtype)`` as ``empty`` and ``fill``: NumPy's ``ones`` is a Python
    wrapper over the same two steps that costs a microsecond more; a 0-d NumPy one is made
    directly, in half that time (a loss's backward seed)."""
    if xp is np and shape == ():
        return np.array(1, np_dtype)
    out = xp.empty(shape, dtype=np_dtype)
    out.fill(1)
    return out


_ONES = {}  # (length, dtype) -> a read-only NumPy row of ones, for the sums through BLAS


def _ones_row(n, np_dtype, xp=np):
    """A row of ``n`` ones, read-only, kept for reuse (up to 64 of them) on NumPy."""
    if xp is not np:
        return ones_array(n, np_dtype, xp)
    key = (n, np_dtype)
    row = _ONES.get(key)
    if row is None:
        row = ones_array(n, np_dtype)
        row.flags.writeable = False
        if len(_ONES) < 64:
            _ONES[key] = row
    return row


def ones_like_array(a):
    return ones_array(a.shape, a.dtype, get_array_module(a))


def zeros_array(shape, np_dtype):
    return np.zeros(shape, dtype=np_dtype)


_RELU_BOUNDS = {}  # dtype -> (0, inf) as 0-d arrays of that dtype
_CLIP = np._core.umath.clip  # the ufunc under ndarray.clip, whose Python wrapper costs ~0.5 us


def relu_bounds(dtype) -> tuple:
    """(0, inf) as 0-d NumPy arrays of ``dtype``: NumPy resolves a Python number's dtype, or
    even a NumPy scalar's, at about a microsecond's cost, more than a small array's pass."""
    bounds = _RELU_BOUNDS.get(dtype)
    if bounds is None:
        bounds = _RELU_BOUNDS[dtype] = (np.zeros((), dtype), np.full((), np.inf, dtype))
    return bounds


def nonpositive(a):
    """``a <= 0`` (ReLU's mask), against a typed zero for a NumPy float array."""
    if type(a) is np.ndarray and a.dtype.kind == "f":
        return a <= relu_bounds(a.dtype)[0]
    return a <= 0


def clamp_array(a, lo=None, hi=None):
    """``a`` clamped to [lo, hi] for numbers ``lo`` and ``hi`` (either may be None), as torch
    clamps: NaN and -0.0 pass, a NaN bound gives NaN.

    Floats go through the array's ``clip`` (NumPy's module function wraps it at a microsecond's
    cost) with an infinite bound for a missing one: one SIMD pass, where NumPy's maximum and
    minimum with a number run a scalar loop (two to three times slower) and differ from torch
    on -0.0."""
    if a.dtype.kind == "f":
        if threads.ACTIVE and a.size >= threads.PARALLEL_SIZE:  # in parallel stretches
            return _clamp_split(a, lo, hi)
        if hi is None and type(lo) is int and lo == 0 and type(a) is np.ndarray:
            return _CLIP(a, *relu_bounds(a.dtype))  # ReLU's bounds, typed (``relu_bounds``)
        return a.clip(-math.inf if lo is None else lo, math.inf if hi is None else hi)
    xp = get_array_module(a)
    if lo is not None:
        a = xp.maximum(a, lo)
    if hi is not None:
        a = xp.minimum(a, hi)
    return a


def _clamp_split(a, lo, hi):
    """``clamp_array`` of a large float array in parallel stretches (a function of its own:
    the lambda's cells would otherwise be made on every call of ``clamp_array``)."""
    out = get_array_module(a).empty_like(a)
    return threads.map_flat(lambda x, o: clamp_array_into(x, lo, hi, o), out, a)


def clamp_array_into(a, lo, hi, out) -> None:
    """``clamp_array`` of a float array ``a`` written into ``out``."""
    a.clip(-math.inf if lo is None else lo, math.inf if hi is None else hi, out=out)


SMALL_REDUCE = 1024
_LEADING = (None, 0, (0, 1), (0, 1, 2))  # the leading axes of a reduction, by their count


def sum_to_shape_array(a, shape):
    """Array ``a`` summed down to ``shape`` (which it broadcasts from); a new array."""
    lead = a.ndim - len(shape)
    if a.shape[lead:] == tuple(shape):  # the leading axes only (a bias gradient)
        if lead and a.size <= SMALL_REDUCE and shape:  # small: one reduction, no tuples
            axes = _LEADING[lead] if lead < 4 else tuple(range(lead))
            return get_array_module(a).add.reduce(a, axes)
        dims = tuple(range(lead))
    else:
        dims = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1
        )
    k = len(dims)
    # (below about a thousand elements NumPy's reduction is the faster: no product to set up)
    if k and a.size > SMALL_REDUCE and a.dtype.char in "fd" and a.flags.c_contiguous:
        # leading and/or trailing axes summed around one kept block (a bias gradient: (N, C)
        # to (C,), or (N, C, H, W) to (C, 1, 1)): products with rows of ones, through BLAS;
        # NumPy's reduction runs one short inner loop per row, several times slower
        # p leading axes summed, then the rest must be the trailing ones; the commonest case
        # (leading axes only) is told without building tuples (about 5% of this call)
        p = k if dims[-1] == k - 1 else 0
        while p < k and dims[p] == p:
            p += 1
        q = a.ndim - (k - p)
        if p == k or dims[p:] == tuple(range(q, a.ndim)):
            xp = get_array_module(a)
            n_lead = math.prod(a.shape[:p])
            out = a
            if q < a.ndim:  # the trailing block: each row times a column of ones
                out = a.reshape(-1, math.prod(a.shape[q:]))
                out = out @ _ones_row(out.shape[1], a.dtype, xp)
            if p:  # the leading block: a row of ones times the rows
                out = _ones_row(n_lead, a.dtype, xp) @ out.reshape(n_lead, -1)
            return out.reshape(shape)
    out = a.sum(axis=dims, keepdims=True) if dims else a
    return as_array(out.reshape(shape)) if out is not a else a.copy()


def broadcast_to(a, shape):
    """A read-only view of ``a`` broadcast to ``shape``: ``xp.broadcast_to``, built directly
    from strides for a C-contiguous NumPy array (NumPy's own wrapper costs microseconds)."""
    shape = tuple(shape)
    if type(a) is not np.ndarray or not a.flags.c_contiguous:
        return get_array_module(a).broadcast_to(a, shape)
    lead = len(shape) - a.ndim
    strides = (0,) * lead + tuple(
        st if n == m else 0 for st, n, m in zip(a.strides, a.shape, shape[lead:])
    )
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    view.flags.writeable = False
    return view


def fill_where(mask, value, a, out=None):
    """``a`` with ``value`` (a number) where ``mask`` is True: ``where(mask, value, a)``,
    written into ``out`` when given (an array shaped and typed as ``a``).

    For same-shape float and integer arrays this selects through the unsigned-integer view of
    the bits, ``bits(a) * ~mask + bits(value) * mask``, which is exact (one term is always
    zero, so NaN, infinities and -0.0 pass untouched) and branch-free: NumPy's ``where`` with a
    random mask runs about ten times slower on the CPU.
    """
    xp = get_array_module(a, mask)
    uint = _UINT.get(a.dtype.itemsize)
    if uint is None or a.dtype.kind not in "fiu" or mask.shape != a.shape or a.size < _SMALL:
        res = xp.where(mask, xp.asarray(value, dtype=a.dtype), a)
        if out is None:
            return res
        out[...] = res
        return out
    if out is None:
        out = xp.empty(a.shape, dtype=a.dtype)
    bits = out.view(uint)
    xp.multiply(a.view(uint), ~mask, out=bits)
    fill = np.asarray(value, dtype=a.dtype).view(uint)
    if fill:
        bits += mask * fill
    return out


def reduce_keepdims(ufunc, a, axis: int):
    """``ufunc.reduce(a, axis, keepdims=True)`` (``np.maximum`` for max, ``np.add`` for sum).

    Along a short axis (up to 8 long: a classifier's classes) this runs as elementwise calls
    over the axis' slices, in the axis' order, which NumPy's reduction along a short inner axis
    is ten times slower than on a large batch; NaN propagates as in the reduction."""
    n = a.shape[axis]
    if not 2 <= n <= 8 or a.size < 64 * n or a.dtype.itemsize < 4:  # (float16 sums in float32)
        return ufunc.reduce(a, axis=axis, keepdims=True)
    head = (slice(None),) * (axis % a.ndim)
    out = ufunc(a[head + (slice(0, 1),)], a[head + (slice(1, 2),)])
    for k in range(2, n):
        ufunc(out, a[head + (slice(k, k + 1),)], out=out)
    return out
