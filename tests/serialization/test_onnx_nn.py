"""ember.onnx.export of the layers' ops: CNNs, normalization, activations, padding,
resampling and losses, run in onnxruntime against ember within 1e-5."""

from __future__ import annotations

import io

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _param(*shape, scale=0.3):
    return nn.Parameter(ember.randn(*shape) * scale)


def _check(fn, *inputs, tol=1e-5, opset=17):
    buf = io.BytesIO()
    proto = ember.onnx.export(fn, inputs, buf, opset_version=opset)
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    got = session.run(None, {n: t.numpy() for n, t in zip(names, inputs)})
    with ember.no_grad():
        expected = fn(*inputs)
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    for g, e in zip(got, expected):
        assert g.shape == tuple(e.shape) and g.dtype == e.numpy().dtype
        np.testing.assert_allclose(g, e.numpy(), rtol=tol, atol=tol)
    return proto


def _op_types(proto):
    return {n.op_type for n in proto.graph.node}


class CNN(nn.Module):
    """conv -> batch norm (eval) -> relu -> max pool -> conv -> avg pool -> adaptive pool
    -> linear, written on the functional API."""

    def __init__(self):
        super().__init__()
        self.w1, self.b1 = _param(8, 3, 3, 3), _param(8)
        self.bn_w, self.bn_b = nn.Parameter(ember.rand(8) + 0.5), _param(8)
        self.register_buffer("bn_mean", ember.randn(8) * 0.1)
        self.register_buffer("bn_var", ember.rand(8) + 0.5)
        self.w2 = _param(6, 4, 3, 3)
        self.fc = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        h = F.conv2d(x, self.w1, self.b1, padding=1)
        h = F.batch_norm(h, self.bn_mean, self.bn_var, self.bn_w, self.bn_b, training=False)
        h = F.max_pool2d(F.relu(h), 2)
        h = F.conv2d(h, self.w2, None, stride=1, padding=1, groups=2)
        h = F.avg_pool2d(h, 2, stride=1, padding=1, count_include_pad=False)
        h = F.adaptive_avg_pool2d(h, (2, 2))
        return self.fc(h.flatten(1))


def test_cnn():
    ember.manual_seed(0)
    model = CNN().eval()
    proto = _check(model, ember.randn(2, 3, 12, 12))
    assert {"Conv", "BatchNormalization", "MaxPool", "AveragePool", "Gemm"} <= _op_types(proto)
    assert "bn_mean" in {i.name for i in proto.graph.initializer}


def test_cnn_dynamic_batch():
    ember.manual_seed(0)
    model = CNN().eval()

    def f(x):
        return F.normalize(model(x), dim=1)

    buf = io.BytesIO()
    axes = {"x": {0: "batch"}, "y": {0: "batch"}}
    x = ember.randn(2, 3, 12, 12)
    ember.onnx.export(f, x, buf, input_names=["x"], output_names=["y"], dynamic_axes=axes)
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for batch in (1, 5):
        x = ember.randn(batch, 3, 12, 12)
        (got,) = session.run(None, {"x": x.numpy()})
        with ember.no_grad():
            np.testing.assert_allclose(got, f(x).numpy(), rtol=1e-5, atol=1e-5)


class LNGelu(nn.Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.ln_w, self.ln_b = nn.Parameter(ember.rand(32) + 0.5), _param(32)
        self.fc2 = nn.Linear(32, 16)
        self.approximate = approximate

    def forward(self, x):  # (B, T, 16)
        h = F.layer_norm(self.fc1(x), (32,), self.ln_w, self.ln_b)
        return x + self.fc2(F.gelu(h, approximate=self.approximate))


@pytest.mark.parametrize("opset", [13, 17, 20])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_layer_norm_gelu(opset, approximate):
    ember.manual_seed(0)
    proto = _check(LNGelu(approximate).eval(), ember.randn(2, 5, 16), opset=opset)
    ops = _op_types(proto)
    assert ("LayerNormalization" in ops) == (opset >= 17)
    assert ("Gelu" in ops) == (opset >= 20)


def test_batch_norm_training_mode_is_refused():
    mean, var = ember.zeros(3), ember.ones(3)

    def f(x):
        return F.batch_norm(x, mean, var, training=True)

    with pytest.raises(ember.onnx.OnnxExporterError, match="eval"):
        ember.onnx.export(f, ember.randn(4, 3), io.BytesIO())

    def stats_free(x):  # no running statistics: the batch's own, which ONNX can express
        return F.batch_norm(x, None, None, training=True)

    _check(stats_free, ember.randn(4, 3, 5))


ACTIVATIONS = {
    "relu6": lambda x: F.relu6(x),
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x, 0.7),
    "selu": lambda x: F.selu(x),
    "celu": lambda x: F.celu(x, 1.3),
    "silu": lambda x: F.silu(x),
    "mish": lambda x: F.mish(x),
    "softplus": lambda x: F.softplus(x, beta=2.0, threshold=3.0),
    "softsign": lambda x: F.softsign(x),
    "hardtanh": lambda x: F.hardtanh(x, -0.5, 0.7),
    "hardsigmoid": lambda x: F.hardsigmoid(x),
    "hardswish": lambda x: F.hardswish(x),
    "hardshrink": lambda x: F.hardshrink(x, 0.4),
    "softshrink": lambda x: F.softshrink(x, 0.4),
    "logsigmoid": lambda x: F.logsigmoid(x),
    "softmax": lambda x: F.softmax(x, dim=1),
    "log_softmax": lambda x: F.log_softmax(x, dim=-1),
    "softmin": lambda x: F.softmin(x, dim=1),
    "glu": lambda x: F.glu(x, dim=1),
    "threshold": lambda x: F.threshold(x, 0.1, -2.0),
    "tanh_sigmoid": lambda x: F.tanh(x) + F.sigmoid(x),
    "gelu": lambda x: F.gelu(x),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("opset", [13, 18])
def test_activations(name, opset):
    ember.manual_seed(0)
    _check(ACTIVATIONS[name], ember.randn(3, 4, 5) * 3, opset=opset)


def test_prelu_and_norms():
    ember.manual_seed(0)
    a = nn.Parameter(ember.rand(4) * 0.5)
    gw, gb = nn.Parameter(ember.rand(4) + 0.5), _param(4)
    rw = nn.Parameter(ember.rand(5) + 0.5)

    def f(x):
        y = F.prelu(x, a)
        y = F.group_norm(y, 2, gw, gb)
        y = F.rms_norm(y, (5,), rw)
        return F.normalize(y, dim=1) + F.layer_norm(x, (3, 5))

    _check(f, ember.randn(2, 4, 3, 5), tol=1e-4)


def test_conv_variants():
    ember.manual_seed(0)
    w1 = _param(4, 2, 3)
    wt = _param(3, 2, 3, 3)
    wd = _param(3, 3, 2, 2)

    def f(x1, x2):
        a = F.conv1d(x1, w1, None, stride=2, padding=2, dilation=2)
        b = F.conv_transpose2d(x2, wt, None, stride=2, padding=1, output_padding=1)
        c = F.conv2d(x2, wd, None, padding="same", dilation=2)
        return a, b, c

    _check(f, ember.randn(2, 2, 11), ember.randn(1, 3, 5, 6), tol=1e-4)


def test_pooling_variants():
    def f(x):
        v, idx = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)
        m1 = F.max_pool1d(x.flatten(2), 4)
        a = F.adaptive_max_pool2d(x, (2, 3))
        g = F.adaptive_avg_pool2d(x, 1)
        s = F.avg_pool2d(x, (2, 3), stride=(2, 1), divisor_override=5)
        return v, idx, m1, a, g, s

    _check(f, ember.randn(2, 3, 8, 9))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_modes(mode):
    def f(x):
        return F.pad(x, (1, 2, 2, 1), mode=mode, value=0.5 if mode == "constant" else None)

    _check(f, ember.randn(1, 2, 4, 5))


def test_resampling_and_shuffles():
    def f(x):
        up = F.interpolate(x, scale_factor=2, mode="nearest")
        bl = F.interpolate(x, size=(7, 5), mode="bilinear", align_corners=True)
        sh = F.pixel_shuffle(x, 2)
        un = F.pixel_unshuffle(x, 2)
        return up, bl, sh, un

    _check(f, ember.randn(2, 4, 4, 6))


def test_embedding_one_hot_and_distances():
    ember.manual_seed(0)
    table = _param(10, 4)

    def f(idx, a, b):
        e = F.embedding(idx, table)
        return e.sum(1), F.cosine_similarity(a, b), F.pairwise_distance(a, b)

    _check(f, ember.tensor([[1, 2, 3], [9, 0, 4]]), ember.randn(2, 4), ember.randn(2, 4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses(reduction):
    ember.manual_seed(0)
    w = ember.rand(5) + 0.5

    def f(logits, target, p, y):
        r = reduction
        return (
            F.cross_entropy(logits, target, weight=w, reduction=r, ignore_index=2),
            F.nll_loss(F.log_softmax(logits, 1), target, reduction=r),
            F.mse_loss(p, y, reduction=r),
            F.l1_loss(p, y, reduction=r),
            F.smooth_l1_loss(p, y, reduction=r, beta=0.5),
            F.huber_loss(p, y, reduction=r, delta=0.7),
            F.binary_cross_entropy(p.sigmoid(), y.sigmoid(), reduction=r),
            F.binary_cross_entropy_with_logits(p, y.sigmoid(), reduction=r, pos_weight=w[:3]),
            F.soft_margin_loss(p, y.sign(), reduction=r),
        )

    target = ember.tensor([0, 2, 4, 1])
    _check(f, ember.randn(4, 5), target, ember.randn(4, 3), ember.randn(4, 3), tol=1e-4)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_probabilities_and_label_smoothing(reduction):
    ember.manual_seed(0)
    w = ember.rand(5) + 0.5

    def f(logits, target, probs, image, pixels):
        r = reduction
        return (
            F.cross_entropy(logits, probs, reduction=r),
            F.cross_entropy(logits, probs, weight=w, label_smoothing=0.2, reduction=r),
            F.cross_entropy(logits, target, label_smoothing=0.1, reduction=r),
            F.cross_entropy(
                logits, target, weight=w, ignore_index=2, label_smoothing=0.3, reduction=r
            ),
            F.cross_entropy(image, pixels, weight=w, label_smoothing=0.1, reduction=r),
        )

    _check(
        f,
        ember.randn(4, 5),
        ember.tensor([0, 2, 4, 2]),
        ember.randn(4, 5).softmax(1),
        ember.randn(2, 5, 3, 2),
        ember.tensor([[[0, 1], [4, 2], [3, 3]], [[1, 1], [0, 2], [4, 0]]]),
        tol=1e-5,
    )


def test_training_dropout_is_refused():
    with pytest.raises(ember.onnx.OnnxExporterError, match="eval"):
        ember.onnx.export(lambda x: F.dropout(x, 0.5), ember.randn(3, 3), io.BytesIO())


@pytest.mark.parametrize("opset", [13, 18])
def test_unfold_and_fold(opset):
    def f(x, cols):
        a = F.unfold(x, (2, 3), dilation=(2, 1), padding=(1, 2), stride=(2, 3))
        b = F.fold(cols, (7, 6), (3, 2), dilation=(1, 2), padding=1, stride=2)
        return a, b, F.fold(F.unfold(x, 2), x.shape[2:], 2)  # blocks of a (5, 8) plane

    _check(f, ember.randn(2, 3, 5, 8), ember.randn(2, 18, 12), opset=opset)


def test_xlogy_and_kl_div():
    def f(x, y, logp, q):
        special = ember.tensor([0.0, 0.0, 0.0, 2.0, 0.5])
        at = ember.tensor([0.0, float("inf"), float("nan"), 0.0, float("nan")])
        return (
            ember.xlogy(x, y),
            ember.xlogy(special, at + y[0, :1] * 0),
            ember.xlogy(2.0, y),
            F.kl_div(logp, q, reduction="batchmean"),
        )

    x = ember.tensor([[0.0, 1.5, -2.0], [3.0, 0.0, 0.25]])
    y = ember.rand(2, 3) + 0.1
    _check(f, x, y, ember.randn(4, 3).log_softmax(-1), ember.randn(4, 3).softmax(-1))
