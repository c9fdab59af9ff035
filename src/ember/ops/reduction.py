"""Reductions over dims: sum, mean, prod, max/min, var/std, logsumexp, norm, all/any, and
``sum_to_size``, which the engine uses to undo broadcasting.

``dim=None`` reduces every dim. Backward spreads the gradient back over the reduced dims by
reshaping it to the kept shape and expanding.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import return_types
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import as_array, broadcast_to, get_array_module, sum_to_shape_array
from ..dtypes import get_default_dtype, int64, to_dtype
from ..tensor import Tensor
from ._args import sizes, wrap_dim, wrap_dims
from ._out import takes_out, write_out
from .indexing import Gather
from .inplace import type_word

__all__ = [
    "sum",
    "nansum",
    "mean",
    "nanmean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "aminmax",
    "argmax",
    "argmin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "logsumexp",
    "norm",
    "cumsum",
    "cumprod",
    "cummax",
    "cummin",
    "all",
    "any",
    "count_nonzero",
    "sum_to_size",
    "expand_back",
]

_py_sum, _py_max, _py_min, _py_all, _py_any = sum, max, min, all, any


def _wrap(a) -> Tensor:
    return Tensor._make(as_array(a), False, None)


def _kept_shape(shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


_SPREAD_COPY = 4096  # elements up to which expand_back copies rather than views


def expand_back(g: Tensor, shape, dims, keepdim: bool) -> Tensor:
    """Spread ``g`` (the gradient of a reduction over ``dims``) back over ``shape``."""
    if not STATE.enabled:  # no graph of the backward: the array spread over ``shape``
        a = g._data
        if not keepdim and a.ndim:  # (a 0-d gradient, of a full reduction, broadcasts as is)
            a = a.reshape(_kept_shape(shape, dims))
        if math.prod(shape) > _SPREAD_COPY:
            return Tensor._make(broadcast_to(a, shape), False, None)
        # a small gradient is copied out: cheaper than a read-only view's set-up, and the
        # leaf's .grad may adopt and accumulate into it with no further copy
        out = get_array_module(a).empty(shape, dtype=a.dtype)
        out[...] = a
        return Tensor._make(out, False, None)
    if not keepdim and dims:
        g = g.reshape(_kept_shape(shape, dims))
    return g.expand(shape)


def _reduce_dims(x: Tensor, dim) -> tuple:
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return _ALL_DIMS[x._data.ndim]
    dims = wrap_dims(dim, x._data.ndim)
    # a 0-dim tensor accepts dim 0 or -1 and has nothing to reduce
    return dims if x._data.ndim else ()


_ALL_DIMS = [tuple(range(n)) for n in range(65)]  # every dim of an n-dim array (NumPy: 64)


def _sum_dtype(a, dtype):
    if dtype is not None:
        return to_dtype(dtype).np
    if a.dtype.kind in "biu":
        return np.dtype(np.int64)
    return a.dtype


# -- sum, mean, prod ------------------------------------------------------------------------------
class Sum(Function):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        if type(a) is np.ndarray:  # the ufunc's own reduce: the method is a Python wrapper
            return as_array(np.add.reduce(a, dims, np_dtype, None, keepdim))
        return as_array(a.sum(axis=dims, keepdims=keepdim, dtype=np_dtype))

    @staticmethod
    def backward(ctx, g):
        return expand_back(g, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class SumAll(Sum):
    node_name = "SumBackward0"


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over ``dim`` (an int, a tuple, or None for all); integers sum in int64."""
    a = input._data
    np_dtype = _sum_dtype(a, dtype)
    if dim is None:
        if out is not None:  # torch's full sum takes no out= (its dim form does)
            raise TypeError(
                "sum() received an invalid combination of arguments - got (Tensor, out=Tensor), "
                "but expected one of:\n * (Tensor input, *, ember.dtype dtype = None)\n * "
                "(Tensor input, tuple of ints dim, bool keepdim = False, *, ember.dtype dtype = "
                "None, Tensor out = None)\n"
            )
        r = SumAll.apply(input, _ALL_DIMS[a.ndim], False, np_dtype)
    else:
        r = Sum.apply(input, _reduce_dims(input, dim), keepdim, np_dtype)
    return r if out is None else write_out(out, r, "sum", True)


class NanSum(Function):
    """Sum treating NaN as zero; NaN positions get no gradient."""

    node_name = "NansumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(x)
        xp = get_array_module(a)
        return as_array(xp.nansum(a, axis=dims, keepdims=keepdim, dtype=np_dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return expand_back(g, ctx.shape, ctx.dims, ctx.keepdim) * (x == x), None, None, None


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` treating NaN as zero."""
    return NanSum.apply(input, _reduce_dims(input, dim), keepdim, _sum_dtype(input._data, dtype))


def _check_float_for_mean(name, input, dtype) -> None:
    if dtype is None and input._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {type_word(input.dtype)}"
        )


class Mean(Function):
    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.n = n
        xp = get_array_module(a)
        if n == 0:  # NaN, as torch gives, without NumPy's empty-slice warning
            total = xp.sum(a, axis=dims, keepdims=keepdim, dtype=np_dtype)
            return as_array(xp.full_like(total, np.nan))
        return as_array(xp.mean(a, axis=dims, keepdims=keepdim, dtype=np_dtype))

    @staticmethod
    def backward(ctx, g):
        return expand_back(g / ctx.n, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class MeanAll(Mean):
    node_name = "MeanBackward0"


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim`` (floating inputs, or give ``dtype``)."""
    _check_float_for_mean("mean", input, dtype)
    a = input._data
    np_dtype = to_dtype(dtype).np if dtype is not None else a.dtype
    if dim is None:
        r = MeanAll.apply(input, _ALL_DIMS[a.ndim], False, np_dtype)
    else:
        r = Mean.apply(input, _reduce_dims(input, dim), keepdim, np_dtype)
    return r if out is None else write_out(out, r, "mean", True)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over the non-NaN elements."""
    from .arith import where

    keep = input == input
    total = sum(where(keep, input, 0.0), dim, keepdim, dtype=dtype)
    return total / sum(keep, dim, keepdim)


class Prod(Function):
    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        out = Tensor._make(
            as_array(get_array_module(a).prod(a, axis=dims, keepdims=keepdim, dtype=np_dtype)),
            False,
            None,
        )
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        dims, keepdim, shape = ctx.dims, ctx.keepdim, ctx.shape
        if not bool((x._data == 0).any()):
            return expand_back(g * out, shape, dims, keepdim) / x, None, None, None
        # With zeros, d(prod)/dx_i is the product of the other elements: for one reduced dim,
        # exclusive prefix products times exclusive suffix products.
        if len(dims) != 1:
            flat = x.reshape(-1) if len(dims) == x.dim() else None
            if flat is None:
                moved = x.movedim(dims, tuple(range(-len(dims), 0)))
                flat_shape = moved.shape[: moved.dim() - len(dims)] + (-1,)
                flat = moved.reshape(flat_shape)
                grad = _prod_grad_1d(flat, -1)
                grad = grad.reshape(moved.shape).movedim(tuple(range(-len(dims), 0)), dims)
            else:
                grad = _prod_grad_1d(flat, 0).reshape(shape)
        else:
            grad = _prod_grad_1d(x, dims[0])
        return expand_back(g, shape, dims, keepdim) * grad, None, None, None


class ProdAll(Prod):
    node_name = "ProdBackward0"


def _prod_grad_1d(x: Tensor, dim: int) -> Tensor:
    """The product of all other elements along ``dim``, at each position."""
    from .arith import mul
    from .shape import cat, flip, narrow

    n = x.shape[dim]
    ones = narrow(x, dim, 0, 1) * 0 + 1
    before = cat([ones, cumprod(narrow(x, dim, 0, n - 1), dim)], dim) if n > 1 else ones
    rev = flip(x, dim)
    after = cat([ones, cumprod(narrow(rev, dim, 0, n - 1), dim)], dim) if n > 1 else ones
    return mul(before, flip(after, dim))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product over ``dim`` (one dim, or all when None); integers multiply in int64."""
    a = input._data
    np_dtype = _sum_dtype(a, dtype)
    if dim is None:
        return ProdAll.apply(input, tuple(range(a.ndim)), False, np_dtype)
    return Prod.apply(input, (wrap_dim(dim, a.ndim),) if a.ndim else (), keepdim, np_dtype)


# -- max, min -------------------------------------------------------------------------------------
def _check_nonempty(name, shape, dims, whole) -> None:
    """torch's errors for max-like reductions of empty tensors: a whole-tensor reduction needs
    a dim; a reduced dim must not be empty."""
    if whole:
        raise (IndexError if name.startswith("arg") else RuntimeError)(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            + (
                ""
                if name.startswith("arg")
                else " Specify the reduction dim with the 'dim' argument."
            )
        )
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


class _Extreme(Function):
    """amax/amin, and max()/min() over everything: ties share the gradient evenly."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, largest):
        a = x._data
        xp = get_array_module(a)
        fn = xp.max if largest else xp.min
        out = Tensor._make(as_array(fn(a, axis=dims, keepdims=keepdim)), False, None)
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        hit = x == expand_back(out, shape, dims, keepdim)
        count = sum(hit, dims, True)
        share = expand_back(g, shape, dims, keepdim) * hit / expand_back(count, shape, dims, True)
        return share, None, None, None


class Amax(_Extreme):
    node_name = "AmaxBackward0"


class Amin(_Extreme):
    node_name = "AminBackward0"


class MaxAll(_Extreme):
    node_name = "MaxBackward1"


class MinAll(_Extreme):
    node_name = "MinBackward1"


class _ExtremeDim(Function):
    """max(dim)/min(dim): values and int64 indices; the gradient goes to the chosen index."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        a = x._data
        xp = get_array_module(a)
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        if a.ndim == 0:
            vals, idx = a.copy(), xp.zeros((), dtype=np.int64)
        else:
            if a.shape[dim] == 0:
                _check_nonempty("max" if largest else "min", a.shape, (dim,), False)
            # two reductions cost less than picking with take_along_axis
            if largest:
                vals, idx = a.max(axis=dim, keepdims=keepdim), a.argmax(axis=dim, keepdims=keepdim)
            else:
                vals, idx = a.min(axis=dim, keepdims=keepdim), a.argmin(axis=dim, keepdims=keepdim)
        indices = Tensor._make(as_array(idx.astype(np.int64, copy=False)), False, None)
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return as_array(vals), indices

    @staticmethod
    def backward(ctx, g, _g_idx):
        (indices,) = ctx.saved_tensors
        return _scatter_grad(g, indices, ctx.shape, ctx.dim, ctx.keepdim), None, None, None


class MaxDim(_ExtremeDim):
    node_name = "MaxBackward0"


class MinDim(_ExtremeDim):
    node_name = "MinBackward0"


def _scatter_grad(g, indices, shape, dim, keepdim):
    """A tensor of ``shape``: zeros, with ``g`` at ``indices`` along ``dim``."""
    from .creation import zeros
    from .indexing import scatter

    if len(shape) == 0:
        return g
    if not keepdim:
        g = g.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    base = zeros(shape, dtype=g.dtype, device=g.device)
    return scatter(base, dim, indices, g)


def _max_min(input, dim, keepdim, largest):
    if isinstance(dim, Tensor):
        from .arith import maximum, minimum

        return (maximum if largest else minimum)(input, dim)
    a = input._data
    if dim is None:
        if a.size == 0:
            _check_nonempty("max" if largest else "min", a.shape, (), True)
        cls = MaxAll if largest else MinAll
        return cls.apply(input, tuple(range(a.ndim)), False, largest)
    cls = MaxDim if largest else MinDim
    d = wrap_dim(dim, a.ndim)
    values, indices = cls.apply(input, d, keepdim, largest)
    return (return_types.max if largest else return_types.min)((values, indices))


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor as the
    second argument, the elementwise maximum."""
    return write_out(out, _max_min(input, dim, keepdim, True), "max", True)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with ``dim``, ``(values, indices)``; with a tensor, minimum."""
    return write_out(out, _max_min(input, dim, keepdim, False), "min", True)


def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over ``dim`` (all dims when empty); ties share the gradient evenly."""
    return write_out(out, _amax_amin(Amax, "amax", input, dim, keepdim), "amax", True)


def amin(input, dim=(), keepdim=False, *, out=None):
    """The minimum over ``dim`` (all dims when empty); ties share the gradient evenly."""
    return write_out(out, _amax_amin(Amin, "amin", input, dim, keepdim), "amin", True)


def _amax_amin(cls, name, input, dim, keepdim):
    dims = _reduce_dims(input, dim)
    if input._data.size == 0:
        whole = dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0)
        _check_nonempty(name, input._data.shape, dims, whole)
    return cls.apply(input, dims, keepdim, cls is Amax)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (or everything)."""
    if input._data.size == 0 and (
        dim is None or input._data.shape[wrap_dim(dim, input.dim())] == 0
    ):
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    d = () if dim is None else dim
    return return_types.aminmax((amin(input, d, keepdim), amax(input, d, keepdim)))


def _arg(input, dim, keepdim, largest):
    a = input._data
    xp = get_array_module(a)
    fn = xp.argmax if largest else xp.argmin
    name = "argmax" if largest else "argmin"
    if dim is None:
        if a.size == 0:
            _check_nonempty(name, a.shape, (), True)
        idx = fn(a)
        if keepdim:
            idx = xp.reshape(idx, (1,) * a.ndim)
        return _wrap(xp.asarray(idx, dtype=np.int64))
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(xp.zeros((), dtype=np.int64))
    if a.shape[d] == 0:
        _check_nonempty(name, a.shape, (d,), False)
    idx = fn(a, axis=d, keepdims=keepdim)
    return _wrap(idx.astype(np.int64, copy=False))


def argmax(input, dim=None, keepdim=False):
    """Index (int64) of the largest element, over all elements or along ``dim``."""
    return _arg(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    """Index (int64) of the smallest element, over all elements or along ``dim``."""
    return _arg(input, dim, keepdim, False)


# -- var, std -------------------------------------------------------------------------------------
def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _count(shape, dims) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _var_array(a, dims, correction, keepdim, name):
    """The variance array (two passes: the mean, then the squared deviations), with torch's
    warning when N - correction <= 0."""
    n = _count(a.shape, dims)
    denom = n - correction
    if denom <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        centered = a - a.sum(axis=dims, keepdims=True) / n if n else a.copy()
        centered *= centered
        return centered.sum(axis=dims, keepdims=keepdim) / _py_max(denom, 0)


def _var_grad(x, g, dims, keepdim, denom):
    """d var / dx weighted by g: 2 (x - mean) / (N - correction)."""
    centered = x - mean(x, dims, True)
    scale = 2.0 / denom if denom > 0 else math.inf
    return expand_back(g, x.shape, dims, keepdim) * centered * scale


def _std_grad(x, g, out, dims, keepdim, denom):
    """d std / dx weighted by g: (x - mean) / (std (N - correction)), zero where the std is
    zero (it is not differentiable there; torch takes 0)."""
    from .arith import where

    centered = x - mean(x, dims, True)
    scale = where(out == 0, 0.0, g / (out * denom))
    return expand_back(scale, x.shape, dims, keepdim) * centered


class Var(Function):
    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.denom = _count(a.shape, dims) - correction
        ctx.save_for_backward(x)
        return as_array(_var_array(a, dims, correction, keepdim, "var"))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _var_grad(x, g, ctx.dims, ctx.keepdim, ctx.denom), None, None, None


class Std(Function):
    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.denom = _count(a.shape, dims) - correction
        v = _var_array(a, dims, correction, keepdim, "std")
        out = Tensor._make(as_array(get_array_module(a).sqrt(v)), False, None)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return _std_grad(x, g, out, ctx.dims, ctx.keepdim, ctx.denom), None, None, None


class VarMean(Function):
    """``(var, mean)`` (or ``(std, mean)`` with ``take_sqrt``) in one node, as torch."""

    node_name = "VarMeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, take_sqrt):
        a = x._data
        xp = get_array_module(a)
        n = _count(a.shape, dims)
        ctx.dims, ctx.keepdim, ctx.n, ctx.denom = dims, keepdim, n, n - correction
        spread = _var_array(a, dims, correction, keepdim, "std_mean" if take_sqrt else "var_mean")
        if take_sqrt:
            spread = xp.sqrt(spread)
        if n:
            m = xp.mean(a, axis=dims, keepdims=keepdim)
        else:
            m = xp.full_like(xp.sum(a, axis=dims, keepdims=keepdim), np.nan)
        res = Tensor._make(as_array(spread), False, None)
        ctx.take_sqrt = take_sqrt
        ctx.save_for_backward(x, res)
        return res, as_array(m)

    @staticmethod
    def backward(ctx, g_spread, g_mean):
        x, spread = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        grad = expand_back(g_mean / ctx.n, x.shape, dims, keepdim)
        if ctx.take_sqrt:
            grad = grad + _std_grad(x, g_spread, spread, dims, keepdim, ctx.denom)
        else:
            grad = grad + _var_grad(x, g_spread, dims, keepdim, ctx.denom)
        return grad, None, None, None, None


class StdMean(VarMean):
    node_name = "StdMeanBackward0"


def _var_args(input, dim, unbiased, correction):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(x, True): the old ``unbiased`` positional form
        unbiased, dim = dim, None
    return _reduce_dims(input, dim), _correction(unbiased, correction)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` (all dims when None): sum (x - mean)**2 / (N - correction), with
    correction 1 by default (``unbiased=False`` means 0)."""
    dims, corr = _var_args(input, dim, unbiased, correction)
    return write_out(out, Var.apply(input, dims, corr, keepdim), "var", True)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim``: the square root of ``var``."""
    dims, corr = _var_args(input, dim, unbiased, correction)
    return write_out(out, Std.apply(input, dims, corr, keepdim), "std", True)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    dims, corr = _var_args(input, dim, unbiased, correction)
    return return_types.var_mean(VarMean.apply(input, dims, corr, keepdim, False))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    dims, corr = _var_args(input, dim, unbiased, correction)
    return return_types.std_mean(StdMean.apply(input, dims, corr, keepdim, True))


# -- logsumexp, norm ------------------------------------------------------------------------------
class LogSumExp(Function):
    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        if a.dtype.kind not in "fc":
            a = a.astype(get_default_dtype().np)
        xp = get_array_module(a)
        if a.size == 0:
            out = xp.log(xp.sum(xp.exp(a), axis=dims, keepdims=keepdim))
        else:
            m = xp.max(a, axis=dims, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            s = xp.sum(xp.exp(a - m), axis=dims, keepdims=True)
            with np.errstate(divide="ignore"):
                out = xp.log(s) + m
            if not keepdim:
                out = xp.squeeze(out, axis=dims)
        res = Tensor._make(as_array(out), False, None)
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(x, res)
        return res

    @staticmethod
    def backward(ctx, g):
        from .unary import exp

        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        soft = exp(x - expand_back(out, shape, dims, keepdim))
        return expand_back(g, shape, dims, keepdim) * soft, None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over ``dim``, computed without overflow."""
    return write_out(
        out, LogSumExp.apply(input, _reduce_dims(input, dim), keepdim), "logsumexp", True
    )


class VectorNorm(Function):
    """(sum |x|**ord)**(1/ord) over ``dims``; ord 0 counts nonzeros, ±inf takes max/min |x|.

    The gradient is g * sign(x) * (|x| / norm)**(ord - 1), zero where x or the norm is zero (as
    torch defines the subgradient there); for ±inf it is shared evenly among the extremes.
    """

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        a = x._data
        xp = get_array_module(a)
        kw = {"axis": dims, "keepdims": keepdim}
        if ord == 2:
            out = xp.sqrt(xp.sum(a * a, **kw))
        elif ord == 1:
            out = xp.sum(xp.abs(a), **kw)
        elif ord == 0:
            out = xp.sum(a != 0, dtype=a.dtype, **kw)
        elif ord == math.inf:
            out = xp.max(xp.abs(a), **kw)
        elif ord == -math.inf:
            out = xp.min(xp.abs(a), **kw)
        else:
            with np.errstate(divide="ignore"):
                out = xp.sum(xp.abs(a) ** ord, **kw) ** (1.0 / ord)
        res = Tensor._make(as_array(out.astype(a.dtype, copy=False)), False, None)
        ctx.shape, ctx.ord, ctx.dims, ctx.keepdim = a.shape, ord, dims, keepdim
        ctx.save_for_backward(x, res)
        return res

    @staticmethod
    def backward(ctx, g):
        from .arith import where
        from .creation import zeros_like
        from .unary import abs, sign

        x, out = ctx.saved_tensors
        shape, ord, dims, keepdim = ctx.shape, ctx.ord, ctx.dims, ctx.keepdim
        if ord == 0:
            return zeros_like(x), None, None, None
        g = expand_back(g, shape, dims, keepdim)
        if ord == 1:
            return g * sign(x), None, None, None
        norm = expand_back(out, shape, dims, keepdim)
        if ord == 2:
            return g * x / where(norm == 0, 1.0, norm), None, None, None
        if ord in (math.inf, -math.inf):
            hit = abs(x) == norm
            count = expand_back(sum(hit, dims, True), shape, dims, True)
            return g * sign(x) * hit / count, None, None, None
        ratio = abs(x) / where(norm == 0, 1.0, norm)
        grad = g * sign(x) * where(x == 0, 0.0, ratio) ** (ord - 1)
        return where((x == 0) | (norm == 0), 0.0, grad), None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(sum |x|**ord)**(1/ord) over ``dim`` (all dims when None); ord may be inf, -inf or 0."""
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{type_word(x.dtype)}"
        )
    if dtype is not None:
        x = x.to(dtype)
    dims = _reduce_dims(x, dim)
    a = x._data
    if a.size == 0 and ord in (math.inf, -math.inf):
        name = "inf" if ord > 0 else "-inf"
        if dim is None or (isinstance(dim, (list, tuple)) and not dim):
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        for d in dims:
            if a.shape[d] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}"
                    "because this dimension is empty and the operation does not have an identity"
                )
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, *, out=None):
    """torch.norm: the vector p-norm over ``dim`` ('fro' is the 2-norm; 'nuc' is refused)."""
    if p == "nuc":
        raise NotImplementedError("ember.norm: the nuclear norm is not supported")
    if p == "fro" or p is None:
        p = 2
    return write_out(out, vector_norm(input, p, dim, keepdim, dtype=dtype), "norm", True)


# -- cumulative -----------------------------------------------------------------------------------
class CumSum(Function):
    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        a = x._data
        ctx.dim = dim
        if a.ndim == 0:
            return a.astype(np_dtype, copy=True)
        return get_array_module(a).cumsum(a, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        from .shape import flip

        if g.dim() == 0:
            return g, None, None
        d = ctx.dim
        return flip(cumsum(flip(g, d), d), d), None, None


@takes_out("cumsum", cast=True)
def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim``; integers accumulate in int64."""
    a = input._data
    return CumSum.apply(input, wrap_dim(dim, a.ndim), _sum_dtype(a, dtype))


class CumProd(Function):
    node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        a = x._data
        ctx.dim = dim
        if a.ndim == 0:
            out = a.astype(np_dtype, copy=True)
        else:
            out = get_array_module(a).cumprod(a, axis=dim, dtype=np_dtype)
        res = Tensor._make(as_array(out), False, None)
        ctx.save_for_backward(x, res)
        return res

    @staticmethod
    def backward(ctx, g):
        from .shape import flip

        x, out = ctx.saved_tensors
        if x.dim() == 0:
            return g, None, None
        d = ctx.dim
        if not bool((x._data == 0).any()):
            return flip(cumsum(flip(g * out, d), d), d) / x, None, None
        return _cumprod_grad_zeros(x, g, d), None, None


def _cumprod_grad_zeros(x, g, d):
    """cumprod's gradient without dividing by x (which may hold zeros):
    grad_i = prod_{j<i} x_j * S_i with S_i = g_i + x_{i+1} S_{i+1}. The recurrence is a suffix
    scan of affine maps s -> g_i + a_i s, combined in log2(n) vectorized steps (Hillis-Steele);
    written with ember ops, so it is exact as a function and double backward works."""
    from .creation import ones_like, zeros_like
    from .shape import cat, narrow

    n = x.shape[d]
    edge = zeros_like(narrow(x, d, 0, 1))
    a = cat([narrow(x, d, 1, n - 1), edge], d)  # a_i = x_{i+1}, and 0 past the end
    s = g
    step = 1
    while step < n:
        pad = zeros_like(narrow(x, d, 0, step))
        s = s + a * cat([narrow(s, d, step, n - step), pad], d)
        a = a * cat([narrow(a, d, step, n - step), pad], d)
        step *= 2
    before = cumprod(cat([ones_like(edge), narrow(x, d, 0, n - 1)], d), d)
    return before * s


@takes_out("cumprod", cast=True)
def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``."""
    a = input._data
    return CumProd.apply(input, wrap_dim(dim, a.ndim), _sum_dtype(a, dtype))


class CumMaxValues(Gather):
    node_name = "CummaxBackward0"


class CumMinValues(Gather):
    node_name = "CumminBackward0"


def _cum_extreme(input, dim, largest):
    """Running max/min and the index where it was reached (the latest among equal values;
    a NaN, once seen, stays)."""

    a = input._data
    d = wrap_dim(dim, a.ndim)
    xp = get_array_module(a)
    if a.ndim == 0:
        cls = CumMaxValues if largest else CumMinValues
        return cls.apply(input, 0, _wrap(xp.zeros((), dtype=np.int64))), _wrap(
            xp.zeros((), dtype=np.int64)
        )
    running = (xp.maximum if largest else xp.minimum).accumulate(a, axis=d)
    hit = a == running
    if a.dtype.kind == "f":
        hit |= xp.isnan(a)
    pos = xp.arange(a.shape[d], dtype=np.int64).reshape((-1,) + (1,) * (a.ndim - d - 1))
    indices = _wrap(xp.maximum.accumulate(xp.where(hit, pos, 0), axis=d))
    return (CumMaxValues if largest else CumMinValues).apply(input, d, indices), indices


def cummax(input, dim):
    """Running maximum along ``dim``: ``(values, indices)``."""
    return return_types.cummax(_cum_extreme(input, dim, True))


def cummin(input, dim):
    return return_types.cummin(_cum_extreme(input, dim, False))


# -- boolean --------------------------------------------------------------------------------------
def _bool_reduce(input, dim, keepdim, fn_name):
    a = input._data
    xp = get_array_module(a)
    fn = getattr(xp, fn_name)
    out_dtype = np.uint8 if a.dtype == np.uint8 else np.bool_
    if dim is None:
        r = fn(a)
        if keepdim:
            r = xp.reshape(r, (1,) * a.ndim)
    else:
        r = fn(a, axis=_reduce_dims(input, dim), keepdims=keepdim)
    return _wrap(xp.asarray(r).astype(out_dtype))


@takes_out("all", bool_out=True)
def all(input, dim=None, keepdim=False, *, out=None):
    """Whether every element (along ``dim``) is nonzero."""
    return _bool_reduce(input, dim, keepdim, "all")


@takes_out("any", bool_out=True)
def any(input, dim=None, keepdim=False, *, out=None):
    """Whether some element (along ``dim``) is nonzero."""
    return _bool_reduce(input, dim, keepdim, "any")


def count_nonzero(input, dim=None):
    """The number of nonzero elements (int64), over all or along ``dim``."""
    a = input._data
    xp = get_array_module(a)
    dims = None if dim is None else _reduce_dims(input, dim)
    return _wrap(xp.asarray(xp.count_nonzero(a, axis=dims)).astype(np.int64))


# -- sum_to_size ----------------------------------------------------------------------------------
class SumToSize(Function):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return sum_to_shape_array(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.shape), None


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size`` (which ``input`` must broadcast from)."""
    shape = sizes(size)
    a = input._data
    if a.shape == shape:
        return input
    lead = a.ndim - len(shape)
    if lead < 0 or _py_any(s != 1 and s != a.shape[lead + i] for i, s in enumerate(shape)):
        raise RuntimeError(
            f"size {{{', '.join(map(str, shape))}}} is not expandable to size "
            f"{{{', '.join(map(str, a.shape))}}}."
        )
    return SumToSize.apply(input, shape)


del int64
