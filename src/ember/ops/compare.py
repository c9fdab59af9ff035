"""Comparisons, logical and bitwise ops, and the finite/NaN tests: no gradients, bool results
(bitwise ops keep their integer dtype)."""

from __future__ import annotations

import numpy as np

from ..backend import as_array, get_array_module
from ..tensor import Tensor
from .arith import operands
from .inplace import apply_inplace

__all__ = [
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "eq_",
    "ne_",
    "lt_",
    "le_",
    "gt_",
    "ge_",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "logical_and_",
    "logical_or_",
    "logical_xor_",
    "logical_not_",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "bitwise_and_",
    "bitwise_or_",
    "bitwise_xor_",
    "bitwise_not_",
    "isnan",
    "isinf",
    "isfinite",
    "isposinf",
    "isneginf",
    "isreal",
    "isclose",
    "allclose",
    "equal",
]


def _bool(a) -> Tensor:
    return Tensor._make(as_array(a), False, None)


def _compare(ufunc, a, b) -> Tensor:
    if not isinstance(b, (Tensor, int, float, bool, np.generic)):
        return NotImplemented
    x, y = operands(a, b)
    return _bool(ufunc(x, y))


def eq(input, other):
    """input == other, elementwise."""
    return _compare(np.equal, input, other)


def ne(input, other):
    return _compare(np.not_equal, input, other)


def lt(input, other):
    return _compare(np.less, input, other)


def le(input, other):
    return _compare(np.less_equal, input, other)


def gt(input, other):
    return _compare(np.greater, input, other)


def ge(input, other):
    return _compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(ufunc, a, b) -> Tensor:
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    return _bool(ufunc(x, y))


def logical_and(input, other):
    return _logical(np.logical_and, input, other)


def logical_or(input, other):
    return _logical(np.logical_or, input, other)


def logical_xor(input, other):
    return _logical(np.logical_xor, input, other)


def logical_not(input):
    return _bool(np.logical_not(input._data))


def _check_bitwise(name, *ts) -> None:
    for t in ts:
        if isinstance(t, Tensor) and t._data.dtype.kind == "f":
            from .inplace import type_word

            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{type_word(t.dtype)}'")
        if isinstance(t, float):
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Float'")


def _bitwise(name, ufunc, a, b) -> Tensor:
    if not isinstance(b, (Tensor, int, bool, np.integer, np.bool_)) and not isinstance(b, float):
        return NotImplemented
    x, y = operands(a, b)
    _check_bitwise(name, *(Tensor._make(v, False, None) for v in (x, y) if hasattr(v, "dtype")))
    if isinstance(b, float) or isinstance(a, float):
        _check_bitwise(name, 1.0)
    return _bool(ufunc(x, y))


def bitwise_and(input, other):
    """Bitwise AND of integer or bool tensors (``&``)."""
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input, other):
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input, other):
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_not(input):
    """Bitwise NOT (``~``): logical not for bool tensors."""
    _check_bitwise("bitwise_not", input)
    return _bool(np.invert(input._data))


def isnan(input):
    return _bool(get_array_module(input._data).isnan(input._data))


def isinf(input):
    return _bool(get_array_module(input._data).isinf(input._data))


def isfinite(input):
    return _bool(get_array_module(input._data).isfinite(input._data))


def isposinf(input):
    return _bool(get_array_module(input._data).isposinf(input._data))


def isneginf(input):
    return _bool(get_array_module(input._data).isneginf(input._data))


def isreal(input):
    return _bool(np.ones(input._data.shape, dtype=bool))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise."""
    x, y = operands(input, other)
    return _bool(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element is ``isclose``."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """True if both tensors have the same shape and elements."""
    if input._data.shape != other._data.shape:
        return False
    return bool(eq(input, other)._data.all())


def _inplace_compare(fn):
    def op(self, other):
        return apply_inplace(self, fn, other)

    op.__name__ = fn.__name__ + "_"
    return op


eq_ = _inplace_compare(eq)
ne_ = _inplace_compare(ne)
lt_ = _inplace_compare(lt)
le_ = _inplace_compare(le)
gt_ = _inplace_compare(gt)
ge_ = _inplace_compare(ge)
logical_and_ = _inplace_compare(logical_and)
logical_or_ = _inplace_compare(logical_or)
logical_xor_ = _inplace_compare(logical_xor)
bitwise_and_ = _inplace_compare(bitwise_and)
bitwise_or_ = _inplace_compare(bitwise_or)
bitwise_xor_ = _inplace_compare(bitwise_xor)


def logical_not_(self):
    return apply_inplace(self, logical_not)


def bitwise_not_(self):
    return apply_inplace(self, bitwise_not)
