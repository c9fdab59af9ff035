"""Normalization of ``ember.nn.functional``: batch, layer, group and RMS norm, ``normalize``.

Each norm is one Function: the forward computes the statistics on arrays in one pass, the
backward is the closed form. With xhat = (x - mean) * invstd over M elements and gxhat = g *
weight, the input gradient is invstd / M * (M gxhat - sum(gxhat) - xhat sum(gxhat xhat)).
Backwards are written with ember ops; when a higher-order graph is being built they recompute
the statistics from x with ember ops so that their dependence on x is differentiated too.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module
from ..tensor import Tensor
from .inplace import bump_version
from .nn_activation import _float_only

__all__ = ["batch_norm", "layer_norm", "group_norm", "rms_norm", "normalize", "instance_norm"]


def _const(a) -> Tensor:
    return Tensor._make(a, False, None)


def _stats_tensors(ctx, x: Tensor, dims, eps):
    """(mean, invstd) over ``dims`` (keepdim): the forward's arrays, or recomputed with ember
    ops when the backward itself is being recorded."""
    if STATE.enabled:
        mean = x.mean(dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dims, keepdim=True)
        return mean, (var + eps).rsqrt()
    return _const(ctx.mean), _const(ctx.invstd)


def _normalized_backward(g, x, mean, invstd, gw_shape_fn, w, dims, m):
    """The input gradient of xhat * w for statistics over ``dims`` (m elements each)."""
    xhat = (x - mean) * invstd
    gxhat = g if w is None else g * gw_shape_fn(w)
    s1 = gxhat.sum(dims, keepdim=True)
    s2 = (gxhat * xhat).sum(dims, keepdim=True)
    return (gxhat - s1 / m - xhat * (s2 / m)) * invstd, xhat


# -- batch norm --------------------------------------------------------------------------------
class BatchNorm(Function):
    """Normalize each channel (dim 1) by its batch statistics (training) or by the running
    ones; then scale and shift per channel."""

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, mean_run, var_run, w, b, training, momentum, eps):
        a = x._data
        xp = get_array_module(a)
        nd = a.ndim
        dims = (0,) + tuple(range(2, nd))
        bshape = (1, a.shape[1]) + (1,) * (nd - 2)
        if training:
            mean = a.mean(axis=dims, keepdims=True)
            d = a - mean
            var = (d * d).mean(axis=dims, keepdims=True)
            n = a.size // a.shape[1]
            if mean_run is not None:
                _update(mean_run, mean.reshape(-1), momentum)
            if var_run is not None:
                _update(var_run, var.reshape(-1) * (n / max(n - 1, 1)), momentum)
        else:
            mean = mean_run._data.reshape(bshape).astype(a.dtype, copy=False)
            var = var_run._data.reshape(bshape).astype(a.dtype, copy=False)
            d = a - mean
        invstd = 1 / xp.sqrt(var + eps)
        scale = invstd if w is None else invstd * w._data.reshape(bshape)
        y = d * scale
        if b is not None:
            y += b._data.reshape(bshape)
        ctx.save_for_backward(x, w)
        ctx.mean, ctx.invstd = mean, invstd
        ctx.training, ctx.eps = training, eps
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        nd = x.dim()
        dims = (0,) + tuple(range(2, nd))
        bshape = (1, x.shape[1]) + (1,) * (nd - 2)

        def per_channel(t):
            return t.reshape(bshape)

        if ctx.training:
            mean, invstd = _stats_tensors(ctx, x, dims, ctx.eps)
            m = x.numel() // x.shape[1]
            gx, xhat = _normalized_backward(g, x, mean, invstd, per_channel, w, dims, m)
        else:
            mean, invstd = _const(ctx.mean), _const(ctx.invstd)
            xhat = (x - mean) * invstd
            gx = g * invstd if w is None else g * (invstd * per_channel(w))
        gw = (g * xhat).sum(dims) if w is not None and need[3] else None
        gb = g.sum(dims) if need[4] else None
        return gx if need[0] else None, None, None, gw, gb, None, None, None


def _update(buf: Tensor, value, momentum) -> None:
    """running = (1 - momentum) running + momentum value, in place."""
    r = buf._data
    r *= 1 - momentum
    r += value.astype(r.dtype, copy=False) * momentum
    bump_version(buf)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias per channel (dim 1) of an (N, C, *) input.

    Training uses the batch's statistics (biased variance) and, when running buffers are given,
    updates them in place: running = (1 - momentum) running + momentum stat (the variance
    unbiased). Otherwise the running statistics normalize.
    """
    a = input._data
    if a.ndim < 2:
        raise ValueError(f"expected 2D or 3D input (got {a.ndim}D input)")
    _float_only("batch_norm", input)
    c = a.shape[1]
    if training:
        n = a.size // c if c else 0
        if n == 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    named = {"running_mean": running_mean, "running_var": running_var, "weight": weight}
    named["bias"] = bias
    for name, t in named.items():
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    return BatchNorm.apply(
        input, running_mean, running_var, weight, bias, bool(training), momentum, eps
    )


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each (sample, channel) plane of an (N, C, *) input by its own statistics:
    batch_norm of the input seen as (1, N * C, *)."""
    n, c = input._data.shape[:2]
    x = input.reshape((1, n * c) + tuple(input._data.shape[2:]))

    def rep(t):
        return None if t is None else t.repeat(n)

    rm, rv = rep(running_mean), rep(running_var)
    out = batch_norm(x, rm, rv, rep(weight), rep(bias), use_input_stats, momentum, eps)
    if use_input_stats and running_mean is not None:
        running_mean._data[...] = rm._data.reshape(n, c).mean(0)
        running_var._data[...] = rv._data.reshape(n, c).mean(0)
        bump_version(running_mean)
        bump_version(running_var)
    return out.reshape(input.shape)


# -- layer norm and group norm -----------------------------------------------------------------
class LayerNorm(Function):
    """Normalize over the last k dims; weight and bias have those dims' shape."""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        a = x._data
        xp = get_array_module(a)
        dims = tuple(range(a.ndim - k, a.ndim))
        mean = a.mean(axis=dims, keepdims=True)
        d = a - mean
        var = (d * d).mean(axis=dims, keepdims=True)
        invstd = 1 / xp.sqrt(var + eps)
        y = d * invstd
        if w is not None:
            y *= w._data
        if b is not None:
            y += b._data
        ctx.save_for_backward(x, w)
        ctx.mean, ctx.invstd, ctx.k, ctx.eps = mean, invstd, k, eps
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        nd, k = x.dim(), ctx.k
        dims = tuple(range(nd - k, nd))
        lead = tuple(range(nd - k))
        mean, invstd = _stats_tensors(ctx, x, dims, ctx.eps)
        m = math.prod(x.shape[nd - k :])
        gx, xhat = _normalized_backward(g, x, mean, invstd, lambda t: t, w, dims, m)
        gw = (g * xhat).sum(lead) if w is not None and need[1] else None
        gb = g.sum(lead) if need[2] else None
        return gx if need[0] else None, gw, gb, None, None


def _shape_list(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _normalized_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input, shape, weight, bias):
    k = len(shape)
    if tuple(input._data.shape[input._data.ndim - k :]) != shape or k > input._data.ndim:
        raise RuntimeError(
            f"Given normalized_shape={_shape_list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size"
            f"{_shape_list(input._data.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {_shape_list(t._data.shape)} and normalized_shape = {_shape_list(shape)}"
            )


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias, the statistics (biased variance) over the
    last dims given by ``normalized_shape``. Shapes: input (*, *normalized_shape)."""
    shape = _normalized_shape(normalized_shape)
    _check_normalized(input, shape, weight, bias)
    _float_only("LayerNormKernelImpl", input)
    return LayerNorm.apply(input, weight, bias, len(shape), eps)


class GroupNorm(Function):
    """Normalize each group of C / G channels of each sample; affine per channel."""

    node_name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        a = x._data
        xp = get_array_module(a)
        n, c = a.shape[:2]
        v = a.reshape(n, groups, -1)
        mean = v.mean(axis=2, keepdims=True)
        d = v - mean
        var = (d * d).mean(axis=2, keepdims=True)
        invstd = 1 / xp.sqrt(var + eps)
        y = (d * invstd).reshape(a.shape)
        bshape = (1, c) + (1,) * (a.ndim - 2)
        if w is not None:
            y *= w._data.reshape(bshape)
        if b is not None:
            y += b._data.reshape(bshape)
        ctx.save_for_backward(x, w)
        ctx.mean, ctx.invstd, ctx.groups, ctx.eps = mean, invstd, groups, eps
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        n, c = x.shape[:2]
        nd = x.dim()
        groups = ctx.groups
        bshape = (1, c) + (1,) * (nd - 2)
        gxhat = g if w is None else g * w.reshape(bshape)
        xv = x.reshape(n, groups, -1)
        mean, invstd = _stats_tensors(ctx, xv, (2,), ctx.eps)
        m = xv.shape[2]
        gv = gxhat.reshape(n, groups, -1)
        gx, xhat = _normalized_backward(gv, xv, mean, invstd, None, None, (2,), m)
        dims = (0,) + tuple(range(2, nd))
        gw = None
        if w is not None and need[1]:
            gw = (g * xhat.reshape(x.shape)).sum(dims)
        gb = g.sum(dims) if need[2] else None
        return gx.reshape(x.shape) if need[0] else None, gw, gb, None, None


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalization: the C channels of an (N, C, *) input split into ``num_groups``
    groups, each group of each sample normalized by its own mean and (biased) variance, then
    weight and bias (C) per channel."""
    a = input._data
    if a.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {a.ndim}")
    c = a.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {_shape_list(a.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {_shape_list(t._data.shape)} and input of "
                f"shape {_shape_list(a.shape)}"
            )
    _float_only("GroupNormKernelImpl", input)
    return GroupNorm.apply(input, weight, bias, int(num_groups), eps)


# -- RMS norm and normalize --------------------------------------------------------------------
class RmsNorm(Function):
    """x / sqrt(mean(x^2) + eps) * weight over the last k dims."""

    node_name = "RmsNormBackward0"

    @staticmethod
    def forward(ctx, x, w, k, eps):
        a = x._data
        xp = get_array_module(a)
        dims = tuple(range(a.ndim - k, a.ndim))
        r = 1 / xp.sqrt((a * a).mean(axis=dims, keepdims=True) + eps)
        y = a * r
        if w is not None:
            y *= w._data
        ctx.save_for_backward(x, w)
        ctx.r, ctx.k, ctx.eps = r, k, eps
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        nd, k = x.dim(), ctx.k
        dims = tuple(range(nd - k, nd))
        if STATE.enabled:
            r = ((x * x).mean(dims, keepdim=True) + ctx.eps).rsqrt()
        else:
            r = _const(ctx.r)
        gy = g if w is None else g * w
        gx = None
        if need[0]:
            m = math.prod(x.shape[nd - k :])
            gx = (gy - x * (r * r) * ((gy * x).sum(dims, keepdim=True) / m)) * r
        gw = None
        if w is not None and need[1]:
            gw = (g * x * r).sum(tuple(range(nd - k)))
        return gx, gw, None, None


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """x / sqrt(mean(x^2) + eps) * weight over the last dims given by ``normalized_shape``;
    ``eps`` defaults to the machine epsilon of the input's dtype."""
    shape = _normalized_shape(normalized_shape)
    _check_normalized(input, shape, weight, None)
    _float_only("rms_norm", input)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    return RmsNorm.apply(input, weight, len(shape), eps)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    res = input / denom
    if out is not None:
        from .inplace import write_into

        write_into(out, res._data)
        return out
    return res
