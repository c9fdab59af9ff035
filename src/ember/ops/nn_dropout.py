"""Dropout: zero each element (or each whole channel) with probability p during training and
scale the survivors by 1 / (1 - p), so the expected value is unchanged.

``Dropout`` multiplies by a mask it draws itself and saves only that mask (not the input):
the backward is ``grad * mask``. Its grad_fn carries torch's CPU name, ``MulBackward0``.
Alpha dropout (for SELU networks) keeps mean and variance instead: dropped units take SELU's
negative saturation value and an affine map a * x + b restores the moments.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module
from ..random import resolve
from ..tensor import Tensor

__all__ = [
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_dropout",
    "alpha_dropout",
    "feature_alpha_dropout",
]

# SELU's negative saturation, -scale * alpha: where alpha dropout sends dropped units
_SELU_SATURATION = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(x, p: float, shape, generator) -> np.ndarray:
    """A {0, 1} array of ``shape`` in x's dtype, each entry 1 with probability 1 - p."""
    xp = get_array_module(x)
    draws = resolve(generator).random(shape, dtype=np.float32 if x.dtype != np.float64 else None)
    return xp.asarray((draws >= p).astype(x.dtype))


class Dropout(Function):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, input, mask):
        ctx.save_for_backward(mask)
        return input._data * mask._data

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None


def _apply_mask(input: Tensor, mask, inplace: bool) -> Tensor:
    mask = Tensor._make(mask, False, None)
    if inplace:
        from .inplace import apply_inplace

        return apply_inplace(input, lambda t: Dropout.apply(t, mask))
    return Dropout.apply(input, mask)


def _scaled_mask(input: Tensor, p: float, shape, generator):
    x = input._data
    if p == 1.0:
        return get_array_module(x).zeros(shape, dtype=x.dtype)
    if x.dtype.kind != "f":  # torch scales by a float in place
        from .inplace import type_word

        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {type_word(input.dtype)}"
        )
    mask = _keep_mask(x, p, shape, generator)
    mask *= x.dtype.type(1.0 / (1.0 - p))
    return mask


def dropout(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *, generator=None
) -> Tensor:
    """Each element zeroed with probability ``p`` when ``training``, the rest scaled by
    1 / (1 - p); the input itself when not training or p = 0. Shape: any."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    mask = _scaled_mask(input, p, input._data.shape, generator)
    return _apply_mask(input, mask, inplace)


def _feature_shape(input: Tensor) -> tuple:
    """(N, C, 1, ...): one draw per channel of each sample."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return tuple(shape[:2]) + (1,) * (len(shape) - 2)


def feature_dropout(input: Tensor, p: float, training: bool, inplace: bool = False) -> Tensor:
    """Whole channels (dim 1) zeroed with probability ``p``; input (N, C, *)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    mask = _scaled_mask(input, p, _feature_shape(input), None)
    return _apply_mask(input, mask, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout on (N, C, L) or (C, L) input."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    if not training or p == 0.0:
        return input
    if input.dim() == 2:
        return feature_dropout(input.unsqueeze(0), p, training, inplace).squeeze(0)
    return feature_dropout(input, p, training, inplace)


_DROPOUT2D_1D_2D = (
    "dropout2d: Received a {}-D input to dropout2d, which is deprecated and will result in an "
    "error in a future release. To retain the behavior and silence this warning, please use "
    "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs "
    "with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
    "or 4D inputs)."
)
_DROPOUT2D_3D = (
    "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
    "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
    "dim. This behavior will change in a future release to interpret the input as one without "
    "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
    "behavior, please switch to using dropout1d instead."
)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout on (N, C, H, W) input (3-D input is read as (N, C, L), with torch's
    warning)."""
    _check_p(p)
    dim = input.dim()
    if dim not in (3, 4):
        warnings.warn(_DROPOUT2D_1D_2D.format(dim), stacklevel=2)
    if dim == 3:
        warnings.warn(_DROPOUT2D_3D, stacklevel=2)
    return feature_dropout(input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel dropout on (N, C, D, H, W) or (C, D, H, W) input."""
    _check_p(p)
    dim = input.dim()
    if dim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {dim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    if not training or p == 0.0:
        return input
    if dim == 4:
        return feature_dropout(input.unsqueeze(0), p, training, inplace).squeeze(0)
    return feature_dropout(input, p, training, inplace)


def _alpha(input: Tensor, p: float, training: bool, shape, inplace: bool) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    x = input._data
    if p == 1.0:
        scale = get_array_module(x).zeros((), dtype=x.dtype)
        shift = scale
    else:
        keep = _keep_mask(x, p, shape, None)
        alpha = _SELU_SATURATION
        a = 1.0 / math.sqrt((alpha * alpha * p + 1.0) * (1.0 - p))
        # kept: a * x + a * alpha * p;  dropped: -a * alpha + a * alpha * p
        shift = (keep - 1.0) * (alpha * a) + alpha * a * p
        scale = keep * a
    scale_t = Tensor._make(scale, False, None)
    shift_t = Tensor._make(shift, False, None)
    if inplace:
        from .inplace import apply_inplace

        return apply_inplace(input, lambda t: t * scale_t + shift_t)
    return input * scale_t + shift_t


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout for SELU activations: dropped units take -1.7581 (SELU's saturation) and
    a * x + b with a = ((1 - p)(1 + p * 1.7581^2))^-1/2, b = a * 1.7581 * p keeps zero mean
    and unit variance."""
    return _alpha(input, p, training, input._data.shape, inplace)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
):
    """Alpha dropout of whole channels (dim 1)."""
    return _alpha(input, p, training, _feature_shape(input), inplace)
