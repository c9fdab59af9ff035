"""Data types with PyTorch's names, and PyTorch's type-promotion rules.

An ``ember.dtype`` wraps a NumPy dtype. ``result_type`` follows torch's categories: a tensor
with dimensions outranks a 0-dim tensor, which outranks a Python number, unless the lower
participant belongs to a higher category (bool < integer < floating).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype",
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
    "can_cast",
]


class dtype:
    """A tensor element type: ``ember.float32``, ``ember.int64``, ..."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_rank")

    def __init__(self, name: str, np_dtype, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        self._rank = rank

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self) -> dtype:
        return self

    def to_complex(self) -> dtype:
        raise NotImplementedError("ember has no complex dtypes")

    @property
    def category(self) -> int:
        """0 bool, 1 integer, 2 floating."""
        return 0 if self is bool_ else (2 if self.is_floating_point else 1)


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 2)
int16 = dtype("int16", np.int16, 3)
int32 = dtype("int32", np.int32, 4)
int64 = dtype("int64", np.int64, 5)
float16 = dtype("float16", np.float16, 6)
# NumPy has no bfloat16; ember stores it as float32 and says so in the dtype's name only.
bfloat16 = dtype("bfloat16", np.float32, 7)
float32 = dtype("float32", np.float32, 8)
float64 = dtype("float64", np.float64, 9)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL + (bfloat16,)}
_BY_NAME.update(
    {
        "half": float16,
        "float": float32,
        "double": float64,
        "short": int16,
        "int": int32,
        "long": int64,
    }
)


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; TypeError for types torch has no tensor for."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
            "and bool."
        ) from None


class _Default:
    dtype = float32


def get_default_dtype() -> dtype:
    """The dtype of floating tensors made from Python floats (float32 unless changed)."""
    return _Default.dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float16, float32 or float64)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _Default.dtype = d
    _RESULT_CACHE.clear()


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype, a Python type or a torch-style name."""
    if isinstance(d, dtype):
        if d is bfloat16:
            raise NotImplementedError("ember has no bfloat16 tensors: NumPy has no bfloat16 type")
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d
        name = name[6:] if name.startswith("ember.") else name
        if name in _BY_NAME:
            return to_dtype(_BY_NAME[name])
    return from_numpy(d)


_PROMOTE: dict[tuple[dtype, dtype], dtype] = {}


def _build_promotion() -> None:
    ints_signed = (int8, int16, int32, int64)
    for a in ALL:
        for b in ALL:
            if a is b:
                r = a
            elif a.is_floating_point or b.is_floating_point:
                if a.is_floating_point and b.is_floating_point:
                    r = a if a.itemsize >= b.itemsize else b
                else:
                    r = a if a.is_floating_point else b
            elif a is bool_ or b is bool_:
                r = b if a is bool_ else a
            elif a is uint8 or b is uint8:
                other = b if a is uint8 else a
                # uint8 with a signed int: the smallest signed type holding both (int16 at least)
                r = int16 if other is int8 else other
            else:
                r = ints_signed[max(ints_signed.index(a), ints_signed.index(b))]
            _PROMOTE[(a, b)] = r


_build_promotion()


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` can be cast to, as ``torch.promote_types``."""
    return _PROMOTE[(a, b)]


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # torch's combine_categories: the higher-priority participant wins unless the lower one
    # is of a higher category (bool < integer < floating).
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return _PROMOTE[(higher, lower)]
    return higher


def scalar_dtype(value) -> dtype:
    """The dtype a Python number takes as a wrapped scalar."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _Default.dtype
    if isinstance(value, (np.generic, np.ndarray)):
        return from_numpy(value.dtype)
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


_RESULT_CACHE: dict = {}


def result_type(*operands) -> dtype:
    """torch.result_type over tensors and Python numbers.

    Each operand is an ember Tensor or a Python number (bool, int, float).
    """
    from .tensor import Tensor

    dim = zero = wrapped = None
    for x in operands:
        if isinstance(x, Tensor):
            d = from_numpy(x._data.dtype)
            if x._data.ndim:
                dim = d if dim is None else _PROMOTE[(dim, d)]
            else:
                zero = d if zero is None else _PROMOTE[(zero, d)]
        elif x is None:
            continue
        else:
            d = scalar_dtype(x)
            if isinstance(x, float):
                d = _Default.dtype
            wrapped = d if wrapped is None else _PROMOTE[(wrapped, d)]
    return _combine(dim, _combine(zero, wrapped))


def binary_result(a: dtype, a_dim: bool, b) -> dtype:
    """Fast path of ``result_type`` for a tensor (dtype ``a``) and a second operand ``b``.

    ``b`` is a Tensor or a Python number. Cached by the participants' dtypes and ranks.
    """
    from .tensor import Tensor

    if type(b) is float:
        key = (a, a_dim, 2)
    elif type(b) is int:
        key = (a, a_dim, 1)
    elif type(b) is bool:
        key = (a, a_dim, 0)
    elif isinstance(b, Tensor):
        key = (a, a_dim, from_numpy(b._data.dtype), b._data.ndim > 0)
    else:
        key = None
    if key is not None:
        r = _RESULT_CACHE.get(key)
        if r is not None:
            return r
    if len(key or ()) == 3:
        wrapped = (bool_, int64, _Default.dtype)[key[2]]
        r = _combine(a, wrapped) if a_dim else _combine(None, _combine(a, wrapped))
    elif key is not None:
        bd, b_dim = key[2], key[3]
        if a_dim == b_dim:
            r = _PROMOTE[(a, bd)]
        elif a_dim:
            r = _combine(a, bd)
        else:
            r = _combine(bd, a)
    else:
        raise TypeError(f"unsupported operand type {type(b).__name__}")
    _RESULT_CACHE[key] = r
    return r


_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def c_type_name(d: dtype) -> str:
    """The C++ type name torch prints in some messages: ``float``, ``long int``, ..."""
    return _C_NAMES[d.name]


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether torch allows a same-kind cast (used by in-place ops): no float into int, etc."""
    return from_.category <= to.category
