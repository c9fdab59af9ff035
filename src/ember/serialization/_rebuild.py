"""What a checkpoint may rebuild: the allow-list of globals, and tensors made from storages
after every size, offset and stride has been checked.

The names are PyTorch's (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``torch.float32``, ``collections.OrderedDict`` ...), matching what ``torch.load`` accepts with
``weights_only=True``; each maps to an ember function written here that takes plain data and
returns ember objects. Nothing is imported by name from the file.
"""

from __future__ import annotations

import pickle
from collections import Counter, OrderedDict

import numpy as np

from .. import dtypes as _dt
from ..device import device as _device
from ..size import Size
from ..tensor import Tensor
from ._safe_globals import user_global
from ._unpickler import Allowed

__all__ = ["StorageType", "LoadedStorage", "Restorer", "UNTYPED"]

_MAX_DIMS = 64

# PyTorch's typed-storage class names -> NumPy dtype (None: a dtype ember cannot hold)
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16",
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
    "UntypedStorage": np.uint8,
    "ComplexFloatStorage": None,
    "ComplexDoubleStorage": None,
    "QInt8Storage": None,
    "QUInt8Storage": None,
    "QInt32Storage": None,
    "QUInt4x2Storage": None,
    "QUInt2x4Storage": None,
}
UNTYPED = "UntypedStorage"

_DTYPE_NAMES = {
    "float32": "float32",
    "float": "float32",
    "float64": "float64",
    "double": "float64",
    "float16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "int64": "int64",
    "long": "int64",
    "int32": "int32",
    "int": "int32",
    "int16": "int16",
    "short": "int16",
    "int8": "int8",
    "uint8": "uint8",
    "bool": "bool",
}
_OTHER_DTYPES = (
    "complex32 complex64 complex128 cfloat cdouble chalf uint16 uint32 uint64 uint1 uint2 "
    "uint3 uint4 uint5 uint6 uint7 int1 int2 int3 int4 int5 int6 int7 float8_e4m3fn "
    "float8_e5m2 float8_e4m3fnuz float8_e5m2fnuz float8_e8m0fnu float4_e2m1fn_x2 qint8 "
    "quint8 qint32 quint4x2 quint2x4 bits8 bits16 bits1x8 bits2x4 bits4x2"
).split()


class StorageType:
    """The marker a ``torch.FloatStorage``-style global stands for: ``np`` is the dtype of
    the bytes in the file (bfloat16 is read as uint16 bits and widened to float32)."""

    __slots__ = ("name", "np", "bfloat16")

    def __init__(self, name: str):
        self.name = name
        dt = _STORAGE_DTYPES[name]
        self.bfloat16 = dt == "bfloat16"
        self.np = None if dt is None else np.dtype(np.uint16 if self.bfloat16 else dt)

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _Marker:
    """A name the file may mention but not call (``torch.Tensor``, an unsupported dtype)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


_TENSOR_TYPE = _Marker("torch.Tensor")


class LoadedStorage:
    """A storage read from the file: a flat array, the device its tensors go to."""

    __slots__ = ("array", "key", "device")

    def __init__(self, array, key: str, device: str):
        self.array = array
        self.key = key
        self.device = device


def bfloat16_to_float32(raw: np.ndarray) -> np.ndarray:
    """bfloat16 bits (as uint16) to float32, exactly: the top half of a float32."""
    out = np.zeros(raw.shape, dtype=np.uint32)
    out |= raw.astype(np.uint32) << 16
    return out.view(np.float32)


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


class Restorer:
    """The allow-list and the tensor builders for one ``ember.load`` call.

    ``label`` names the file in messages; ``map_location`` is ``ember.load``'s argument;
    ``trusted`` (weights_only=False) lets rebuilds call what Python's unpickler resolved.
    """

    def __init__(self, label: str, map_location=None, trusted: bool = False):
        self.label = label
        self.map_location = map_location
        self.trusted = trusted
        self.allowed = self._allow_list()

    def fail(self, message: str, kind=RuntimeError):
        raise kind(f"{self.label}: {message}")

    # -- the allow-list ----------------------------------------------------------------------
    def _allow_list(self) -> dict:
        table = {
            "collections.OrderedDict": Allowed("collections.OrderedDict", OrderedDict, True),
            "collections.Counter": Allowed("collections.Counter", Counter, True),
            "torch.nn.parameter.Parameter": Allowed(
                "torch.nn.parameter.Parameter", self._make_parameter, True
            ),
            "builtins.set": Allowed("builtins.set", _set),
            "builtins.frozenset": Allowed("builtins.frozenset", _frozenset),
            "builtins.bytearray": Allowed("builtins.bytearray", _bytearray),
            "builtins.complex": Allowed("builtins.complex", _complex),
            "_codecs.encode": Allowed("_codecs.encode", _encode),
            "torch.Size": Allowed("torch.Size", _size),
            "torch.device": Allowed("torch.device", _make_device),
            "torch.serialization._get_layout": Allowed("torch.serialization._get_layout", _layout),
            "torch.Tensor": _TENSOR_TYPE,
            "torch._tensor.Tensor": _TENSOR_TYPE,
            "torch._tensor._rebuild_from_type_v2": Allowed(
                "torch._tensor._rebuild_from_type_v2", self.rebuild_from_type_v2
            ),
        }
        for name in ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3"):
            table[f"torch._utils.{name}"] = Allowed(f"torch._utils.{name}", getattr(self, name))
        for name in ("_rebuild_parameter", "_rebuild_parameter_with_state"):
            table[f"torch._utils.{name}"] = Allowed(f"torch._utils.{name}", getattr(self, name))
        table["torch._utils._rebuild_device_tensor_from_cpu_tensor"] = Allowed(
            "torch._utils._rebuild_device_tensor_from_cpu_tensor", self._rebuild_from_cpu
        )
        for name, what in (
            ("_rebuild_qtensor", "quantized tensors"),
            ("_rebuild_sparse_tensor", "sparse tensors"),
            ("_rebuild_meta_tensor_no_storage", "meta tensors"),
            ("_rebuild_nested_tensor", "nested tensors"),
            ("_rebuild_wrapper_subclass", "tensor subclasses"),
            ("_rebuild_device_tensor_from_numpy", "tensors rebuilt from NumPy arrays"),
        ):
            table[f"torch._utils.{name}"] = Allowed(f"torch._utils.{name}", self._unsupported(what))
        for name in _STORAGE_DTYPES:
            table[f"torch.{name}"] = StorageType(name)
            table[f"torch.cuda.{name}"] = StorageType(name)
        table["torch.storage.UntypedStorage"] = StorageType(UNTYPED)
        table["torch.storage.TypedStorage"] = _Marker("torch.storage.TypedStorage")
        for name, ember_name in _DTYPE_NAMES.items():
            table[f"torch.{name}"] = _dt._BY_NAME[ember_name]
        for name in _OTHER_DTYPES:
            table[f"torch.{name}"] = _Marker(f"torch.{name}")
        return table

    def resolve(self, module: str, name: str):
        """The object the global ``module.name`` stands for; UnpicklingError for the rest."""
        found = self.allowed.get(f"{module}.{name}")
        if found is None:
            found = user_global(f"{module}.{name}")
        if found is None:
            self.fail(
                f"refused to load global '{module}.{name}': weights_only loading rebuilds only "
                "tensors, parameters, storages, dtypes, torch.Size/device, OrderedDict and "
                "builtin containers. Load with weights_only=False only if you trust the "
                "file's author (it can run any code).",
                pickle.UnpicklingError,
            )
        return found

    def _unsupported(self, what: str):
        def refuse(*args):
            self.fail(f"the file holds {what}, which ember does not support")

        return refuse

    # -- devices -----------------------------------------------------------------------------
    def target_device(self, location: str, array):
        """Where a storage saved at ``location`` goes: (device string, array)."""
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, _device)):
            result = ml(Tensor._make(array, False, None), location)
            if isinstance(result, Tensor):
                return str(result.device), result._data
            if result is not None:
                self.fail(f"map_location returned a {type(result).__name__}, not a tensor")
        elif isinstance(ml, dict):
            location = str(ml.get(location, location))
        elif ml is not None:
            location = str(_device(ml) if not isinstance(ml, _device) else ml)
        dev = _device(location)
        if dev.type == "cpu":
            return "cpu", array
        if dev.type == "cuda":
            from .. import cuda

            if not cuda.is_available():
                raise RuntimeError(
                    "Attempting to deserialize object on a CUDA device but "
                    "torch.cuda.is_available() is False. If you are running on a CPU-only "
                    "machine, please use torch.load with map_location=torch.device('cpu') to "
                    "map your storages to the CPU."
                )
            return str(dev), array
        self.fail(f"cannot restore a storage to device '{location}' (ember has cpu and cuda)")

    # -- tensors -----------------------------------------------------------------------------
    def _check_geometry(self, storage, offset, size, stride):
        if not isinstance(storage, LoadedStorage):
            self.fail(f"a tensor's storage is a {type(storage).__name__}, not a storage")
        if not _is_int(offset) or offset < 0:
            self.fail(f"a tensor has storage offset {offset!r}; offsets must be integers >= 0")
        if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)):
            self.fail("a tensor's size and stride must be tuples")
        if len(size) > _MAX_DIMS or len(size) != len(stride):
            self.fail(f"a tensor has {len(size)} sizes and {len(stride)} strides")
        for n in size:
            if not _is_int(n) or n < 0:
                self.fail(f"a tensor has size {tuple(size)!r}; sizes must be integers >= 0")
        for s in stride:
            if not _is_int(s) or s < 0:
                self.fail(f"a tensor has stride {tuple(stride)!r}; strides must be integers >= 0")
        size = tuple(int(n) for n in size)
        stride = tuple(int(s) for s in stride)
        numel = storage.array.shape[0]
        if 0 not in size:
            last = int(offset) + sum((n - 1) * s for n, s in zip(size, stride))
            if last >= numel:
                self.fail(
                    f"a tensor of size {list(size)}, stride {list(stride)} and offset {offset} "
                    f"reaches element {last} of storage '{storage.key}', which holds {numel} "
                    "elements"
                )
        return int(offset), size, stride

    def _view(self, storage, offset, size, stride) -> np.ndarray:
        offset, size, stride = self._check_geometry(storage, offset, size, stride)
        arr = storage.array
        if 0 in size:
            return np.empty(size, dtype=arr.dtype)
        item = arr.itemsize
        strides = tuple(s * item for s in stride)
        if not arr.flags.c_contiguous:  # the placeholder storages of a legacy file's first pass
            return np.lib.stride_tricks.as_strided(arr[offset:], size, strides, writeable=False)
        view = np.ndarray(size, arr.dtype, buffer=arr, offset=offset * item, strides=strides)
        if not _no_overlap(size, stride):
            view.flags.writeable = False
        return view

    def _tensor(self, storage, array, requires_grad) -> Tensor:
        if storage.device != "cpu":
            from ..backend import load_cupy

            cp = load_cupy()
            with cp.cuda.Device(_device(storage.device).index or 0):
                array = cp.asarray(array)
        t = Tensor._make(array, False, None)
        if requires_grad is not False:
            if requires_grad is not True:
                self.fail(f"requires_grad must be a bool, not {type(requires_grad).__name__}")
            if array.dtype.kind != "f":
                self.fail(f"a {array.dtype} tensor cannot require grad")
            t._rg = True
        return t

    def _rebuild_tensor_v2(
        self, storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
    ):
        array = self._view(storage, storage_offset, size, stride)
        return self._tensor(storage, array, requires_grad)

    def _rebuild_tensor(self, storage, storage_offset, size, stride):
        return self._rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)

    def _rebuild_tensor_v3(
        self,
        storage,
        storage_offset,
        size,
        stride,
        requires_grad,
        backward_hooks,
        dtype,
        metadata=None,
    ):
        if not isinstance(storage, LoadedStorage):
            self.fail(f"a tensor's storage is a {type(storage).__name__}, not a storage")
        if not isinstance(dtype, _dt.dtype):
            self.fail(f"ember cannot hold tensors of dtype {dtype!r}")
        raw = storage.array
        target = np.dtype(np.uint16) if dtype is _dt.bfloat16 else dtype.np
        if raw.dtype != np.uint8 or raw.nbytes % target.itemsize:
            self.fail(f"storage '{storage.key}' cannot be viewed as {dtype}")
        typed = raw.view(target)
        if dtype is _dt.bfloat16:
            typed = bfloat16_to_float32(typed)
        view = LoadedStorage(typed, storage.key, storage.device)
        return self._rebuild_tensor_v2(
            view, storage_offset, size, stride, requires_grad, backward_hooks
        )

    def _rebuild_from_cpu(self, data, dtype, device, requires_grad):
        if not isinstance(data, Tensor) or not isinstance(dtype, _dt.dtype):
            self.fail("malformed device tensor")
        t = data.to(dtype)
        t._rg = False
        return self._tensor(LoadedStorage(None, "", "cpu"), t._data, requires_grad)

    def _rebuild_parameter(self, data, requires_grad, backward_hooks):
        from ..nn.parameter import Parameter

        if not isinstance(data, Tensor):
            self.fail(f"a parameter's data is a {type(data).__name__}, not a tensor")
        if type(requires_grad) is not bool:
            self.fail("a parameter's requires_grad must be a bool")
        if requires_grad and data._data.dtype.kind != "f":
            self.fail(f"a {data._data.dtype} parameter cannot require grad")
        return Parameter(data, requires_grad)

    def _make_parameter(self, data=None, requires_grad=True):
        from ..nn.parameter import Parameter

        if data is not None and not isinstance(data, Tensor):
            self.fail(f"a parameter's data is a {type(data).__name__}, not a tensor")
        return Parameter(data, bool(requires_grad))

    def _rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        param = self._rebuild_parameter(data, requires_grad, backward_hooks)
        self.set_state(param, state)
        return param

    def rebuild_from_type_v2(self, func, new_type, args, state):
        if isinstance(func, Allowed):
            func = func.fn
        elif not self.trusted:
            self.fail("malformed tensor rebuild")
        if type(args) is not tuple:
            self.fail("malformed tensor rebuild")
        t = func(*args)
        if not isinstance(t, Tensor):
            self.fail("a tensor rebuild did not return a tensor")
        if isinstance(new_type, Allowed) and new_type.name == "torch.nn.parameter.Parameter":
            from ..nn.parameter import Parameter

            if not isinstance(t, Parameter):
                t = Parameter(t, t._rg)
        elif new_type is not _TENSOR_TYPE:
            self.fail(f"a tensor of type {new_type!r} cannot be rebuilt")
        self.set_state(t, state)
        return t

    def set_state(self, obj, state) -> None:
        """Plain attributes from a file onto a rebuilt object: never names its class has."""
        if state is None:
            return
        if isinstance(state, tuple) and len(state) == 2 and state[1] is None:
            state = state[0]
        if not isinstance(state, dict):
            self.fail(f"the state of a {type(obj).__name__} must be a dict")
        for key, value in state.items():
            if type(key) is not str or key.startswith("__") or hasattr(type(obj), key):
                self.fail(f"setting attribute {key!r} of a {type(obj).__name__} is not allowed")
            setattr(obj, key, value)


def _no_overlap(size, stride) -> bool:
    """True when no two elements of the view share memory (so writes through it are safe)."""
    dims = sorted((s, n) for n, s in zip(size, stride) if n > 1)
    reach = 1
    for s, n in dims:
        if s < reach:
            return False
        reach = s * n
    return True


def _set(items=()):
    return set(_iterable(items, "set"))


def _frozenset(items=()):
    return frozenset(_iterable(items, "frozenset"))


def _iterable(items, what):
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise pickle.UnpicklingError(f"{what}() of a {type(items).__name__} is not allowed")
    return items


def _bytearray(data=b"", *args):
    if isinstance(data, str) and args in (("latin1",), ("latin-1",)):
        return bytearray(data.encode("latin-1"))
    if not isinstance(data, (bytes, bytearray)) or args:
        raise pickle.UnpicklingError("bytearray() is allowed only from bytes")
    return bytearray(data)


def _complex(real=0.0, imag=0.0):
    for x in (real, imag):
        if not isinstance(x, (int, float)):
            raise pickle.UnpicklingError("complex() is allowed only from numbers")
    return complex(real, imag)


def _encode(text, encoding="utf-8", *args):
    if type(text) is not str or encoding not in ("latin1", "latin-1") or args:
        raise pickle.UnpicklingError("_codecs.encode is allowed only as (str, 'latin1')")
    return text.encode("latin-1")


def _size(sizes=()):
    if not isinstance(sizes, (tuple, list)) or not all(_is_int(n) for n in sizes):
        raise pickle.UnpicklingError("torch.Size() needs a tuple of integers")
    return Size(sizes)


def _make_device(kind, index=None):
    if type(kind) is not str or (index is not None and not _is_int(index)):
        raise pickle.UnpicklingError("torch.device() needs a string and an optional index")
    return _device(kind, index)


def _layout(name):
    if name != "torch.strided":
        raise pickle.UnpicklingError(f"ember has only strided tensors, not {name!r}")
    return "torch.strided"
