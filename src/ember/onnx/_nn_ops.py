"""ONNX translations of the layers' ops (``ember.ops.nn_*``): linear and embedding,
convolution, pooling, normalization, activations, padding and resampling, and the losses.

Where an ONNX operator computes the same function it is used (Conv, BatchNormalization in
eval mode, LayerNormalization from opset 17, Gelu from opset 20, ...); otherwise the op is
written out in ONNX operators with the formula its docstring in ember gives.
"""

from __future__ import annotations

import math

import numpy as np

from ..ops import (
    nn_activation,
    nn_conv,
    nn_dropout,
    nn_embedding,
    nn_linear,
    nn_loss,
    nn_misc,
    nn_norm,
    nn_pool,
)
from ._graph import OnnxExporterError
from ._ops import converts, converts_family, dtype_of

__all__ = []


def _scalar(g, value, dt):
    return g.const(np.asarray(value, dtype=dt))


# -- linear, embedding, dropout -------------------------------------------------------------------
@converts(
    nn_linear.Linear,
    nn_linear.LinearNoBias,
    nn_linear.LinearView,
    nn_linear.LinearUnsafeView,
    nn_linear.LinearSqueeze,
)
def _linear(g, call, x, weight, bias):
    dt = dtype_of(call)
    xv, wv = g.input(x, dt), g.input(weight, dt)
    bv = g.input(bias, dt) if bias is not None else None
    if x.dim() == 2:  # y = x W^T + b, one Gemm
        return g.op("Gemm", xv, wv, bv, transB=1)
    y = g.op("MatMul", xv, g.op("Transpose", wv, perm=[1, 0]))
    y = y if bv is None else g.op("Add", y, bv)
    return y


@converts(nn_embedding.Embedding)
def _embedding(g, call, weight, indices, padding_idx, scale_grad_by_freq):
    return g.op("Gather", g.input(weight), g.input(indices, np.int64), axis=0)


@converts(nn_dropout.Dropout)
def _dropout(g, call, x, mask):
    raise OnnxExporterError(
        f"{g.where()}: dropout ran in training mode; export the model in eval mode (model.eval())"
    )


# -- activations ----------------------------------------------------------------------------------
@converts(nn_activation.Hardtanh)
def _hardtanh(g, call, x, lo, hi):
    dt = dtype_of(call)
    return g.op("Clip", g.input(x, dt), _scalar(g, lo, dt), _scalar(g, hi, dt))


@converts(nn_activation.LeakyRelu)
def _leaky_relu(g, call, x, slope):
    return g.op("LeakyRelu", g.input(x), alpha=float(slope))


@converts(nn_activation.Threshold)
def _threshold(g, call, x, th, value):
    dt = dtype_of(call)
    v = g.input(x, dt)
    return g.op("Where", g.op("Greater", v, _scalar(g, th, dt)), v, _scalar(g, value, dt))


@converts(nn_activation.Hardsigmoid)
def _hardsigmoid(g, call, x):
    return g.op("HardSigmoid", g.input(x), alpha=1 / 6, beta=0.5)


@converts(nn_activation.Hardswish)
def _hardswish(g, call, x):
    v = g.input(x)
    if g.opset >= 14:
        return g.op("HardSwish", v)
    return g.op("Mul", v, g.op("HardSigmoid", v, alpha=1 / 6, beta=0.5))


@converts(nn_activation.Hardshrink, nn_activation.Softshrink)
def _shrink(g, call, x, lambd):
    bias = float(lambd) if call.cls is nn_activation.Softshrink else 0.0
    return g.op("Shrink", g.input(x), lambd=float(lambd), bias=bias)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@converts(nn_activation.Elu, nn_activation.Celu)
def _elu(g, call, x, alpha, scale, input_scale):
    dt = dtype_of(call)
    v = g.input(x, dt)
    if scale == 1 and input_scale == 1:
        return g.op("Elu", v, alpha=float(alpha))
    if math.isclose(alpha, _SELU_ALPHA) and math.isclose(scale, _SELU_SCALE):
        return g.op("Selu", v, alpha=float(alpha), gamma=float(scale))
    if scale == 1 and math.isclose(input_scale * alpha, 1.0):
        return g.op("Celu", v, alpha=float(alpha))
    neg = g.op("Exp", g.op("Mul", g.op("Min", v, _scalar(g, 0, dt)), _scalar(g, input_scale, dt)))
    neg = g.op("Mul", g.op("Sub", neg, _scalar(g, 1, dt)), _scalar(g, alpha * scale, dt))
    pos = g.op("Mul", v, _scalar(g, scale, dt))
    return g.op("Where", g.op("Greater", v, _scalar(g, 0, dt)), pos, neg)


@converts(nn_activation.Gelu)
def _gelu(g, call, x, approximate):
    dt = dtype_of(call)
    v = g.input(x, dt)
    if g.opset >= 20:
        return g.op("Gelu", v, approximate=approximate)
    half = g.op("Mul", v, _scalar(g, 0.5, dt))
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        cube = g.op("Mul", g.op("Mul", v, v), v)
        inner = g.op("Add", v, g.op("Mul", cube, _scalar(g, 0.044715, dt)))
        t = g.op("Tanh", g.op("Mul", inner, _scalar(g, math.sqrt(2 / math.pi), dt)))
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        t = g.op("Erf", g.op("Mul", v, _scalar(g, 1 / math.sqrt(2.0), dt)))
    return g.op("Mul", half, g.op("Add", t, _scalar(g, 1, dt)))


@converts(nn_activation.Silu)
def _silu(g, call, x):
    v = g.input(x)
    return g.op("Mul", v, g.op("Sigmoid", v))


@converts(nn_activation.Mish)
def _mish(g, call, x):
    v = g.input(x)
    if g.opset >= 18:
        return g.op("Mish", v)
    return g.op("Mul", v, g.op("Tanh", g.op("Softplus", v)))


@converts(nn_activation.Softplus)
def _softplus(g, call, x, beta, threshold):
    dt = dtype_of(call)
    v = g.input(x, dt)
    bx = v if beta == 1 else g.op("Mul", v, _scalar(g, beta, dt))
    soft = g.op("Softplus", bx)
    if beta != 1:
        soft = g.op("Div", soft, _scalar(g, beta, dt))
    return g.op("Where", g.op("Greater", bx, _scalar(g, threshold, dt)), v, soft)


@converts(nn_activation.LogSigmoid)
def _log_sigmoid(g, call, x):
    return g.op("Neg", g.op("Softplus", g.op("Neg", g.input(x))))


@converts(nn_activation.Softmax, nn_activation.LogSoftmax)
def _softmax(g, call, x, dim):
    op = "Softmax" if call.cls is nn_activation.Softmax else "LogSoftmax"
    return g.op(op, g.input(x, dtype_of(call)), axis=int(dim))


@converts(nn_activation.Glu)
def _glu(g, call, x, dim):
    half = x.shape[dim] // 2
    a, b = g.op("Split", g.input(x), g.ints([half, half]), axis=int(dim), outputs=2)
    return g.op("Mul", a, g.op("Sigmoid", b))


@converts(nn_activation.Prelu)
def _prelu(g, call, x, w, wshape):
    slope = g.op("Reshape", g.input(w, dtype_of(call)), g.ints(wshape))
    return g.op("PRelu", g.input(x), slope)


# -- convolution ----------------------------------------------------------------------------------
def _pads(pairs):
    return [int(lo) for lo, _ in pairs] + [int(hi) for _, hi in pairs]


@converts(nn_conv.Convolution)
def _conv(g, call, x, w, b, params):
    stride, pairs, dilation, groups = params
    dt = dtype_of(call)
    bias = g.input(b, dt) if b is not None else None
    return g.op(
        "Conv",
        g.input(x, dt),
        g.input(w, dt),
        bias,
        kernel_shape=[int(k) for k in w.shape[2:]],
        strides=[int(s) for s in stride],
        pads=_pads(pairs),
        dilations=[int(d) for d in dilation],
        group=int(groups),
    )


@converts(nn_conv.ConvolutionTranspose)
def _conv_transpose(g, call, x, w, b, params, sizes):
    stride, pairs, dilation, groups = params
    dt = dtype_of(call)
    ksize = w.shape[2:]
    extra = [
        int(n - ((m - 1) * s - lo - hi + d * (k - 1) + 1))
        for n, m, s, (lo, hi), d, k in zip(sizes, x.shape[2:], stride, pairs, dilation, ksize)
    ]
    bias = g.input(b, dt) if b is not None else None
    return g.op(
        "ConvTranspose",
        g.input(x, dt),
        g.input(w, dt),
        bias,
        kernel_shape=[int(k) for k in ksize],
        strides=[int(s) for s in stride],
        pads=_pads(pairs),
        dilations=[int(d) for d in dilation],
        group=int(groups),
        output_padding=extra if any(extra) else None,
    )


def _block_kernel(c, ksize, dt):
    """The (C kH kW, 1, kH, kW) one-hot kernel that, with group=C, copies each kernel
    position of each channel to its own channel: unfold as a Conv, fold as a ConvTranspose."""
    k = int(np.prod(ksize))
    eye = np.eye(k, dtype=dt).reshape((k, 1) + tuple(int(n) for n in ksize))
    return np.ascontiguousarray(np.tile(eye, (int(c), 1, 1, 1)))


def _block_attrs(c, ksize, dilation, pairs, stride) -> dict:
    """The attributes of the grouped (de)convolution with ``_block_kernel`` that does
    unfold / fold."""
    return {
        "kernel_shape": [int(k) for k in ksize],
        "strides": [int(s) for s in stride],
        "pads": _pads(pairs),
        "dilations": [int(d) for d in dilation],
        "group": c,
    }


@converts(nn_conv.Im2Col)
def _im2col(g, call, x, ksize, dilation, pairs, stride):
    """(N, C, H, W) -> (N, C kH kW, L); ONNX has no Im2Col."""
    dt = dtype_of(call)
    c = int(x.shape[1])
    y = g.op(
        "Conv",
        g.input(x, dt),
        g.const(_block_kernel(c, ksize, dt)),
        **_block_attrs(c, ksize, dilation, pairs, stride),
    )
    return g.op("Reshape", y, g.ints([0, c * int(np.prod(ksize)), -1]))


@converts(nn_conv.Col2Im)
def _col2im(g, call, cols, sizes, ksize, dilation, pairs, stride):
    """(N, C kH kW, L) -> (N, C, H, W), overlaps summed; ONNX's Col2Im needs opset 18."""
    dt = dtype_of(call)
    c = int(cols.shape[1]) // int(np.prod(ksize))
    grid = [
        _pool_out(n, k, s, lo, d, False)
        for n, k, s, (lo, _), d in zip(sizes, ksize, stride, pairs, dilation)
    ]
    extra = [
        int(n - ((m - 1) * s - lo - hi + d * (k - 1) + 1))
        for n, m, s, (lo, hi), d, k in zip(sizes, grid, stride, pairs, dilation, ksize)
    ]
    v = g.op("Reshape", g.input(cols, dt), g.ints([0, 0] + grid))
    return g.op(
        "ConvTranspose",
        v,
        g.const(_block_kernel(c, ksize, dt)),
        **_block_attrs(c, ksize, dilation, pairs, stride),
        output_padding=extra if any(extra) else None,
    )


# -- pooling --------------------------------------------------------------------------------------
def _pool_out(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    return (-(-span // s) if ceil else span // s) + 1


def _plane_indices(g, call, indices, x):
    """ONNX numbers MaxPool's indices over the whole tensor; torch within each (n, c) plane."""
    plane = int(np.prod(x.shape[2:]))
    return g.op("Mod", indices, g.const(np.asarray(plane, np.int64)))


@converts(nn_pool.MaxPool2d, nn_pool.MaxPool3d)
def _max_pool(g, call, x, geom, want_indices):
    ksize, stride, padding, dilation, out = geom
    sizes = x.shape[2:]
    floor = [_pool_out(*a, False) for a in zip(sizes, ksize, stride, padding, dilation)]
    values, indices = g.op(
        "MaxPool",
        g.input(x),
        kernel_shape=[int(k) for k in ksize],
        strides=[int(s) for s in stride],
        pads=[int(p) for p in padding] * 2,
        dilations=[int(d) for d in dilation],
        ceil_mode=int(list(floor) != list(out)),
        outputs=2,
    )
    if not want_indices:
        return [values]
    return [values, _plane_indices(g, call, indices, x)]


@converts(nn_pool.AdaptiveMaxPool2d)
def _adaptive_max_pool(g, call, x, sizes):
    h, w = x.shape[2:]
    if h % sizes[0] or w % sizes[1]:
        raise OnnxExporterError(
            f"{g.where()}: adaptive max pooling from {(h, w)} to {tuple(sizes)} has windows of "
            "unequal sizes, which ONNX's MaxPool cannot express"
        )
    kernel = [h // sizes[0], w // sizes[1]]
    values, indices = g.op("MaxPool", g.input(x), kernel_shape=kernel, strides=kernel, outputs=2)
    return [values, _plane_indices(g, call, indices, x)]


@converts(nn_pool.AvgPool2d, nn_pool.AvgPool3d)
def _avg_pool(g, call, x, geom, div):
    ksize, stride, pairs, out = geom
    dt = dtype_of(call)
    v = g.input(x, dt)
    if any(lo or hi for lo, hi in pairs):
        pads = [0, 0] + [int(lo) for lo, _ in pairs] + [0, 0] + [int(hi) for _, hi in pairs]
        v = g.op("Pad", v, g.ints(pads), _scalar(g, 0, dt))
    kernel = [int(s) for s in ksize]
    y = g.op("AveragePool", v, kernel_shape=kernel, strides=[int(s) for s in stride])
    window = float(np.prod(ksize))
    div = np.asarray(div, dtype=np.float64)
    if np.all(div == window):
        return y
    factor = (window / div).astype(dt)  # the divisor per output position, broadcast
    return g.op("Mul", y, g.const(factor))


# -- normalization --------------------------------------------------------------------------------
def _channel_shape(x):
    return [1, int(x.shape[1])] + [1] * (x.dim() - 2)


@converts(nn_norm.BatchNorm)
def _batch_norm(g, call, x, mean_run, var_run, w, b, training, momentum, eps):
    dt = dtype_of(call)
    c = int(x.shape[1])
    v = g.input(x, dt)
    scale = g.input(w, dt) if w is not None else g.const(np.ones(c, dt))
    bias = g.input(b, dt) if b is not None else g.const(np.zeros(c, dt))
    if not training:
        return g.op(
            "BatchNormalization",
            v,
            scale,
            bias,
            g.input(mean_run, dt),
            g.input(var_run, dt),
            epsilon=float(eps),
        )
    if mean_run is not None or var_run is not None:
        raise OnnxExporterError(
            f"{g.where()}: batch norm ran in training mode (it would update its running "
            "statistics); export the model in eval mode (model.eval())"
        )
    axes = [0] + list(range(2, x.dim()))  # no running statistics: normalize by the batch's
    y = _normalize(g, v, axes, eps, dt)
    shape = g.ints(_channel_shape(x))
    return g.op("Add", g.op("Mul", y, g.op("Reshape", scale, shape)), g.op("Reshape", bias, shape))


def _normalize(g, v, axes, eps, dt):
    """(v - mean) / sqrt(var + eps) over ``axes`` (biased variance)."""
    d = g.op("Sub", v, g.reduce("ReduceMean", v, axes, True))
    var = g.reduce("ReduceMean", g.op("Mul", d, d), axes, True)
    return g.op("Div", d, g.op("Sqrt", g.op("Add", var, _scalar(g, eps, dt))))


@converts(nn_norm.LayerNorm)
def _layer_norm(g, call, x, w, b, k, eps):
    dt = dtype_of(call)
    v = g.input(x, dt)
    shape = [int(n) for n in x.shape[x.dim() - k :]]
    if g.opset >= 17:
        scale = g.input(w, dt) if w is not None else g.const(np.ones(shape, dt))
        bias = g.input(b, dt) if b is not None else None
        return g.op("LayerNormalization", v, scale, bias, axis=-int(k), epsilon=float(eps))
    y = _normalize(g, v, list(range(x.dim() - k, x.dim())), eps, dt)
    if w is not None:
        y = g.op("Mul", y, g.input(w, dt))
    return y if b is None else g.op("Add", y, g.input(b, dt))


@converts(nn_norm.GroupNorm)
def _group_norm(g, call, x, w, b, groups, eps):
    dt = dtype_of(call)
    v = g.input(x, dt)
    grouped = g.op("Reshape", v, g.ints([0, int(groups), -1]))
    y = g.op("Reshape", _normalize(g, grouped, [2], eps, dt), g.op("Shape", v))
    shape = g.ints(_channel_shape(x))
    if w is not None:
        y = g.op("Mul", y, g.op("Reshape", g.input(w, dt), shape))
    if b is not None:
        y = g.op("Add", y, g.op("Reshape", g.input(b, dt), shape))
    return y


@converts(nn_norm.RmsNorm)
def _rms_norm(g, call, x, w, k, eps):
    dt = dtype_of(call)
    v = g.input(x, dt)
    axes = list(range(x.dim() - k, x.dim()))
    ms = g.reduce("ReduceMean", g.op("Mul", v, v), axes, True)
    y = g.op("Div", v, g.op("Sqrt", g.op("Add", ms, _scalar(g, eps, dt))))
    return y if w is None else g.op("Mul", y, g.input(w, dt))


# -- padding, resampling, pixel shuffle -----------------------------------------------------------
@converts(nn_misc.ConstantPad)
def _constant_pad(g, call, x, pairs, value):
    dt = dtype_of(call)
    pads = [int(lo) for lo, _ in pairs] + [int(hi) for _, hi in pairs]
    return g.op("Pad", g.input(x, dt), g.ints(pads), _scalar(g, value, dt))


@converts_family(nn_misc._IndexPad)
def _index_pad(g, call, x, spec):
    """Reflect, replicate and circular padding: a Gather along each padded dim, with the
    index arrays the op itself used."""
    v = g.input(x)
    for dim, idx, _, _ in spec:
        v = g.op("Gather", v, g.const(np.asarray(idx, np.int64)), axis=int(dim))
    return v


@converts_family(nn_misc.Resample)
def _resample(g, call, x, mats):
    """Interpolation and adaptive average pooling: a matrix product along each dim."""
    dt = dtype_of(call)
    v = g.input(x, dt)
    nd = x.dim()
    for dim, m in mats:
        m = np.asarray(m, dtype=dt)
        if dim == nd - 1:
            v = g.op("MatMul", v, g.const(np.ascontiguousarray(m.T)))
            continue
        perm = list(range(nd))
        perm[dim], perm[-1] = perm[-1], perm[dim]
        t = g.op("Transpose", v, perm=perm)
        t = g.op("MatMul", t, g.const(np.ascontiguousarray(m.T)))
        v = g.op("Transpose", t, perm=perm)
    return v


@converts(nn_misc.PixelShuffle, nn_misc.PixelUnshuffle)
def _pixel_shuffle(g, call, x, r):
    lead = [int(n) for n in x.shape[:-3]]
    c, h, w = (int(n) for n in x.shape[-3:])
    k = len(lead)
    if call.cls is nn_misc.PixelShuffle:  # (*, C r r, H, W) -> (*, C, H r, W r)
        split = lead + [c // (r * r), r, r, h, w]
        perm = list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2]
        final = lead + [c // (r * r), h * r, w * r]
    else:  # (*, C, H r, W r) -> (*, C r r, H, W)
        split = lead + [c, h // r, r, w // r, r]
        perm = list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3]
        final = lead + [c * r * r, h // r, w // r]
    v = g.op("Reshape", g.input(x), g.ints([0] * k + split[k:]))
    v = g.op("Transpose", v, perm=perm)
    return g.op("Reshape", v, g.ints([0] * k + final[k:]))


# -- losses ---------------------------------------------------------------------------------------
def _reduce_loss(g, loss, reduction):
    if reduction == "mean":
        return g.reduce("ReduceMean", loss, None, False)
    if reduction == "sum":
        return g.reduce("ReduceSum", loss, None, False)
    return loss


@converts(nn_loss.MseLoss)
def _mse(g, call, x, t, reduction):
    dt = dtype_of(call)
    d = g.op("Sub", g.input(x, dt), g.input(t, dt))
    return _reduce_loss(g, g.op("Mul", d, d), reduction)


@converts(nn_loss.SmoothL1Loss, nn_loss.HuberLoss)
def _smooth_l1(g, call, x, t, reduction, beta):
    dt = dtype_of(call)
    d = g.op("Abs", g.op("Sub", g.input(x, dt), g.input(t, dt)))
    if beta == 0:
        return _reduce_loss(g, d, reduction)
    b = _scalar(g, beta, dt)
    square = g.op("Mul", g.op("Mul", d, d), _scalar(g, 0.5, dt))
    if call.cls is nn_loss.SmoothL1Loss:  # 0.5 d^2 / beta below beta, d - 0.5 beta above
        inner, outer = g.op("Div", square, b), g.op("Sub", d, _scalar(g, 0.5 * beta, dt))
    else:  # Huber: 0.5 d^2 below delta, delta (d - 0.5 delta) above
        outer = g.op("Mul", b, g.op("Sub", d, _scalar(g, 0.5 * beta, dt)))
        inner = square
    return _reduce_loss(g, g.op("Where", g.op("Less", d, b), inner, outer), reduction)


@converts(nn_loss.CrossEntropy)
def _cross_entropy(g, call, x, target, weight, ignore_index, smoothing, reduction, probs):
    dt = dtype_of(call)
    w = g.input(weight, dt) if weight is not None else None
    if probs or smoothing:
        return _soft_cross_entropy(g, x, target, w, ignore_index, smoothing, reduction, probs, dt)
    return g.op(
        "SoftmaxCrossEntropyLoss",
        g.input(x, dt),
        g.input(target, np.int64),
        w,
        ignore_index=int(ignore_index),
        reduction=reduction,
    )


def _soft_cross_entropy(g, x, target, w, ignore_index, smoothing, reduction, probs, dt):
    """-sum_c q_c log p_c over dim 1, q the target mixed with the uniform distribution by
    label smoothing and scaled by the class weights (SoftmaxCrossEntropyLoss takes neither
    probabilities nor smoothing). A mean divides by the number of samples for probability
    targets, by the summed weights of the targets that are not ignored for class indices."""
    c = int(x.shape[1])
    logp = g.op("LogSoftmax", g.input(x, dt), axis=1)
    cw = None if w is None else g.op("Reshape", w, g.ints([1, c] + [1] * (x.dim() - 2)))
    if probs:
        q = g.input(target, dt)
        if smoothing:
            q = g.op(
                "Add", g.op("Mul", q, _scalar(g, 1 - smoothing, dt)), _scalar(g, smoothing / c, dt)
            )
        if cw is not None:
            q = g.op("Mul", q, cw)
        loss = g.op("Neg", g.reduce("ReduceSum", g.op("Mul", q, logp), [1], False))
        return _reduce_loss(g, loss, reduction)
    t = g.input(target, np.int64)
    nll = g.op(
        "NegativeLogLikelihoodLoss", logp, t, w, ignore_index=int(ignore_index), reduction="none"
    )
    valid = g.cast(g.op("Not", g.op("Equal", t, g.const(np.asarray(ignore_index, np.int64)))), dt)
    spread = logp if cw is None else g.op("Mul", logp, cw)
    smooth = g.op("Mul", g.op("Neg", g.reduce("ReduceSum", spread, [1], False)), valid)
    loss = g.op(
        "Add",
        g.op("Mul", nll, _scalar(g, 1 - smoothing, dt)),
        g.op("Mul", smooth, _scalar(g, smoothing / c, dt)),
    )
    if reduction != "mean":
        return _reduce_loss(g, loss, reduction)
    if w is None:
        denom = g.reduce("ReduceSum", valid, None, False)
    else:  # the weight of each target class, 0 where ignored: an NLL loss of -1 everywhere
        minus_one = g.op("Expand", _scalar(g, -1, dt), g.op("Shape", logp))
        denom = g.op(
            "NegativeLogLikelihoodLoss",
            minus_one,
            t,
            w,
            ignore_index=int(ignore_index),
            reduction="sum",
        )
    return g.op("Div", g.reduce("ReduceSum", loss, None, False), denom)


@converts(nn_loss.NllLoss)
def _nll(g, call, x, target, weight, ignore_index, reduction):
    dt = dtype_of(call)
    w = g.input(weight, dt) if weight is not None else None
    return g.op(
        "NegativeLogLikelihoodLoss",
        g.input(x, dt),
        g.input(target, np.int64),
        w,
        ignore_index=int(ignore_index),
        reduction=reduction,
    )


@converts(nn_loss.BinaryCrossEntropy)
def _bce(g, call, x, t, weight, reduction):
    """-(t log x + (1 - t) log(1 - x)), each log clamped at -100 as torch does."""
    dt = dtype_of(call)
    p, y = g.input(x, dt), g.input(t, dt)
    floor = _scalar(g, -100, dt)
    one = _scalar(g, 1, dt)
    log_p = g.op("Max", g.op("Log", p), floor)
    log_q = g.op("Max", g.op("Log", g.op("Sub", one, p)), floor)
    loss = g.op("Neg", g.op("Add", g.op("Mul", y, log_p), g.op("Mul", g.op("Sub", one, y), log_q)))
    if weight is not None:
        loss = g.op("Mul", loss, g.input(weight, dt))
    return _reduce_loss(g, loss, reduction)


@converts(nn_loss.BinaryCrossEntropyWithLogits)
def _bce_logits(g, call, x, t, weight, pos_weight, reduction):
    """(1 - t) x + (1 + (pw - 1) t) (log(1 + exp(-|x|)) + max(-x, 0)): stable for any x."""
    dt = dtype_of(call)
    v, y = g.input(x, dt), g.input(t, dt)
    one = _scalar(g, 1, dt)
    soft = g.op("Add", g.op("Softplus", g.op("Neg", g.op("Abs", v))), g.op("Relu", g.op("Neg", v)))
    if pos_weight is not None:
        coef = g.op("Add", one, g.op("Mul", g.op("Sub", g.input(pos_weight, dt), one), y))
        soft = g.op("Mul", coef, soft)
    loss = g.op("Add", g.op("Mul", g.op("Sub", one, y), v), soft)
    if weight is not None:
        loss = g.op("Mul", loss, g.input(weight, dt))
    return _reduce_loss(g, loss, reduction)


@converts(nn_loss.SoftMarginLoss)
def _soft_margin(g, call, x, y, reduction):
    dt = dtype_of(call)
    z = g.op("Neg", g.op("Mul", g.input(x, dt), g.input(y, dt)))
    return _reduce_loss(g, g.op("Softplus", z), reduction)
