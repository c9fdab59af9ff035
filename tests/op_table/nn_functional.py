"""Rows for ``nn.functional``: activations, convolution, pooling, normalization, padding and
resampling, distances and losses. ``fn(t, ...)`` reaches the functions as
``t.nn.functional``."""

from __future__ import annotations

import numpy as np

from . import Op, away_from_zero, distinct, positive, uniform


def F(t):
    return t.nn.functional


def _act(name, domain=away_from_zero, shapes=None, **kw):
    kwargs = kw.pop("kwargs", {})
    return Op(
        name,
        lambda t, x, **k: getattr(F(t), name)(x, **k),
        shapes or [((3, 4),), ((2, 3, 4),), ((0, 3),)],
        domain=domain,
        kwargs=kwargs,
        **kw,
    )


def classes(c):
    """Integer class indices in [0, c)."""
    return lambda rng, shape: rng.integers(0, c, size=shape)


def classes_ignored(c):
    """Class indices with some set to the ignored index -100."""

    def draw(rng, shape):
        t = rng.integers(0, c, size=shape)
        t[rng.random(size=shape) < 0.3] = -100
        return t

    return draw


ACTIVATIONS = [
    _act("relu"),
    _act("relu6", uniform(-8, 8)),
    _act("leaky_relu"),
    Op("leaky_relu_slope", lambda t, x: F(t).leaky_relu(x, 0.2), domain=away_from_zero),
    _act("elu"),
    Op("elu_alpha", lambda t, x: F(t).elu(x, alpha=0.5), domain=away_from_zero),
    _act("selu"),
    Op("celu", lambda t, x: F(t).celu(x, alpha=1.5), domain=away_from_zero),
    _act("gelu", (-3.0, 3.0)),
    Op("gelu_tanh", lambda t, x: F(t).gelu(x, approximate="tanh"), domain=(-3.0, 3.0)),
    _act("silu", (-4.0, 4.0)),
    _act("mish", (-4.0, 4.0)),
    _act("softplus", (-4.0, 4.0)),
    Op("softplus_beta", lambda t, x: F(t).softplus(x, beta=2, threshold=3), domain=(-1.0, 1.0)),
    _act("softsign"),
    _act("hardtanh"),
    Op("hardtanh_range", lambda t, x: F(t).hardtanh(x, -0.7, 1.3), domain=away_from_zero),
    _act("hardsigmoid", uniform(-5, 5)),
    _act("hardswish", uniform(-5, 5)),
    _act("sigmoid", (-5.0, 5.0)),
    _act("tanh"),
    _act("logsigmoid", (-6.0, 6.0)),
    Op("logsigmoid_large", lambda t, x: F(t).logsigmoid(x * 1e3), gradcheck=False),
    Op("softmax", lambda t, x: F(t).softmax(x, dim=-1), [((3, 4),), ((2, 3, 4),), ((5,),)]),
    Op("softmax_dim0", lambda t, x: F(t).softmax(x, 0), [((3, 4),), ((2, 3, 4),)]),
    Op("softmax_0d", lambda t, x: F(t).softmax(x, 0), [((),)]),
    Op("softmax_large", lambda t, x: F(t).softmax(x * 1e4, 1), [((3, 4),)], gradcheck=False),
    Op("softmax_dtype", lambda t, x: F(t).softmax(x, 1, dtype=t.float64), [((3, 4),)]),
    Op("log_softmax", lambda t, x: F(t).log_softmax(x, dim=1), [((3, 4),), ((2, 3, 4),)]),
    Op("log_softmax_last", lambda t, x: F(t).log_softmax(x, -1), [((2, 3, 4),), ((0, 3),)]),
    Op("log_softmax_large", lambda t, x: F(t).log_softmax(x * 1e4, 1), [((3, 4),)]),
    Op("softmin", lambda t, x: F(t).softmin(x, 1), [((3, 4),)]),
    Op("glu", lambda t, x: F(t).glu(x), [((3, 4),), ((2, 6, 2),)]),
    Op("glu_dim1", lambda t, x: F(t).glu(x, 1), [((2, 6, 2),)]),
    Op("prelu_scalar", lambda t, x, w: F(t).prelu(x, w), [((3, 4), (1,))], domain=away_from_zero),
    Op(
        "prelu_channels",
        lambda t, x, w: F(t).prelu(x, w),
        [((2, 3, 4), (3,)), ((2, 3), (3,))],
        domain=away_from_zero,
    ),
    Op("threshold", lambda t, x: F(t).threshold(x, 0.1, 20.0), domain=away_from_zero),
    _act("tanhshrink"),
    _act("hardshrink", uniform(-2, 2)),
    Op("hardshrink_l", lambda t, x: F(t).hardshrink(x, 1.2), domain=away_from_zero),
    _act("softshrink", uniform(-2, 2)),
    Op("softshrink_l", lambda t, x: F(t).softshrink(x, 0.3), domain=away_from_zero),
    # in-place forms, on a non-leaf so autograd can follow
    Op("relu_inplace", lambda t, x: F(t).relu(x * 1, inplace=True), domain=away_from_zero),
    Op("elu_inplace", lambda t, x: F(t).elu(x * 1, inplace=True), domain=away_from_zero),
    Op("hardtanh_", lambda t, x: F(t).hardtanh_(x * 1), domain=away_from_zero),
    Op("leaky_relu_", lambda t, x: F(t).leaky_relu_(x * 1, 0.1), domain=away_from_zero),
    Op("silu_inplace", lambda t, x: F(t).silu(x * 1, inplace=True)),
]

CONV = [
    Op("conv1d", lambda t, x, w, b: F(t).conv1d(x, w, b), [((2, 3, 7), (4, 3, 3), (4,))]),
    Op(
        "conv1d_args",
        lambda t, x, w: F(t).conv1d(x, w, stride=2, padding=2, dilation=2),
        [((2, 2, 9), (3, 2, 3)), ((2, 5), (3, 2, 2))],
    ),
    Op(
        "conv1d_same",
        lambda t, x, w: F(t).conv1d(x, w, padding="same", dilation=2),
        [((1, 2, 6), (2, 2, 3))],
    ),
    Op("conv2d", lambda t, x, w, b: F(t).conv2d(x, w, b), [((2, 3, 5, 6), (4, 3, 3, 2), (4,))]),
    Op("conv2d_small", lambda t, x, w: F(t).conv2d(x, w), [((1, 1, 4, 4), (2, 1, 2, 2))]),
    Op(
        "conv2d_pad",
        lambda t, x, w, b: F(t).conv2d(x, w, b, padding=1),
        [((2, 2, 5, 5), (3, 2, 3, 3), (3,)), ((1, 1, 3, 3), (1, 1, 3, 3), (1,))],
    ),
    Op(
        "conv2d_stride_dil",
        lambda t, x, w: F(t).conv2d(x, w, stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
        [((2, 2, 7, 6), (3, 2, 3, 2)), ((1, 1, 4, 5), (2, 1, 2, 2))],
    ),
    Op(
        "conv2d_groups",
        lambda t, x, w, b: F(t).conv2d(x, w, b, groups=2, padding=1),
        # im2col in (C, K) x (N, L) order, then channels last (an output row no longer than a
        # group's channels)
        [
            ((2, 4, 5, 5), (6, 2, 3, 3), (6,)),
            ((1, 2, 3, 3), (2, 1, 2, 2), (2,)),
            ((1, 8, 3, 3), (4, 4, 2, 2), (4,)),
        ],
    ),
    Op(
        "conv2d_depthwise",
        lambda t, x, w: F(t).conv2d(x, w, groups=3, stride=2),
        [((2, 3, 6, 6), (3, 1, 3, 3))],
    ),
    Op(
        "conv2d_same",
        lambda t, x, w: F(t).conv2d(x, w, padding="same", dilation=2),
        [((1, 2, 5, 6), (2, 2, 2, 3))],
    ),
    Op(
        "conv2d_valid",
        lambda t, x, w: F(t).conv2d(x, w, padding="valid"),
        [((1, 2, 4, 4), (3, 2, 2, 2))],
    ),
    Op("conv2d_unbatched", lambda t, x, w: F(t).conv2d(x, w), [((2, 4, 4), (3, 2, 3, 3))]),
    Op(
        "conv3d",
        lambda t, x, w, b: F(t).conv3d(x, w, b, padding=1),
        [((1, 2, 3, 4, 3), (2, 2, 2, 2, 2), (2,)), ((1, 1, 3, 3, 6), (2, 1, 2, 2, 2), (2,))],
    ),
    Op(
        "conv_transpose1d",
        lambda t, x, w, b: F(t).conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
        [((2, 3, 5), (3, 2, 3), (2,))],
    ),
    Op(
        "conv_transpose2d",
        lambda t, x, w, b: F(t).conv_transpose2d(x, w, b),
        [((2, 3, 4, 5), (3, 2, 3, 3), (2,)), ((1, 2, 2, 2), (2, 1, 2, 2), (1,))],
    ),
    Op(
        "conv_transpose2d_args",
        lambda t, x, w: F(t).conv_transpose2d(
            x, w, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2)
        ),
        [((2, 2, 3, 4), (2, 3, 3, 2)), ((1, 1, 2, 2), (1, 1, 2, 2))],
    ),
    Op(  # stride 1: a convolution with the flipped kernel; the output padding past x
        "conv_transpose2d_dilated_output_padding",
        lambda t, x, w, b: F(t).conv_transpose2d(
            x, w, b, padding=(1, 2), output_padding=(1, 0), dilation=(2, 1)
        ),
        [((2, 3, 4, 5), (3, 2, 3, 3), (2,))],
    ),
    Op(  # stride 1, padding past the kernel's reach: x cropped
        "conv_transpose1d_wide_padding",
        lambda t, x, w: F(t).conv_transpose1d(x, w, padding=3),
        [((2, 3, 7), (3, 2, 3))],
    ),
    Op(
        "conv_transpose3d",
        lambda t, x, w, b: F(t).conv_transpose3d(x, w, b, padding=(0, 1, 2), dilation=(1, 2, 1)),
        [((1, 2, 3, 3, 4), (2, 3, 2, 2, 3), (3,))],
    ),
    Op(
        "conv_transpose2d_groups",
        lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, stride=2, groups=2),
        [((2, 4, 3, 3), (4, 3, 2, 2), (6,))],
    ),
    Op(
        "unfold",
        lambda t, x: F(t).unfold(x, (2, 3), dilation=1, padding=1, stride=(2, 1)),
        [((2, 3, 5, 6),), ((1, 2, 3, 3),)],
    ),
    Op("unfold_3d", lambda t, x: F(t).unfold(x, 2, dilation=2), [((2, 5, 5),)]),
    Op(
        "fold",
        lambda t, x: F(t).fold(x, (4, 5), (2, 2), padding=1, stride=(2, 1)),
        [((2, 12, 18),), ((1, 4, 18),)],
    ),
]

POOL = [
    Op(
        "max_pool2d",
        lambda t, x: F(t).max_pool2d(x, 2),
        [((2, 3, 6, 6),), ((1, 2, 4, 4),)],
        domain=distinct,
    ),
    Op(
        "max_pool2d_args",
        lambda t, x: F(t).max_pool2d(x, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2)),
        [((2, 2, 7, 6),), ((1, 1, 5, 5),)],
        domain=distinct,
    ),
    Op(
        "max_pool2d_indices",
        lambda t, x: F(t).max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
        [((2, 2, 6, 7),), ((1, 1, 4, 4),), ((2, 5, 5),)],
        domain=distinct,
    ),
    Op(
        "max_pool2d_overlap",
        lambda t, x: F(t).max_pool2d(x, 3, stride=1),
        [((1, 2, 5, 5),)],
        domain=distinct,
    ),
    Op(
        "max_pool1d",
        lambda t, x: F(t).max_pool1d(x, 3, 2, 1, return_indices=True, ceil_mode=True),
        [((2, 3, 8),), ((3, 7),)],
        domain=distinct,
    ),
    Op("max_pool3d", lambda t, x: F(t).max_pool3d(x, 2), [((1, 2, 4, 4, 4),)], domain=distinct),
    Op("avg_pool2d", lambda t, x: F(t).avg_pool2d(x, 2), [((2, 3, 6, 6),), ((1, 1, 4, 4),)]),
    Op(
        "avg_pool2d_args",
        lambda t, x: F(t).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        [((2, 2, 6, 7),), ((1, 1, 4, 4),)],
    ),
    Op(
        "avg_pool2d_pad",
        lambda t, x: F(t).avg_pool2d(x, (3, 2), (2, 1), (1, 1), ceil_mode=True),
        [((2, 2, 6, 7),), ((1, 1, 4, 4),)],
    ),
    Op(
        "avg_pool2d_divisor",
        lambda t, x: F(t).avg_pool2d(x, 2, padding=1, divisor_override=3),
        [((1, 2, 5, 5),)],
    ),
    Op(
        "avg_pool1d",
        lambda t, x: F(t).avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        [((2, 3, 8),), ((3, 7),)],
    ),
    Op("avg_pool3d", lambda t, x: F(t).avg_pool3d(x, 2, padding=1), [((1, 2, 3, 4, 4),)]),
    Op(
        "adaptive_avg_pool2d",
        lambda t, x: F(t).adaptive_avg_pool2d(x, (3, 4)),
        [((2, 3, 7, 6),), ((1, 1, 5, 5),), ((2, 4, 4),)],
    ),
    Op("adaptive_avg_pool2d_1", lambda t, x: F(t).adaptive_avg_pool2d(x, 1), [((2, 3, 5, 5),)]),
    Op(
        "adaptive_avg_pool2d_none",
        lambda t, x: F(t).adaptive_avg_pool2d(x, (None, 2)),
        [((1, 2, 3, 5),)],
    ),
    Op("adaptive_avg_pool1d", lambda t, x: F(t).adaptive_avg_pool1d(x, 3), [((2, 3, 7),)]),
    Op(
        "adaptive_max_pool2d",
        lambda t, x: F(t).adaptive_max_pool2d(x, (3, 2), return_indices=True),
        [((2, 3, 7, 5),), ((1, 1, 5, 5),), ((2, 4, 4),)],
        domain=distinct,
    ),
    Op(
        "adaptive_max_pool1d",
        lambda t, x: F(t).adaptive_max_pool1d(x, 4),
        [((2, 3, 9),)],
        domain=distinct,
    ),
    Op(
        "max_unpool2d",
        lambda t, x: F(t).max_unpool2d(*F(t).max_pool2d(x, 2, return_indices=True), 2),
        [((1, 2, 4, 4),)],
        domain=distinct,
    ),
]


def _bn(t, x, w, b, training=True, momentum=0.1):
    c = x.shape[1]
    rm = t.zeros(c, dtype=x.dtype) + 0.5
    rv = t.ones(c, dtype=x.dtype) * 2
    y = F(t).batch_norm(x, rm, rv, w, b, training=training, momentum=momentum, eps=1e-3)
    return y, rm, rv


NORM = [
    Op(
        "batch_norm_train",
        lambda t, x, w, b: _bn(t, x, w, b)[0],
        [((4, 3), (3,), (3,)), ((2, 3, 4, 2), (3,), (3,))],
    ),
    Op(
        "batch_norm_eval",
        lambda t, x, w, b: _bn(t, x, w, b, False),
        [((4, 3), (3,), (3,)), ((2, 3, 5), (3,), (3,))],
    ),
    Op(
        "batch_norm_noaffine",
        lambda t, x: F(t).batch_norm(x, None, None, training=True),
        [((3, 2, 4),)],
    ),
    Op("layer_norm", lambda t, x, w, b: F(t).layer_norm(x, (4,), w, b), [((3, 4), (4,), (4,))]),
    Op(
        "layer_norm_2d",
        lambda t, x, w, b: F(t).layer_norm(x, (3, 4), w, b, eps=1e-3),
        [((2, 3, 4), (3, 4), (3, 4))],
    ),
    Op("layer_norm_plain", lambda t, x: F(t).layer_norm(x, [4]), [((2, 3, 4),)]),
    Op(
        "group_norm",
        lambda t, x, w, b: F(t).group_norm(x, 2, w, b),
        [((2, 4, 3), (4,), (4,)), ((2, 6, 2, 2), (6,), (6,))],
    ),
    Op("group_norm_plain", lambda t, x: F(t).group_norm(x, 3), [((2, 3, 4),)]),
    Op("instance_norm", lambda t, x: F(t).instance_norm(x), [((2, 3, 4),)]),
    Op("rms_norm", lambda t, x, w: F(t).rms_norm(x, (4,), w), [((3, 4), (4,))]),
    Op("rms_norm_eps", lambda t, x: F(t).rms_norm(x, (2, 4), eps=1e-3), [((3, 2, 4),)]),
    Op("normalize", lambda t, x: F(t).normalize(x), [((3, 4),), ((2, 3, 4),)]),
    Op(
        "normalize_p1",
        lambda t, x: F(t).normalize(x, p=1, dim=0),
        [((3, 4),)],
        domain=away_from_zero,
    ),
]

MISC = [
    Op("pad_constant", lambda t, x: F(t).pad(x, (1, 2)), [((2, 3),), ((2, 3, 4),)]),
    Op("pad_value", lambda t, x: F(t).pad(x, (1, 0, -1, 2), value=1.5), [((2, 3, 4),)]),
    Op("pad_3dims", lambda t, x: F(t).pad(x, (1, 1, 0, 2, 1, 0)), [((2, 3, 4),)]),
    Op(
        "pad_reflect1d", lambda t, x: F(t).pad(x, (2, 1), mode="reflect"), [((2, 3, 4),), ((3, 4),)]
    ),
    Op("pad_reflect2d", lambda t, x: F(t).pad(x, (1, 2, 2, 0), mode="reflect"), [((1, 2, 3, 4),)]),
    Op(
        "pad_reflect_neg",
        lambda t, x: F(t).pad(x, (-1, 1, 1, 1), mode="reflect"),
        [((1, 1, 3, 4),)],
    ),
    Op(
        "pad_replicate",
        lambda t, x: F(t).pad(x, (3, 1, 0, 2), mode="replicate"),
        [((1, 2, 3, 4),), ((2, 3, 4),)],
    ),
    Op(
        "pad_replicate3d",
        lambda t, x: F(t).pad(x, (1,) * 6, mode="replicate"),
        [((1, 1, 2, 3, 2),)],
    ),
    Op(
        "pad_circular",
        lambda t, x: F(t).pad(x, (2, 1, 1, 3), mode="circular"),
        [((1, 2, 3, 4),)],
    ),
    Op("pad_circular1d", lambda t, x: F(t).pad(x, (4, 0), mode="circular"), [((2, 4),)]),
    Op(
        "pad_circular_crop",
        lambda t, x: F(t).pad(x, (-1, 2, 2, -1), mode="circular"),
        [((1, 2, 3, 4),)],
    ),
    Op(
        "interpolate_nearest",
        lambda t, x: F(t).interpolate(x, scale_factor=2),
        [((1, 2, 3, 4),), ((2, 3, 5),)],
    ),
    Op(
        "interpolate_nearest_size", lambda t, x: F(t).interpolate(x, size=(5, 3)), [((1, 2, 3, 4),)]
    ),
    Op(
        "interpolate_nearest_exact",
        lambda t, x: F(t).interpolate(x, size=(5, 7), mode="nearest-exact"),
        [((1, 2, 3, 4),)],
    ),
    Op(
        "interpolate_bilinear",
        lambda t, x: F(t).interpolate(x, scale_factor=1.7, mode="bilinear"),
        [((1, 2, 3, 4),), ((2, 1, 4, 3),)],
    ),
    Op(
        "interpolate_bilinear_ac",
        lambda t, x: F(t).interpolate(x, size=(5, 2), mode="bilinear", align_corners=True),
        [((1, 2, 3, 4),)],
    ),
    Op(
        "interpolate_bilinear_down",
        lambda t, x: F(t).interpolate(x, size=(2, 3), mode="bilinear"),
        [((1, 2, 5, 7),)],
    ),
    Op(
        "interpolate_linear",
        lambda t, x: F(t).interpolate(x, scale_factor=2.5, mode="linear", align_corners=False),
        [((2, 3, 4),)],
    ),
    Op(
        "interpolate_trilinear",
        lambda t, x: F(t).interpolate(x, size=(3, 2, 4), mode="trilinear", align_corners=True),
        [((1, 1, 2, 3, 2),)],
    ),
    Op(
        "interpolate_area",
        lambda t, x: F(t).interpolate(x, size=(2, 3), mode="area"),
        [((1, 2, 5, 7),)],
    ),
    Op(
        "interpolate_recompute",
        lambda t, x: F(t).interpolate(
            x, scale_factor=1.5, mode="bilinear", recompute_scale_factor=True
        ),
        [((1, 1, 3, 5),)],
    ),
    Op(
        "cosine_similarity",
        lambda t, x, y: F(t).cosine_similarity(x, y),
        [((3, 4), (3, 4)), ((2, 3, 4), (3, 1))],
    ),
    Op(
        "cosine_similarity_dim",
        lambda t, x, y: F(t).cosine_similarity(x, y, dim=0, eps=0.1),
        [((3,), (3,)), ((3, 2), (3, 2))],
    ),
    Op(
        "pairwise_distance",
        lambda t, x, y: F(t).pairwise_distance(x, y),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (4,))],
    ),
    Op(
        "pairwise_distance_p",
        lambda t, x, y: F(t).pairwise_distance(x, y, p=1.5, eps=1e-3, keepdim=True),
        [((3, 4), (3, 4))],
    ),
    Op("pixel_shuffle", lambda t, x: F(t).pixel_shuffle(x, 2), [((1, 8, 2, 3),), ((4, 2, 2),)]),
    Op("pixel_unshuffle", lambda t, x: F(t).pixel_unshuffle(x, 2), [((1, 2, 4, 6),)]),
]


def _sign(x):
    """Targets in {-1, 1} (torch differentiates no target of these losses)."""
    return x.sign().detach()


def _w(t, x, n):
    """Class or element weights (not differentiable in torch): fixed values in x's dtype."""
    return t.linspace(0.5, 1.5, n, dtype=x.dtype)


LOSSES = []
for _red in ("mean", "sum", "none"):
    LOSSES += [
        Op(
            f"mse_loss_{_red}",
            lambda t, x, y, r=_red: F(t).mse_loss(x, y, reduction=r),
            [((3, 4), (3, 4)), ((5,), (5,))],
        ),
        Op(
            f"l1_loss_{_red}",
            lambda t, x, y, r=_red: F(t).l1_loss(x, y, reduction=r),
            [((3, 4), (3, 4))],
            domain=away_from_zero,
        ),
        Op(
            f"smooth_l1_loss_{_red}",
            lambda t, x, y, r=_red: F(t).smooth_l1_loss(x, y, reduction=r, beta=0.5),
            [((3, 4), (3, 4))],
        ),
        Op(
            f"huber_loss_{_red}",
            lambda t, x, y, r=_red: F(t).huber_loss(x, y, reduction=r, delta=0.7),
            [((3, 4), (3, 4))],
        ),
        Op(
            f"cross_entropy_{_red}",
            lambda t, x, y, r=_red: F(t).cross_entropy(x, y, reduction=r),
            [
                ((4, 3), (4,)),
                ((2, 3, 2, 2), (2, 2, 2)),
                ((3,), ()),
                ((2, 3, 2, 1, 2), (2, 2, 1, 2)),
            ],
            inputs={1: classes(3)},
            noncontig=False,
        ),
        Op(
            f"cross_entropy_all_{_red}",
            lambda t, x, y, r=_red: F(t).cross_entropy(
                x, y, _w(t, x, 3), ignore_index=-100, reduction=r, label_smoothing=0.2
            ),
            [((5, 3), (5,)), ((2, 3, 4), (2, 4))],
            inputs={1: classes_ignored(3)},
            domain=positive,
            noncontig=False,
        ),
        Op(
            f"cross_entropy_weighted_{_red}",
            lambda t, x, y, r=_red: F(t).cross_entropy(x, y, _w(t, x, 3), reduction=r),
            [((5, 3), (5,)), ((2, 3, 4), (2, 4))],
            inputs={1: classes_ignored(3)},
            domain=positive,
            noncontig=False,
        ),
        Op(
            f"cross_entropy_probs_{_red}",
            lambda t, x, y, r=_red: F(t).cross_entropy(
                x, y.softmax(1), _w(t, x, 3), reduction=r, label_smoothing=0.1
            ),
            [((4, 3), (4, 3)), ((2, 3, 2), (2, 3, 2))],
            domain=positive,
        ),
        Op(
            f"nll_loss_{_red}",
            lambda t, x, y, r=_red: F(t).nll_loss(x, y, _w(t, x, 3), reduction=r),
            [((5, 3), (5,)), ((2, 3, 4), (2, 4))],
            inputs={1: classes_ignored(3)},
            domain=positive,
            noncontig=False,
        ),
        Op(
            f"binary_cross_entropy_{_red}",
            lambda t, x, y, r=_red: F(t).binary_cross_entropy(
                x, y, _w(t, x, x.shape[-1]), reduction=r
            ),
            [((3, 4), (3, 4)), ((5,), (5,))],
            domain=(0.05, 0.95),
        ),
        Op(
            f"bce_with_logits_{_red}",
            lambda t, x, y, r=_red: F(t).binary_cross_entropy_with_logits(
                x, y.sigmoid(), _w(t, x, 4).reshape(1, 4), reduction=r, pos_weight=_w(t, x, 4)
            ),
            [((3, 4), (3, 4))],
            domain=(-3.0, 3.0),
        ),
        Op(
            f"bce_with_logits_plain_{_red}",
            lambda t, x, y, r=_red: F(t).binary_cross_entropy_with_logits(
                x, y.sigmoid(), reduction=r
            ),
            [((3, 4), (3, 4)), ((5,), (5,))],
            domain=(-3.0, 3.0),
        ),
        Op(
            f"soft_margin_loss_{_red}",
            lambda t, x, y, r=_red: F(t).soft_margin_loss(x, _sign(y), reduction=r),
            [((3, 4), (3, 4))],
            domain=away_from_zero,
        ),
        Op(
            f"margin_ranking_loss_{_red}",
            lambda t, a, b, y, r=_red: F(t).margin_ranking_loss(
                a, b, _sign(y), margin=0.3, reduction=r
            ),
            [((5,), (5,), (5,))],
            domain=away_from_zero,
        ),
        Op(
            f"hinge_embedding_loss_{_red}",
            lambda t, x, y, r=_red: F(t).hinge_embedding_loss(x, _sign(y), 1.5, reduction=r),
            [((3, 4), (3, 4))],
            domain=away_from_zero,
        ),
        Op(
            f"cosine_embedding_loss_{_red}",
            lambda t, a, b, y, r=_red: F(t).cosine_embedding_loss(
                a, b, _sign(y), margin=0.2, reduction=r
            ),
            [((4, 3), (4, 3), (4,)), ((3,), (3,), ())],
            domain=away_from_zero,
        ),
        Op(
            f"triplet_margin_loss_{_red}",
            lambda t, a, p, n, r=_red: F(t).triplet_margin_loss(a, p, n, reduction=r),
            [((4, 3), (4, 3), (4, 3))],
        ),
        Op(
            f"poisson_nll_loss_{_red}",
            lambda t, x, y, r=_red: F(t).poisson_nll_loss(x, y, reduction=r),
            [((3, 4), (3, 4))],
            domain=positive,
        ),
        Op(
            f"gaussian_nll_loss_{_red}",
            lambda t, x, y, v, r=_red: F(t).gaussian_nll_loss(x, y, v, reduction=r),
            [((3, 4), (3, 4), (3, 4)), ((3, 4), (3, 4), (3, 1)), ((3, 4), (3, 4), (3,))],
            domain=positive,
        ),
    ]
LOSSES += [
    Op(
        "cross_entropy_large",
        lambda t, x, y: F(t).cross_entropy(x * 1e4, y),
        [((4, 3), (4,))],
        inputs={1: classes(3)},
        gradcheck=False,
    ),
    Op(
        "bce_with_logits_large",
        lambda t, x, y: F(t).binary_cross_entropy_with_logits(x * 1e4, y.sigmoid()),
        [((3, 4), (3, 4))],
        gradcheck=False,
    ),
    Op(
        "mse_loss_weight",
        lambda t, x, y, w: F(t).mse_loss(x, y, weight=w),
        [((3, 4), (3, 4), (3, 4))],
        domain=positive,
    ),
    Op(
        "l1_loss_weight",
        lambda t, x, y, w: F(t).l1_loss(x, y, reduction="sum", weight=w),
        [((3, 4), (3, 4), (3, 4))],
        domain=away_from_zero,
    ),
    Op(
        "huber_loss_weight",
        lambda t, x, y, w: F(t).huber_loss(x, y, weight=w),
        [((3, 4), (3, 4), (3, 4))],
    ),
    Op(
        "smooth_l1_loss_beta0",
        lambda t, x, y: F(t).smooth_l1_loss(x, y, beta=0.0),
        [((3, 4), (3, 4))],
        domain=away_from_zero,
    ),
    Op(
        "kl_div_batchmean",
        lambda t, x, y: F(t).kl_div(x, y, reduction="batchmean"),
        [((3, 4), (3, 4))],
        domain=positive,
    ),
    Op(
        "kl_div_log_target",
        lambda t, x, y: F(t).kl_div(x, y, reduction="sum", log_target=True),
        [((3, 4), (3, 4))],
    ),
    Op(
        "kl_div_none",
        lambda t, x, y: F(t).kl_div(x, y, reduction="none"),
        [((3, 4), (3, 4))],
        domain=positive,
    ),
    Op(
        "poisson_nll_loss_full",
        lambda t, x, y: F(t).poisson_nll_loss(x, y * 2, log_input=False, full=True),
        [((3, 4), (3, 4))],
        domain=positive,
    ),
    Op(
        "gaussian_nll_loss_full",
        lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, full=True, eps=0.5),
        [((3, 4), (3, 4), (3, 4))],
        domain=positive,
        # var is clamped at eps without recording: the gradient passes the clamp unchanged, so
        # finite differences disagree where var < eps (torch's semantics, checked against it)
        gradcheck=False,
    ),
    Op(
        "gaussian_nll_loss_float",
        lambda t, x, y: F(t).gaussian_nll_loss(x, y, 0.7, reduction="sum"),
        [((3, 4), (3, 4))],
    ),
    Op(
        "triplet_margin_loss_swap",
        lambda t, a, p, n: F(t).triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True),
        [((4, 3), (4, 3), (4, 3)), ((3,), (3,), (3,))],
        domain=away_from_zero,
    ),
]

ROWS = ACTIVATIONS + CONV + POOL + NORM + MISC + LOSSES

del np
