"""Errors and warnings of nn.functional and its layers: torch's exception types and messages
(ember may add what it expected), and the module path when raised inside a model."""

from __future__ import annotations

import warnings

import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F


def _t(lib, *shape, dtype=None):
    return lib.zeros(*shape, dtype=dtype) + 0.5


# (id, fn(lib), exception type, text both messages contain)
CASES = [
    (
        "ce_float_indices",
        lambda t: t.nn.functional.cross_entropy(_t(t, 4, 3), _t(t, 4)),
        RuntimeError,
        "expected target dtype to be Long or Byte, but got Float",
    ),
    (
        "ce_wrong_length",
        lambda t: t.nn.functional.cross_entropy(_t(t, 4, 3), t.tensor([0, 1, 2])),
        ValueError,
        "Expected input batch_size (4) to match target batch_size (3)",
    ),
    (
        "ce_out_of_range",
        lambda t: t.nn.functional.cross_entropy(_t(t, 2, 3), t.tensor([0, 5])),
        IndexError,
        "Target 5 is out of bounds.",
    ),
    (
        "ce_multi_target",
        lambda t: t.nn.functional.cross_entropy(_t(t, 4, 3), t.tensor([[0, 1]] * 4)),
        RuntimeError,
        "0D or 1D target tensor expected, multi-target not supported",
    ),
    (
        "ce_spatial_target",
        lambda t: t.nn.functional.cross_entropy(_t(t, 2, 3, 4), t.tensor([[0] * 5] * 2)),
        RuntimeError,
        "Expected target size [2, 4], got [2, 5]",
    ),
    (
        "ce_weight",
        lambda t: t.nn.functional.cross_entropy(_t(t, 2, 3), t.tensor([0, 1]), _t(t, 2)),
        RuntimeError,
        "weight tensor should be defined either for all 3 classes or no classes",
    ),
    (
        "ce_label_smoothing",
        lambda t: t.nn.functional.cross_entropy(_t(t, 2, 3), t.tensor([0, 1]), label_smoothing=1.5),
        RuntimeError,
        "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
    ),
    (
        "nll_int32_target",
        lambda t: t.nn.functional.nll_loss(_t(t, 2, 3), t.tensor([0, 1], dtype=t.int32)),
        RuntimeError,
        "expected target dtype to be Long or Byte, but got Int",
    ),
    (
        "bce_size",
        lambda t: t.nn.functional.binary_cross_entropy(_t(t, 3), _t(t, 4)),
        ValueError,
        "is different to the input size",
    ),
    (
        "bce_range",
        lambda t: t.nn.functional.binary_cross_entropy(_t(t, 3) * 3, _t(t, 3)),
        RuntimeError,
        "all elements of input should be between 0 and 1",
    ),
    (
        "bce_logits_size",
        lambda t: t.nn.functional.binary_cross_entropy_with_logits(_t(t, 3), _t(t, 4)),
        ValueError,
        "must be the same as input size",
    ),
    (
        "conv_channels",
        lambda t: t.nn.functional.conv2d(_t(t, 2, 4, 5, 5), _t(t, 6, 3, 3, 3)),
        RuntimeError,
        "Given groups=1, weight of size [6, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 "
        "channels, but got 4 channels instead",
    ),
    (
        "conv_kernel_too_big",
        lambda t: t.nn.functional.conv2d(_t(t, 1, 1, 3, 3), _t(t, 1, 1, 5, 5)),
        RuntimeError,
        "Kernel size can't be greater than actual input size",
    ),
    (
        "conv_dims",
        lambda t: t.nn.functional.conv2d(_t(t, 5, 5), _t(t, 1, 1, 3, 3)),
        RuntimeError,
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [5, 5]",
    ),
    (
        "conv_same_strided",
        lambda t: t.nn.functional.conv2d(
            _t(t, 1, 1, 5, 5), _t(t, 1, 1, 3, 3), stride=2, padding="same"
        ),
        RuntimeError,
        "padding='same' is not supported for strided convolutions",
    ),
    (
        "conv_bias",
        lambda t: t.nn.functional.conv2d(_t(t, 1, 1, 5, 5), _t(t, 2, 1, 3, 3), _t(t, 3)),
        RuntimeError,
        "expected bias to be 1-dimensional with 2 elements, but got bias of size [3] instead",
    ),
    (
        "conv_dtype",
        lambda t: t.nn.functional.conv2d(_t(t, 1, 1, 5, 5, dtype=t.float64), _t(t, 2, 1, 3, 3)),
        RuntimeError,
        "expected scalar type Double but found Float",
    ),
    (
        "conv_transpose_output_padding",
        lambda t: t.nn.functional.conv_transpose2d(
            _t(t, 1, 1, 3, 3), _t(t, 1, 1, 3, 3), stride=2, output_padding=2
        ),
        RuntimeError,
        "output padding must be smaller than either stride or dilation",
    ),
    (
        "pool_pad",
        lambda t: t.nn.functional.max_pool2d(_t(t, 1, 1, 5, 5), 2, padding=2),
        RuntimeError,
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2",
    ),
    (
        "pool_too_small",
        lambda t: t.nn.functional.avg_pool2d(_t(t, 1, 3, 5, 5), 7),
        RuntimeError,
        "Given input size: (3x5x5). Calculated output size: (3x0x0). Output size is too small",
    ),
    (
        "pool_dims",
        lambda t: t.nn.functional.max_pool2d(_t(t, 5, 5), 2),
        RuntimeError,
        "non-empty 3D or 4D (batch mode) tensor expected for input",
    ),
    (
        "adaptive_size",
        lambda t: t.nn.functional.adaptive_avg_pool2d(_t(t, 1, 1, 5, 5), (2, 3, 4)),
        RuntimeError,
        "adaptive_avg_pool2d: output_size must be 2",
    ),
    (
        "layer_norm_shape",
        lambda t: t.nn.functional.layer_norm(_t(t, 2, 3, 4), (5,)),
        RuntimeError,
        "Given normalized_shape=[5], expected input with shape [*, 5], but got input of "
        "size[2, 3, 4]",
    ),
    (
        "group_norm_groups",
        lambda t: t.nn.functional.group_norm(_t(t, 2, 3, 4), 2),
        RuntimeError,
        "Expected number of channels in input to be divisible by num_groups, but got input "
        "of shape [2, 3, 4] and num_groups=2",
    ),
    (
        "batch_norm_one_value",
        lambda t: t.nn.functional.batch_norm(_t(t, 1, 3), None, None, training=True),
        ValueError,
        "Expected more than 1 value per channel when training",
    ),
    (
        "glu_odd",
        lambda t: t.nn.functional.glu(_t(t, 2, 3), 1),
        RuntimeError,
        "Halving dimension must be even, but dimension 1 is size 3",
    ),
    (
        "prelu_channels",
        lambda t: t.nn.functional.prelu(_t(t, 2, 3), _t(t, 2)),
        RuntimeError,
        "Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 "
        "and channel size = 3.",
    ),
    (
        "pad_odd",
        lambda t: t.nn.functional.pad(_t(t, 2, 3), (1,)),
        RuntimeError,
        "Padding length must be divisible by 2",
    ),
    (
        "pad_reflect_too_big",
        lambda t: t.nn.functional.pad(_t(t, 1, 1, 3, 4), (4, 4, 1, 1), mode="reflect"),
        RuntimeError,
        "Argument #4: Padding size should be less than the corresponding input dimension, but "
        "got: padding (4, 4) at dimension 3 of input [1, 1, 3, 4]",
    ),
    (
        "pad_mode",
        lambda t: t.nn.functional.pad(_t(t, 1, 1, 3, 4), (1, 1), mode="foo"),
        NotImplementedError,
        "Unrecognised padding mode foo",
    ),
    (
        "pad_reflect_1d_input",
        lambda t: t.nn.functional.pad(_t(t, 4), (1, 1), mode="reflect"),
        NotImplementedError,
        "Padding size 2 is not supported for 1D input tensor.",
    ),
    (
        "interpolate_both",
        lambda t: t.nn.functional.interpolate(_t(t, 1, 1, 2, 2), size=3, scale_factor=2),
        ValueError,
        "only one of size or scale_factor should be defined",
    ),
    (
        "interpolate_align_corners",
        lambda t: t.nn.functional.interpolate(_t(t, 1, 1, 2, 2), size=3, align_corners=True),
        ValueError,
        "align_corners option can only be set with the interpolating modes",
    ),
    (
        "interpolate_linear_4d",
        lambda t: t.nn.functional.interpolate(_t(t, 1, 1, 2, 2), size=3, mode="linear"),
        NotImplementedError,
        "Got 4D input, but linear mode needs 3D input",
    ),
    (
        "pixel_shuffle",
        lambda t: t.nn.functional.pixel_shuffle(_t(t, 1, 3, 2, 2), 2),
        RuntimeError,
        "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
        "of upscale_factor",
    ),
    (
        "conv_module_groups",
        lambda t: t.nn.Conv2d(3, 4, 3, groups=2),
        ValueError,
        "in_channels must be divisible by groups",
    ),
    (
        "conv_module_padding",
        lambda t: t.nn.Conv2d(3, 4, 3, padding="foo"),
        ValueError,
        "Invalid padding string 'foo'",
    ),
    (
        "conv_transpose_mode",
        lambda t: t.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"),
        ValueError,
        'Only "zeros" padding mode is supported for ConvTranspose2d',
    ),
    (
        "cosine_embedding_target_dims",
        lambda t: t.nn.functional.cosine_embedding_loss(_t(t, 4, 3, 2), _t(t, 4, 3, 2), _t(t, 4)),
        RuntimeError,
        "1D target tensor expects 2D input tensors, but found inputs with sizes [4, 3, 2] and "
        "[4, 3, 2].",
    ),
    (
        "cosine_embedding_0d_target",
        lambda t: t.nn.functional.cosine_embedding_loss(_t(t, 4, 3), _t(t, 4, 3), _t(t, 1)[0]),
        RuntimeError,
        "0D target tensor expects 1D input tensors, but found inputs with sizes [4, 3] and [4, 3].",
    ),
    (
        "cosine_embedding_multi_target",
        lambda t: t.nn.functional.cosine_embedding_loss(_t(t, 4, 3), _t(t, 4, 3), _t(t, 4, 3)),
        RuntimeError,
        "0D or 1D target tensor expected, multi-target not supported",
    ),
    (
        "conv_fewer_filters_than_groups",
        lambda t: t.nn.functional.conv2d(_t(t, 1, 6, 4, 4), _t(t, 2, 2, 3, 3), groups=3),
        RuntimeError,
        "Given groups=3, expected weight to be at least 3 at dimension 0, but got weight of size "
        "[2, 2, 3, 3] instead",
    ),
    (
        "fold_channels",
        lambda t: t.nn.functional.fold(_t(t, 1, 5, 9), (4, 4), 2),
        RuntimeError,
        "but got input.size(1)=5 and kernel_size=(2, 2).",
    ),
    (
        "adaptive_avg_negative",
        lambda t: t.nn.functional.adaptive_avg_pool2d(_t(t, 1, 1, 4, 4), (2, -1)),
        RuntimeError,
        "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
        "received {2, -1}",
    ),
    (
        "adaptive_max_negative",
        lambda t: t.nn.functional.adaptive_max_pool2d(_t(t, 3, 4, 4), -1),
        RuntimeError,
        "Trying to create tensor with negative dimension -1: [3, -1, -1]",
    ),
    (
        "batchnorm_dims",
        lambda t: t.nn.BatchNorm2d(3)(_t(t, 2, 3)),
        ValueError,
        "expected 4D input (got 2D input)",
    ),
    (
        "groupnorm_module",
        lambda t: t.nn.GroupNorm(3, 4),
        ValueError,
        "num_channels (4) must be divisible by num_groups (3)",
    ),
]


@pytest.mark.parametrize("fn,exc,text", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_errors_match_torch(torch, fn, exc, text):
    with pytest.raises(exc) as e_info:
        fn(ember)
    assert text in str(e_info.value)
    with pytest.raises(exc) as t_info:
        fn(torch)
    assert text in str(t_info.value)


@pytest.mark.parametrize("fn,exc,text", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_errors_without_torch(fn, exc, text):
    with pytest.raises(exc, match=None) as info:
        fn(ember)
    assert text in str(info.value)


def test_cross_entropy_float_indices_says_what_was_expected():
    with pytest.raises(RuntimeError) as info:
        F.cross_entropy(ember.randn(4, 3), ember.tensor([0.0, 1.0, 2.0, 1.0]))
    msg = str(info.value)
    assert "class indices of dtype Long and shape [4]" in msg
    assert "class probabilities of dtype Float and shape [4, 3]" in msg
    assert "target of shape [4]" in msg


class _Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.head = nn.Linear(4, 2)
        self.loss = nn.CrossEntropyLoss()

    def forward(self, x, y):
        h = self.conv(x).mean((2, 3))
        return self.loss(self.head(h), y)


def test_loss_error_names_module_path_and_shapes():
    model = _Classifier()
    x = ember.randn(4, 3, 5, 5)
    with pytest.raises(ValueError) as info:
        model(x, ember.tensor([0, 1, 1]))
    msg = str(info.value)
    assert msg.startswith("_Classifier.loss (CrossEntropyLoss)")
    assert "Expected input batch_size (4) to match target batch_size (3)" in msg
    assert "(4, 2)" in msg and "(3,)" in msg
    with pytest.raises(RuntimeError) as info:
        model(x, ember.tensor([0.0, 1.0, 1.0, 0.0]))
    msg = str(info.value)
    assert msg.startswith("_Classifier.loss (CrossEntropyLoss)")
    assert "expected target dtype to be Long or Byte, but got Float" in msg


def test_conv_error_names_module_path():
    model = _Classifier()
    with pytest.raises(RuntimeError) as info:
        model(ember.randn(4, 2, 5, 5), ember.tensor([0, 1, 1, 0]))
    msg = str(info.value)
    assert msg.startswith("_Classifier.conv (Conv2d")
    assert "expected input[4, 2, 5, 5] to have 3 channels, but got 2 channels instead" in msg


def test_softmax_implicit_dim_warns_at_the_caller():
    x = ember.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax") as record:
        out = F.softmax(x)
    assert record[0].filename == __file__
    assert_rows_sum_to_one(out, 1)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        F.log_softmax(ember.randn(3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(ember.randn(2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        nn.Softmax()(x)


def assert_rows_sum_to_one(out, dim):
    sums = out.sum(dim).numpy()
    assert abs(sums - 1).max() < 1e-6


def test_softmax_implicit_dim_matches_torch(torch):
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        x = ember.randn(*shape)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = F.softmax(x)
            theirs = torch.nn.functional.softmax(torch.tensor(x.numpy()))
        assert abs(ours.numpy() - theirs.numpy()).max() < 1e-6


def test_mse_broadcast_warning_points_at_caller():
    with pytest.warns(UserWarning, match=r"target size \(ember.Size\(\[5\]\)\)") as record:
        F.mse_loss(ember.randn(5, 1), ember.randn(5))
    assert record[0].filename == __file__


def _ints(lib, *shape):
    return lib.ones(*shape, dtype=lib.int64)


# integer inputs: torch refuses them with its kernel's name (or keeps the dtype: hardtanh)
INT_INPUTS = {
    "leaky_relu": lambda t: t.nn.functional.leaky_relu(_ints(t, 3)),
    "elu": lambda t: t.nn.functional.elu(_ints(t, 3)),
    "selu": lambda t: t.nn.functional.selu(_ints(t, 3)),
    "celu": lambda t: t.nn.functional.celu(_ints(t, 3)),
    "silu": lambda t: t.nn.functional.silu(_ints(t, 3)),
    "mish": lambda t: t.nn.functional.mish(_ints(t, 3)),
    "softplus": lambda t: t.nn.functional.softplus(_ints(t, 3)),
    "hardsigmoid": lambda t: t.nn.functional.hardsigmoid(_ints(t, 3)),
    "hardswish": lambda t: t.nn.functional.hardswish(_ints(t, 3)),
    "logsigmoid": lambda t: t.nn.functional.logsigmoid(_ints(t, 3)),
    "hardshrink": lambda t: t.nn.functional.hardshrink(_ints(t, 3)),
    "softshrink": lambda t: t.nn.functional.softshrink(_ints(t, 3)),
    "glu": lambda t: t.nn.functional.glu(_ints(t, 4)),
    "prelu": lambda t: t.nn.functional.prelu(_ints(t, 3), _ints(t, 1)),
    "hardtanh": lambda t: t.nn.functional.hardtanh(t.tensor([-3, 0, 3])),
    "relu6": lambda t: t.nn.functional.relu6(t.tensor([-3, 0, 9])),
    "dropout": lambda t: t.nn.functional.dropout(_ints(t, 3), 0.5),
    "dropout_bool": lambda t: t.nn.functional.dropout(t.tensor([True]), 0.5),
    "dropout2d": lambda t: t.nn.functional.dropout2d(_ints(t, 1, 2, 2, 2), 0.5),
    "batch_norm": lambda t: t.nn.functional.batch_norm(_ints(t, 3, 2), None, None, training=True),
    "layer_norm": lambda t: t.nn.functional.layer_norm(_ints(t, 3, 2), (2,)),
    "group_norm": lambda t: t.nn.functional.group_norm(_ints(t, 3, 2), 1),
    "rms_norm": lambda t: t.nn.functional.rms_norm(_ints(t, 3, 2), (2,)),
    "mse_loss": lambda t: t.nn.functional.mse_loss(_ints(t, 2, 3), _ints(t, 2, 3)),
    "smooth_l1_loss": lambda t: t.nn.functional.smooth_l1_loss(_ints(t, 2, 3), _ints(t, 2, 3)),
    "huber_loss": lambda t: t.nn.functional.huber_loss(_ints(t, 2, 3), _ints(t, 2, 3)),
    "cross_entropy": lambda t: t.nn.functional.cross_entropy(_ints(t, 2, 3), t.tensor([0, 1])),
    "cross_entropy_3d": lambda t: t.nn.functional.cross_entropy(_ints(t, 2, 3, 4), _ints(t, 2, 4)),
    "nll_loss": lambda t: t.nn.functional.nll_loss(_ints(t, 2, 3), t.tensor([0, 1])),
}


@pytest.mark.parametrize("fn", list(INT_INPUTS.values()), ids=list(INT_INPUTS))
def test_integer_inputs_as_torch(torch, fn):
    def run(lib):
        try:
            out = fn(lib)
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__, str(exc)
        return str(out.dtype).split(".")[-1], out.tolist()

    assert run(ember) == run(torch)
