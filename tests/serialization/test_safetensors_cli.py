"""safetensors files through ember.serialization.save_file/load_file, and the `ember inspect`
and `ember convert` commands."""

from __future__ import annotations

import sys
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.cli import main as ember_main
from ember.serialization import load_file, save_file

pytest.importorskip("safetensors")


def _tensors():
    base = ember.arange(12, dtype=ember.float32).reshape(3, 4)
    return {
        "base": base,
        "transposed": base.t(),  # strided: the package alone would scramble it
        "sliced": base[:, 1::2],
        "flipped": base.flip(0),
        "f16": ember.tensor([0.5, -1.0], dtype=ember.float16),
        "f64": ember.tensor([[1.0, 2.0]], dtype=ember.float64),
        "i64": ember.arange(4),
        "u8": ember.tensor([1, 255], dtype=ember.uint8),
        "bool": ember.tensor([True, False]),
        "scalar": ember.tensor(2.5),
        "empty": ember.empty(0, 2),
    }


def test_round_trip_keeps_values_of_strided_tensors(tmp_path):
    tensors = _tensors()
    save_file(tensors, tmp_path / "t.safetensors", metadata={"format": "pt"})
    back = load_file(tmp_path / "t.safetensors")
    assert sorted(back) == sorted(tensors)
    for name, t in tensors.items():
        assert back[name].dtype == t.dtype and back[name].shape == t.shape, name
        np.testing.assert_array_equal(back[name].numpy(), t.numpy(), err_msg=name)
    from safetensors import safe_open

    with safe_open(str(tmp_path / "t.safetensors"), framework="numpy") as f:
        assert f.metadata() == {"format": "pt"}


def test_state_dict_round_trip(tmp_path):
    sd = OrderedDict([("0.weight", ember.randn(4, 3)), ("0.bias", ember.randn(4))])
    save_file(sd, tmp_path / "sd.safetensors")
    back = load_file(tmp_path / "sd.safetensors")
    for k in sd:
        np.testing.assert_array_equal(back[k].numpy(), sd[k].numpy())


def test_files_exchange_with_torch(tmp_path, torch):
    import safetensors.torch

    tensors = _tensors()
    save_file(tensors, tmp_path / "e.safetensors")
    got = safetensors.torch.load_file(tmp_path / "e.safetensors")
    for name, t in tensors.items():
        np.testing.assert_array_equal(got[name].numpy(), t.numpy(), err_msg=name)
    theirs = {
        "w": torch.randn(3, 2),
        "bf16": torch.tensor([1.5, -2.25, 3.0]).bfloat16(),
        "h": torch.randn(2).half(),
        "n": torch.arange(3),
    }
    safetensors.torch.save_file(theirs, tmp_path / "t.safetensors")
    back = load_file(tmp_path / "t.safetensors")
    assert back["bf16"].dtype == ember.float32 and back["bf16"].tolist() == [1.5, -2.25, 3.0]
    for name in ("w", "h", "n"):
        np.testing.assert_array_equal(back[name].numpy(), theirs[name].numpy())


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="str names and tensors"):
        save_file({"x": np.ones(2)}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="metadata"):
        save_file({"x": ember.ones(2)}, tmp_path / "x.safetensors", metadata={"a": 1})
    assert not list(tmp_path.iterdir())


def test_missing_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'ember\[safetensors\]'"):
        save_file({"x": ember.ones(2)}, tmp_path / "x.safetensors")


# -- ember inspect / ember convert ---------------------------------------------------------------
def _run(capsys, *argv):
    code = ember_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_checkpoint(tmp_path, capsys):
    sd = OrderedDict([("fc.weight", ember.zeros(4, 3)), ("fc.bias", ember.zeros(4))])
    ember.save({"model": sd, "epoch": 7, "betas": (0.9, 0.99)}, tmp_path / "c.pt")
    code, out, _ = _run(capsys, "inspect", str(tmp_path / "c.pt"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["name", "shape", "dtype", "bytes"]
    assert lines[1].split() == ["model.fc.weight", "[4,", "3]", "float32", "48"]
    assert lines[2].split() == ["model.fc.bias", "[4]", "float32", "16"]
    assert "total: 2 tensors, 16 parameters, 64 bytes" in out
    assert "epoch = 7" in out and "betas = (0.9, 0.99)" in out


def test_inspect_safetensors_and_npz(tmp_path, capsys):
    save_file({"a": ember.ones(2, 5, dtype=ember.float16)}, tmp_path / "s.safetensors")
    code, out, _ = _run(capsys, "inspect", str(tmp_path / "s.safetensors"))
    assert code == 0 and out.splitlines()[1].split() == ["a", "[2,", "5]", "float16", "20"]
    np.savez_compressed(tmp_path / "z.npz", x=np.ones((3, 2)), y=np.arange(4, dtype=np.int8))
    code, out, _ = _run(capsys, "inspect", str(tmp_path / "z.npz"))
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert ["x", "[3,", "2]", "float64", "48"] in rows and ["y", "[4]", "int8", "4"] in rows
    assert "total: 2 tensors, 10 parameters, 52 bytes" in out


def test_inspect_refuses_without_running(tmp_path, capsys):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("RAN",))

    np.save(tmp_path / "o.npy", np.array([Evil()], dtype=object), allow_pickle=True)
    import zipfile

    with zipfile.ZipFile(tmp_path / "o.npz", "w") as z:
        z.write(tmp_path / "o.npy", "o.npy")
    code, out, err = _run(capsys, "inspect", str(tmp_path / "o.npz"))
    assert code == 1 and "Python objects" in err and "RAN" not in out
    with zipfile.ZipFile(tmp_path / "evil.pt", "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(Evil(), protocol=2))
    code, out, err = _run(capsys, "inspect", str(tmp_path / "evil.pt"))
    assert code == 1 and "refused to load global 'builtins.print'" in err and "RAN" not in out


def test_convert_both_ways(tmp_path, capsys):
    sd = OrderedDict([("w", ember.randn(3, 2).t()), ("b", ember.arange(3))])
    ember.save({"state": sd, "step": 3}, tmp_path / "a.pt", _use_new_zipfile_serialization=False)
    code, out, _ = _run(capsys, "convert", str(tmp_path / "a.pt"), str(tmp_path / "a.safetensors"))
    assert code == 0 and "skipped entries that are not tensors: step" in out
    flat = load_file(tmp_path / "a.safetensors")
    assert sorted(flat) == ["state.b", "state.w"]
    np.testing.assert_array_equal(flat["state.w"].numpy(), sd["w"].numpy())
    code, _, _ = _run(capsys, "convert", str(tmp_path / "a.safetensors"), str(tmp_path / "b.pt"))
    assert code == 0
    back = ember.load(tmp_path / "b.pt")
    np.testing.assert_array_equal(back["state.b"].numpy(), [0, 1, 2])
    code, _, err = _run(capsys, "convert", str(tmp_path / "b.pt"), str(tmp_path / "b.pt"))
    assert code == 1 and "same file" in err
