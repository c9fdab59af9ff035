"""ember.onnx.export: traced models run in onnxruntime and agree with ember within 1e-5."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _run_onnx(model_bytes, feeds):
    session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _check(model, *inputs, tol=1e-5, **export_kwargs):
    """Export ``model``, run it in onnxruntime, compare with ember; returns the proto."""
    buf = io.BytesIO()
    proto = ember.onnx.export(model, inputs, buf, **export_kwargs)
    names = [i.name for i in proto.graph.input][: len(inputs)]
    feeds = {n: t.detach().numpy() for n, t in zip(names, inputs)}
    got = _run_onnx(buf.getvalue(), feeds)
    with ember.no_grad():
        expected = model(*inputs)
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == tuple(e.shape) and g.dtype == e.numpy().dtype
        np.testing.assert_allclose(g, e.numpy(), rtol=tol, atol=tol)
    return proto


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def test_mlp(tmp_path):
    ember.manual_seed(0)
    model = MLP().eval()
    proto = _check(model, ember.randn(5, 6), input_names=["x"], output_names=["logp"])
    assert [i.name for i in proto.graph.initializer][:4] == [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert proto.ir_version == 8 and proto.opset_import[0].version == 17
    assert [i.name for i in proto.graph.input] == ["x"]
    assert [o.name for o in proto.graph.output] == ["logp"]
    ember.onnx.export(model, ember.randn(5, 6), tmp_path / "mlp.onnx")
    assert onnx.load(tmp_path / "mlp.onnx").graph.node


def test_dynamic_batch():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 5)).eval()
    buf = io.BytesIO()
    ember.onnx.export(
        model,
        (ember.randn(2, 3, 4),),
        buf,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
    )
    dim = onnx.load_from_string(buf.getvalue()).graph.input[0].type.tensor_type.shape.dim[0]
    assert dim.dim_param == "batch"
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((batch, 3, 4)).astype(np.float32)
        (got,) = _run_onnx(buf.getvalue(), {"x": x})
        with ember.no_grad():
            np.testing.assert_allclose(got, model(ember.tensor(x)).numpy(), rtol=1e-5, atol=1e-5)


class Kitchen(nn.Module):
    """Many of the core ops in one forward pass."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)
        self.register_buffer("scale", ember.linspace(0.5, 1.5, 8))

    def forward(self, x, y):
        h = self.proj(x) * self.scale  # (B, T, 8)
        h = h.reshape(h.shape[0], h.shape[1], 2, 4).permute(0, 2, 1, 3)  # (B, 2, T, 4)
        att = (h @ h.transpose(-2, -1)) / 2.0  # (B, 2, T, T)
        att = att.softmax(-1)
        mixed = (att @ h).transpose(1, 2).reshape(x.shape)  # (B, T, 8)
        parts = mixed.chunk(2, dim=-1)
        z = ember.cat([parts[1], parts[0].tanh(), y[:, :, :2].sigmoid()], dim=-1)
        z = z - z.mean(dim=-1, keepdim=True)
        z = z / (z.var(dim=-1, keepdim=True, unbiased=False) + 1e-5).sqrt()
        stats = ember.stack([z.amax(-1), z.std(-1), z.sum(-1), z.abs().max(dim=-1).values], -1)
        w = ember.where(y[..., :1] > 100.0, y[..., :1], z[..., 1:2].clamp(-0.5, 0.5))
        e = ember.einsum("btc,btc->bt", z, z).unsqueeze(-1)
        tail = (x[:, -1] ** 2).exp().log1p() + x[:, 0].flip(-1).cumsum(-1)
        return ember.cat([stats, w, e.sqrt(), z[:, :, ::3]], -1), tail.squeeze()


def test_core_ops_kitchen_sink():
    ember.manual_seed(0)
    model = Kitchen().eval()
    _check(model, ember.randn(2, 5, 8), ember.randn(2, 5, 3), tol=1e-4)


@pytest.mark.parametrize("opset", [13, 17, 18, 21])
def test_opsets(opset):
    ember.manual_seed(0)

    def f(x):
        return x.mean(1, keepdim=True) + x.amax(0) - x.logsumexp(1).unsqueeze(1) + x.sum()

    proto = _check(f, ember.randn(3, 4), opset_version=opset)
    assert proto.opset_import[0].version == opset


def test_every_view_form_exports():
    """Each way of reaching a view node (the squeeze forms, expand to the tensor's own shape)
    has a translation: a new view class without one broke the CNN export once."""

    def f(x):
        a = x.unsqueeze(1).squeeze(1)  # SqueezeDim
        b = x.unsqueeze(0).unsqueeze(2).squeeze((0, 2))  # SqueezeDims
        c = x.unsqueeze(0).squeeze()  # Squeeze
        d = x.expand(3, 4)  # ExpandSame
        return a + b * c - d.view(12).reshape(3, 4)

    _check(f, ember.randn(3, 4))


def test_in_place_ops_are_followed():
    def f(x):
        y = x * 2
        y.relu_()
        y.add_(1.0)
        y += x
        return y.mul_(3)

    _check(f, ember.randn(4, 3))


def test_embedding_and_integer_inputs():
    ember.manual_seed(0)
    emb = nn.Embedding(10, 4).eval()

    def f(idx, x):
        return emb(idx).sum(1) + x

    _check(f, ember.tensor([[1, 2, 3], [4, 0, 9]]), ember.randn(2, 4))


def test_unsupported_op_is_named():
    def f(x):
        return x.sort(dim=-1).values + 1

    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="SortValues.*SortBackward0"):
        ember.onnx.export(f, ember.randn(3, 4), io.BytesIO())


def test_computation_outside_the_trace_is_refused():
    def via_numpy(x):
        return x + ember.tensor(x.detach().numpy() * 2)

    with pytest.raises(ember.onnx.OnnxExporterError, match="outside ember's recorded ops"):
        ember.onnx.export(via_numpy, ember.randn(3), io.BytesIO())

    def via_comparison(x):
        return x * (x > 0).float()

    with pytest.raises(ember.onnx.OnnxExporterError, match="comparison"):
        ember.onnx.export(via_comparison, ember.randn(3), io.BytesIO())


def test_dropout_must_be_in_eval_mode():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    with pytest.raises(ember.onnx.OnnxExporterError, match="eval"):
        ember.onnx.export(model.train(), ember.randn(2, 3), io.BytesIO())
    _check(model.eval(), ember.randn(2, 3))


def test_export_does_not_change_the_model():
    ember.manual_seed(0)
    model = MLP().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ember.onnx.export(model, ember.randn(2, 6), io.BytesIO())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy())
    assert not ember.onnx.is_in_onnx_export()


def test_bad_arguments():
    with pytest.raises(ValueError, match="opset"):
        ember.onnx.export(MLP(), ember.randn(1, 6), io.BytesIO(), opset_version=9)
    with pytest.raises(ValueError, match="dynamic_axes"):
        ember.onnx.export(MLP(), ember.randn(1, 6), io.BytesIO(), dynamic_axes={"z": [0]})


def test_missing_onnx_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'ember\[onnx\]'"):
        ember.onnx.export(MLP(), ember.randn(1, 6), io.BytesIO())
