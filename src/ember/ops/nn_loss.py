"""Loss functions of ``ember.nn.functional``.

Every loss takes ``reduction`` ('mean', 'sum' or 'none'; the legacy ``size_average`` and
``reduce`` flags are accepted and warn as in torch). The hot ones are single Functions with a
hand-written backward: ``cross_entropy`` (log_softmax and nll fused, class indices or class
probabilities), ``nll_loss``, ``mse_loss``, the smooth L1 and Huber losses and both binary cross
entropies (computed from logits without overflow). The rest are compositions of ember ops, as in
torch. Input and target are checked and the errors say what was expected.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module, reduce_keepdims
from ..dtypes import promote_types
from ..tensor import Tensor
from .arith import where
from .inplace import type_word
from .nn_activation import _float_only, _np_softplus

__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "soft_margin_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "legacy_reduction",
]


# -- reduction ---------------------------------------------------------------------------------
def legacy_reduction(size_average, reduce, emit_warning: bool = True) -> str:
    """The ``reduction`` string that the deprecated ``size_average``/``reduce`` pair means."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
            "instead.",
            UserWarning,
            stacklevel=3,
        )
    return ret


def _reduction(size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            UserWarning,
            stacklevel=3,
        )
        reduction = "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce_array(loss, reduction: str):
    if reduction == "none":
        return loss
    total = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return get_array_module(loss).asarray(total)
    return get_array_module(loss).asarray(total / loss.dtype.type(loss.size))


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def _grad_scale(g: Tensor, reduction: str, n: int):
    """The per-element gradient factor of a reduced loss (g is the loss's gradient)."""
    return g / n if reduction == "mean" else g


def _check_same_size(name: str, input: Tensor, target: Tensor) -> None:
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _float_result(kernel: str, x: Tensor, t: Tensor) -> None:
    """torch's error for a loss between two integer tensors."""
    if x._data.dtype.kind != "f" and t._data.dtype.kind != "f":
        _float_only(kernel, x)


def _arrays(x: Tensor, t: Tensor):
    xa, ta = x._data, t._data
    if xa.dtype != ta.dtype:  # torch's promotion (float32 with int64 stays float32)
        dt = promote_types(x.dtype, t.dtype).np
        xa, ta = xa.astype(dt, copy=False), ta.astype(dt, copy=False)
    if xa.shape != ta.shape:
        xa, ta = np.broadcast_arrays(xa, ta) if isinstance(xa, np.ndarray) else (xa, ta)
    return xa, ta


# -- regression losses -------------------------------------------------------------------------
class MseLoss(Function):
    node_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction):
        xa, ta = _arrays(x, t)
        d = xa - ta
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.n = reduction, d.size
        return _reduce_array(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gd = (x - t) * (_grad_scale(g, ctx.reduction, ctx.n) * 2)
        return gd, -gd if ctx.needs_input_grad[1] else None, None


class SmoothL1Loss(Function):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0: the L1 loss)."""

    node_name = "SmoothL1LossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction, beta):
        xa, ta = _arrays(x, t)
        xp = get_array_module(xa)
        d = xp.abs(xa - ta)
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.n, ctx.beta = reduction, d.size, beta
        if beta == 0:
            return _reduce_array(d, reduction)
        loss = xp.where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
        return _reduce_array(loss.astype(d.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        d = x - t
        beta = ctx.beta
        scale = _grad_scale(g, ctx.reduction, ctx.n)
        if beta == 0:
            gd = d.sign() * scale
        else:
            gd = where(d.abs() < beta, d / beta, d.sign()) * scale
        return gd, -gd if ctx.needs_input_grad[1] else None, None, None


class HuberLoss(Function):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""

    node_name = "HuberLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction, delta):
        xa, ta = _arrays(x, t)
        xp = get_array_module(xa)
        d = xp.abs(xa - ta)
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.n, ctx.delta = reduction, d.size, delta
        loss = xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
        return _reduce_array(loss.astype(d.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        d = x - t
        delta = ctx.delta
        gd = d.clamp(-delta, delta) * _grad_scale(g, ctx.reduction, ctx.n)
        return gd, -gd if ctx.needs_input_grad[1] else None, None, None


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str, mean_by_weight: bool):
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error: reduce((input - target)^2). A target whose shape differs from the
    input's broadcasts, with torch's warning naming both shapes. ``weight`` (input's shape)
    scales each element; its 'mean' divides by weight.sum()."""
    _check_same_size("mse_loss", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _float_result("mse_cpu", input, target)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, input, reduction, True)
    return MseLoss.apply(input, target, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error: reduce(|input - target|); ``weight`` as in ``mse_loss``."""
    _check_same_size("l1_loss", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction, True)
    return _reduce(loss, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - 0.5 beta; reduced."""
    _check_same_size("smooth_l1_loss", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _float_result("smooth_l1_cpu", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return SmoothL1Loss.apply(input, target, reduction, float(beta))


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - 0.5 delta); reduced."""
    _check_same_size("huber_loss", input, target)
    reduction = _reduction(None, None, reduction)
    _float_result("huber_cpu", input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        loss = HuberLoss.apply(input, target, "none", float(delta))
        return _weighted(loss, weight, input, reduction, False)
    return HuberLoss.apply(input, target, reduction, float(delta))


# -- classification: cross entropy and nll -----------------------------------------------------
def _class_layout(name, input: Tensor, target: Tensor, weight, probs: bool):
    """Check input (N, C, *) or (C,) against target and weight; returns (n_classes, squeezed)
    where squeezed says the input had no batch dim."""
    x, t = input._data, target._data
    if x.ndim == 0:
        raise RuntimeError(
            f"{name}: input has 0 dimensions; expected (C), (N, C) or (N, C, d1, ...)"
        )
    c = x.shape[0] if x.ndim == 1 else x.shape[1]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != c):
        raise RuntimeError(
            f"weight tensor should be defined either for all {c} classes or no classes but got "
            f"weight tensor of shape: [{', '.join(map(str, weight._data.shape))}]"
        )
    if probs:
        return c, x.ndim == 1
    if (
        t.dtype.kind not in "iu"
        or t.dtype.itemsize not in (1, 8)
        or (t.dtype.itemsize == 1 and t.dtype.kind == "i")
    ):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {type_word(target.dtype)}: "
            f"{name} with input of shape {list(x.shape)} expects class indices of dtype Long "
            f"and shape {_expected_target(x.shape)}, or class probabilities of dtype "
            f"{type_word(input.dtype)} and shape {list(x.shape)}, but got a target of shape "
            f"{list(t.shape)}"
        )
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError(
                f"{name}: input of shape {list(x.shape)} has no batch dimension, so the target "
                f"must be a single class index (0-D), but got a target of shape {list(t.shape)}"
            )
        return c, True
    if x.ndim == 2 and t.ndim != 1:
        raise RuntimeError(
            "0D or 1D target tensor expected, multi-target not supported: "
            f"{name} with input of shape {list(x.shape)} expects a target of shape "
            f"[{x.shape[0]}], but got {list(t.shape)}"
        )
    if t.shape[:1] != x.shape[:1]:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
            f"({t.shape[0] if t.ndim else 0}): {name} got input of shape {list(x.shape)} and "
            f"target of shape {list(t.shape)}"
        )
    if x.ndim > 2 and t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"Expected target size {_expected_target(x.shape)}, got {list(t.shape)}")
    return c, False


def _expected_target(shape) -> str:
    if len(shape) == 1:
        return "[]"
    return "[" + ", ".join(map(str, (shape[0],) + tuple(shape[2:]))) + "]"


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _picked_weights(xp, t, c, weight_a, ignore_index, dtype):
    """Per-sample class weight (0 where ignored; None where every sample weighs 1), the safe
    index array, and the weights' sum.

    Checks the targets first: IndexError for one that is neither a class in [0, c) nor
    ``ignore_index``."""
    if t.ndim == 1 and t.size <= 64 and type(t) is np.ndarray:
        # a small batch: Python's min and max of its list cost a fifth of NumPy's reduction
        ks = t.tolist()
        ok = not ks or (min(ks) >= 0 and max(ks) < c)
    else:  # in one reduction: viewed as unsigned, a negative index is out of range
        u = t.view(_UNSIGNED[t.dtype.itemsize]) if t.dtype.kind == "i" else t
        ok = not t.size or u.max() < c
    if ok:
        if ignore_index < 0:  # so nothing is ignored: no masking
            if weight_a is None:
                return None, t, float(t.size)
            w = weight_a[t]
            return w, t, float(w.sum())
    else:
        bad = (t != ignore_index) & ((t < 0) | (t >= c))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    valid = t != ignore_index
    safe = xp.where(valid, t, 0)
    w = valid.astype(dtype) if weight_a is None else weight_a[safe] * valid
    return w, safe, float(w.sum())


def _class_entries(arr, ctx):
    """``(view, index)``: ``view[index]`` are the entries arr[n, target[n], ...] of an array
    shaped like the logits, through the forward's index ``ctx.at``: index arrays, or one flat
    index on a flat view of ``arr``. The forward takes the flat one only for C-contiguous
    (shifted) logits, whose softmax, and every gradient made from it, is C-contiguous too."""
    at = ctx.at
    return (arr, at) if type(at) is tuple else (arr.reshape(-1), at)


def _class_index(xp, safe):
    """The index that picks ``a[n, safe[n], ...]`` from (N, C, *) arrays: integer arrays
    broadcasting over the batch and the spatial dims (NumPy's take_along_axis costs more than
    the whole loss on small batches)."""
    n = safe.shape[0]
    if safe.ndim == 1:
        return xp.arange(n), safe
    rest = safe.ndim - 1
    batch = xp.arange(n).reshape((n,) + (1,) * rest)
    spatial = tuple(
        xp.arange(m).reshape((1,) * (i + 1) + (m,) + (1,) * (rest - i - 1))
        for i, m in enumerate(safe.shape[1:])
    )
    return (batch, safe) + spatial


class CrossEntropy(Function):
    """log_softmax over dim 1 and the negative log likelihood, in one pass each way.

    With q the per-class target weights of one sample (one-hot times the class weight for an
    index target, the probabilities times the class weights for a probability target, each mixed
    with the uniform distribution by label smoothing), the loss is -sum_c q_c log p_c and its
    gradient in the logits is p * sum_c q_c - q.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, smoothing, reduction, probs):
        a = x._data
        xp = get_array_module(a)
        wa = None if weight is None else weight._data
        c = a.shape[1]
        bshape = (1, c) + (1,) * (a.ndim - 2)
        z = a - reduce_keepdims(xp.maximum, a, 1)  # shifted logits; log p = z - log sum exp z
        full = probs or smoothing  # these need every log-probability
        if not probs:  # class indices: the picked logits, before exp may overwrite z
            w, safe, denom = _picked_weights(xp, target._data, c, wa, ignore_index, a.dtype)
            # (N, C): one flat index, kept for backward, whose subtract through it takes half
            # the time of two index arrays (NumPy's fast path for a single one)
            if a.ndim == 2 and c and z.flags.c_contiguous:
                at = xp.arange(0, a.size, c) + safe
                picked = z.reshape(-1)[at]
            else:
                at = _class_index(xp, safe)
                picked = z[at]
        e = xp.exp(z) if full else xp.exp(z, out=z)
        s = reduce_keepdims(xp.add, e, 1)
        logz = xp.log(s)
        if full:
            logp = z - logz
        e /= s  # softmax, kept for backward
        if probs:
            q = target._data * (1 - smoothing) + smoothing / c if smoothing else target._data
            if wa is not None:
                q = q * wa.reshape(bshape)
            loss = -(q * logp).sum(axis=1)
            denom = loss.dtype.type(loss.size)
            ctx.q = q
        else:
            # -log p of the target: log sum exp z minus the picked shifted logit
            loss = logz[at[:1] + (0,) + at[2:]] - picked if a.ndim > 2 else logz[:, 0] - picked
            if w is not None:
                loss *= w
            valid = None  # the samples that count, needed by label smoothing only
            if smoothing:
                valid = target._data != ignore_index
                cw = 1.0 if wa is None else wa.reshape(bshape)
                smooth = -(logp * cw).sum(axis=1) * valid
                loss = loss * (1 - smoothing) + smooth * (smoothing / c)
            ctx.w, ctx.valid, ctx.at = w, valid, at
        ctx.save_for_backward(x, target, weight)
        ctx.p, ctx.denom = e, float(denom)
        ctx.args = (ignore_index, smoothing, reduction, probs)
        if reduction == "none":
            return loss.astype(a.dtype, copy=False)
        total = loss.sum(dtype=a.dtype)
        return xp.asarray(total if reduction == "sum" else total / denom)

    @staticmethod
    def backward(ctx, g):
        x, target, weight = ctx.saved_tensors
        ignore_index, smoothing, reduction, probs = ctx.args
        need = ctx.needs_input_grad
        a = x._data
        xp = get_array_module(a)
        c = a.shape[1]
        bshape = (1, c) + (1,) * (a.ndim - 2)
        gx = gt = None
        if reduction == "mean" and (probs or STATE.enabled):
            g = g / ctx.denom if ctx.denom else g * 0
        gs = g if reduction != "none" else g.unsqueeze(1)  # broadcast over the classes
        if probs:
            if STATE.enabled:  # q as a function of the target, for higher derivatives
                q = target * (1 - smoothing) + smoothing / c if smoothing else target
                if weight is not None:
                    q = q * weight.reshape(bshape)
            else:
                q = Tensor._make(ctx.q, False, None)
            if need[0]:
                p = _softmax(x) if STATE.enabled else Tensor._make(ctx.p, False, None)
                gx = (p * q.sum(1, keepdim=True) - q) * gs
            if need[1]:
                from .nn_activation import log_softmax

                logp = log_softmax(x, 1)
                if weight is not None:
                    logp = logp * weight.reshape(bshape)
                gt = -logp * gs * (1 - smoothing)
            return gx, gt, None, None, None, None, None
        if not need[0]:
            return None, None, None, None, None, None, None
        # q = (1 - smoothing) w_t onehot(t) + smoothing / c * class_weight * valid
        wt = 1.0 if ctx.w is None else ctx.w  # a number when every sample weighs 1
        if smoothing:
            wt = wt * (1 - smoothing)
        qsum = wt
        cw = None
        if smoothing:
            cw = xp.ones(bshape, a.dtype) if weight is None else weight._data.reshape(bshape)
            qsum = wt + ctx.valid * (cw.sum() * (smoothing / c))
        qcol = qsum if isinstance(qsum, float) else qsum[:, None]  # over the classes
        if STATE.enabled:
            onehot = xp.zeros(a.shape, a.dtype)  # C-contiguous, for the flat index
            view, at = _class_entries(onehot, ctx)
            view[at] = wt
            q = onehot if cw is None else onehot + cw * (ctx.valid[:, None] * (smoothing / c))
            p = _softmax(x)
            if not isinstance(qcol, float):
                qcol = Tensor._make(qcol, False, None)
            gx = (p * qcol - Tensor._make(q, False, None)) * gs
            return gx, None, None, None, None, None, None
        # no higher-order graph: finish on arrays, reusing the forward's softmax; a reduced
        # loss's gradient is a number (divided by the summed weights for 'mean')
        if reduction == "none":
            gn = g._data
            ga = gn[:, None]
        else:
            gn = ga = float(g._data)
            if reduction == "mean":
                gn = ga = ga / ctx.denom if ctx.denom else 0.0
        out = ctx.p * (qcol * ga)
        if cw is not None:
            out -= cw * (ctx.valid[:, None] * (smoothing / c)) * ga
        view, at = _class_entries(out, ctx)
        view[at] -= wt * gn
        return out, None, None, None, None, None, None


def _softmax(x: Tensor) -> Tensor:
    from .nn_activation import softmax

    return softmax(x, 1)


class NllLoss(Function):
    """-weight[t] * input[t] per sample; input holds log-probabilities over dim 1."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        a = x._data
        xp = get_array_module(a)
        t = target._data
        wa = None if weight is None else weight._data
        w, safe, denom = _picked_weights(xp, t, a.shape[1], wa, ignore_index, a.dtype)
        if w is None:
            w = xp.ones(t.shape, dtype=a.dtype)
        loss = -w * a[_class_index(xp, safe)]
        ctx.save_for_backward(target)
        ctx.w, ctx.safe, ctx.shape = w, safe, a.shape
        ctx.reduction, ctx.denom = reduction, denom
        if reduction == "none":
            return loss
        total = loss.sum(dtype=a.dtype)
        if reduction == "sum":
            return xp.asarray(total)
        return xp.asarray((total / ctx.denom).astype(a.dtype))

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros
        from .indexing import scatter

        w = Tensor._make(ctx.w, False, None)
        if ctx.reduction == "mean":
            g = g / ctx.denom if ctx.denom else g * 0
        src = -(w * g)  # (N, *)
        safe = Tensor._make(ctx.safe[:, None], False, None)
        base = zeros(ctx.shape, dtype=g.dtype)
        return scatter(base, 1, safe, src.unsqueeze(1).expand(safe.shape)), None, None, None, None


def _batched(input: Tensor, target: Tensor, squeezed: bool):
    if squeezed:
        return input.unsqueeze(0), target.unsqueeze(0)
    return input, target


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between softmax(input) over dim 1 and the target.

    Shapes: input (C), (N, C) or (N, C, d1, ..., dK) logits; target of class indices (int64)
    of shape (), (N) or (N, d1, ..., dK), or class probabilities of the input's shape.
    ``weight`` (C) rescales each class; samples whose target is ``ignore_index`` count for
    nothing; ``label_smoothing`` mixes the target with the uniform distribution. 'mean'
    divides by the summed weights of the counted samples (index targets) or by the number of
    samples (probability targets). Stable for logits of any magnitude.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    probs = target._data.dtype.kind == "f" and target._data.shape == input._data.shape
    if probs and ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if probs and input._data.dtype != target._data.dtype:  # promoted as in torch
        dt = promote_types(input.dtype, target.dtype)
        input, target = input.to(dt), target.to(dt)
    if input._data.dtype.kind != "f":
        _float_only(f"log_softmax{'_lastdim' if input.dim() <= 2 else ''}_kernel_impl", input)
    _, squeezed = _class_layout("cross_entropy", input, target, weight, probs)
    x, t = _batched(input, target, squeezed)
    out = CrossEntropy.apply(x, t, weight, ignore_index, float(label_smoothing), reduction, probs)
    return out.squeeze(0) if squeezed and reduction == "none" else out


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood: -weight[t] * input[t] for each sample (input holds
    log-probabilities over dim 1). Shapes and reduction as in ``cross_entropy``."""
    reduction = _reduction(size_average, reduce, reduction)
    _float_only("nll_loss_out_frame", input)
    _, squeezed = _class_layout("nll_loss", input, target, weight, False)
    x, t = _batched(input, target, squeezed)
    out = NllLoss.apply(x, t, weight, ignore_index, reduction)
    return out.squeeze(0) if squeezed and reduction == "none" else out


# -- binary cross entropy ----------------------------------------------------------------------
class BinaryCrossEntropy(Function):
    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t, weight, reduction):
        a, ta = x._data, t._data
        xp = get_array_module(a)
        # torch clamps each log at -100 so that 0 * log(0) stays finite
        loss = -(ta * xp.maximum(xp.log(a), -100) + (1 - ta) * xp.maximum(xp.log1p(-a), -100))
        if weight is not None:
            loss = loss * weight._data
        ctx.save_for_backward(x, t, weight)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce_array(loss.astype(a.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, weight = ctx.saved_tensors
        scale = _grad_scale(g, ctx.reduction, ctx.n)
        if weight is not None:
            scale = scale * weight
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = (x - t) / (x * (1 - x)).clamp(min=1e-12) * scale
        if ctx.needs_input_grad[1]:
            gt = ((-x).log1p().clamp(min=-100) - x.log().clamp(min=-100)) * scale
        return gx, gt, None, None


class BinaryCrossEntropyWithLogits(Function):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x): -[pw t log s(x) + (1 - t) log(1 - s(x))]
    written so no exp overflows."""

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, t, weight, pos_weight, reduction):
        a, ta = x._data, t._data
        sp = _np_softplus(-a)  # softplus(-x)
        if pos_weight is not None:
            loss = (1 - ta) * a + (1 + (pos_weight._data - 1) * ta) * sp
        else:
            loss = (1 - ta) * a + sp
        if weight is not None:
            loss = loss * weight._data
        ctx.save_for_backward(x, t, weight, pos_weight)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce_array(loss.astype(a.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        from .nn_activation import softplus

        x, t, weight, pw = ctx.saved_tensors
        scale = _grad_scale(g, ctx.reduction, ctx.n)
        if weight is not None:
            scale = scale * weight
        s_neg = (-x).sigmoid()
        gx = gt = None
        if ctx.needs_input_grad[0]:
            lw = 1 if pw is None else (pw - 1) * t + 1
            gx = ((1 - t) - lw * s_neg) * scale
        if ctx.needs_input_grad[1]:
            gt = -x if pw is None else (pw - 1) * softplus(-x) - x
            gt = gt * scale
        return gx, gt, None, None, None


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """-w [t log(x) + (1 - t) log(1 - x)] for probabilities x in [0, 1] (each log clamped at
    -100). Target and input have the same shape; ``weight`` broadcasts to it."""
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    a = input._data
    if a.size and ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None:
        weight = weight.expand(input.shape) if weight._data.shape != a.shape else weight
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), computed from the logits so that any
    magnitude stays finite. ``pos_weight`` (broadcast along the last dim) weighs the positive
    term; ``weight`` each element."""
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# -- composites --------------------------------------------------------------------------------
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence with ``input`` as log-probabilities: target (log target -
    input), or exp(target) (target - input) when ``log_target``. 'batchmean' divides the sum
    by the batch size (the mathematically correct KL); 'mean' by the element count, with
    torch's warning."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.dim() else loss.sum()
    return _reduce(loss, reduction)


class SoftMarginLoss(Function):
    node_name = "SoftMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, y, reduction):
        a, ya = _arrays(x, y)
        z = -ya * a
        loss = _np_softplus(z)  # log(1 + exp(-y x))
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce_array(loss.astype(a.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        scale = _grad_scale(g, ctx.reduction, ctx.n)
        s = (-y * x).sigmoid()
        gx = -y * s * scale if ctx.needs_input_grad[0] else None
        gy = -x * s * scale if ctx.needs_input_grad[1] else None
        return gx, gy, None


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """log(1 + exp(-y x)) for targets y in {1, -1}, reduced."""
    _check_same_size("soft_margin_loss", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    return SoftMarginLoss.apply(input, target, reduction)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -y (x1 - x2) + margin): y = 1 asks x1 to rank above x2, y = -1 below."""
    reduction = _reduction(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1; reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    zero = input * 0
    margin_part = where(target != 1, (margin - input).clamp(min=0), zero)
    self_part = where(target != -1, input, zero)
    return _reduce(margin_part + self_part, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1. Shapes: x1, x2
    (N, D) or (D); y (N) or ()."""
    reduction = _reduction(size_average, reduce, reduction)
    nd = input1.dim()
    if nd != input2.dim():
        raise RuntimeError(
            "cosine_embedding_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    td = target.dim()
    if td > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if nd != td + 1:
        raise RuntimeError(
            f"{td}D target tensor expects {td + 1}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    dim = nd - 1
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    m1 = (input1 * input1).sum(dim) + eps
    m2 = (input2 * input2).sum(dim) + eps
    cos = prod / (m1 * m2).sqrt()
    zero = cos * 0
    pos = where(target == 1, 1 - cos, zero)
    neg = where(target == -1, (cos - margin).clamp(min=0), zero)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with d the p-norm pairwise distance; ``swap`` uses
    min(d(a, n), d(p, n)) as the negative distance. Shapes: (N, D) or (D)."""
    from .nn_misc import pairwise_distance

    reduction = _reduction(size_average, reduce, reduction)
    a, pz, n = anchor.dim(), positive.dim(), negative.dim()
    if not a == pz == n:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {pz}D, and negative {n}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .arith import minimum

        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log likelihood: exp(x) - t x (``log_input``), else x - t log(x + eps);
    ``full`` adds Stirling's t log t - t + 0.5 log(2 pi t) where t > 1."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, stirling, stirling * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """0.5 (log(var) + (input - target)^2 / var) (+ 0.5 log(2 pi) when ``full``), var clamped
    at ``eps`` (the clamp passes gradients through). ``var`` has the input's shape, or one dim
    fewer, or size 1 in one dim (homoscedastic), or is a float."""
    from ..autograd.grad_mode import no_grad
    from .creation import ones_like

    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ones_like(input) * float(var)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    vs, xs = tuple(var._data.shape), tuple(input._data.shape)
    if vs != xs:
        if xs[:-1] == vs:
            var = var.unsqueeze(-1)
        elif len(xs) == len(vs) and sum(v for x, v in zip(xs, vs) if x != v) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
