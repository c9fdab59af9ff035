"""Padding, resampling, distances and pixel shuffles of ``ember.nn.functional``.

``pad`` in constant mode copies the input into a filled array (negative pads crop); the
reflect, replicate and circular modes gather along each padded dim through an index array and
fold the gradient back the same way. ``interpolate`` is separable: along each spatial dim the
output is the input times a small (out, in) resampling matrix (one-hot rows for nearest, two
weights per row for linear, averaging rows for area), so its backward is the product with the
transposed matrices and is itself differentiable.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module
from ..tensor import Tensor

__all__ = [
    "pad",
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "cosine_similarity",
    "pairwise_distance",
    "pixel_shuffle",
    "pixel_unshuffle",
    "resample",
]


# -- constant padding --------------------------------------------------------------------------
class ConstantPad(Function):
    """``pairs`` is ((before, after), ...) for every dim of the input (negative: crop)."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pairs, value):
        a = x._data
        xp = get_array_module(a)
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, pairs))
        if any(s < 0 for s in shape):
            raise RuntimeError(
                f"The input size {a.shape[-1]}, plus negative padding {pairs[-1][0]} and "
                f"{pairs[-1][1]} resulted in a negative output size, which is invalid. Check "
                "dimension 0 of your input."
            )
        out = xp.full(shape, value, dtype=a.dtype)
        src = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(a.shape, pairs))
        dst = tuple(slice(max(lo, 0), s - max(hi, 0)) for s, (lo, hi) in zip(shape, pairs))
        if all(d.stop > d.start for d in dst):
            out[dst] = a[src]
        ctx.pairs = pairs
        return out

    @staticmethod
    def backward(ctx, g):
        back = tuple((-lo, -hi) for lo, hi in ctx.pairs)
        return ConstantPad.apply(g, back, 0), None, None


# -- index padding (reflect, replicate, circular) ----------------------------------------------
class _IndexPad(Function):
    """Gather along each padded dim. ``spec`` holds (dim, index array, input length, interior)
    per dim, ``interior`` being (first output position, first input position, length) of the
    run that copies the input unchanged."""

    @staticmethod
    def forward(ctx, x, spec):
        a = x._data
        xp = get_array_module(a)
        for dim, idx, _, _ in spec:
            a = xp.take(a, idx, axis=dim)
        ctx.spec = spec
        return a

    @staticmethod
    def backward(ctx, g):
        return _IndexFold.apply(g, ctx.spec, ctx._fn), None


class ReflectionPad1d(_IndexPad):
    node_name = "ReflectionPad1DBackward0"


class ReflectionPad2d(_IndexPad):
    node_name = "ReflectionPad2DBackward0"


class ReflectionPad3d(_IndexPad):
    node_name = "ReflectionPad3DBackward0"


class ReplicationPad1d(_IndexPad):
    node_name = "ReplicationPad1DBackward0"


class ReplicationPad2d(_IndexPad):
    node_name = "ReplicationPad2DBackward0"


class ReplicationPad3d(_IndexPad):
    node_name = "ReplicationPad3DBackward0"


class CircularPad(_IndexPad):
    node_name = "CopySlices"


_INDEX_PADS = {
    "reflect": (ReflectionPad1d, ReflectionPad2d, ReflectionPad3d),
    "replicate": (ReplicationPad1d, ReplicationPad2d, ReplicationPad3d),
    "circular": (CircularPad, CircularPad, CircularPad),
}


class _IndexFold(Function):
    """The adjoint of ``_IndexPad``: each output position adds into the input position it
    copied (the interior as one slice, the border positions one at a time)."""

    node_name = "IndexPadBackward"

    @staticmethod
    def forward(ctx, g, spec, pad_cls):
        a = g._data
        xp = get_array_module(a)
        for dim, idx, n, (o0, i0, length) in reversed(spec):
            moved = xp.moveaxis(a, dim, -1)
            out = xp.zeros(moved.shape[:-1] + (n,), dtype=a.dtype)
            out[..., i0 : i0 + length] = moved[..., o0 : o0 + length]
            for j in range(idx.size):
                if not o0 <= j < o0 + length:
                    out[..., idx[j]] += moved[..., j]
            a = xp.moveaxis(out, -1, dim)
        ctx.spec, ctx.pad_cls = spec, pad_cls
        return a

    @staticmethod
    def backward(ctx, gg):
        return ctx.pad_cls.apply(gg, ctx.spec), None, None


def _pad_index(mode: str, n: int, lo: int, hi: int):
    interior = (max(lo, 0), max(-lo, 0), n - max(-lo, 0) - max(-hi, 0))
    j = np.arange(-lo, n + hi)
    if mode == "reflect":
        j = np.abs(j)
        j = np.where(j >= n, 2 * (n - 1) - j, j)
    elif mode == "replicate":
        j = np.clip(j, 0, n - 1)
    else:  # wrap around what a negative pad leaves of the input, as torch
        _, start, length = interior
        j = start + np.mod(j - start, length)
    return j, interior


_PAD_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad`` = (last_before, last_after,
    second_last_before, ...). Modes: 'constant' (``value``, default 0; negative pads crop),
    'reflect' (mirror without repeating the edge), 'replicate' (repeat the edge), 'circular'
    (wrap around). The non-constant modes pad the last 1, 2 or 3 dims of a batched or
    unbatched input."""
    pad = [int(p) for p in pad]
    nd = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {nd}"
        )
    if mode == "constant":
        pairs = [(0, 0)] * (nd - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
        return ConstantPad.apply(input, tuple(pairs), 0 if value is None else value)
    if mode not in _INDEX_PADS:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n" + _PAD_HELP
        )
    shape = input._data.shape
    spec = []
    for i in range(k):
        dim = nd - 1 - i
        n, lo, hi = shape[dim], pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                f"[{', '.join(map(str, shape))}]"
            )
        kept = n - max(-lo, 0) - max(-hi, 0)
        if mode == "circular" and (lo > kept or hi > kept):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi < 0 or (n == 0 and lo + hi > 0):
            raise RuntimeError(
                f"input tensor must have a non-zero size in the padded dimension {dim} for "
                f"{mode} padding, but got input of shape [{', '.join(map(str, shape))}]"
            )
        idx, interior = _pad_index(mode, n, lo, hi)
        spec.append((dim, idx, n, interior))
    return _INDEX_PADS[mode][k - 1].apply(input, tuple(spec))


# -- resampling: interpolate, adaptive average pooling -----------------------------------------
class Resample(Function):
    """Multiply each listed dim by a resampling matrix: ``mats`` holds (dim, A) pairs with A of
    shape (out, in); the output's dim has length out. Linear, so the backward is the same op
    with the transposed matrices."""

    node_name = "UpsampleBackward"

    @staticmethod
    def forward(ctx, x, mats):
        a = x._data
        for dim, m in mats:
            a = _along(a, dim, m)
        ctx.mats = mats
        return a

    @staticmethod
    def backward(ctx, g):
        back = tuple((dim, m.T) for dim, m in reversed(ctx.mats))
        return Resample.apply(g, back), None


def _along(a, dim: int, m):
    """``a`` with dim ``dim`` replaced by ``m @ a[..., :, ...]`` (m of shape (out, in))."""
    xp = get_array_module(a)
    m = m.astype(a.dtype, copy=False)
    if dim == a.ndim - 1:
        return xp.matmul(a, m.T)
    lead = math.prod(a.shape[:dim])
    trail = math.prod(a.shape[dim + 1 :])
    out = xp.matmul(m, a.reshape(lead, a.shape[dim], trail))
    return out.reshape(a.shape[:dim] + (m.shape[0],) + a.shape[dim + 1 :])


def resample(input: Tensor, mats, node_name: str) -> Tensor:
    """``Resample`` with torch's grad_fn name for the calling op."""
    cls = _RESAMPLE_NAMES.get(node_name)
    if cls is None:
        cls = type(node_name, (Resample,), {"node_name": node_name, "__module__": __name__})
        _RESAMPLE_NAMES[node_name] = cls
    return cls.apply(input, tuple(mats))


_RESAMPLE_NAMES: dict = {}


def _nearest_matrix(n_out, n_in, scale, exact):
    dst = np.arange(n_out, dtype=np.float64)
    src = np.floor((dst + 0.5) * scale) if exact else np.floor(dst * scale)
    src = np.minimum(src.astype(np.int64), n_in - 1)
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), src] = 1.0
    return m


def _linear_matrix(n_out, n_in, scale, align_corners):
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else dst * 0
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    np.add.at(m, (rows, i0), 1.0 - lam)
    np.add.at(m, (rows, i1), lam)
    return m


def area_matrix(n_out: int, n_in: int):
    """Adaptive average pooling along one dim: row i averages [floor(i n / o), ceil((i+1) n /
    o))."""
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    cols = np.arange(n_in)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return inside / (end - start)[:, None]


_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3}


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of an (N, C, d1, ..., dK) input (K = 1, 2 or 3) to ``size``
    or by ``scale_factor``. Modes: 'nearest' (floor(dst * scale)), 'nearest-exact',
    'linear'/'bilinear'/'trilinear' (``align_corners`` maps the corner pixels' centers onto
    each other; default False), 'area' (adaptive average pooling). Given a scale_factor, the
    coordinates use it directly unless ``recompute_scale_factor``."""
    nd = input._data.ndim
    k = nd - 2
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if align_corners is None:
        align_corners = False
    if mode not in _MODES or nd not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    if mode in _LINEAR_DIMS and _LINEAR_DIMS[mode] != k:
        raise NotImplementedError(
            f"Got {nd}D input, but {mode} mode needs {_LINEAR_DIMS[mode] + 2}D input"
        )
    if mode == "bicubic" or antialias:
        raise NotImplementedError("ember: interpolate supports nearest, linear modes and area")
    in_sizes = input._data.shape[2:]
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None:
        out_sizes = _expand(size, k)
        if len(out_sizes) != k:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_sizes)} and output size of "
                f"{tuple(size) if not isinstance(size, int) else size}. Please provide input "
                "tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                "format."
            )
        scales = [n / o if o else 0.0 for n, o in zip(in_sizes, out_sizes)]
    else:
        factors = _expand(scale_factor, k)
        if len(factors) != k:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(in_sizes)} and scale_factor of "
                f"shape {tuple(scale_factor)}. Please provide input tensor in (N, C, d1, d2, "
                "...,dK) format and scale_factor in (s1, s2, ...,sK) format."
            )
        out_sizes = [int(math.floor(n * float(f))) for n, f in zip(in_sizes, factors)]
        if recompute_scale_factor:
            scales = [n / o if o else 0.0 for n, o in zip(in_sizes, out_sizes)]
        else:
            scales = [1.0 / float(f) for f in factors]
    mats = []
    for i, (n_in, n_out, s) in enumerate(zip(in_sizes, out_sizes, scales)):
        if mode in ("nearest", "nearest-exact"):
            m = _nearest_matrix(n_out, n_in, s, mode == "nearest-exact")
        elif mode == "area":
            m = area_matrix(n_out, n_in)
        else:
            m = _linear_matrix(n_out, n_in, s, align_corners)
        mats.append((2 + i, m))
    return resample(input, mats, f"{_NODE_NAMES[mode]}{k}DBackward0")


_NODE_NAMES = {
    "nearest": "UpsampleNearest",
    "nearest-exact": "UpsampleNearestExact",
    "linear": "UpsampleLinear",
    "bilinear": "UpsampleBilinear",
    "trilinear": "UpsampleTrilinear",
    "area": "AdaptiveAvgPool",
}


def _expand(v, k: int) -> list:
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v] * k


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- distances ---------------------------------------------------------------------------------
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 . x2 / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` (inputs broadcast)."""
    from ._args import wrap_dim
    from .shape import broadcast_tensors

    x1, x2 = broadcast_tensors(x1, x2)
    d = wrap_dim(dim, x1.dim())
    n1 = x1.norm(2, d).clamp(min=eps)
    n2 = x2.norm(2, d).clamp(min=eps)
    return (x1 * x2).sum(d) / (n1 * n2)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim (inputs broadcast)."""
    nd = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    if nd == 0:
        return diff.abs()
    return diff.norm(p, nd - 1, keepdim)


# -- pixel shuffle -----------------------------------------------------------------------------
def _shuffle_array(a, r):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    *lead, c, h, w = a.shape
    oc = c // (r * r)
    v = a.reshape(*lead, oc, r, r, h, w)
    n = len(lead)
    v = v.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return v.reshape(*lead, oc, h * r, w * r)


def _unshuffle_array(a, r):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""
    *lead, c, h, w = a.shape
    oh, ow = h // r, w // r
    v = a.reshape(*lead, c, oh, r, ow, r)
    n = len(lead)
    v = v.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return v.reshape(*lead, c * r * r, oh, ow)


class PixelShuffle(Function):
    node_name = "PixelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle_array(x._data, r)

    @staticmethod
    def backward(ctx, g):
        return PixelUnshuffle.apply(g, ctx.r), None


class PixelUnshuffle(Function):
    node_name = "PixelUnshuffleBackward0"

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _unshuffle_array(x._data, r)

    @staticmethod
    def backward(ctx, g):
        return PixelShuffle.apply(g, ctx.r), None


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = ``upscale_factor``."""
    r = int(upscale_factor)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{len(shape)} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if shape[-3] % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={shape[-3]} is not divisible by {r * r}"
        )
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = ``downscale_factor``."""
    r = int(downscale_factor)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{len(shape)} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    if shape[-2] % r or shape[-1] % r:
        which, n = ("height", shape[-2]) if shape[-2] % r else ("width", shape[-1])
        raise RuntimeError(
            f"pixel_unshuffle expects {which} to be divisible by downscale_factor, but "
            f"input.size({-2 if which == 'height' else -1})={n} is not divisible by {r}"
        )
    return PixelUnshuffle.apply(input, r)
