"""ONNX translations of the layers' ops (``ember.ops.nn_*``): linear, embedding, dropout,
and the convolution, pooling, normalization and activation families as they land."""

from __future__ import annotations

import numpy as np

from ..ops import nn_dropout, nn_embedding, nn_linear
from ._graph import OnnxExporterError
from ._ops import converts, dtype_of

__all__ = []


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
    return y if bv is None else g.op("Add", y, bv)


@converts(nn_embedding.Embedding)
def _embedding(g, call, weight, indices, padding_idx, scale_grad_by_freq):
    return g.op("Gather", g.input(weight), g.input(indices, np.int64), axis=0)


@converts(nn_dropout.Dropout)
def _dropout(g, call, x, mask):
    raise OnnxExporterError(
        f"{g.where()}: dropout ran in training mode; export the model in eval mode (model.eval())"
    )
