"""Checkpoints both ways against PyTorch: ember-saved files in torch.load(weights_only=True),
and torch-saved files (zip and legacy) in ember.load in a process where torch is never
imported."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.nn import Parameter

SRC = str(pathlib.Path(__file__).resolve().parents[2] / "src")


# -- ember -> torch ------------------------------------------------------------------------------
def test_ember_checkpoint_loads_in_torch(tmp_path, torch):
    base = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    sd = OrderedDict(weight=ember.randn(3, 2), bias=ember.zeros(3))
    sd._metadata = OrderedDict({"": {"version": 1}})
    obj = {
        "base": base,
        "view": base[1:3, 2:5],
        "t": base.t(),
        "flipped": base.flip(1),
        "p": Parameter(ember.ones(2)),
        "sd": sd,
        "f16": ember.tensor([1.5, -2.0], dtype=ember.float16),
        "f64": ember.tensor([1.0], dtype=ember.float64),
        "i32": ember.tensor([1, -2], dtype=ember.int32),
        "i64": ember.arange(5),
        "b": ember.tensor([True, False]),
        "empty": ember.empty(0, 3),
        "scalar": ember.tensor(3),
        "nested": [1, 2.5, "x", (None, True), {"k": b"raw"}],
        "dtype": ember.float16,
        "size": ember.Size([2, 3]),
    }
    ember.save(obj, tmp_path / "e.pt")
    got = torch.load(tmp_path / "e.pt", weights_only=True)
    for key in ("base", "view", "t", "flipped", "f16", "f64", "i32", "i64", "b", "empty"):
        np.testing.assert_array_equal(got[key].numpy(), obj[key].numpy())
        assert str(got[key].dtype) == "torch." + obj[key].dtype.name
        assert got[key].stride() == obj[key].stride() or key == "flipped"
    assert got["view"].untyped_storage().data_ptr() == got["base"].untyped_storage().data_ptr()
    assert got["view"].storage_offset() == 8 and got["t"].stride() == (1, 6)
    assert type(got["p"]) is torch.nn.Parameter and got["p"].requires_grad
    assert isinstance(got["sd"], OrderedDict) and got["sd"]._metadata == {"": {"version": 1}}
    assert got["scalar"].item() == 3 and got["scalar"].dim() == 0
    assert got["nested"] == [1, 2.5, "x", (None, True), {"k": b"raw"}]
    assert got["dtype"] is torch.float16 and got["size"] == torch.Size([2, 3])


def test_ember_state_dict_drives_torch_module(tmp_path, torch):
    w1, b1 = ember.randn(8, 4), ember.randn(8)
    w2, b2 = ember.randn(3, 8), ember.randn(3)
    sd = OrderedDict([("0.weight", w1), ("0.bias", b1), ("2.weight", w2), ("2.bias", b2)])
    sd._metadata = OrderedDict((k, {"version": 1}) for k in ("", "0", "1", "2"))
    ember.save(sd, tmp_path / "mlp.pt")
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model.load_state_dict(torch.load(tmp_path / "mlp.pt", weights_only=True))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    expected = ember.nn.functional.linear(
        ember.nn.functional.linear(ember.tensor(x), w1, b1).relu(), w2, b2
    )
    with torch.no_grad():
        np.testing.assert_allclose(
            model(torch.tensor(x)).numpy(), expected.numpy(), rtol=1e-5, atol=1e-6
        )


def test_legacy_format_written_by_ember_loads_in_torch(tmp_path, torch):
    base = ember.arange(6, dtype=ember.float64).reshape(2, 3)
    ember.save(
        {"a": base, "v": base[:, 1]}, tmp_path / "l.pt", _use_new_zipfile_serialization=False
    )
    got = torch.load(tmp_path / "l.pt", weights_only=True)
    assert got["v"].tolist() == [1.0, 4.0] and got["a"].dtype == torch.float64


# -- torch -> ember, without torch -----------------------------------------------------------------
_CHILD = r"""
import json, sys
import numpy as np
import ember
from ember.nn import Parameter

out = {}
arrays = {}
for path in sys.argv[2:]:
    obj = ember.load(path)
    todo = [("", obj)]
    while todo:
        where, x = todo.pop()
        if isinstance(x, dict):
            if hasattr(x, "_metadata"):
                out[path + where + "/_metadata"] = {"meta": repr(x._metadata)}
            todo += [(f"{where}/{k}", v) for k, v in x.items()]
        elif isinstance(x, (list, tuple)):
            todo += [(f"{where}/{i}", v) for i, v in enumerate(x)]
        elif isinstance(x, ember.Tensor):
            arrays[path + where] = x.detach().numpy()
            out[path + where] = {
                "type": type(x).__name__, "dtype": x.dtype.name, "stride": list(x.stride()),
                "rg": x.requires_grad, "ptr": x.data_ptr(),
            }
        else:
            out[path + where] = {"value": repr(x)}
assert "torch" not in sys.modules, "loading imported torch"
np.savez(sys.argv[1] + ".npz", **arrays)
with open(sys.argv[1] + ".json", "w") as f:
    json.dump(out, f)
"""


def _torch_checkpoints(torch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2)
    )
    model(torch.randn(5, 3)).sum().backward()
    adam = torch.optim.Adam(model.parameters(), lr=0.01)
    adam.step()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sgd.step()
    base = torch.arange(24.0).reshape(4, 6)
    tensors = {
        "f16": torch.randn(3).half(),
        "f32": torch.randn(2, 3),
        "f64": torch.randn(2, 2).double(),
        "i64": torch.arange(5),
        "i32": torch.tensor([1, -2], dtype=torch.int32),
        "u8": torch.tensor([250, 1], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "bf16": torch.tensor([1.5, -2.25, 3.0]).bfloat16(),
        "base": base,
        "view": base[1:3, 2:5],
        "col": base[:, 4],
        "transposed": base.t(),
        "expanded": torch.ones(3, 1).expand(3, 4),
        "empty": torch.empty(0, 3),
        "scalar": torch.tensor(2.5),
        "param": torch.nn.Parameter(torch.randn(2, 2)),
        "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False),
    }
    return {
        "state_dict": model.state_dict(),
        "adam": {"model": model.state_dict(), "optimizer": adam.state_dict(), "epoch": 3},
        "sgd": sgd.state_dict(),
        "tensors": tensors,
    }


def _flatten(obj, where=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{where}/{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _flatten(v, f"{where}/{i}")
    else:
        yield where, obj


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "legacy"])
def test_torch_checkpoints_load_without_torch(tmp_path, torch, zipped):
    checkpoints = _torch_checkpoints(torch)
    paths = []
    for name, obj in checkpoints.items():
        path = str(tmp_path / f"{name}.pt")
        torch.save(obj, path, _use_new_zipfile_serialization=zipped)
        paths.append(path)
    report = str(tmp_path / "report")
    env = dict(os.environ, PYTHONPATH=SRC)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, report, *paths], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    meta = json.loads(pathlib.Path(report + ".json").read_text())
    with np.load(report + ".npz") as npz:
        arrays = dict(npz)
    checked = 0
    for name, obj in checkpoints.items():
        path = str(tmp_path / f"{name}.pt")
        for where, value in _flatten(obj):
            key = path + where
            if isinstance(value, torch.Tensor):
                info = meta[key]
                expected = value.detach().float() if value.dtype == torch.bfloat16 else value
                np.testing.assert_array_equal(arrays[key], expected.detach().numpy(), err_msg=key)
                assert info["dtype"] == str(expected.dtype).replace("torch.", "")
                assert info["rg"] == value.requires_grad, key
                assert info["type"] == (
                    "Parameter" if type(value) is not torch.Tensor else "Tensor"
                )
                if value.numel() > 1:
                    assert info["stride"] == list(value.stride()), key
                checked += 1
            else:
                assert meta[key]["value"] == repr(value), key
    assert checked > 40
    sd_meta = meta[str(tmp_path / "state_dict.pt") + "/_metadata"]["meta"]
    assert "('1', {'version': 2})" in sd_meta  # BatchNorm's version survives
    tensors = str(tmp_path / "tensors.pt")
    base, view = meta[tensors + "/base"], meta[tensors + "/view"]
    assert view["ptr"] - base["ptr"] == 8 * 4  # still a view into the same memory
    assert meta[tensors + "/expanded"]["stride"] == [1, 0]


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_torch_files_with_other_protocols_and_mmap(tmp_path, torch, protocol):
    base = torch.arange(12.0).reshape(3, 4)
    obj = {"a": base, "v": base[1:, ::2], "size": torch.Size([2, 3]), "dtype": torch.float16}
    path = tmp_path / "p.pt"
    torch.save(obj, path, pickle_protocol=protocol)
    for mmap in (False, True):
        back = ember.load(path, mmap=mmap)
        assert back["v"].tolist() == base[1:, ::2].tolist() and back["v"].stride() == (4, 2)
        assert back["size"] == ember.Size([2, 3]) and back["dtype"] is ember.float16
    torch.save(obj, path, pickle_protocol=protocol, _use_new_zipfile_serialization=False)
    assert ember.load(path)["a"].tolist() == base.tolist()
