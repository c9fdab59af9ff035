"""The pickler behind ``ember.save``: ember objects written under PyTorch's global names.

``torch.load`` rebuilds a tensor from ``torch._utils._rebuild_tensor_v2(storage, offset, size,
stride, requires_grad, backward_hooks)`` where ``storage`` is a persistent id
``('storage', torch.FloatStorage, key, location, numel)`` pointing at the archive entry
``data/<key>``. Those globals must be written without PyTorch installed, so they are
:class:`TorchGlobal` markers that this pickler writes as ``GLOBAL`` opcodes; NumPy arrays and
Python objects go through pickle's usual machinery.

Tensors that are views of one array share one storage: the storage is the array that owns
the memory (``a.base`` followed to its end), and each tensor records its offset and strides
into it, as PyTorch does. A tensor whose layout a storage cannot express (negative strides,
a byte offset that is not a whole number of elements, two dtypes over one buffer) is written
as a contiguous copy of its own.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict

import numpy as np

from .. import dtypes as _dt
from ..backend import to_numpy
from ..device import device as _device
from ..size import Size
from ..tensor import Tensor

__all__ = ["TorchGlobal", "TorchPickler", "Storage", "STORAGE_NAMES"]

# ember dtype name -> the name of PyTorch's typed-storage class for it
STORAGE_NAMES = {
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
}


class TorchGlobal:
    """A name in PyTorch's namespace, pickled as ``GLOBAL module name``. One instance per
    name, so pickle's memo writes each name once."""

    _interned: dict = {}

    def __new__(cls, module: str, name: str):
        key = (module, name)
        obj = cls._interned.get(key)
        if obj is None:
            obj = super().__new__(cls)
            obj.module, obj.name = module, name
            cls._interned[key] = obj
        return obj

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"

    def __call__(self, *args):  # pickle's save_reduce insists that the function be callable
        raise TypeError(f"{self!r} is PyTorch's name, written into checkpoints; not callable")


_REBUILD_TENSOR = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")


class Storage:
    """One storage of the archive: a flat array written to ``data/<key>``."""

    __slots__ = ("key", "array", "location")

    def __init__(self, key: str, array: np.ndarray, location: str):
        self.key = key
        self.array = array  # 1-D, C-contiguous
        self.location = location


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


class TorchPickler(pickle._Pickler):
    """Pickles ``obj`` at protocol 2 (by default) with tensors as PyTorch writes them.

    ``storages`` (key order) lists what the caller must write under ``data/``.
    """

    dispatch = dict(pickle._Pickler.dispatch)
    #: write legacy (pre-1.6) persistent ids, which end with a view-metadata slot
    legacy = False

    def __init__(self, file, protocol: int = 2):
        super().__init__(file, protocol)
        self.storages: list[Storage] = []
        self._by_root: dict = {}  # id(root array) -> (root, dtype, Storage)

    # -- persistent ids: storages ------------------------------------------------------------
    def persistent_id(self, obj):
        if type(obj) is Storage:
            name = STORAGE_NAMES[obj.array.dtype.name]
            pid = ("storage", TorchGlobal("torch", name), obj.key, obj.location, obj.array.size)
            return pid + (None,) if self.legacy else pid
        return None

    def _new_storage(self, flat: np.ndarray, location: str) -> Storage:
        storage = Storage(str(len(self.storages)), flat, location)
        self.storages.append(storage)
        return storage

    def _storage_of(self, a: np.ndarray, location: str):
        """(storage, element offset, element strides) for array ``a``."""
        item = a.itemsize
        root = _root(a)
        entry = self._by_root.get(id(root))
        if entry is None or entry[1] != a.dtype:
            block = None
            if root.flags.c_contiguous or root.flags.f_contiguous:
                block = root if root.flags.c_contiguous else root.T
                if block.nbytes % item:
                    block = None
            if entry is None and block is not None:
                flat = block.reshape(-1).view(np.uint8).view(a.dtype)
                entry = (root, a.dtype, self._new_storage(flat, location))
                self._by_root[id(root)] = entry
            else:
                entry = None
        if entry is not None:
            storage = entry[2]
            offset = _address(a) - _address(storage.array)
            strides = a.strides
            last = offset + sum((n - 1) * s for n, s in zip(a.shape, strides))
            if (
                offset >= 0
                and offset % item == 0
                and all(s >= 0 and s % item == 0 for s in strides)
                and (a.size == 0 or last + item <= storage.array.nbytes)
            ):
                return storage, offset // item, tuple(s // item for s in strides)
        # a layout no storage can express: a contiguous copy of its own
        copy = a.copy(order="C")
        storage = self._new_storage(copy.reshape(-1), location)
        return storage, 0, _contiguous_strides(a.shape)

    def _tensor_args(self, t: Tensor, requires_grad: bool):
        data = t._data
        location = "cpu" if isinstance(data, np.ndarray) else f"cuda:{data.device.id}"
        a = to_numpy(data)
        if a.dtype.byteorder == ">":
            a = a.astype(a.dtype.newbyteorder("="))
        storage, offset, strides = self._storage_of(a, location)
        if a.size <= 1:
            strides = _contiguous_strides(a.shape)
            if a.size == 0:
                offset = 0
        return (storage, offset, tuple(a.shape), strides, requires_grad, OrderedDict())

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            # a NumPy scalar (a learning rate computed with NumPy, say) as the Python number:
            # torch.load(weights_only=True) refuses NumPy's globals
            obj = obj.item()
        super().save(obj, save_persistent_id)

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            from ..nn.parameter import Parameter

            if isinstance(obj, Parameter):
                plain = Tensor._make(obj._data, False, None)
                return _REBUILD_PARAMETER, (plain, obj._rg, OrderedDict())
            return _REBUILD_TENSOR, self._tensor_args(obj, obj._rg)
        return NotImplemented

    # -- PyTorch's names ---------------------------------------------------------------------
    def _write_global(self, marker: TorchGlobal) -> None:
        self.write(pickle.GLOBAL + f"{marker.module}\n{marker.name}\n".encode())
        self.memoize(marker)

    def _save_torch_global(self, obj) -> None:
        self._write_global(obj)

    def _save_dtype(self, obj) -> None:
        self.save(TorchGlobal("torch", obj.name))

    def _save_device(self, obj) -> None:
        self.save_reduce(obj=obj, func=TorchGlobal("torch", "device"), args=(str(obj),))

    def _save_size(self, obj) -> None:
        self.save_reduce(obj=obj, func=TorchGlobal("torch", "Size"), args=(tuple(obj),))

    dispatch[TorchGlobal] = _save_torch_global
    dispatch[_dt.dtype] = _save_dtype
    dispatch[_device] = _save_device
    dispatch[Size] = _save_size


def _contiguous_strides(shape) -> tuple:
    strides = []
    acc = 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))
