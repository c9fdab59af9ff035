"""Every layer's state_dict both ways: saved by ember, loaded by torch (weights_only=True) into
the torch layer, and the reverse; the two layers then give the same outputs."""

from __future__ import annotations

import importlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import ember


@dataclass
class Row:
    name: str
    make: Callable  # make(nn) -> module, for nn = ember.nn or torch.nn
    inputs: tuple  # shapes; a ("int", high, shape) tuple draws integers
    tol: float = 1e-5


ROWS = [
    Row("Linear", lambda nn: nn.Linear(4, 3), ((2, 4),)),
    Row("Linear-nobias", lambda nn: nn.Linear(4, 3, bias=False), ((5, 4),)),
    Row("Bilinear", lambda nn: nn.Bilinear(3, 2, 4), ((5, 3), (5, 2))),
    Row("Embedding", lambda nn: nn.Embedding(10, 3, padding_idx=0), (("int", 10, (4, 2)),)),
    Row(
        "Sequential",
        lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.Dropout(0.5), nn.Linear(5, 2)),
        ((3, 2, 3),),
    ),
    Row("ModuleDict-ModuleList-buffer", lambda nn: _nested(nn), ((2, 3),)),
    # the layers of the nn issue that land later take part as soon as ember.nn has them
    Row("Conv1d", lambda nn: nn.Conv1d(2, 3, 3, padding=1), ((2, 2, 7),), 1e-4),
    Row("Conv2d", lambda nn: nn.Conv2d(2, 4, 3, stride=2, padding=1), ((2, 2, 6, 6),), 1e-4),
    Row("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(2, 3, 3, stride=2), ((1, 2, 4, 4),), 1e-4),
    Row("BatchNorm1d", lambda nn: _trained_bn(nn.BatchNorm1d(3), (4, 3)), ((4, 3),)),
    Row("BatchNorm2d", lambda nn: _trained_bn(nn.BatchNorm2d(3), (2, 3, 4, 4)), ((2, 3, 4, 4),)),
    Row("LayerNorm", lambda nn: nn.LayerNorm(5), ((2, 5),)),
    Row("GroupNorm", lambda nn: nn.GroupNorm(2, 4), ((2, 4, 3),)),
    Row("PReLU", lambda nn: nn.PReLU(3), ((2, 3),)),
    Row("RMSNorm", lambda nn: nn.RMSNorm(5, eps=1e-6), ((2, 5),)),
    Row(
        "Conv2d-reflect",
        lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
        ((1, 2, 5, 5),),
        1e-4,
    ),
    Row("Conv3d", lambda nn: nn.Conv3d(2, 3, 2, stride=(1, 2, 1)), ((1, 2, 4, 5, 3),), 1e-4),
    Row("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(2, 3, 3, stride=2), ((2, 2, 5),), 1e-4),
    Row("ConvTranspose3d", lambda nn: nn.ConvTranspose3d(2, 2, 2), ((1, 2, 2, 3, 2),), 1e-4),
    Row(
        "BatchNorm3d",
        lambda nn: _trained_bn(nn.BatchNorm3d(2), (3, 2, 2, 2, 2)),
        ((2, 2, 3, 2, 2),),
    ),
    Row(
        "InstanceNorm1d-tracked",
        lambda nn: _trained_bn(
            nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 6)
        ),
        ((2, 3, 6),),
    ),
    Row("InstanceNorm2d-affine", lambda nn: nn.InstanceNorm2d(3, affine=True), ((2, 3, 4, 4),)),
    Row(
        "InstanceNorm3d-tracked",
        lambda nn: _trained_bn(nn.InstanceNorm3d(2, track_running_stats=True), (2, 2, 3, 2, 2)),
        ((2, 2, 3, 2, 2),),
    ),
    Row("LayerNorm-nobias", lambda nn: nn.LayerNorm((2, 5), bias=False), ((3, 2, 5),)),
    # losses keep their class weights as buffers
    Row(
        "CrossEntropyLoss-weight",
        lambda nn: nn.CrossEntropyLoss(weight=_lib(nn).tensor([0.5, 1.0, 2.0, 1.5])),
        ((3, 4), ("int", 4, (3,))),
    ),
    Row(
        "NLLLoss-weight",
        lambda nn: nn.NLLLoss(weight=_lib(nn).tensor([0.5, 1.0, 2.0, 1.5]), ignore_index=1),
        ((3, 4), ("int", 4, (3,))),
    ),
    Row(
        "BCELoss-weight",
        lambda nn: nn.BCELoss(weight=_lib(nn).tensor([0.5, 2.0])),
        (("prob", (3, 2)), ("prob", (3, 2))),
    ),
    Row(
        "BCEWithLogitsLoss-weights",
        lambda nn: nn.BCEWithLogitsLoss(
            weight=_lib(nn).tensor([0.5, 2.0]), pos_weight=_lib(nn).tensor([3.0, 0.25])
        ),
        ((3, 2), ("prob", (3, 2))),
    ),
]

# the layers of ember.nn that hold no parameters or buffers: nothing to save (a new layer of
# ember.nn must be added to ROWS, or here)
STATELESS = """
    AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d
    AlphaDropout AvgPool1d AvgPool2d AvgPool3d CELU CircularPad1d CircularPad2d CircularPad3d
    ConstantPad1d ConstantPad2d ConstantPad3d CosineEmbeddingLoss CosineSimilarity Dropout
    Dropout1d Dropout2d Dropout3d ELU FeatureAlphaDropout Flatten Fold GELU GLU GaussianNLLLoss
    Hardshrink Hardsigmoid Hardswish Hardtanh HingeEmbeddingLoss HuberLoss Identity KLDivLoss
    L1Loss LeakyReLU LogSigmoid LogSoftmax MSELoss MarginRankingLoss MaxPool1d MaxPool2d
    MaxPool3d MaxUnpool2d Mish PairwiseDistance PixelShuffle PixelUnshuffle PoissonNLLLoss ReLU
    ReLU6 ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d
    ReplicationPad3d SELU SiLU Sigmoid SmoothL1Loss SoftMarginLoss Softmax Softmax2d Softmin
    Softplus Softshrink Softsign Tanh Tanhshrink Threshold TripletMarginLoss Unflatten Unfold
    Upsample UpsamplingBilinear2d UpsamplingNearest2d ZeroPad1d ZeroPad2d ZeroPad3d
""".split()
CONTAINERS = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


def _lib(nn):
    """ember or torch, from its nn module."""
    return importlib.import_module(nn.__name__.partition(".")[0])


def _nested(nn):
    class Nested(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
            self.heads = nn.ModuleDict({"a": nn.Linear(3, 2)})
            self.register_buffer("scale", _lib(nn).full((2,), 2.5))
            self.register_buffer("scratch", _lib(nn).zeros(1), persistent=False)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x) * self.scale

    return Nested()


def _trained_bn(bn, shape):
    """Running statistics that are not the defaults, so the buffers matter."""
    bn.train()
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32) * 3 + 1
    lib = ember if isinstance(bn, ember.nn.Module) else importlib.import_module("torch")
    bn(lib.tensor(x))
    return bn


def _available(row) -> bool:
    try:
        row.make(ember.nn)
    except AttributeError:
        return False
    return True


def _inputs(row, lib):
    rng = np.random.default_rng(0)
    out = []
    for spec in row.inputs:
        if spec[0] == "int":
            out.append(lib.tensor(rng.integers(0, spec[1], spec[2])))
        elif spec[0] == "prob":
            out.append(lib.tensor(rng.uniform(0.05, 0.95, spec[1]).astype(np.float32)))
        else:
            out.append(lib.tensor(rng.standard_normal(spec).astype(np.float32)))
    return out


def _first(y):
    return y[0] if isinstance(y, tuple) else y


def _compare(row, ember_module, torch_module, torch):
    ember_module.eval()
    torch_module.eval()
    with torch.no_grad():
        expected = _first(torch_module(*_inputs(row, torch))).numpy()
    with ember.no_grad():
        got = _first(ember_module(*_inputs(row, ember))).numpy()
    np.testing.assert_allclose(got, expected, rtol=row.tol, atol=row.tol)


def test_every_layer_with_state_has_a_row():
    covered = {
        type(m).__name__ for row in ROWS if _available(row) for m in row.make(ember.nn).modules()
    }
    layers = {
        name
        for name in dir(ember.nn)
        if isinstance(getattr(ember.nn, name), type)
        and issubclass(getattr(ember.nn, name), ember.nn.Module)
    }
    missing = sorted(layers - covered - set(STATELESS) - CONTAINERS)
    assert not missing, f"ember.nn layers with neither a row nor a place in STATELESS: {missing}"
    assert set(STATELESS) <= layers


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_ember_state_dict_loads_in_torch(tmp_path, torch, row):
    if not _available(row):
        pytest.skip(f"ember.nn has no {row.name} yet")
    ember.manual_seed(0)
    mine = row.make(ember.nn)
    ember.save(mine.state_dict(), tmp_path / "sd.pt")
    theirs = row.make(torch.nn)
    state = torch.load(tmp_path / "sd.pt", weights_only=True)
    assert list(state) == list(theirs.state_dict())
    assert state._metadata.keys() == theirs.state_dict()._metadata.keys()
    theirs.load_state_dict(state)
    _compare(row, mine, theirs, torch)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_torch_state_dict_loads_in_ember(tmp_path, torch, row):
    if not _available(row):
        pytest.skip(f"ember.nn has no {row.name} yet")
    torch.manual_seed(0)
    theirs = row.make(torch.nn)
    torch.save(theirs.state_dict(), tmp_path / "sd.pt")
    mine = row.make(ember.nn)
    mine.load_state_dict(ember.load(tmp_path / "sd.pt"))
    _compare(row, mine, theirs, torch)


def test_state_dict_safetensors_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    from ember.serialization import load_file, save_file

    a = _nested(ember.nn)
    save_file(a.state_dict(), tmp_path / "m.safetensors")
    b = _nested(ember.nn)
    b.load_state_dict(load_file(tmp_path / "m.safetensors"))
    x = ember.randn(2, 3)
    with ember.no_grad():
        np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


def test_whole_module_needs_weights_only_false(tmp_path):
    model = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.Dropout(0.1))
    ember.save(model, tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError, match="global 'ember.nn.modules.container"):
        ember.load(tmp_path / "model.pt")
    with pytest.warns(UserWarning, match="run any code"):
        back = ember.load(tmp_path / "model.pt", weights_only=False)
    assert type(back) is ember.nn.Sequential and type(back[0].weight) is ember.nn.Parameter
    x = ember.randn(4, 3)
    with ember.no_grad():
        np.testing.assert_array_equal(back.eval()(x).numpy(), model.eval()(x).numpy())


def test_whole_torch_module_loads_as_ember_classes(tmp_path, torch):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    torch.save(theirs, tmp_path / "full.pt")
    with pytest.warns(UserWarning, match="run any code"):
        mine = ember.load(tmp_path / "full.pt", weights_only=False)
    assert type(mine) is ember.nn.Sequential and type(mine[1]) is ember.nn.Linear
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad(), ember.no_grad():
        np.testing.assert_allclose(
            mine(ember.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6
        )
    torch.save(torch.nn.LSTM(2, 3), tmp_path / "missing.pt")  # not a layer of ember's
    if not hasattr(ember.nn, "LSTM"):
        with pytest.warns(UserWarning), pytest.raises(pickle.UnpicklingError, match="LSTM"):
            ember.load(tmp_path / "missing.pt", weights_only=False)
