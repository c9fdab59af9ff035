"""Parity of every layer with torch: repr, state_dict keys, outputs and all gradients, in float32
and float64, in training and eval mode."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ..conftest import assert_close
from .helpers import check_parity, copy_state, draw

X = "x"

# (id, constructor taking an nn namespace, input specs, modes to run)
LAYERS = [
    # -- convolution
    ("Conv1d", lambda nn: nn.Conv1d(3, 4, 3), [(X, (2, 3, 9))]),
    ("Conv1d_args", lambda nn: nn.Conv1d(4, 6, 3, 2, 1, 2, groups=2), [(X, (2, 4, 9))]),
    (
        "Conv1d_reflect",
        lambda nn: nn.Conv1d(2, 3, 3, padding=2, padding_mode="reflect"),
        [(X, (2, 2, 6))],
    ),
    ("Conv2d", lambda nn: nn.Conv2d(3, 4, 3), [(X, (2, 3, 7, 6))]),
    ("Conv2d_pad", lambda nn: nn.Conv2d(2, 3, (3, 2), stride=2, padding=1), [(X, (2, 2, 7, 6))]),
    ("Conv2d_same", lambda nn: nn.Conv2d(2, 3, 3, padding="same", bias=False), [(X, (2, 2, 5, 5))]),
    ("Conv2d_valid", lambda nn: nn.Conv2d(2, 3, 2, padding="valid"), [(X, (1, 2, 4, 4))]),
    ("Conv2d_groups", lambda nn: nn.Conv2d(4, 6, 3, groups=2, dilation=2), [(X, (2, 4, 7, 7))]),
    (
        "Conv2d_reflect",
        lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
        [(X, (2, 2, 5, 6))],
    ),
    (
        "Conv2d_replicate",
        lambda nn: nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode="replicate"),
        [(X, (1, 2, 5, 6))],
    ),
    (
        "Conv2d_circular",
        lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
        [(X, (1, 2, 5, 6))],
    ),
    ("Conv2d_unbatched", lambda nn: nn.Conv2d(2, 3, 3), [(X, (2, 5, 5))]),
    ("Conv3d", lambda nn: nn.Conv3d(2, 2, 2, padding=1), [(X, (1, 2, 3, 3, 4))]),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(3, 2, 3, stride=2), [(X, (2, 3, 5))]),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(3, 4, 3), [(X, (2, 3, 4, 5))]),
    (
        "ConvTranspose2d_args",
        lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
        [(X, (2, 4, 3, 4))],
    ),
    ("ConvTranspose3d", lambda nn: nn.ConvTranspose3d(2, 2, 2), [(X, (1, 2, 2, 3, 2))]),
    # -- pooling
    ("MaxPool1d", lambda nn: nn.MaxPool1d(3, 2, 1), [("distinct", (2, 3, 9))]),
    ("MaxPool2d", lambda nn: nn.MaxPool2d(2), [("distinct", (2, 3, 6, 6))]),
    (
        "MaxPool2d_indices",
        lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True, return_indices=True),
        [("distinct", (2, 3, 7, 6))],
    ),
    ("MaxPool3d", lambda nn: nn.MaxPool3d(2), [("distinct", (1, 2, 4, 4, 4))]),
    ("AvgPool1d", lambda nn: nn.AvgPool1d(3, 2, 1), [(X, (2, 3, 9))]),
    ("AvgPool2d", lambda nn: nn.AvgPool2d(2), [(X, (2, 3, 6, 6))]),
    (
        "AvgPool2d_args",
        lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        [(X, (2, 3, 7, 6))],
    ),
    ("AvgPool3d", lambda nn: nn.AvgPool3d(2, divisor_override=3), [(X, (1, 2, 4, 4, 4))]),
    ("AdaptiveAvgPool1d", lambda nn: nn.AdaptiveAvgPool1d(4), [(X, (2, 3, 9))]),
    ("AdaptiveAvgPool2d", lambda nn: nn.AdaptiveAvgPool2d((3, 2)), [(X, (2, 3, 7, 5))]),
    ("AdaptiveAvgPool2d_1", lambda nn: nn.AdaptiveAvgPool2d(1), [(X, (2, 3, 7, 5))]),
    ("AdaptiveAvgPool3d", lambda nn: nn.AdaptiveAvgPool3d((2, 1, 3)), [(X, (1, 2, 4, 3, 5))]),
    ("AdaptiveMaxPool1d", lambda nn: nn.AdaptiveMaxPool1d(3), [("distinct", (2, 3, 8))]),
    (
        "AdaptiveMaxPool2d",
        lambda nn: nn.AdaptiveMaxPool2d((3, 2), return_indices=True),
        [("distinct", (2, 3, 7, 5))],
    ),
    # -- normalization
    ("BatchNorm1d", lambda nn: nn.BatchNorm1d(3), [(X, (5, 3))]),
    ("BatchNorm1d_3d", lambda nn: nn.BatchNorm1d(3, momentum=0.3), [(X, (4, 3, 5))]),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(3), [(X, (4, 3, 5, 5))]),
    ("BatchNorm2d_noaffine", lambda nn: nn.BatchNorm2d(3, affine=False), [(X, (4, 3, 2, 2))]),
    ("BatchNorm2d_cma", lambda nn: nn.BatchNorm2d(3, momentum=None), [(X, (4, 3, 2, 2))]),
    (
        "BatchNorm2d_nostats",
        lambda nn: nn.BatchNorm2d(3, track_running_stats=False),
        [(X, (4, 3, 2, 2))],
    ),
    ("BatchNorm2d_nobias", lambda nn: nn.BatchNorm2d(3, bias=False), [(X, (4, 3, 2, 2))]),
    ("BatchNorm3d", lambda nn: nn.BatchNorm3d(2, eps=1e-3), [(X, (2, 2, 3, 2, 2))]),
    ("InstanceNorm1d", lambda nn: nn.InstanceNorm1d(3, affine=True), [(X, (2, 3, 6))]),
    ("InstanceNorm2d", lambda nn: nn.InstanceNorm2d(3), [(X, (2, 3, 4, 4))]),
    (
        "InstanceNorm2d_stats",
        lambda nn: nn.InstanceNorm2d(3, track_running_stats=True),
        [(X, (2, 3, 4, 4))],
    ),
    ("LayerNorm", lambda nn: nn.LayerNorm(5), [(X, (2, 3, 5))]),
    ("LayerNorm_2d", lambda nn: nn.LayerNorm([3, 5], eps=1e-3), [(X, (2, 3, 5))]),
    ("LayerNorm_plain", lambda nn: nn.LayerNorm(5, elementwise_affine=False), [(X, (2, 5))]),
    ("LayerNorm_nobias", lambda nn: nn.LayerNorm(5, bias=False), [(X, (2, 5))]),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4), [(X, (3, 4, 5))]),
    ("GroupNorm_plain", lambda nn: nn.GroupNorm(3, 6, affine=False), [(X, (2, 6, 2, 2))]),
    ("RMSNorm", lambda nn: nn.RMSNorm(5), [(X, (2, 3, 5))]),
    ("RMSNorm_eps", lambda nn: nn.RMSNorm([3, 5], eps=1e-3), [(X, (2, 3, 5))]),
    # -- activations
    ("ReLU", lambda nn: nn.ReLU(), [(X, (3, 4))]),
    ("ReLU6", lambda nn: nn.ReLU6(), [(X, (3, 4))]),
    ("LeakyReLU", lambda nn: nn.LeakyReLU(0.2), [(X, (3, 4))]),
    ("ELU", lambda nn: nn.ELU(0.5), [(X, (3, 4))]),
    ("SELU", lambda nn: nn.SELU(), [(X, (3, 4))]),
    ("CELU", lambda nn: nn.CELU(1.5), [(X, (3, 4))]),
    ("GELU", lambda nn: nn.GELU(), [(X, (3, 4))]),
    ("GELU_tanh", lambda nn: nn.GELU("tanh"), [(X, (3, 4))]),
    ("SiLU", lambda nn: nn.SiLU(), [(X, (3, 4))]),
    ("Mish", lambda nn: nn.Mish(), [(X, (3, 4))]),
    ("Softplus", lambda nn: nn.Softplus(2, 1), [(X, (3, 4))]),
    ("Softsign", lambda nn: nn.Softsign(), [(X, (3, 4))]),
    ("Hardtanh", lambda nn: nn.Hardtanh(-0.5, 0.8), [(X, (3, 4))]),
    ("Hardsigmoid", lambda nn: nn.Hardsigmoid(), [(X, (3, 4))]),
    ("Hardswish", lambda nn: nn.Hardswish(), [(X, (3, 4))]),
    ("Sigmoid", lambda nn: nn.Sigmoid(), [(X, (3, 4))]),
    ("Tanh", lambda nn: nn.Tanh(), [(X, (3, 4))]),
    ("LogSigmoid", lambda nn: nn.LogSigmoid(), [(X, (3, 4))]),
    ("Softmax", lambda nn: nn.Softmax(dim=1), [(X, (3, 4))]),
    ("LogSoftmax", lambda nn: nn.LogSoftmax(-1), [(X, (2, 3, 4))]),
    ("Softmin", lambda nn: nn.Softmin(0), [(X, (3, 4))]),
    ("Softmax2d", lambda nn: nn.Softmax2d(), [(X, (2, 3, 2, 2))]),
    ("GLU", lambda nn: nn.GLU(1), [(X, (3, 4))]),
    ("PReLU", lambda nn: nn.PReLU(), [(X, (3, 4))]),
    ("PReLU_channels", lambda nn: nn.PReLU(3, 0.1), [(X, (2, 3, 4))]),
    ("Threshold", lambda nn: nn.Threshold(0.1, 2.0), [(X, (3, 4))]),
    ("Tanhshrink", lambda nn: nn.Tanhshrink(), [(X, (3, 4))]),
    ("Hardshrink", lambda nn: nn.Hardshrink(0.3), [(X, (3, 4))]),
    ("Softshrink", lambda nn: nn.Softshrink(), [(X, (3, 4))]),
    # -- padding, resampling, distances, pixel shuffle, fold
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), [(X, (2, 3, 4))]),
    ("ConstantPad1d", lambda nn: nn.ConstantPad1d(2, 3.5), [(X, (2, 3, 4))]),
    ("ConstantPad3d", lambda nn: nn.ConstantPad3d(1, -1.0), [(X, (1, 2, 2, 3))]),
    ("ReflectionPad1d", lambda nn: nn.ReflectionPad1d((2, 1)), [(X, (2, 3, 4))]),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d(1), [(X, (2, 3, 4, 4))]),
    ("ReplicationPad2d", lambda nn: nn.ReplicationPad2d((1, 2, 3, 0)), [(X, (2, 3, 4, 4))]),
    ("ReplicationPad3d", lambda nn: nn.ReplicationPad3d(1), [(X, (1, 2, 2, 3, 2))]),
    ("CircularPad2d", lambda nn: nn.CircularPad2d(1), [(X, (2, 3, 4, 4))]),
    ("Upsample", lambda nn: nn.Upsample(scale_factor=2), [(X, (2, 3, 4, 4))]),
    (
        "Upsample_bilinear",
        lambda nn: nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True),
        [(X, (2, 3, 4, 4))],
    ),
    ("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(size=5), [(X, (1, 2, 3, 3))]),
    (
        "UpsamplingBilinear2d",
        lambda nn: nn.UpsamplingBilinear2d(scale_factor=2),
        [(X, (1, 2, 3, 3))],
    ),
    ("PairwiseDistance", lambda nn: nn.PairwiseDistance(), [(X, (3, 4)), (X, (3, 4))]),
    (
        "PairwiseDistance_p",
        lambda nn: nn.PairwiseDistance(1.0, keepdim=True),
        [(X, (3, 4)), (X, (3, 4))],
    ),
    ("CosineSimilarity", lambda nn: nn.CosineSimilarity(), [(X, (3, 4)), (X, (3, 4))]),
    ("CosineSimilarity_dim", lambda nn: nn.CosineSimilarity(0, 1e-3), [(X, (3, 4)), (X, (3, 4))]),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(2), [(X, (2, 8, 3, 3))]),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), [(X, (2, 2, 4, 6))]),
    ("Unfold", lambda nn: nn.Unfold(2, padding=1), [(X, (2, 3, 4, 4))]),
    ("Fold", lambda nn: nn.Fold((3, 4), 2), [(X, (2, 8, 6))]),
]

# layers whose training and eval behaviour differ
TRAIN_EVAL = {
    "BatchNorm1d",
    "BatchNorm1d_3d",
    "BatchNorm2d",
    "BatchNorm2d_noaffine",
    "BatchNorm2d_cma",
    "BatchNorm2d_nostats",
    "BatchNorm2d_nobias",
    "BatchNorm3d",
    "InstanceNorm2d_stats",
}


def _cases():
    for name, make, specs in LAYERS:
        modes = (True, False) if name in TRAIN_EVAL else (True,)
        for train in modes:
            for dtype in ("float32", "float64"):
                mode = "train" if train else "eval"
                yield pytest.param(make, specs, dtype, train, id=f"{name}-{mode}-{dtype}")


@pytest.mark.parametrize("make,specs,dtype,train", list(_cases()))
def test_layer_matches_torch(torch, make, specs, dtype, train):
    check_parity(torch, make, specs, dtype, train)


def test_batchnorm_running_stats_over_steps(torch):
    """Several training steps then eval: running statistics (momentum and cumulative average)
    and num_batches_tracked follow torch's."""
    for momentum in (0.1, None):
        t_mod, e_mod = check_parity(
            torch, lambda nn, m=momentum: nn.BatchNorm2d(3, momentum=m), [(X, (4, 3, 2, 2))]
        )
        for seed in (1, 2):
            a = draw((X, (4, 3, 2, 2)), np.random.default_rng(seed), "float32")
            t_mod(torch.from_numpy(a.copy()))
            e_mod(ember.from_numpy(a.copy()))
        assert int(e_mod.num_batches_tracked) == int(t_mod.num_batches_tracked) == 3
        assert_close(e_mod.running_mean, t_mod.running_mean, 1e-5, 1e-6)
        assert_close(e_mod.running_var, t_mod.running_var, 1e-5, 1e-6)
        t_mod.eval()
        e_mod.eval()
        assert_close(e_mod(ember.from_numpy(a)), t_mod(torch.from_numpy(a)), 1e-5, 1e-6)


def test_conv_transpose_output_size(torch):
    torch.manual_seed(0)
    t_mod = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    e_mod = ember.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    copy_state(t_mod, e_mod)
    a = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype("float32")
    out_t = t_mod(torch.from_numpy(a), output_size=[8, 8])
    out_e = e_mod(ember.from_numpy(a), output_size=[8, 8])
    assert tuple(out_e.shape) == tuple(out_t.shape) == (1, 3, 8, 8)
    assert_close(out_e, out_t, 1e-5, 1e-6)
    with pytest.raises(ValueError, match="requested an output size of"):
        e_mod(ember.from_numpy(a), output_size=[10, 10])
