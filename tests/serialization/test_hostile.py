"""A corpus of hostile checkpoints, made here: each must be refused with a clear error, without
running the payload (the canary file it would create stays absent) and without allocating
much memory."""

from __future__ import annotations

import io
import os
import pickle
import struct
import subprocess
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pytest

import ember
from ember.serialization._zip import ArchiveError

P = pickle  # opcode constants


# -- building hostile files --------------------------------------------------------------------
def _global(module: str, name: str) -> bytes:
    return P.GLOBAL + f"{module}\n{name}\n".encode()


def _str(s: str) -> bytes:
    raw = s.encode()
    return P.BINUNICODE + struct.pack("<I", len(raw)) + raw


def _int(n: int) -> bytes:
    if -(2**31) <= n < 2**31:
        return P.BININT + struct.pack("<i", n)
    raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return P.LONG1 + bytes([len(raw)]) + raw


def _call(func: bytes, *args: bytes) -> bytes:
    return func + P.MARK + b"".join(args) + P.TUPLE + P.REDUCE


def _pickle(body: bytes) -> bytes:
    return P.PROTO + b"\x02" + body + P.STOP


def _storage_pid(key="0", numel=4, kind="FloatStorage") -> bytes:
    parts = _str("storage") + _global("torch", kind) + _str(key) + _str("cpu") + _int(numel)
    return P.MARK + parts + P.TUPLE + P.BINPERSID


def _tensor(offset=0, size=(4,), stride=(1,), pid=None) -> bytes:
    tup = P.MARK + b"".join(_int(n) for n in size) + P.TUPLE
    st = P.MARK + b"".join(_int(n) for n in stride) + P.TUPLE
    hooks = _call(_global("collections", "OrderedDict"))
    return _call(
        _global("torch._utils", "_rebuild_tensor_v2"),
        pid if pid is not None else _storage_pid(),
        _int(offset),
        tup,
        st,
        P.NEWFALSE,
        hooks,
    )


def _zip(path, data_pkl: bytes, storages=None, compress=zipfile.ZIP_STORED):
    storages = {"0": np.arange(4, dtype=np.float32).tobytes()} if storages is None else storages
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate-name entries
        with zipfile.ZipFile(path, "w", compression=compress) as z:
            z.writestr("archive/data.pkl", data_pkl)
            z.writestr("archive/byteorder", "little")
            for key, raw in storages.items():
                z.writestr(f"archive/data/{key}", raw)
            z.writestr("archive/version", "3\n")
    return path


def _legacy(path, main: bytes, keys=("0",), raw=None):
    raw = np.arange(4, dtype=np.float32).tobytes() if raw is None else raw
    with open(path, "wb") as f:
        pickle.dump(0x1950A86A20F9469CFC6C, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({"protocol_version": 1001, "little_endian": True}, f, protocol=2)
        f.write(main)
        pickle.dump(list(keys), f, protocol=2)
        for _ in keys:
            f.write(struct.pack("<q", len(raw) // 4) + raw)
    return path


class _Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _payloads(canary: str) -> dict[str, bytes]:
    """Pickles that would create ``canary`` if anything ran them."""
    touch = f"open({canary!r}, 'w').close()"
    nested_getattr = _call(
        _global("builtins", "getattr"),
        _call(_global("builtins", "__import__"), _str("os")),
        _str("system"),
    )
    deep = P.EMPTY_LIST * 10_000 + P.APPEND * 9_999
    return {
        "os.system": pickle.dumps(_Reduce(os.system, (f"touch {canary}",)), protocol=2),
        "builtins.eval": pickle.dumps(_Reduce(eval, (touch,)), protocol=2),
        "builtins.exec": pickle.dumps(_Reduce(exec, (touch,)), protocol=4),
        "subprocess": pickle.dumps(_Reduce(subprocess.call, (["touch", canary],)), protocol=2),
        "nested reduce": _pickle(
            nested_getattr + P.MARK + _str(f"touch {canary}") + P.TUPLE + P.REDUCE
        ),
        "reduce inside a tensor's args": _pickle(
            _call(
                _global("torch._utils", "_rebuild_tensor_v2"),
                _call(_global("posix", "system"), _str(f"touch {canary}")),
            )
        ),
        "deep nesting then os.system": _pickle(
            deep + _call(_global("os", "system"), _str(f"touch {canary}")) + P.APPEND
        ),
        "torch-like module name": _pickle(
            _call(_global("torch.os", "system"), _str(f"touch {canary}"))
        ),
        "torch._utils attribute path": _pickle(
            _str("torch._utils")
            + _str("_rebuild_tensor_v2.__globals__")
            + P.STACK_GLOBAL
            + P.EMPTY_TUPLE
            + P.REDUCE
        ),
        "torch.load itself": _pickle(_call(_global("torch", "load"), _str(canary))),
        "torch.serialization internals": _pickle(
            _call(_global("torch.serialization", "_load"), _str(canary))
        ),
        "INST opcode": b"(S'touch " + canary.encode() + b"'\nios\nsystem\n.",
        "OBJ opcode": _pickle(P.MARK + _global("os", "system") + _str(f"touch {canary}") + P.OBJ),
        "NEWOBJ of a class": _pickle(
            _global("subprocess", "Popen")
            + P.MARK
            + P.MARK
            + _str("touch")
            + _str(canary)
            + P.LIST
            + P.TUPLE
            + P.NEWOBJ
        ),
        "BUILD __setstate__": _pickle(
            _call(_global("collections", "OrderedDict"))
            + P.EMPTY_DICT
            + _str("__setstate__")
            + _global("os", "system")
            + P.SETITEM
            + P.BUILD
        ),
        "EXT opcode": _pickle(P.EXT1 + b"\x01"),
        "bytearray of a huge size": _pickle(
            _call(_global("builtins", "bytearray"), _int(2**31 - 1))
        ),
        "persistent id of a module class": _pickle(
            P.MARK + _str("module") + _global("os", "system") + P.TUPLE + P.BINPERSID
        ),
    }


# what each payload's error must say
_MESSAGES = {
    "os.system": "global 'posix.system'",
    "builtins.eval": "global 'builtins.eval'",
    "builtins.exec": "global 'builtins.exec'",
    "subprocess": "global 'subprocess.call'",
    "nested reduce": "global 'builtins.getattr'",
    "reduce inside a tensor's args": "global 'posix.system'",
    "deep nesting then os.system": "global 'os.system'",
    "torch-like module name": "global 'torch.os.system'",
    "torch._utils attribute path": "global 'torch._utils._rebuild_tensor_v2.__globals__'",
    "torch.load itself": "global 'torch.load'",
    "torch.serialization internals": "global 'torch.serialization._load'",
    "INST opcode": "INST opcode",
    "OBJ opcode": "global 'os.system'",
    "NEWOBJ of a class": "global 'subprocess.Popen'",
    "BUILD __setstate__": "global 'os.system'",
    "EXT opcode": "EXT1 is not allowed",
    "bytearray of a huge size": "bytearray\\(\\) is allowed only from bytes",
    "persistent id of a module class": "global 'os.system'",
}


def _refused(path, match, kind=Exception, **kwargs):
    """Load ``path``: it must raise ``kind`` matching ``match``, within a small memory peak."""
    tracemalloc.start()
    try:
        with pytest.raises(kind, match=match) as info:
            ember.load(path, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"loading took {peak / 2**20:.0f} MiB"
    return info.value


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary"
    yield str(path)
    assert not path.exists(), "a payload ran"


@pytest.mark.parametrize("name", sorted(_MESSAGES))
@pytest.mark.parametrize("container", ["zip", "legacy"])
def test_code_payloads_are_refused(tmp_path, canary, name, container):
    payload = _payloads(canary)[name]
    path = tmp_path / "evil.pt"
    if container == "zip":
        _zip(path, payload)
    else:
        _legacy(path, payload)
    err = _refused(path, _MESSAGES[name], pickle.UnpicklingError)
    assert repr(str(path)) in str(err)  # the message names the file


@pytest.mark.parametrize(
    "name", ["os.system", "builtins.eval", "subprocess", "nested reduce", "INST opcode"]
)
def test_payloads_do_run_under_plain_pickle(tmp_path, name):
    # the corpus is genuinely hostile: Python's own unpickler runs these and makes the canary
    canary = tmp_path / "canary"
    pickle.loads(_payloads(str(canary))[name])
    assert canary.exists()


def test_refusal_names_global_and_file(tmp_path, canary):
    path = _zip(tmp_path / "named.pt", _payloads(canary)["os.system"])
    err = _refused(path, "refused to load global 'posix.system'", pickle.UnpicklingError)
    assert str(path) in str(err) and "weights_only=False" in str(err)


def test_payloads_in_a_file_object_are_refused(canary):
    buf = io.BytesIO()
    _zip(buf, _payloads(canary)["builtins.eval"])
    buf.seek(0)
    _refused(buf, "<BytesIO>: refused to load global 'builtins.eval'", pickle.UnpicklingError)


# -- storages and tensors that lie -----------------------------------------------------------------
@pytest.mark.parametrize(
    "tensor, match",
    [
        (_tensor(size=(5,)), "reaches element 4 of storage '0', which holds 4"),
        (_tensor(size=(10**12,)), "reaches element 999999999999"),
        (_tensor(size=(2, 2), stride=(10**15, 1)), "reaches element"),
        (_tensor(stride=(-1,)), "strides must be integers >= 0"),
        (_tensor(offset=-2), "offsets must be integers >= 0"),
        (_tensor(offset=4, size=(1,)), "reaches element 4"),
        (_tensor(size=(-4,)), "sizes must be integers >= 0"),
        (_tensor(size=(1,) * 65, stride=(1,) * 65), "65 sizes"),
        (_tensor(pid=_storage_pid(numel=10**9)), "claims 1000000000 elements"),
        (_tensor(pid=_storage_pid(numel=-1)), "claims -1 elements"),
        (_tensor(pid=_storage_pid(key="7")), "'archive/data/7' is missing"),
        (_tensor(pid=_storage_pid(kind="ComplexFloatStorage")), "dtype ember does not support"),
        (_tensor(pid=_str("not a pid") + P.BINPERSID), "unknown persistent id"),
    ],
)
def test_lying_tensors_are_refused(tmp_path, tensor, match):
    path = _zip(tmp_path / "lie.pt", _pickle(tensor))
    _refused(path, match)


def test_lying_legacy_storages_are_refused(tmp_path):
    short = _legacy(tmp_path / "short.pt", _pickle(_tensor()), raw=b"\0" * 8)
    _refused(short, "claims 4 elements; the file holds 2")
    big = _legacy(tmp_path / "big.pt", _pickle(_tensor(pid=_storage_pid(numel=2**40))))
    _refused(big, "claims 1099511627776 elements")
    unlisted = _legacy(tmp_path / "keys.pt", _pickle(_tensor()), keys=())
    _refused(unlisted, "have no data in the file")
    cut = tmp_path / "cut.pt"
    cut.write_bytes(_legacy(tmp_path / "ok.pt", _pickle(_tensor())).read_bytes()[:-5])
    _refused(cut, "claims 4 elements; the file holds 2")


# -- archives that lie -----------------------------------------------------------------------------
def test_truncated_archives_are_refused(tmp_path):
    good = tmp_path / "good.pt"
    ember.save({"w": ember.ones(1000)}, good)
    raw = good.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 30, 100):
        bad = tmp_path / f"cut{cut}.pt"
        bad.write_bytes(raw[:cut])
        _refused(bad, "truncated|not a complete zip", ArchiveError)


def test_duplicate_entries_are_refused(tmp_path):
    path = tmp_path / "dup.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("archive/data.pkl", _pickle(_tensor()))
            z.writestr("archive/data/0", b"\0" * 16)
            z.writestr("archive/data/0", b"\1" * 16)
    _refused(path, "entry 'archive/data/0' twice", ArchiveError)


def _deflated_zeros(n_mib: int) -> bytes:
    """A raw deflate stream of ``n_mib`` MiB of zeros, about 1 KiB per MiB: after a full flush
    the compressor's output for the same chunk repeats, so one block is made and repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(2**20)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * n_mib + c.flush()


def _raw_zip(entries) -> bytes:
    """A zip of ``(name, method, crc, size, payload)`` entries, sizes as given (no zip64)."""
    out = bytearray()
    central = bytearray()
    for name, method, crc, size, payload in entries:
        raw = name.encode()
        offset = len(out)
        fields = (20, 0, method, 0, 33, crc, len(payload), size, len(raw), 0)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + raw + payload
        central += struct.pack("<IH", 0x02014B50, 20)
        central += struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, offset) + raw
    n = len(entries)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), len(out), 0)
    return bytes(out + central + end)


def test_zip_bomb_is_refused_without_inflating(tmp_path):
    # 1 GiB of zeros deflated to about 1 MiB, as a tensor's storage (the CRC is left 0: a
    # reader that inflated the entry would find out only after allocating the gigabyte)
    n = 2**30
    tensor = _pickle(_tensor(size=(n // 4,), pid=_storage_pid(numel=n // 4)))
    bomb = _deflated_zeros(n // 2**20)
    path = tmp_path / "bomb.pt"
    path.write_bytes(
        _raw_zip(
            [
                ("archive/data.pkl", 0, zlib.crc32(tensor), len(tensor), tensor),
                ("archive/data/0", zipfile.ZIP_DEFLATED, 0, n, bomb),
            ]
        )
    )
    assert path.stat().st_size < 2 * 2**20
    assert zipfile.ZipFile(path).getinfo("archive/data/0").file_size == n
    _refused(path, "'archive/data/0' is compressed", ArchiveError)
    # the same bomb as the pickle itself
    path.write_bytes(_raw_zip([("archive/data.pkl", zipfile.ZIP_DEFLATED, 0, n, bomb)]))
    _refused(path, "'archive/data.pkl' is compressed", ArchiveError)


def test_overlapping_entries_are_refused(tmp_path):
    # a stored-entry "bomb": many directory entries that all point at one region of the file
    buf = io.BytesIO()
    z = zipfile.ZipFile(buf, "w")
    z.writestr("archive/data.pkl", _pickle(_tensor()))
    z.writestr("archive/data/0", bytes(4096))
    infos = z.infolist()
    for k in range(1, 50):
        clone = zipfile.ZipInfo(f"archive/data/{k}")
        for field in ("header_offset", "CRC", "compress_size", "file_size"):
            setattr(clone, field, getattr(infos[1], field))
        z.filelist.append(clone)
    z.close()
    path = tmp_path / "overlap.pt"
    path.write_bytes(buf.getvalue())
    _refused(path, "overlap", ArchiveError)


def test_entry_claiming_bytes_past_the_end_is_refused(tmp_path):
    path = tmp_path / "long.pt"
    ember.save({"w": ember.ones(4)}, path)
    raw = bytearray(path.read_bytes())
    entry = raw.find(b"long/data/0", raw.find(b"PK\x01\x02"))  # its central directory record
    header = raw.rfind(b"PK\x01\x02", 0, entry)
    assert header >= 0
    raw[header + 20 : header + 28] = struct.pack("<II", 2**31, 2**31)  # both sizes: 2 GiB
    path.write_bytes(bytes(raw))
    _refused(path, "past the end", ArchiveError)


def test_corrupted_storage_fails_crc(tmp_path):
    path = tmp_path / "crc.pt"
    ember.save({"w": ember.ones(16)}, path)
    raw = bytearray(path.read_bytes())
    start = raw.find(np.ones(16, np.float32).tobytes())
    raw[start] ^= 0xFF
    path.write_bytes(bytes(raw))
    _refused(path, "CRC-32", ArchiveError)


def test_not_a_checkpoint(tmp_path):
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    _refused(empty, "is empty", EOFError)
    text = tmp_path / "text.pt"
    text.write_bytes(b"hello, world\n" * 10)
    _refused(text, "neither a zip checkpoint nor a legacy", pickle.UnpicklingError)
    junk = tmp_path / "junk.zip"
    with zipfile.ZipFile(junk, "w") as z:
        z.writestr("readme.txt", "hi")
    _refused(junk, "no data.pkl")
    script = tmp_path / "script.pt"
    with zipfile.ZipFile(script, "w") as z:
        z.writestr("m/code/m.py", "")
        z.writestr("m/constants.pkl", _pickle(P.NONE))
    _refused(script, "TorchScript")


def test_malformed_pickles_are_refused(tmp_path):
    cases = {
        "truncated": (_pickle(_str("abc"))[:-3], "truncated"),
        "bad memo": (_pickle(P.BINGET + b"\x07"), "memo key 7"),
        "unbalanced": (P.PROTO + b"\x02" + P.NONE + P.NONE + P.STOP, "unbalanced"),
        "huge string": (P.PROTO + b"\x02" + P.BINUNICODE8 + struct.pack("<Q", 2**60), "truncated"),
        "append to a str": (_pickle(_str("x") + P.NONE + P.APPEND), "APPEND on a str"),
        "build a dunder": (
            _pickle(
                _call(_global("collections", "OrderedDict"))
                + P.EMPTY_DICT
                + _str("__class__")
                + P.NONE
                + P.SETITEM
                + P.BUILD
            ),
            "setting attribute '__class__'",
        ),
        "build a method name": (
            _pickle(
                _call(_global("collections", "OrderedDict"))
                + P.EMPTY_DICT
                + _str("keys")
                + P.NONE
                + P.SETITEM
                + P.BUILD
            ),
            "setting attribute 'keys'",
        ),
        "unhashable key": (_pickle(P.EMPTY_DICT + P.EMPTY_LIST + P.NONE + P.SETITEM), "malformed"),
    }
    for name, (data, match) in cases.items():
        path = _zip(tmp_path / f"{name}.pt", data)
        _refused(path, match, pickle.UnpicklingError)
