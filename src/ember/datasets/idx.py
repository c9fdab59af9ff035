"""Reading IDX files, the format of MNIST and Fashion-MNIST (gzipped or not).

An IDX file is a 4-byte magic number ``00 00 TT NN`` (TT the element type, NN the number of
dims), NN big-endian uint32 sizes, then the elements, big-endian, in C order. Every way a file
can be wrong (not IDX, the wrong kind, truncated, trailing bytes, a broken gzip stream) raises
a RuntimeError naming the file.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

__all__ = ["read_idx", "write_idx", "IMAGES_MAGIC", "LABELS_MAGIC"]

# TT -> big-endian NumPy dtype
_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _TYPES.items()}

IMAGES_MAGIC = 0x00000803  # uint8, 3 dims: (N, rows, cols)
LABELS_MAGIC = 0x00000801  # uint8, 1 dim: (N,)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if not path.endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise RuntimeError(f"{path}: corrupt gzip file ({exc})") from None


def read_idx(path: str | os.PathLike, magic: int | None = None) -> np.ndarray:
    """The array in the IDX file at ``path`` (decompressed when the name ends in ``.gz``),
    in native byte order. ``magic``, when given, is the magic number the file must have."""
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise RuntimeError(f"{path}: truncated IDX file ({len(raw)} bytes, no header)")
    found = int.from_bytes(raw[:4], "big")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise RuntimeError(f"{path}: not an IDX file (magic number 0x{found:08x})")
    if magic is not None and found != magic:
        raise RuntimeError(
            f"{path}: wrong kind of IDX file (magic number 0x{found:08x}, expected 0x{magic:08x})"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise RuntimeError(f"{path}: truncated IDX file ({len(raw)} bytes, header of {header})")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_TYPES[raw[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    body = len(raw) - header
    if body < expected:
        raise RuntimeError(
            f"{path}: truncated IDX file (shape {shape} needs {expected} bytes of data, "
            f"found {body})"
        )
    if body > expected:
        raise RuntimeError(
            f"{path}: corrupt IDX file ({body - expected} bytes after the data of shape {shape})"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return arr.reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzipped when the name ends in ``.gz``)."""
    path = os.fspath(path)
    array = np.asarray(array)
    code = _CODES[array.dtype.newbyteorder("=")]
    head = bytes([0, 0, code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    blob = head + array.astype(np.dtype(_TYPES[code])).tobytes()
    if path.endswith(".gz"):
        blob = gzip.compress(blob, mtime=0)
    with open(path, "wb") as f:
        f.write(blob)
