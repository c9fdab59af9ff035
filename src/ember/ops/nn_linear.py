"""Affine maps: ``linear`` (y = x W^T + b) as one fused Function, and ``bilinear``.

``Linear`` computes the product on the array of the input viewed as a matrix (N, in) against
the transposed view of the weight (BLAS reads it in place, nothing is copied) and adds the
bias into the product's own buffer. Its backward is three matrix products:

    dx = dy W          dW = dy^T x          db = sum over rows of dy

written with ember ops, so higher derivatives work. The grad_fn is named as torch names it
for the case at hand (``AddmmBackward0`` for a matrix input with bias).
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import sum_to_shape_array, threads
from ..tensor import Tensor
from .inplace import type_word

__all__ = ["linear", "bilinear"]


class Linear(Function):
    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias):
        a = x._data
        lead = a.shape[:-1]
        a2 = a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a
        wt = weight._data.T
        out = threads.matmul(a2, wt) if threads.ACTIVE else threads.product(a2, wt)
        if bias is not None:
            out += bias._data
        ctx.save_for_backward(x, weight)
        return out.reshape(lead + (weight._data.shape[0],)) if a.ndim != 2 else out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        n_out = weight._data.shape[0]
        if not STATE.enabled:  # no graph of this backward: the same formulas on arrays
            gd, a, w = g._data, x._data, weight._data
            g2 = gd.reshape(-1, n_out) if gd.ndim != 2 else gd
            a2 = a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a
            # (on more threads when large: both products are as large as the forward's)
            mm = threads.matmul if threads.ACTIVE and threads.large(g2, w) else threads.product
            gx = mm(g2, w).reshape(gd.shape[:-1] + (w.shape[1],)) if need[0] else None
            gw = mm(g2.T, a2) if need[1] else None
            gx = None if gx is None else Tensor._make(gx, False, None)
            gw = None if gw is None else Tensor._make(gw, False, None)
            gb = None
            if len(need) > 2 and need[2]:
                gb = Tensor._make(sum_to_shape_array(g2, (n_out,)), False, None)  # BLAS
            return gx, gw, gb
        g2 = g.reshape(-1, n_out) if g.dim() != 2 else g
        gx = gw = gb = None
        if need[0]:
            gx = g.matmul(weight)
        if need[1]:
            x2 = x.reshape(-1, x.shape[-1]) if x.dim() != 2 else x
            gw = g2.t().matmul(x2)
        if len(need) > 2 and need[2]:
            gb = g2.sum(0)
        return gx, gw, gb


class LinearNoBias(Linear):
    node_name = "MmBackward0"


class LinearView(Linear):
    node_name = "ViewBackward0"


class LinearUnsafeView(Linear):
    node_name = "UnsafeViewBackward0"


class LinearSqueeze(Linear):
    node_name = "SqueezeBackward4"


def _dims(shape) -> str:
    return "x".join(str(s) for s in shape)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b.

    Shapes: input (*, in), weight (out, in), bias (out,) or None -> (*, out).
    """
    if weight.dim() != 2:
        out = input.matmul(weight.t())
        return out if bias is None else out + bias
    x, w = input._data, weight._data
    if x.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and 2D"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {type_word(input.dtype)} and "
            f"{type_word(weight.dtype)}"
        )
    if x.shape[-1] != w.shape[1]:
        rows = 1
        for s in x.shape[:-1]:
            rows *= s
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
            f"{_dims(w.shape[::-1])})"
        )
    if bias is not None:
        b = bias._data
        n_out = w.shape[0]
        if b.ndim > 1 or (b.ndim == 1 and b.shape[0] not in (1, n_out)):
            target = list(x.shape[:-1]) + [n_out]
            raise RuntimeError(
                f"The expanded size of the tensor ({n_out}) must match the existing size "
                f"({b.shape[-1]}) at non-singleton dimension {len(target) - 1}.  Target sizes: "
                f"{target}.  Tensor sizes: {list(b.shape)}"
            )
        if b.dtype != w.dtype:
            bias = bias.to(weight.dtype)
        cls = Linear if x.ndim == 2 else LinearView
        return cls.apply(input, weight, bias)
    if x.ndim == 2:
        cls = LinearNoBias
    elif x.ndim == 1:
        cls = LinearSqueeze
    else:
        cls = LinearUnsafeView
    return cls.apply(input, weight, None)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k.

    Shapes: input1 (*, in1), input2 (*, in2), weight (out, in1, in2), bias (out,) ->
    (*, out). Computed as one matrix product of x1 with A laid out as (in1, out * in2),
    then a product with x2 summed over in2.
    """
    if input1.dim() != input2.dim():
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}"
        )
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got "
                f"{input1.shape[i]} and {input2.shape[i]}"
            )
    if weight.dim() != 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{weight.dim()}, "
            f"{weight.dim() - 1}], but got 2)"
        )
    n_out, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {in1}"
        )
    if input2.shape[-1] != in2:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {in2}"
        )
    if bias is not None and bias.numel() != n_out:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[-1]} but "
            f"expected {n_out}"
        )
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)  # (N, in1)
    x2 = input2.reshape(-1, in2)  # (N, in2)
    a = weight.permute(1, 0, 2).reshape(in1, n_out * in2)  # (in1, out * in2)
    t = x1.matmul(a).reshape(-1, n_out, in2)  # (N, out, in2)
    y = t.matmul(x2.unsqueeze(-1)).squeeze(-1)  # (N, out)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (n_out,))
