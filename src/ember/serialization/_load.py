"""``ember.load``: PyTorch checkpoints (zip and legacy formats), read without PyTorch and
without running code from the file unless the caller opts in."""

from __future__ import annotations

import importlib
import io
import os
import pickle
import struct
import warnings

import numpy as np

from ..tensor import Tensor
from ._rebuild import UNTYPED, LoadedStorage, Restorer, StorageType, bfloat16_to_float32
from ._safe_globals import build_user_object
from ._save import LEGACY_PROTOCOL, MAGIC_NUMBER
from ._unpickler import Allowed, Unpickler
from ._zip import ZipReader

__all__ = ["load"]

_UNSAFE_WARNING = (
    "ember.load(weights_only=False) unpickles arbitrary objects: a file built to do so can "
    "run any code on this machine. Use it only for files you trust; weights_only=True reads "
    "tensors, parameters, state_dicts and containers safely."
)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **kwargs):
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip or legacy format).

    Args:
        f: a path, ``pathlib.Path`` or seekable binary file object.
        map_location: where storages go: None (where they were saved), a device or string
            (``'cpu'``), a dict mapping saved locations to new ones, or a callable
            ``(storage_tensor, location) -> tensor or None``.
        pickle_module: only with ``weights_only=False``: the module whose ``Unpickler`` to use.
        weights_only: True (the default) rebuilds only tensors, Parameters, storages, dtypes,
            ``torch.Size``/``device``, OrderedDict and builtin containers, and refuses any
            other global with an ``UnpicklingError``; False unpickles anything (it can run
            code, and warns so).
        mmap: map storages from the file (copy-on-write) instead of reading them (zip format,
            ``f`` a path).
        encoding: how to decode Python 2 strings (default ``'utf-8'``; ``'bytes'`` keeps them).

    Storages are checked before any tensor is made: each must exist in the file with at
    least the bytes it claims, and every tensor's size, offset and strides must stay inside
    its storage.
    """
    if weights_only is None:
        weights_only = True
    encoding = kwargs.pop("encoding", "utf-8")
    if kwargs:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(kwargs)}")
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if not weights_only:
        warnings.warn(_UNSAFE_WARNING, UserWarning, stacklevel=2)
    is_path = isinstance(f, (str, bytes, os.PathLike))
    if mmap and not is_path:
        raise ValueError("f must be a file path in order to use the mmap argument")
    path = os.fsdecode(f) if is_path else None
    label = repr(path) if is_path else f"<{type(f).__name__}>"
    stream = open(path, "rb") if is_path else f
    try:
        if not is_path and not _seekable(stream):
            stream = io.BytesIO(stream.read())
        start = stream.tell()
        head = stream.read(4)
        stream.seek(start)
        if not head:
            raise EOFError(f"{label} is empty: there is nothing to load")
        loader = _Loader(label, map_location, weights_only, pickle_module, encoding)
        if head == b"PK\x03\x04":
            return loader.load_zip(stream, path if mmap else None)
        if mmap:
            raise RuntimeError(
                f"{label}: mmap can only be used with files saved with "
                "`torch.save(_use_new_zipfile_serialization=True)`, please torch.save your "
                "checkpoint with this option in order to use mmap."
            )
        return loader.load_legacy(stream)
    finally:
        if is_path:
            stream.close()


def _seekable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError):
        return False


class _Loader:
    def __init__(self, label, map_location, weights_only, pickle_module, encoding):
        self.label = label
        self.restorer = Restorer(label, map_location, trusted=not weights_only)
        self.weights_only = weights_only
        self.pickle_module = pickle_module or pickle
        self.encoding = encoding

    def fail(self, message: str, kind=RuntimeError):
        self.restorer.fail(message, kind)

    # -- one pickle, restricted or not -------------------------------------------------------
    def _unpickle(self, data, pos: int, persistent_load):
        """(object, end position) of the pickle at ``data[pos:]``."""
        if self.weights_only:
            u = Unpickler(
                memoryview(data)[pos:],
                resolve=self.restorer.resolve,
                persistent_load=persistent_load,
                label=self.label,
                buildable=(Tensor,),
                build=build_user_object,
                encoding=self.encoding,
            )
            return u.load(), pos + u.pos
        stream = io.BytesIO(data)
        stream.seek(pos)
        u = _full_unpickler(self.pickle_module, self.restorer, persistent_load)(
            stream, encoding=self.encoding
        )
        return u.load(), stream.tell()

    def _storage_pid(self, pid):
        """(storage type, key, location, numel, view metadata) of a checked persistent id."""
        if type(pid) is not tuple or len(pid) not in (5, 6) or pid[0] != "storage":
            if type(pid) is tuple and pid and pid[0] == "module":
                self.fail(
                    "the file holds a pickled module class with its source code; that needs "
                    "weights_only=False (which runs code from the file)",
                    pickle.UnpicklingError,
                )
            self.fail(f"unknown persistent id {pid!r:.80}", pickle.UnpicklingError)
        storage_type, key, location, numel = pid[1:5]
        if not isinstance(storage_type, StorageType):
            self.fail(f"a storage has type {storage_type!r:.60}, not a storage type")
        if storage_type.np is None:
            self.fail(f"the file holds a {storage_type}, a dtype ember does not support")
        if type(key) is not str or type(location) is not str:
            self.fail(f"malformed storage id {pid!r:.80}")
        if type(numel) is not int or numel < 0:
            self.fail(f"storage '{key}' claims {numel!r} elements")
        return storage_type, key, location, numel, (pid[5] if len(pid) == 6 else None)

    def _finish(self, storage_type, raw, key, location, big_endian):
        """A LoadedStorage from the raw elements of a storage."""
        if big_endian and raw.dtype.itemsize > 1:
            raw = raw.view(raw.dtype.newbyteorder(">")).astype(raw.dtype)
        if storage_type.bfloat16:
            raw = bfloat16_to_float32(raw)
        device, raw = self.restorer.target_device(location, raw)
        return LoadedStorage(raw, key, device)

    def _result(self, obj):
        if isinstance(obj, LoadedStorage):  # a bare storage: a 1-D tensor of its elements
            return Tensor._make(obj.array, False, None)
        return obj

    # -- the zip format ----------------------------------------------------------------------
    def load_zip(self, stream, mmap_path):
        reader = ZipReader(stream, self.label)
        prefix = self._prefix(reader)
        order = reader.entries.get(f"{prefix}/byteorder")
        big_endian = False
        if order is not None:
            value = bytes(reader.read(f"{prefix}/byteorder"))
            if value not in (b"little", b"big"):
                self.fail(f"unknown byte order {value[:16]!r}")
            big_endian = value == b"big"
        raws = {}
        loaded = {}

        def persistent_load(pid):
            storage_type, key, location, numel, _ = self._storage_pid(pid)
            cached = loaded.get((key, storage_type.name))
            if cached is not None:
                return cached
            name = f"{prefix}/data/{key}"
            entry = reader.entries.get(name)
            if entry is None:
                self.fail(f"storage entry '{name}' is missing from the archive")
            item = 1 if storage_type.name == UNTYPED else storage_type.np.itemsize
            nbytes = numel * item
            if nbytes > entry[1]:
                self.fail(
                    f"storage '{key}' claims {numel} elements ({nbytes} bytes) but its entry "
                    f"'{name}' holds {entry[1]} bytes"
                )
            raw = raws.get(key)
            if raw is None:
                raw = self._read_entry(reader, name, mmap_path)
                raws[key] = raw
            typed = raw[:nbytes].view(storage_type.np)
            storage = self._finish(storage_type, typed, key, location, big_endian)
            loaded[(key, storage_type.name)] = storage
            return storage

        data = reader.read(f"{prefix}/data.pkl")
        obj, _ = self._unpickle(data, 0, persistent_load)
        return self._result(obj)

    def _prefix(self, reader) -> str:
        if not reader.names:
            self.fail("the archive is empty")
        first = reader.names[0].split("/", 1)[0]
        if f"{first}/data.pkl" in reader.entries:
            return first
        found = [n[: -len("/data.pkl")] for n in reader.names if n.endswith("/data.pkl")]
        if len(found) == 1 and "/" not in found[0]:
            return found[0]
        if any(n.endswith("constants.pkl") for n in reader.names):
            self.fail("this is a TorchScript archive (torch.jit.save); ember loads checkpoints")
        self.fail("the archive holds no data.pkl: it is not a PyTorch checkpoint")

    def _read_entry(self, reader, name, mmap_path):
        start, size, _ = reader.entries[name]
        if mmap_path is None:
            return np.frombuffer(reader.read(name), dtype=np.uint8)
        if size == 0:
            return np.zeros(0, dtype=np.uint8)
        return np.memmap(mmap_path, dtype=np.uint8, mode="c", offset=start, shape=(size,))

    # -- the legacy format -------------------------------------------------------------------
    def load_legacy(self, stream):
        data = stream.read()
        pos = 0
        header = []
        for expected in ("magic number", "protocol version", "system info"):
            value, pos = self._header_pickle(data, pos, expected)
            header.append(value)
        magic, protocol, sys_info = header
        if magic != MAGIC_NUMBER:
            self.fail("invalid magic number; corrupt file?", pickle.UnpicklingError)
        if protocol != LEGACY_PROTOCOL:
            self.fail(f"invalid protocol version: {protocol!r}")
        if not isinstance(sys_info, dict):
            self.fail("malformed system info")
        big_endian = sys_info.get("little_endian", True) is False
        claims = {}

        def probe(pid):  # first pass: record each storage, back it by no memory at all
            storage_type, key, location, numel, view = self._storage_pid(pid)
            if claims.setdefault(key, (storage_type, numel)) != (storage_type, numel):
                self.fail(f"storage '{key}' is described twice, differently")
            fake = np.broadcast_to(np.zeros((), dtype=storage_type.np), (numel,))
            return self._view_of(LoadedStorage(fake, key, "cpu"), view, key)

        main = pos
        trusted = {}
        if self.weights_only:
            obj, pos = self._unpickle(data, main, probe)
        else:
            obj, pos = self._unpickle(data, main, lambda pid: self._trusted(pid, claims, trusted))
        keys, pos = self._header_pickle(data, pos, "storage keys")
        if not isinstance(keys, list) or not all(type(k) is str for k in keys):
            self.fail("malformed storage key list")
        missing = set(claims) - set(keys)
        if missing:
            self.fail(f"storages {sorted(missing)[:5]} have no data in the file")
        filled = {}
        for key in keys:
            if key not in claims:
                self.fail(f"storage key '{key}' is not used by any tensor")
            if key in filled:
                self.fail(f"storage '{key}' appears twice in the key list")
            storage_type, numel = claims[key]
            if pos + 8 > len(data):
                self.fail(f"the file is truncated before storage '{key}'")
            (count,) = struct.unpack_from(">q" if big_endian else "<q", data, pos)
            nbytes = count * storage_type.np.itemsize
            if count != numel or pos + 8 + nbytes > len(data):
                self.fail(
                    f"storage '{key}' claims {numel} elements; the file holds "
                    f"{max(0, min(count, (len(data) - pos - 8) // storage_type.np.itemsize))}"
                )
            raw = np.frombuffer(data, dtype=storage_type.np, count=count, offset=pos + 8)
            filled[key] = raw
            pos += 8 + nbytes
        if self.weights_only:
            done = {}

            def real(pid):
                storage_type, key, location, _, view = self._storage_pid(pid)
                storage = done.get(key)
                if storage is None:
                    raw = filled[key].copy()
                    storage = self._finish(storage_type, raw, key, location, big_endian)
                    done[key] = storage
                return self._view_of(storage, view, key)

            obj, _ = self._unpickle(data, main, real)
            return self._result(obj)
        for key, raw in filled.items():
            values = self._finish(claims[key][0], raw, key, "cpu", big_endian).array
            trusted[key].array[...] = values
        return self._result(obj)

    def _trusted(self, pid, claims, stores):
        """weights_only=False reads the object once: zeroed CPU storages, filled afterwards."""
        if type(pid) is tuple and pid and pid[0] == "module":
            return pid[1]
        storage_type, key, location, numel, view = self._storage_pid(pid)
        claims.setdefault(key, (storage_type, numel))
        storage = stores.get(key)
        if storage is None:
            dtype = np.float32 if storage_type.bfloat16 else storage_type.np
            storage = stores[key] = LoadedStorage(np.zeros(numel, dtype=dtype), key, "cpu")
        return self._view_of(storage, view, key)

    def _view_of(self, storage, view, key):
        if view is None:
            return storage
        if (
            type(view) is not tuple
            or len(view) != 3
            or not all(type(v) is int and v >= 0 for v in view[1:])
            or view[1] + view[2] > storage.array.shape[0]
        ):
            self.fail(f"storage '{key}' has a malformed view {view!r:.60}")
        _, offset, size = view
        return LoadedStorage(storage.array[offset : offset + size], key, storage.device)

    def _header_pickle(self, data, pos, what):
        if pos >= len(data):
            self.fail(f"the file ends before its {what}", EOFError)
        u = Unpickler(
            memoryview(data)[pos:],
            resolve=self.restorer.resolve,
            persistent_load=lambda pid: self.fail(f"unexpected storage in the {what}"),
            label=self.label,
        )
        try:
            return u.load(), pos + u.pos
        except pickle.UnpicklingError as exc:
            if pos == 0:
                raise pickle.UnpicklingError(
                    f"{self.label} is neither a zip checkpoint nor a legacy PyTorch "
                    f"checkpoint ({exc})"
                ) from None
            raise


def _full_unpickler(pickle_module, restorer, persistent_load):
    """Python's unpickler (weights_only=False), with PyTorch's names mapped to ember's."""

    class FullUnpickler(pickle_module.Unpickler):
        def find_class(self, module, name):
            found = restorer.allowed.get(f"{module}.{name}")
            if isinstance(found, Allowed):
                return found.fn
            if found is not None:
                return found
            if module == "torch" or module.startswith("torch."):
                try:
                    return getattr(importlib.import_module("ember" + module[5:]), name)
                except (ImportError, AttributeError):
                    raise pickle.UnpicklingError(
                        f"{restorer.label}: the file needs {module}.{name}, which ember does "
                        "not have"
                    ) from None
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return persistent_load(pid)

    return FullUnpickler
