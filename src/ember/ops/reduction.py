"""Reductions over dims: sum, mean, prod, max/min, var/std, logsumexp, norm, all/any, and
``sum_to_size``, which the engine uses to undo broadcasting.

``dim=None`` reduces every dim. Backward spreads the gradient back over the reduced dims by
reshaping it to the kept shape and expanding.
"""

from __future__ import annotations

import math

import numpy as np

from .. import return_types
from ..autograd.function import Function
from ..backend import as_array, get_array_module
from ..dtypes import get_default_dtype, int64, to_dtype
from ..tensor import Tensor
from ._args import sizes, wrap_dim, wrap_dims
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


def expand_back(g: Tensor, shape, dims, keepdim: bool) -> Tensor:
    """Spread ``g`` (the gradient of a reduction over ``dims``) back over ``shape``."""
    if not keepdim and dims:
        g = g.reshape(_kept_shape(shape, dims))
    return g.expand(shape)


def _reduce_dims(x: Tensor, dim) -> tuple:
    if dim is None:
        return tuple(range(x._data.ndim))
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return tuple(range(x._data.ndim))
    return wrap_dims(dim, x._data.ndim)


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
        xp = get_array_module(a)
        return as_array(xp.sum(a, axis=dims, keepdims=keepdim, dtype=np_dtype))

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
        return SumAll.apply(input, tuple(range(a.ndim)), False, np_dtype)
    return Sum.apply(input, _reduce_dims(input, dim), keepdim, np_dtype)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero."""
    from .arith import where

    return sum(where(input != input, 0.0, input), dim, keepdim, dtype=dtype)


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
        return MeanAll.apply(input, tuple(range(a.ndim)), False, np_dtype)
    return Mean.apply(input, _reduce_dims(input, dim), keepdim, np_dtype)


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
class _Extreme(Function):
    """amax/amin, and max()/min() over everything: ties share the gradient evenly."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, largest):
        a = x._data
        if a.size == 0 and (not dims or _py_any(a.shape[d] == 0 for d in dims)):
            name = (
                ("max" if largest else "min")
                if len(dims) == a.ndim
                else ("amax" if largest else "amin")
            )
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
                if len(dims) == a.ndim
                else f"{name}(): Expected reduction dim {dims[0]} to have non-zero size."
            )
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
        if a.ndim == 0:
            ctx.mark_non_differentiable()
            idx = xp.zeros((), dtype=np.int64)
            return a.copy(), idx
        if a.shape[dim] == 0:
            raise IndexError(
                f"{'max' if largest else 'min'}(): Expected reduction dim {dim} to have non-zero "
                "size."
            )
        idx = (xp.argmax if largest else xp.argmin)(a, axis=dim)
        idx = xp.expand_dims(idx, dim)
        vals = xp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            vals = xp.squeeze(vals, dim)
            idx = xp.squeeze(idx, dim)
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
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


def _max_min(input, dim, keepdim, largest, other=None):
    if isinstance(dim, Tensor) and other is None:
        from .arith import maximum, minimum

        return (maximum if largest else minimum)(input, dim)
    a = input._data
    if dim is None:
        cls = MaxAll if largest else MinAll
        return cls.apply(input, tuple(range(a.ndim)), False, largest)
    cls = MaxDim if largest else MinDim
    d = wrap_dim(dim, a.ndim)
    values, indices = cls.apply(input, d, keepdim, largest)
    return (return_types.max if largest else return_types.min)((values, indices))


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor as the
    second argument, the elementwise maximum."""
    return _max_min(input, dim, keepdim, True)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with ``dim``, ``(values, indices)``; with a tensor, minimum."""
    return _max_min(input, dim, keepdim, False)


def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over ``dim`` (all dims when empty); ties share the gradient evenly."""
    return Amax.apply(input, _reduce_dims(input, dim), keepdim, True)


def amin(input, dim=(), keepdim=False, *, out=None):
    return Amin.apply(input, _reduce_dims(input, dim), keepdim, False)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (or everything)."""
    d = () if dim is None else dim
    return return_types.aminmax((amin(input, d, keepdim), amax(input, d, keepdim)))


def _arg(input, dim, keepdim, largest):
    a = input._data
    xp = get_array_module(a)
    fn = xp.argmax if largest else xp.argmin
    name = "argmax" if largest else "argmin"
    if a.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        )
    if dim is None:
        idx = fn(a)
        if keepdim:
            idx = xp.reshape(idx, (1,) * a.ndim)
        return _wrap(xp.asarray(idx, dtype=np.int64))
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(xp.zeros((), dtype=np.int64))
    idx = fn(a, axis=d, keepdims=keepdim)
    return _wrap(idx.astype(np.int64, copy=False))


def argmax(input, dim=None, keepdim=False):
    """Index (int64) of the largest element, over all elements or along ``dim``."""
    return _arg(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, False)


# -- var, std -------------------------------------------------------------------------------------
def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


class Var(Function):
    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        a = x._data
        xp = get_array_module(a)
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.shape, ctx.dims, ctx.keepdim, ctx.denom = a.shape, dims, keepdim, n - correction
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return as_array(xp.var(a, axis=dims, ddof=correction, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        centered = x - mean(x, ctx.dims, True)
        grad = expand_back(g, ctx.shape, ctx.dims, ctx.keepdim) * centered * (2 / ctx.denom)
        return grad, None, None, None


def _var_args(input, dim, unbiased, correction, name):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(x, True): the old ``unbiased`` positional form
        unbiased, dim = dim, None
    return _reduce_dims(input, dim), _correction(unbiased, correction)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim``, dividing by N - correction (correction 1 by default)."""
    dims, corr = _var_args(input, dim, unbiased, correction, "var")
    return Var.apply(input, dims, corr, keepdim)


class Std(Function):
    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        a = x._data
        xp = get_array_module(a)
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.shape, ctx.dims, ctx.keepdim, ctx.denom = a.shape, dims, keepdim, n - correction
        with np.errstate(divide="ignore", invalid="ignore"):
            out = Tensor._make(
                as_array(xp.std(a, axis=dims, ddof=correction, keepdims=keepdim)), False, None
            )
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        dims, keepdim, shape = ctx.dims, ctx.keepdim, ctx.shape
        centered = x - mean(x, dims, True)
        scale = expand_back(g / (out * ctx.denom), shape, dims, keepdim)
        return scale * centered, None, None, None


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` (sqrt of ``var``)."""
    dims, corr = _var_args(input, dim, unbiased, correction, "std")
    return Std.apply(input, dims, corr, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return return_types.var_mean(
        (var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))
    )


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return return_types.std_mean(
        (std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))
    )


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
    return LogSumExp.apply(input, _reduce_dims(input, dim), keepdim)


class Norm2(Function):
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        xp = get_array_module(a)
        out = Tensor._make(
            as_array(xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))), False, None
        )
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .indexing import masked_fill

        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        norm = expand_back(out, shape, dims, keepdim)
        # the subgradient at a zero norm is 0, as torch defines it
        scaled = x / masked_fill(norm, norm == 0, 1.0)
        return expand_back(g, shape, dims, keepdim) * scaled, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(sum |x|**ord)**(1/ord) over ``dim``; ord may be inf, -inf or 0 too."""
    from .unary import abs

    if x._data.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{type_word(x.dtype)}"
        )
    if dtype is not None:
        x = x.to(dtype)
    dims = _reduce_dims(x, dim)
    if ord == 2:
        return Norm2.apply(x, dims, keepdim)
    if ord == float("inf"):
        return amax(abs(x), dims, keepdim)
    if ord == float("-inf"):
        return amin(abs(x), dims, keepdim)
    if ord == 0:
        return sum((x != 0).to(x.dtype), dims, keepdim)
    if ord == 1:
        return sum(abs(x), dims, keepdim)
    return sum(abs(x) ** ord, dims, keepdim) ** (1.0 / ord)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, *, out=None):
    """torch.norm: the vector p-norm over ``dim`` ('fro' is the 2-norm; 'nuc' is refused)."""
    if p == "nuc":
        raise NotImplementedError("ember.norm: the nuclear norm is not supported")
    if p == "fro" or p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


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
        from .shape import cat, flip, narrow

        x, out = ctx.saved_tensors
        if x.dim() == 0:
            return g, None, None
        d = ctx.dim
        if not bool((x._data == 0).any()):
            return flip(cumsum(flip(g * out, d), d), d) / x, None, None
        # grad_i = prod_{j<i} x_j * S_i, where S_i = g_i + x_{i+1} * S_{i+1}
        n = x.shape[d]
        s = [None] * n
        s[n - 1] = narrow(g, d, n - 1, 1)
        for i in range(n - 2, -1, -1):
            s[i] = narrow(g, d, i, 1) + narrow(x, d, i + 1, 1) * s[i + 1]
        prefix = [None] * n
        prefix[0] = narrow(x, d, 0, 1) * 0 + 1
        for i in range(1, n):
            prefix[i] = prefix[i - 1] * narrow(x, d, i - 1, 1)
        parts = [prefix[i] * s[i] for i in range(n)]
        return cat(parts, d), None, None


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``."""
    a = input._data
    return CumProd.apply(input, wrap_dim(dim, a.ndim), _sum_dtype(a, dtype))


def _cum_extreme(input, dim, largest):
    from .indexing import gather

    a = input._data
    d = wrap_dim(dim, a.ndim)
    xp = get_array_module(a)
    if a.ndim == 0:
        return input.clone(), _wrap(xp.zeros((), dtype=np.int64))
    n = a.shape[d]
    moved = xp.moveaxis(a, d, -1)
    idx = xp.zeros(moved.shape, dtype=np.int64)
    best = moved[..., 0].copy()
    best_i = xp.zeros(best.shape, dtype=np.int64)
    for i in range(n):
        v = moved[..., i]
        better = (v >= best) if largest else (v <= best)
        better |= xp.isnan(v)
        best = xp.where(better, v, best)
        best_i = xp.where(better, i, best_i)
        idx[..., i] = best_i
    indices = _wrap(xp.moveaxis(idx, -1, d))
    return gather(input, d, indices), indices


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


def all(input, dim=None, keepdim=False, *, out=None):
    """Whether every element (along ``dim``) is nonzero."""
    return _bool_reduce(input, dim, keepdim, "all")


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
        a = x._data
        ctx.shape = a.shape
        lead = a.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1
        )
        out = get_array_module(a).sum(a, axis=dims, keepdims=True) if dims else a
        return as_array(out.reshape(shape)) if out is not a else a.copy()

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


del math, int64
