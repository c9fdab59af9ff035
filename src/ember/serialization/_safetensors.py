"""safetensors files: a JSON header (names, dtypes, shapes, byte ranges) and raw data.

Reading and writing go through the ``safetensors`` package (``pip install
'ember[safetensors]'``). Arrays are made contiguous before writing: given a strided array,
the package writes its memory in storage order, silently scrambling the values. bfloat16
tensors, which NumPy cannot hold, are read from the byte ranges the header gives and widened
to float32 exactly. :func:`read_header` parses the header alone (``ember inspect`` uses it).
"""

from __future__ import annotations

import json
import os
import struct

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor
from ._rebuild import bfloat16_to_float32
from ._save import atomic_path

__all__ = ["save_file", "load_file", "read_header", "SAFETENSORS_DTYPES"]

# the header's dtype names -> NumPy dtypes (bfloat16: its bits as uint16)
SAFETENSORS_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "BF16": np.uint16,
    "I64": np.int64,
    "I32": np.int32,
    "I16": np.int16,
    "I8": np.int8,
    "U8": np.uint8,
    "BOOL": np.bool_,
}
_MAX_HEADER = 100 * 2**20


def _package():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ModuleNotFoundError(
            "safetensors files need the safetensors package: pip install 'ember[safetensors]'"
        ) from None
    return safetensors


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write ``{name: tensor}`` to a safetensors file (atomically), with optional string
    ``metadata``. Every tensor is written as its own contiguous copy of its values."""
    st = _package()
    if not isinstance(tensors, dict):
        raise TypeError(f"save_file expects a dict of tensors, got {type(tensors).__name__}")
    arrays = {}
    for name, t in tensors.items():
        if not isinstance(name, str) or not isinstance(t, Tensor):
            raise TypeError(
                f"save_file expects str names and tensors; entry {name!r} is a {type(t).__name__}"
            )
        a = to_numpy(t._data)
        arrays[name] = a if a.flags.c_contiguous else a.copy(order="C")
    if metadata is not None and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise TypeError("safetensors metadata must map str to str")
    with atomic_path(os.fsdecode(filename)) as tmp:
        st.numpy.save_file(arrays, tmp, metadata=metadata)


def load_file(filename, device="cpu") -> dict:
    """``{name: tensor}`` from a safetensors file (bfloat16 tensors become float32)."""
    st = _package()
    path = os.fsdecode(filename)
    header, start = read_header(path)
    out = {}
    with st.safe_open(path, framework="numpy") as f:
        for name in f.keys():
            info = header[name]
            if info["dtype"] == "BF16":
                begin, end = info["data_offsets"]
                with open(path, "rb") as raw:
                    raw.seek(start + begin)
                    bits = np.frombuffer(raw.read(end - begin), dtype="<u2")
                array = bfloat16_to_float32(bits).reshape(info["shape"])
            else:
                array = f.get_tensor(name)
            t = Tensor._make(array, False, None)
            out[name] = t if str(device) == "cpu" else t.to(device)
    return out


def read_header(path: str):
    """(``{name: {dtype, shape, data_offsets}}`` plus ``__metadata__``, data start) of a
    safetensors file, checked against the file's size; nothing else is read."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError(f"{path!r} is too short to be a safetensors file")
        (n,) = struct.unpack("<Q", head)
        if n > min(size - 8, _MAX_HEADER):
            raise ValueError(f"{path!r}: the safetensors header claims {n} bytes")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path!r}: the safetensors header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path!r}: the safetensors header is not a JSON object")
    data = size - 8 - n
    for name, info in header.items():
        if name == "__metadata__":
            continue
        ok = (
            isinstance(info, dict)
            and info.get("dtype") in SAFETENSORS_DTYPES
            and isinstance(info.get("shape"), list)
            and all(type(d) is int and d >= 0 for d in info["shape"])
            and isinstance(info.get("data_offsets"), list)
            and len(info["data_offsets"]) == 2
            and all(type(o) is int for o in info["data_offsets"])
        )
        if not ok:
            dtype = info.get("dtype") if isinstance(info, dict) else None
            raise ValueError(f"{path!r}: cannot read entry {name!r} (dtype {dtype!r})")
        begin, end = info["data_offsets"]
        numel = int(np.prod(info["shape"], dtype=object))
        itemsize = np.dtype(SAFETENSORS_DTYPES[info["dtype"]]).itemsize
        if not 0 <= begin <= end <= data or end - begin != numel * itemsize:
            raise ValueError(f"{path!r}: entry {name!r} has byte range {begin}..{end}")
    return header, 8 + n
