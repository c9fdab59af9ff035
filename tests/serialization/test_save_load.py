"""ember.save / ember.load on their own: round trips, views, formats, mmap, atomic writes."""

from __future__ import annotations

import io
import mmap
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import time
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.nn import Parameter

SRC = str(pathlib.Path(__file__).resolve().parents[2] / "src")


def _sample():
    base = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    sd = OrderedDict(weight=ember.randn(3, 2), bias=ember.zeros(3))
    sd._metadata = OrderedDict({"": {"version": 1}})
    return {
        "base": base,
        "view": base[1:3, 2:5],
        "t": base.t(),
        "p": Parameter(ember.ones(2)),
        "frozen": Parameter(ember.ones(3), requires_grad=False),
        "sd": sd,
        "f16": ember.tensor([1.5, -2.0], dtype=ember.float16),
        "f64": ember.tensor([[1.0, 2.0]], dtype=ember.float64),
        "i64": ember.arange(5),
        "i8": ember.tensor([-3, 4], dtype=ember.int8),
        "u8": ember.tensor([200, 3], dtype=ember.uint8),
        "b": ember.tensor([True, False]),
        "empty": ember.empty(0, 3),
        "scalar": ember.tensor(7.5),
        "flipped": base.flip(0),
        "nested": [1, 2.5, "x", (None, True, -(2**70)), {"k": b"bytes"}],
        "dtype": ember.float64,
        "size": ember.Size([2, 3]),
        "device": ember.device("cpu"),
    }


def _assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("kind", ["str", "path", "fileobj", "legacy"])
def test_round_trip(tmp_path, kind):
    obj = _sample()
    target = tmp_path / "ckpt.pt"
    if kind == "str":
        ember.save(obj, str(target))
        back = ember.load(str(target))
    elif kind == "path":
        ember.save(obj, target)
        back = ember.load(target)
    elif kind == "fileobj":
        buf = io.BytesIO()
        ember.save(obj, buf)
        buf.seek(0)
        back = ember.load(buf)
    else:
        ember.save(obj, target, _use_new_zipfile_serialization=False)
        assert not zipfile.is_zipfile(target)
        back = ember.load(target)
    _assert_same(obj, back)
    assert back["sd"]._metadata == {"": {"version": 1}}
    assert back["view"].stride() == (6, 1) and back["t"].stride() == (1, 6)


def test_views_share_one_storage(tmp_path):
    base = ember.arange(12, dtype=ember.float32).reshape(3, 4)
    ember.save({"a": base, "v": base[1:, ::2], "row": base[2]}, tmp_path / "v.pt")
    names = zipfile.ZipFile(tmp_path / "v.pt").namelist()
    assert [n for n in names if "/data/" in n] == ["v/data/0"]
    back = ember.load(tmp_path / "v.pt")
    assert back["v"].stride() == (4, 2)
    assert back["v"].data_ptr() - back["a"].data_ptr() == 4 * 4
    back["a"][2, 0] = 100.0  # the loaded views share memory again
    assert back["v"][1, 0].item() == 100.0 and back["row"][0].item() == 100.0


def test_numpy_scalars_are_saved_as_numbers(tmp_path):
    ember.save(
        {"lr": np.float64(0.5), "step": np.int64(3), "flag": np.bool_(True)}, tmp_path / "n.pt"
    )
    back = ember.load(tmp_path / "n.pt")
    assert back == {"lr": 0.5, "step": 3, "flag": True}
    assert [type(v) for v in back.values()] == [float, int, bool]


def test_same_tensor_twice_is_one_object(tmp_path):
    t = ember.ones(3)
    ember.save([t, t], tmp_path / "t.pt")
    a, b = ember.load(tmp_path / "t.pt")
    assert a is b


def test_entries_are_aligned_and_stored(tmp_path):
    ember.save({"a": ember.ones(5), "b": ember.zeros(7, dtype=ember.float16)}, tmp_path / "m.pt")
    raw = (tmp_path / "m.pt").read_bytes()
    archive = zipfile.ZipFile(tmp_path / "m.pt")
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[0] == "m/data.pkl" and "m/byteorder" in names and "m/version" in names
    assert archive.read("m/.format_version") == b"1" and archive.read("m/version") == b"3\n"
    assert len(archive.read("m/.data/serialization_id")) == 40
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        name_len, extra_len = np.frombuffer(raw[info.header_offset + 26 :][:4], "<u2")
        assert (info.header_offset + 30 + int(name_len) + int(extra_len)) % 64 == 0
    assert archive.read("m/data.pkl")[:2] == b"\x80\x02"  # protocol 2


def test_mmap_maps_storages(tmp_path):
    big = ember.arange(1000, dtype=ember.float64)
    ember.save({"x": big, "v": big[10:20]}, tmp_path / "mm.pt")
    back = ember.load(tmp_path / "mm.pt", mmap=True)
    obj = back["v"]._data
    while obj is not None and not isinstance(obj, mmap.mmap):
        obj = getattr(obj, "base", None)
    assert isinstance(obj, mmap.mmap)
    np.testing.assert_array_equal(back["v"].numpy(), np.arange(10, 20))
    back["x"][0] = -1.0  # copy-on-write: the file keeps its values
    assert ember.load(tmp_path / "mm.pt")["x"][0].item() == 0.0
    with pytest.raises(ValueError, match="file path"):
        ember.load(io.BytesIO((tmp_path / "mm.pt").read_bytes()), mmap=True)


def test_map_location_forms(tmp_path):
    ember.save({"x": ember.ones(2)}, tmp_path / "c.pt")
    for ml in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage):
        assert ember.load(tmp_path / "c.pt", map_location=ml)["x"].device.type == "cpu"


def test_weights_only_false_warns_and_loads(tmp_path):
    ember.save({"x": ember.ones(2), "arr": np.arange(3)}, tmp_path / "u.pt")
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        ember.load(tmp_path / "u.pt")
    with pytest.warns(UserWarning, match="run any code"):
        back = ember.load(tmp_path / "u.pt", weights_only=False)
    np.testing.assert_array_equal(back["arr"], np.arange(3))
    assert back["x"].tolist() == [1.0, 1.0]


def test_save_rejects_other_pickle_modules(tmp_path):
    with pytest.raises(ValueError, match="pickle_module"):
        ember.save(ember.ones(1), tmp_path / "x.pt", pickle_module=object())


def test_failed_save_leaves_old_file_and_no_temp(tmp_path):
    path = tmp_path / "keep.pt"
    ember.save({"x": ember.ones(3)}, path)

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("no")

    with pytest.raises(RuntimeError, match="no"):
        ember.save({"x": ember.zeros(3), "bad": Unpicklable()}, path)
    assert ember.load(path)["x"].tolist() == [1.0, 1.0, 1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.pt"]


_SAVER = """
import sys, ember
path = sys.argv[1]
big = ember.ones(4_000_000)  # 16 MB per save
i = 0
while True:
    i += 1
    ember.save({{"step": i, "w": big}}, path)
    print(i, flush=True)
"""


def test_killed_save_leaves_previous_checkpoint_intact(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"step": 0, "w": ember.zeros(4)}, path)
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.Popen(
        [sys.executable, "-c", _SAVER.format(), str(path)], stdout=subprocess.PIPE, env=env
    )
    try:
        assert proc.stdout.readline().strip() == b"1"  # at least one save has completed
        saw_temp = False
        for _ in range(400):  # kill it while a save is writing its temporary file
            if any(p.suffix == ".tmp" for p in tmp_path.iterdir()):
                saw_temp = True
                break
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert saw_temp
    back = ember.load(path)
    assert back["step"] >= 1 and back["w"].shape == (4_000_000,)
    assert bool((back["w"] == 1).all())


# -- user-declared safe globals (torch.serialization's API) ---------------------------------------
class Config:
    def __init__(self, depth):
        self.depth = depth


def test_safe_globals_let_vetted_classes_load(tmp_path):
    from ember.serialization import (
        add_safe_globals,
        clear_safe_globals,
        get_safe_globals,
        get_unsafe_globals_in_checkpoint,
        safe_globals,
    )

    path = tmp_path / "cfg.pt"
    ember.save({"config": Config(3), "w": ember.ones(2)}, path)
    name = f"{Config.__module__}.Config"
    assert get_unsafe_globals_in_checkpoint(path) == [name]
    with pytest.raises(pickle.UnpicklingError, match=f"global '{name}'"):
        ember.load(path)
    with safe_globals([Config]):
        back = ember.load(path)
        assert get_unsafe_globals_in_checkpoint(path) == []
    assert type(back["config"]) is Config and back["config"].depth == 3
    assert get_safe_globals() == []
    add_safe_globals([(Config, name)])
    try:
        assert ember.load(path)["config"].depth == 3
        assert get_safe_globals() == [Config]
    finally:
        clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)


def test_unsafe_globals_of_torch_files(tmp_path, torch):
    import ember.serialization as es

    torch.save({"arr": np.arange(3), "t": torch.ones(1)}, tmp_path / "np.pt")
    names = es.get_unsafe_globals_in_checkpoint(tmp_path / "np.pt")
    assert any(n.startswith("numpy") for n in names) and not any("torch" in n for n in names)
    torch.save({"t": torch.ones(1)}, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    assert es.get_unsafe_globals_in_checkpoint(tmp_path / "l.pt") == []
    expected = torch.serialization.get_unsafe_globals_in_checkpoint(str(tmp_path / "np.pt"))
    assert sorted(names) == sorted(expected)


def test_zip64_records(tmp_path, monkeypatch):
    # checkpoints past 4 GiB need zip64 sizes and offsets; with the threshold lowered, every
    # entry and the central directory take that path, and the readers must still agree
    from ember.serialization._zip import ZipWriter

    monkeypatch.setattr(ZipWriter, "zip64_from", 64)
    obj = {"w": ember.arange(100, dtype=ember.float32), "small": ember.ones(2), "n": 3}
    path = tmp_path / "z64.pt"
    ember.save(obj, path)
    raw = path.read_bytes()
    assert raw.count(b"PK\x06\x06") == 1 and raw.count(b"PK\x06\x07") == 1
    archive = zipfile.ZipFile(path)
    assert archive.testzip() is None
    info = archive.getinfo("z64/data/0")
    assert info.file_size == 400 and info.header_offset > 64
    local = raw[info.header_offset :][:30]
    assert local[18:26] == b"\xff" * 8  # the 32-bit sizes point at the zip64 extra field
    monkeypatch.undo()
    _assert_same(obj, ember.load(path))


def test_zip64_records_load_in_torch(tmp_path, monkeypatch, torch):
    from ember.serialization._zip import ZipWriter

    monkeypatch.setattr(ZipWriter, "zip64_from", 64)
    ember.save({"w": ember.arange(100, dtype=ember.float32)}, tmp_path / "z64.pt")
    got = torch.load(tmp_path / "z64.pt", weights_only=True)
    assert got["w"].tolist() == list(range(100))
