"""``ember.save``: PyTorch's checkpoint formats, written atomically.

The zip format (PyTorch >= 1.6) is an archive ``<name>/`` holding ``data.pkl`` (the object,
pickled at protocol 2 with storages as persistent ids), ``.format_version``,
``.storage_alignment``, ``byteorder``, one entry ``data/<key>`` per storage (uncompressed, its
data 64-byte aligned), ``version`` and ``.data/serialization_id``. The legacy format (before
1.6, ``_use_new_zipfile_serialization=False``) is a run of pickles (magic number, protocol,
system info, the object, the storage keys) followed by each storage's element count and
bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import secrets
import stat
import struct
import sys

from ._pickler import TorchPickler
from ._zip import ALIGNMENT, ZipWriter

__all__ = ["save"]

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
_FORMAT_VERSION = "1"
_VERSION = "3\n"


def save(
    obj,
    f,
    pickle_module=None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` to ``f`` (a path, ``pathlib.Path`` or binary file object) in PyTorch's
    checkpoint format, so that ``torch.load(f, weights_only=True)`` reads tensors,
    Parameters, state_dicts and containers of numbers and strings.

    Tensors that are views of one another share one storage in the file, as in PyTorch. A path
    is written atomically: the data goes to a temporary file in the same directory, which is
    flushed, fsync'ed and renamed over ``f``, so an interrupted save leaves any previous file
    whole. ``pickle_module`` must be None or :mod:`pickle` (the pickler is ember's own).
    """
    if pickle_module not in (None, pickle):
        raise ValueError("ember.save writes with its own pickler; pickle_module must be None")
    buf = io.BytesIO()
    pickler = TorchPickler(buf, pickle_protocol)
    pickler.legacy = not _use_new_zipfile_serialization
    pickler.dump(obj)
    storages = pickler.storages
    data = buf.getbuffer()

    if _use_new_zipfile_serialization:

        def write(stream, name):
            _write_zip(stream, name, data, storages, not _disable_byteorder_record)

    else:

        def write(stream, name):
            _write_legacy(stream, data, storages, pickle_protocol)

    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(f)
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        _atomic_write(path, lambda stream: write(stream, name))
    elif hasattr(f, "write"):
        write(f, "archive")
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise AttributeError(
            f"expected 'f' to be string, path, or a file-like object with a 'write' attribute, "
            f"got {type(f).__name__}"
        )


def _serialization_id() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(40))


def _storage_bytes(storage):
    flat = storage.array
    return flat.view("u1") if flat.size else b""


def _write_zip(stream, name, data, storages, byteorder: bool) -> None:
    z = ZipWriter(stream)
    z.write(f"{name}/data.pkl", data)
    z.write(f"{name}/.format_version", _FORMAT_VERSION.encode())
    z.write(f"{name}/.storage_alignment", str(ALIGNMENT).encode())
    if byteorder:
        z.write(f"{name}/byteorder", sys.byteorder.encode())
    for storage in storages:
        z.write(f"{name}/data/{storage.key}", _storage_bytes(storage))
    z.write(f"{name}/version", _VERSION.encode())
    z.write(f"{name}/.data/serialization_id", _serialization_id().encode())
    z.close()


def _write_legacy(stream, data, storages, protocol: int) -> None:
    sys_info = {
        "protocol_version": LEGACY_PROTOCOL,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": 2, "int": 4, "long": 8},
    }
    for header in (MAGIC_NUMBER, LEGACY_PROTOCOL, sys_info):
        pickle.dump(header, stream, protocol=protocol)
    stream.write(data)
    pickle.dump([s.key for s in storages], stream, protocol=protocol)
    for storage in storages:
        stream.write(struct.pack("<q", storage.array.size))
        stream.write(_storage_bytes(storage))


@contextlib.contextmanager
def atomic_path(path: str):
    """Yield a temporary path beside ``path``; when the block succeeds, fsync that file and
    rename it over ``path`` (a reader sees the old file or the new one, never part of one).
    If the block fails the temporary file is removed."""
    if os.path.islink(path):
        path = os.path.realpath(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(
        directory, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    )
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.path.exists(path):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _atomic_write(path: str, write) -> None:
    """Write through ``write(stream)`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        with open(tmp, "xb") as stream:
            write(stream)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX; other systems have no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
