"""Making tensors: ``tensor``, ``zeros``, ``arange``, the ``*_like`` forms, and conversion
between dtypes and devices (``Tensor.to``)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..backend import get_array_module
from ..device import device as Device
from ..device import to_device
from ..dtypes import (
    bool_,
    float64,
    get_default_dtype,
    int64,
    to_dtype,
)
from ..dtypes import (
    dtype as DType,
)
from ..dtypes import (
    from_numpy as dtype_of,
)
from ..tensor import Tensor
from ._args import sizes
from ._out import takes_out

__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "eye",
    "arange",
    "range",
    "linspace",
    "logspace",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "scalar_tensor",
    "is_tensor",
    "is_floating_point",
    "numel",
    "to",
]

_py_range = range


def _xp_for(device):
    if device is None:
        return np
    d = to_device(device)
    if d.type == "cpu":
        return np
    if d.type == "cuda":
        return backend.load_cupy()
    raise RuntimeError(f"ember has no {d.type} backend")


def _finish(arr, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, False, None)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = True
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or get_default_dtype()).np
    return to_dtype(dtype).np


# -- from data ------------------------------------------------------------------------------------
_SEQUENCES = (list, tuple, range)
_NUMBERS = frozenset((int, float, bool))  # leaves that need no unwrapping or checks


def array_from_data(data, dtype=None):
    """A new NumPy array holding ``data`` in torch's inferred (or the given) dtype.

    Nested sequences are read as torch reads them: the shape from the first element at each
    depth (a ragged nest is an error), the dtype promoted over the leaves (Python floats give
    the default dtype, ints int64, bools bool; NumPy scalars, arrays and one-element tensors
    bring their own dtype).
    """
    if isinstance(data, Tensor):
        arr = backend.to_numpy(data._data)
        target = _np_dtype(dtype) if dtype is not None else arr.dtype
        return np.array(arr, dtype=target, copy=True)
    if isinstance(data, np.ndarray):
        inferred = dtype_of(data.dtype).np
        return np.array(data, dtype=_np_dtype(dtype) if dtype is not None else inferred)
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    shape, leaves = _walk(data)
    inferred = _infer_dtype(leaves)
    target = _np_dtype(dtype) if dtype is not None else inferred.np
    special = not {type(v) for v in leaves} <= _NUMBERS and _has_special(leaves)
    values = [_leaf_value(v) for v in leaves] if special else leaves
    if target.kind in "iu" and not (target == np.int64 and inferred is int64):
        values = _fit_ints(values, target)  # (int64 from ints: np.array's OverflowError)
    try:
        arr = np.array(values, dtype=target)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    except TypeError:
        bad = next(v for v in leaves if not isinstance(v, (int, float, bool, np.generic)))
        raise TypeError(f"Could not infer dtype of {type(bad).__name__}") from None
    return arr.reshape(shape)


def _walk(data):
    """The shape of a nest of sequences (from the first element at each depth) and its
    leaves in row-major order; torch's errors for ragged nests."""
    shape = []
    level = [data]
    while True:
        first = level[0] if level else None
        if not isinstance(first, _SEQUENCES) and not _is_nd(first):
            break
        n = len(first)
        for item in level:
            if not isinstance(item, _SEQUENCES) and not _is_nd(item):
                raise TypeError("not a sequence")
            if len(item) != n:
                raise ValueError(
                    f"expected sequence of length {n} at dim {len(shape)} (got {len(item)})"
                )
        shape.append(n)
        level = [x for item in level for x in item]
        if n == 0:
            break
    if {type(x) for x in level} <= _NUMBERS:  # (the common case, told in one pass)
        return tuple(shape), level
    for item in level:
        if isinstance(item, _SEQUENCES) or _is_nd(item):
            if _is_float_leaf(level):
                raise TypeError(f"must be real number, not {type(item).__name__}")
            raise TypeError(f"'{type(item).__name__}' object cannot be interpreted as an integer")
    return tuple(shape), level


def _is_nd(x) -> bool:
    return isinstance(x, np.ndarray) and x.ndim > 0


def _is_float_leaf(leaves) -> bool:
    return any(isinstance(v, float) for v in leaves)


def _infer_dtype(leaves) -> DType:
    from ..dtypes import promote_types

    types = {type(v) for v in leaves}
    result = None
    for t in types:
        if t is bool:
            d = bool_
        elif t is int:
            d = int64
        elif t is float:
            d = get_default_dtype()
        elif issubclass(t, (np.generic, np.ndarray)):
            d = _first_of(leaves, t).dtype
            if d.kind == "c":
                raise NotImplementedError("ember has no complex dtypes")
            d = dtype_of(d)
        elif issubclass(t, Tensor):
            d = None
            for v in leaves:
                if type(v) is t:
                    d = v.dtype if d is None else promote_types(d, v.dtype)
        elif t is type(None):
            raise RuntimeError("Could not infer dtype of NoneType")
        elif t is str:
            raise ValueError(f"too many dimensions '{t.__name__}'")
        else:
            raise TypeError(f"Could not infer dtype of {t.__name__}")
        if issubclass(t, (np.generic, np.ndarray)):
            for v in leaves:  # NumPy scalars of one type share a dtype; promote anyway
                if type(v) is t and dtype_of(v.dtype) is not d:
                    d = promote_types(d, dtype_of(v.dtype))
        result = d if result is None else promote_types(result, d)
    return result if result is not None else get_default_dtype()


def _first_of(leaves, t):
    return next(v for v in leaves if type(v) is t)


def _has_special(leaves) -> bool:
    for v in leaves:
        if isinstance(v, (Tensor, np.ndarray)):
            return True
    return False


def _leaf_value(v):
    if isinstance(v, Tensor):
        if v._data.size != 1:
            if v._data.dtype.kind in "iub":
                raise TypeError(
                    "only integer tensors of a single element can be converted to an index"
                )
            raise ValueError("only one element tensors can be converted to Python scalars")
        return v._data.item()
    if isinstance(v, np.ndarray):
        return v.item()
    return v


def _fit_ints(values, np_dtype) -> list:
    """Python numbers checked against an integer dtype's range as torch checks them (a
    uint8 takes ints in [-255, 255], wrapping negatives, and floats in [0, 255])."""
    info = np.iinfo(np_dtype)
    unsigned = np_dtype.kind == "u"
    out = None
    for i, v in enumerate(values):
        if type(v) is int:
            if v < -(2**63) or v >= 2**63:
                raise ValueError("Overflow when unpacking long long")
            ok = -info.max <= v <= info.max if unsigned else info.min <= v <= info.max
            if ok and v < 0 and unsigned:
                out = list(values) if out is None else out
                out[i] = v % (info.max + 1)
        elif type(v) is float:
            ok = not (v < info.min or v > info.max)
        else:
            continue
        if not ok:
            raise RuntimeError(
                f"value cannot be converted to type {np_dtype.name} without overflow"
            )
    return values if out is None else out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested sequences, an array or a
    tensor). Python floats give the default dtype, ints int64, bools bool."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    arr = array_from_data(data, dtype)
    xp = _xp_for(device)
    if xp is not np:
        arr = xp.asarray(arr)
    return _finish(arr, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return tensor(s, dtype=dtype or get_default_dtype(), device=device, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory when it already is a tensor or NumPy array of the
    requested dtype and device."""
    if isinstance(data, Tensor):
        if (dtype is None or to_dtype(dtype) == data.dtype) and (
            device is None or to_device(device) == data.device
        ):
            return data
        return data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and device is None:
        dtype_of(data.dtype)
        if dtype is None or to_dtype(dtype).np == data.dtype:
            return Tensor._make(data, False, None)
        return Tensor._make(data.astype(to_dtype(dtype).np), False, None)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = Tensor._make(t._data.copy(), False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory (writes on either side show on the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtype_of(ndarray.dtype)
    if not ndarray.flags.writeable:
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable "
            "tensors. This means writing to this tensor will result in undefined behavior. You "
            "may want to copy the array to protect its data or make it writable before "
            "converting it to a tensor. This type of warning will be suppressed for the rest "
            "of this program.",
            UserWarning,
            stacklevel=2,
        )
    if ndarray.dtype.byteorder not in "=|":
        raise ValueError(
            "given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    return Tensor._make(ndarray, False, None)


def legacy_tensor(*args, **kwargs) -> Tensor:
    """``Tensor(data)`` or ``Tensor(*sizes)``: the legacy constructor makes float32."""
    dt = get_default_dtype()
    if not args:
        return Tensor._make(np.zeros((0,), dtype=dt.np), False, None)
    if len(args) == 1 and not isinstance(args[0], int):
        data = args[0]
        if isinstance(data, Tensor):
            return Tensor._make(data._data, False, None)
        return Tensor._make(array_from_data(data, dt), False, None)
    return zeros(*args, dtype=dt)


# -- filled ---------------------------------------------------------------------------------------
def _filled(kind, size_args, fill, dtype, device, requires_grad, out=None) -> Tensor:
    shape = sizes(size_args, kind)
    if any(s < 0 for s in shape):
        if kind == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
        )
    xp = _xp_for(device)
    np_dt = _np_dtype(dtype)
    if kind == "zeros":
        arr = xp.zeros(shape, dtype=np_dt)
    elif kind == "ones":
        arr = xp.ones(shape, dtype=np_dt)
    else:
        arr = xp.full(shape, fill, dtype=np_dt)
    if out is not None:
        out._data = arr
        return out
    return _finish(arr, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of zeros of the given size (default dtype unless ``dtype``)."""
    return _filled("zeros", size, 0, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ones."""
    return _filled("ones", size, 1, dtype, device, requires_grad, out)


def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
):
    """An uninitialized tensor; ember fills it with zeros so results never depend on garbage."""
    return _filled("zeros", size, 0, dtype, device, requires_grad, out)


def _fill_dtype(value):
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, Tensor):
        return value.dtype
    return get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor filled with ``fill_value`` (dtype inferred from it: bool, int64 or float)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled(
        "full",
        (size,),
        fill_value,
        dtype or _fill_dtype(fill_value),
        device,
        requires_grad,
        out,
    )


@takes_out("eye", factory=True)
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The n x m identity matrix."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    xp = _xp_for(device)
    return _finish(xp.eye(n, m if m is not None else n, dtype=_np_dtype(dtype)), requires_grad)


def _like(input, dtype, device):
    return (dtype or input.dtype), (device if device is not None else input.device)


def zeros_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(
    input,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    dt, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


# -- ranges ---------------------------------------------------------------------------------------
def _range_dtype(*values):
    if any(
        isinstance(v, float) or (isinstance(v, Tensor) and v.is_floating_point()) for v in values
    ):
        return get_default_dtype()
    return int64


def _num(v):
    return v.item() if isinstance(v, Tensor) else v


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """Values from ``start`` (inclusive) to ``end`` (exclusive) by ``step``; int64 unless an
    argument is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    dt = to_dtype(dtype) if dtype is not None else _range_dtype(start, end, step)
    if dt is bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = math.ceil((end - start) / step)
    if n < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    xp = _xp_for(device)
    if dt.is_floating_point or isinstance(start, float) or isinstance(step, float):
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        arr = np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(dt.np)
    if xp is not np:
        arr = xp.asarray(arr)
    t = _finish(arr, requires_grad)
    if out is not None:
        out._data = t._data
        return out
    return t


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but including ``end``, default float dtype."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(_np_dtype(dtype))
    return _finish(_xp_for(device).asarray(arr), requires_grad)


@takes_out("linspace", factory=True)
def linspace(
    start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _np_dtype(dtype)
    arr = np.linspace(start, end, steps, dtype=np.float64)
    if steps > 1:
        # torch fills the second half backward from ``end`` so both ends are exact
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if np.dtype(dt).kind in "iu":
        arr = np.trunc(arr)
    arr = arr.astype(dt)
    return _finish(_xp_for(device).asarray(arr), requires_grad)


@takes_out("logspace", factory=True)
def logspace(
    start,
    end,
    steps,
    base=10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """base ** linspace(start, end, steps)."""
    exps = np.linspace(_num(start), _num(end), steps, dtype=np.float64)
    arr = np.power(float(base), exps).astype(_np_dtype(dtype))
    return _finish(_xp_for(device).asarray(arr), requires_grad)


# -- predicates -----------------------------------------------------------------------------------
def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def numel(input) -> int:
    return input.numel()


# -- conversion -----------------------------------------------------------------------------------
class ToCopy(Function):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype, xp):
        src = x._data
        ctx.src_dtype = src.dtype
        ctx.src_xp = get_array_module(src)
        if xp is not ctx.src_xp:
            src = xp.asarray(src) if xp is not np else backend.to_numpy(src)
        return src.astype(np_dtype, copy=True)

    @staticmethod
    def backward(ctx, g):
        return _convert(g, ctx.src_dtype, ctx.src_xp), None, None


def _convert(t: Tensor, np_dtype, xp, copy=False) -> Tensor:
    if t._data.dtype == np_dtype and get_array_module(t._data) is xp and not copy:
        return t
    return ToCopy.apply(t, np_dtype, xp)


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = dtype or a.dtype
            device = device or a.device
        elif isinstance(a, (DType, np.dtype, type)) and not isinstance(a, bool):
            dtype = a
        elif isinstance(a, (str, Device, int)) and not isinstance(a, bool):
            if isinstance(a, str) and (a.startswith("torch.") or a in ("float32", "float64")):
                dtype = a
            else:
                device = a
        elif isinstance(a, bool):
            copy = copy or False
        elif a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return dtype, device, copy


def to(input: Tensor, *args, **kwargs) -> Tensor:
    """Convert dtype and/or device; ``input`` itself when nothing changes and not ``copy``."""
    dtype, device, copy = _parse_to(args, dict(kwargs))
    np_dt = to_dtype(dtype).np if dtype is not None else input._data.dtype
    xp = _xp_for(device) if device is not None else get_array_module(input._data)
    return _convert(input, np_dt, xp, copy)


_LEGACY = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
}


def legacy_type_name(t: Tensor) -> str:
    """torch's legacy type string, e.g. ``'torch.FloatTensor'``."""
    prefix = "torch." if t.is_cpu else "torch.cuda."
    return prefix + _LEGACY[t.dtype.name]


def dtype_from_type_name(name):
    if isinstance(name, DType):
        return name
    if isinstance(name, str):
        short = name.rsplit(".", 1)[-1]
        for dt_name, legacy in _LEGACY.items():
            if legacy == short:
                return to_dtype(dt_name)
    return to_dtype(name)


def _rebuild_from_pickle(cls, array, requires_grad, state):
    t = object.__new__(cls)
    t._data = array
    t._rg = requires_grad
    t.grad_fn = None
    t._grad = None
    t._vc = None
    t.__dict__.update(state)
    return t


del float64
