"""Lookup tables: ``embedding`` (rows of a weight matrix picked by integer indices) and
``one_hot``.

``Embedding``'s backward scatter-adds the output gradient into a zero matrix of the weight's
shape (rows picked twice receive both gradients); that scatter is itself a Function whose
backward is the lookup again, so higher derivatives work. ``padding_idx`` rows get no
gradient; ``scale_grad_by_freq`` divides each row's gradient by the row's count in the batch.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..backend import get_array_module
from ..tensor import Tensor

__all__ = ["embedding", "one_hot"]


def _row_scale(idx, padding_idx, scale_grad_by_freq, dtype):
    """Per-lookup factor on the gradient: 0 at padding_idx, 1 / count with
    scale_grad_by_freq; None when every factor is 1."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    xp = get_array_module(idx)
    scale = xp.ones(idx.shape, dtype=dtype)
    if scale_grad_by_freq:
        _, inverse, counts = xp.unique(idx, return_inverse=True, return_counts=True)
        scale /= counts[inverse.reshape(idx.shape)]
    if padding_idx is not None:
        scale[idx == padding_idx] = 0
    return scale


class Embedding(Function):
    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.num = weight._data.shape[0]
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        ctx.save_for_backward(indices)
        return weight._data[indices._data]

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        gw = EmbeddingDenseBackward.apply(
            g, indices, ctx.num, ctx.padding_idx, ctx.scale_grad_by_freq
        )
        return gw, None, None, None


class EmbeddingDenseBackward(Function):
    node_name = "EmbeddingDenseBackwardBackward0"

    @staticmethod
    def forward(ctx, g, indices, num, padding_idx, scale_grad_by_freq):
        idx = indices._data
        ga = g._data
        xp = get_array_module(ga)
        dim = ga.shape[-1]
        rows = ga.reshape(-1, dim)
        flat = idx.reshape(-1)
        scale = _row_scale(flat, padding_idx, scale_grad_by_freq, ga.dtype)
        if scale is not None:
            rows = rows * scale[:, None]
        out = xp.zeros((num, dim), dtype=ga.dtype)
        xp.add.at(out, flat, rows)
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        ctx.save_for_backward(indices)
        return out

    @staticmethod
    def backward(ctx, gg):
        (indices,) = ctx.saved_tensors
        idx = indices._data
        picked = gg[indices]
        scale = _row_scale(idx, ctx.padding_idx, ctx.scale_grad_by_freq, gg._data.dtype)
        if scale is not None:
            picked = picked * Tensor._make(scale[..., None], False, None)
        return picked, None, None, None, None


def _renorm_(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Rescale, in place, the rows of ``weight`` that ``indices`` picks whose ``norm_type``
    norm exceeds ``max_norm`` (to max_norm / (norm + 1e-7) times themselves)."""
    w = weight._data
    xp = get_array_module(w)
    rows = xp.unique(indices._data.reshape(-1))
    picked = w[rows]
    if norm_type == float("inf"):
        norms = xp.abs(picked).max(axis=1)
    else:
        norms = (xp.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    if not over.any():
        return
    factor = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
    with no_grad():
        w[rows[over]] = picked[over] * factor[:, None]
        from .inplace import bump_version

        bump_version(weight)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` at the integer ``input``: output (*, embedding_dim) for input (*)
    and weight (num_embeddings, embedding_dim).

    ``padding_idx``: that row receives no gradient. ``max_norm``: rows looked up whose norm
    exceeds it are first rescaled to it, in place. ``scale_grad_by_freq``: gradients divided
    by each index's frequency in the batch.
    """
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    if input._data.dtype.kind not in "iu" or input._data.dtype.itemsize < 4:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    idx = input._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num):
        raise IndexError("index out of range in self")
    if sparse:
        raise NotImplementedError("ember has no sparse tensors: use embedding(sparse=False)")
    if max_norm is not None:
        _renorm_(weight, input, max_norm, norm_type)
    return Embedding.apply(weight, input, padding_idx, scale_grad_by_freq)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape (*, num_classes) with a 1 at each index of ``tensor`` (*);
    ``num_classes=-1`` takes max + 1."""
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = get_array_module(a)
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if int(a.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(a.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == xp.arange(num_classes)).astype(np.int64)
    return Tensor._make(out, False, None)
