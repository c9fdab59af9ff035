"""Binary arithmetic with torch's broadcasting and type promotion.

Operands are tensors or Python numbers. ``operands`` casts them to torch's result dtype so the
array library computes in that dtype; gradients come back in the output's dtype and shape, and
the engine sums and casts each one to its input's shape and dtype.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, _short_name
from ..autograd.grad_mode import STATE
from ..backend import clamp_array, get_array_module
from ..dtypes import binary_result, from_numpy, get_default_dtype
from ..tensor import Tensor
from .inplace import apply_inplace, check_inplace, raise_cast_error, type_word, write_into

__all__ = [
    "operands",
    "as_operand",
    "add",
    "sub",
    "rsub",
    "mul",
    "div",
    "floor_divide",
    "remainder",
    "fmod",
    "pow",
    "float_power",
    "atan2",
    "hypot",
    "xlogy",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "where",
    "lerp",
    "addcmul",
    "addcdiv",
    "clamp",
    "clamp_min",
    "clamp_max",
    "clip",
    "true_divide",
    "add_",
    "sub_",
    "mul_",
    "div_",
    "floor_divide_",
    "remainder_",
    "fmod_",
    "pow_",
    "atan2_",
    "lerp_",
    "addcmul_",
    "addcdiv_",
    "clamp_",
    "clamp_min_",
    "clamp_max_",
]

_NUMBER = (int, float, bool)
# Python number type -> the dtype kinds with which the number combines as it is: NumPy then
# gives torch's result dtype with no cast (``operands``, Tensor's ``_plain``)
PASS_THROUGH = {float: "f", int: "fi"}


def _scalar(x):
    """A Python number from ``x`` (NumPy scalars included); TypeError for other objects."""
    t = type(x)
    if t is float or t is int or t is bool:
        return x
    if isinstance(x, np.generic):  # np.float64 subclasses float: still a NumPy scalar
        return x.item()
    if isinstance(x, _NUMBER):  # other subclasses (IntEnum, ...): their plain value
        return bool(x) if isinstance(x, bool) else (float(x) if isinstance(x, float) else int(x))
    raise TypeError(f"unsupported operand type: {t.__name__}")


def operands(a, b):
    """``a`` and ``b`` (tensors or numbers, at least one a tensor) as arrays or numbers that
    the array library combines in torch's result dtype."""
    if isinstance(a, Tensor):
        ad = a._data
        if isinstance(b, Tensor):
            bd = b._data
            if ad.dtype == bd.dtype:
                return ad, bd
            rt = binary_result(from_numpy(ad.dtype), ad.ndim > 0, b).np
            return (ad if ad.dtype == rt else ad.astype(rt)), (
                bd if bd.dtype == rt else bd.astype(rt)
            )
        if ad.dtype.kind in PASS_THROUGH.get(type(b), ""):
            return ad, b
        if isinstance(b, np.ndarray):  # an array operand is read as a tensor of its dtype
            return operands(a, Tensor._make(b, False, None))
        b = _scalar(b)
        rt = binary_result(from_numpy(ad.dtype), ad.ndim > 0, b).np
        return (ad if ad.dtype == rt else ad.astype(rt)), _fit(b, rt)
    bd, a2 = operands(b, a)
    return a2, bd


def _fit(x, np_dtype):
    # NumPy refuses Python ints outside an integer dtype's range; torch wraps them around.
    if type(x) is int and np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        if x < info.min or x > info.max:
            return np.array(x).astype(np_dtype)
    return x


def as_operand(x, like: Tensor):
    """A number stays a number; other array-likes become tensors (for reflected operators)."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (Tensor,) + _NUMBER):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    raise TypeError(f"unsupported operand type(s): '{type(x).__name__}' and 'Tensor'")


def not_implemented(kernel: str, dt) -> NotImplementedError:
    """torch's error for a kernel with no implementation for a dtype (``dt`` an ember or
    NumPy dtype)."""
    if not hasattr(dt, "category"):
        dt = from_numpy(dt)
    return NotImplementedError(f"\"{kernel}\" not implemented for '{type_word(dt)}'")


def _kind(v) -> str:
    """The dtype kind of an operand (a Python bool counts as 'b')."""
    if type(v) is bool:
        return "b"
    return v.dtype.kind if hasattr(v, "dtype") else "?"


def _no_bool(kernel: str, x, y) -> None:
    """Refuse a kernel when both operands (arrays or numbers) are bool."""
    xb = x.dtype.kind == "b" if not isinstance(x, _NUMBER) else isinstance(x, bool)
    yb = y.dtype.kind == "b" if not isinstance(y, _NUMBER) else isinstance(y, bool)
    if xb and yb:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _floating(arr):
    """Integer and bool arrays become the default float dtype (true division, pow, ...)."""
    if arr.dtype.kind in "fc":
        return arr
    return arr.astype(get_default_dtype().np)


def _xp(a, b):
    return get_array_module(a if not isinstance(a, _NUMBER) else b)


# -- add, sub, mul, div ---------------------------------------------------------------------------
class Add(Function):
    scalar_slots = (0, 1)
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):  # (``a + b`` records two arguments, no alpha)
        x, y = operands(a, b)
        if alpha != 1:
            y = y * alpha
            ctx.alpha = alpha
        return x + y

    @staticmethod
    def backward(ctx, g):
        gb = None
        if ctx._next[1]:  # needs_input_grad[1], read off the edge (the hottest backward)
            alpha = ctx.alpha
            gb = g if alpha == 1 else g * alpha
        return (g, gb) if len(ctx._next) == 2 else (g, gb, None)


Add._Node.alpha = 1  # what a node records without an alpha


class Sub(Function):
    scalar_slots = (0, 1)
    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operands(a, b)
        if alpha != 1:
            y = y * alpha
        ctx.alpha = alpha
        return x - y

    @staticmethod
    def backward(ctx, g):
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -g if ctx.alpha == 1 else g * (-ctx.alpha)
        return g, gb, None


class Rsub(Function):
    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operands(a, b)
        ctx.alpha = alpha
        return y - (x * alpha if alpha != 1 else x)

    @staticmethod
    def backward(ctx, g):
        return (-g if ctx.alpha == 1 else g * (-ctx.alpha)), None, None


class Mul(Function):
    scalar_slots = (0, 1)
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        ctx.save_for_backward(a, b)
        return x * y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Div(Function):
    scalar_slots = (0, 1)
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        xi = x.dtype.kind in "iub" if not isinstance(x, _NUMBER) else not isinstance(x, float)
        yi = y.dtype.kind in "iub" if not isinstance(y, _NUMBER) else not isinstance(y, float)
        if xi and yi:
            # true division of integers: in the default float dtype, with a Python number as
            # a float (never wrapped into the integer dtype first)
            x = _floating(a._data) if isinstance(a, Tensor) else float(a)
            y = _floating(b._data) if isinstance(b, Tensor) else float(b)
        ctx.save_for_backward(a, b)
        return x / y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = g / b if need[0] else None
        gb = -g * a / (b * b) if need[1] else None
        return ga, gb


class _DivRounded(Function):
    """Division rounded toward zero or down; the gradient is zero (torch's definition)."""

    node_name = "DivBackward2"
    scalar_slots = (0, 1)

    @staticmethod
    def forward(ctx, a, b, mode):
        x, y = operands(a, b)
        if _kind(x) == "b":
            _no_bool(f"div_{mode}_cpu", x, y)
        xp = _xp(x, y)
        if _is_int(x) and _is_int(y):
            _check_int_divisor(y)
            q = xp.floor_divide(x, y)
            if mode == "trunc":
                # floor and trunc differ where the signs differ and the division is inexact
                inexact = xp.remainder(x, y) != 0
                signs = (xp.asarray(x) < 0) != (xp.asarray(y) < 0)
                q = q + (inexact & signs).astype(q.dtype)
            return q
        if mode == "floor":
            return xp.floor_divide(x, y)
        return xp.trunc(xp.true_divide(x, y))

    @staticmethod
    def backward(ctx, g):
        zero = g * 0
        return zero, (zero if ctx.needs_input_grad[1] else None), None


def _check_int_divisor(y) -> None:
    if isinstance(y, int):
        if y == 0:
            raise RuntimeError("ZeroDivisionError")
    elif (y == 0).any():
        raise RuntimeError("ZeroDivisionError")


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcast, in torch's result dtype."""
    if out is not None:
        return _to_out(out, add(input, other, alpha=alpha))
    return Add.apply(input, other) if alpha == 1 else Add.apply(input, other, alpha)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if out is not None:
        return _to_out(out, sub(input, other, alpha=alpha))
    if isinstance(input, Tensor):
        if input._data.dtype.kind == "b" or _bool_operand(other):
            _no_bool_sub(input, other)
        return Sub.apply(input, other, alpha)
    return rsub(other, input, alpha=alpha)


def _bool_operand(x) -> bool:
    return x is True or x is False or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def _no_bool_sub(a, b) -> None:
    ab = isinstance(a, bool) or (isinstance(a, Tensor) and a._data.dtype.kind == "b")
    bb = isinstance(b, bool) or (isinstance(b, Tensor) and b._data.dtype.kind == "b")
    if ab and bb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if ab or bb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    _no_bool_sub(input, other)
    return Rsub.apply(input, other, alpha)


def mul(input, other, *, out=None):
    """input * other."""
    if out is not None:
        return _to_out(out, mul(input, other))
    return Mul.apply(input, other)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other (true division; integers give the default float dtype), or rounded
    with ``rounding_mode='trunc'`` or ``'floor'`` (integers stay integers)."""
    if out is not None:
        return _to_out(out, div(input, other, rounding_mode=rounding_mode))
    if rounding_mode is None:
        return Div.apply(input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _DivRounded.apply(input, other, rounding_mode)


true_divide = div


class FloorDivide(_DivRounded):
    """torch defines no derivative for floor_divide: its backward raises."""

    node_name = "torch::autograd::NotImplemented"
    scalar_slots = ()

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def floor_divide(input, other, *, out=None):
    """input // other, rounded down (Python's rule)."""
    r = FloorDivide.apply(input, other, "floor")
    return r if out is None else _to_out(out, r)


# -- remainder, fmod, pow -------------------------------------------------------------------------
class Remainder(Function):
    node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        if _kind(x) == "b":
            _no_bool("remainder_cpu", x, y)
        xp = _xp(x, y)
        if _is_int(x) and _is_int(y):
            _check_int_divisor(y)
        ctx.save_for_backward(a, b)
        return xp.remainder(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * floor_divide(a, b) if ctx.needs_input_grad[1] else None
        return g, gb


class Fmod(Function):
    node_name = "FmodBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        if _kind(x) == "b":
            _no_bool("fmod_cpu", x, y)
        xp = _xp(x, y)
        if _is_int(x) and _is_int(y):
            _check_int_divisor(y)
        ctx.save_for_backward(a, b)
        return xp.fmod(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * div(a, b, rounding_mode="trunc") if ctx.needs_input_grad[1] else None
        return g, gb


def _is_int(v) -> bool:
    return isinstance(v, int) if isinstance(v, _NUMBER) else v.dtype.kind in "iub"


class RemainderTensor(Remainder):
    node_name = "RemainderBackward1"


class FmodTensor(Fmod):
    node_name = "FmodBackward1"


def remainder(input, other, *, out=None):
    """Python's modulus: the result has the sign of ``other``."""
    fn = RemainderTensor if isinstance(other, Tensor) and isinstance(input, Tensor) else Remainder
    r = fn.apply(input, other)
    return r if out is None else _to_out(out, r)


def fmod(input, other, *, out=None):
    """C's modulus: the result has the sign of ``input``."""
    r = (FmodTensor if isinstance(other, Tensor) else Fmod).apply(input, other)
    return r if out is None else _to_out(out, r)


class Pow(Function):
    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, p):
        if a._data.dtype.kind in "iub" and type(p) is int and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if type(p) is bool and a._data.dtype.kind == "b":
            return a._data.copy() if p else get_array_module(a._data).ones_like(a._data)
        x, e = operands(a, p)
        if x.dtype.kind == "b":
            _no_bool("pow", x, e)
        xp = get_array_module(x)
        ctx.save_for_backward(a)
        ctx.p = p
        if x.dtype.kind == "f":
            special = _POW_SPECIAL.get(e)
            if special is not None:
                return special(xp, x)
        return xp.power(x, e)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return g * 0, None
        return g * p * a ** (p - 1), None


# Exponents torch computes with dedicated kernels: the same formulas give the same values,
# signed zeros and infinities included (1 / sqrt(-0.0) is -inf, pow(-0.0, -0.5) is +inf).
_POW_SPECIAL = {
    0.5: lambda xp, x: xp.sqrt(x),
    -0.5: lambda xp, x: 1 / xp.sqrt(x),
    3: lambda xp, x: x * x * x,
    -2: lambda xp, x: 1 / (x * x),
}


class PowTensor(Function):
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        if _kind(x) == "b":
            _no_bool("pow", x, y)
        xp = get_array_module(x)
        if x.dtype.kind in "iu" and y.dtype.kind in "iu" and (y < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = Tensor._make(xp.power(x, y), False, None)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:  # zero where the exponent is 0 (even at a == 0), as torch defines it
            from .indexing import masked_fill

            ga = masked_fill(g * b * a ** (b - 1), b == 0, 0.0)
        if need[1]:
            # d/db a**b = a**b * log(a); where a == 0 and b >= 0 torch defines it as 0
            from .indexing import masked_fill
            from .unary import log

            gb = masked_fill(g * out * log(a), (a == 0) & (b >= 0), 0.0)
        return ga, gb


class RPow(Function):
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, base, b):
        y, x = operands(b, base)
        if _kind(x) == "b":
            _no_bool("pow", x, y)
        xp = get_array_module(y)
        if isinstance(x, int) and y.dtype.kind in "iu" and (y < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = Tensor._make(xp.power(x, y), False, None)
        ctx.save_for_backward(out)
        ctx.base = base
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        base = ctx.base
        if base == 0:  # d/dx 0**x: 0 where x >= 0, else out * log(0) (torch's convention)
            return None, where((out == 0) | (out == 1), g * 0, g * out * -math.inf)
        return None, g * out * math.log(base) if base > 0 else g * out * float("nan")


def pow(input, exponent, *, out=None):
    """input ** exponent, either of them a tensor or a number."""
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            r = PowTensor.apply(input, exponent)
        else:
            r = Pow.apply(input, _scalar(exponent))
    else:
        r = RPow.apply(_scalar(input), exponent)
    return r if out is None else _to_out(out, r)


def float_power(input, exponent):
    """pow computed in float64."""
    from ..dtypes import float64

    a = input.to(float64) if isinstance(input, Tensor) else float(input)
    b = exponent.to(float64) if isinstance(exponent, Tensor) else exponent
    return pow(a, b)


# -- two-argument math ----------------------------------------------------------------------------
class Atan2(Function):
    node_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        x, y = _floating_pair(x, y)
        ctx.save_for_backward(a, b)
        return get_array_module(x).arctan2(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        denom = a * a + b * b
        recip = where(denom == 0, 0.0, 1 / denom)  # 0 at the origin, as torch defines it
        need = ctx.needs_input_grad
        return (g * b * recip if need[0] else None), (-g * a * recip if need[1] else None)


def _floating_pair(x, y):
    """Operands already in their common dtype, moved to the default float dtype if that is
    integral (true division, atan2: int32 / int64 computes in float32, as torch does)."""
    if not isinstance(x, _NUMBER):
        x = _floating(x)
    if not isinstance(y, _NUMBER):
        y = _floating(y)
    return x, y


def atan2(input, other, *, out=None):
    """The angle of the point (other, input), in (-pi, pi]."""
    _both_tensors("atan2", input, other)
    r = Atan2.apply(input, other)
    return r if out is None else _to_out(out, r)


arctan2 = atan2


class Hypot(Function):
    node_name = "HypotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        if x.dtype.kind != "f":
            raise not_implemented("hypot_cpu", x.dtype)
        out = Tensor._make(get_array_module(x).hypot(x, y), False, None)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * a / out if need[0] else None), (g * b / out if need[1] else None)


def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2), without overflow for large values."""
    _both_tensors("hypot", input, other)
    r = Hypot.apply(input, other)
    return r if out is None else _to_out(out, r)


class Xlogy(Function):
    node_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = _floating_pair(*operands(a, b))
        xp = _xp(x, y)
        ctx.save_for_backward(a, b)
        # 0 where x is 0 (even where y is 0 or inf), but NaN wherever y is NaN
        safe = xp.where(xp.asarray(x) == 0, 1.0, y)
        out = xp.where(xp.asarray(x) == 0, 0.0, x * xp.log(safe))
        out = xp.where(xp.isnan(y), y, out)
        return out.astype(xp.result_type(x, y), copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:  # log(b), but 0 where a == 0 and b <= 0 (torch's convention)
            from .indexing import masked_fill
            from .unary import log

            if isinstance(b, Tensor):
                ga = g * where((a == 0) & (b <= 0), 0.0, log(b))
            else:
                lb = math.log(b) if b > 0 else (-math.inf if b == 0 else math.nan)
                ga = g * lb if b > 0 else masked_fill(g * lb, a == 0, 0.0)
        if need[1]:
            gb = g * a / b
        return ga, gb


class XlogyScalarSelf(Xlogy):
    node_name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    node_name = "XlogyBackward2"


def xlogy(input, other, *, out=None):
    """input * log(other), and 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): at least one of 'input' and 'other' must be a Tensor")
    if not isinstance(input, Tensor):
        r = XlogyScalarSelf.apply(_scalar(input), other)
    elif not isinstance(other, Tensor):
        r = XlogyScalarOther.apply(input, _scalar(other))
    else:
        r = Xlogy.apply(input, other)
    return r if out is None else _to_out(out, r)


class Maximum(Function):
    node_name = "MaximumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        ctx.save_for_backward(a, b)
        return get_array_module(x).maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_by(g, a, b, ctx.needs_input_grad, larger=True)


class Minimum(Function):
    node_name = "MinimumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        ctx.save_for_backward(a, b)
        return get_array_module(x).minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_by(g, a, b, ctx.needs_input_grad, larger=False)


def _split_by(g, a, b, need, larger):
    # The winner takes the gradient and ties split it evenly, as torch does; where a NaN is
    # compared, neither side loses, so both receive the gradient.
    from .indexing import masked_fill

    shared = where(a == b, g / 2, g)
    ga = gb = None
    if need[0]:
        ga = masked_fill(shared, (a < b) if larger else (a > b), 0)
    if need[1]:
        gb = masked_fill(shared, (a > b) if larger else (a < b), 0)
    return ga, gb


def maximum(input, other, *, out=None):
    """Elementwise maximum (NaN wins). Both arguments are tensors."""
    _both_tensors("maximum", input, other)
    r = Maximum.apply(input, other)
    return r if out is None else _to_out(out, r)


def minimum(input, other, *, out=None):
    """Elementwise minimum (NaN wins). Both arguments are tensors."""
    _both_tensors("minimum", input, other)
    r = Minimum.apply(input, other)
    return r if out is None else _to_out(out, r)


def _both_tensors(name, a, b) -> None:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        bad = b if isinstance(a, Tensor) else a
        arg = "other" if isinstance(a, Tensor) else "input"
        raise TypeError(
            f"{name}(): argument '{arg}' (position {2 if isinstance(a, Tensor) else 1}) must be "
            f"Tensor, not {type(bad).__name__}"
        )


class Fmax(Function):
    node_name = "FmaxBackward0"
    larger = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        ctx.save_for_backward(a, b)
        return get_array_module(x).fmax(x, y)

    @staticmethod
    def backward(ctx, g):
        from .indexing import masked_fill

        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        # ``a`` takes the gradient where it wins, ties included, or where ``b`` is NaN
        a_wins = ((a >= b) if ctx._fn.larger else (a <= b)) | (b != b)
        ga = masked_fill(g, ~a_wins, 0) if need[0] else None
        gb = masked_fill(g, a_wins, 0) if need[1] else None
        return ga, gb


class Fmin(Fmax):
    node_name = "FminBackward0"
    larger = False

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        ctx.save_for_backward(a, b)
        return get_array_module(x).fmin(x, y)


def fmax(input, other, *, out=None):
    """Elementwise maximum where a NaN loses to a number."""
    _both_tensors("fmax", input, other)
    r = Fmax.apply(input, other)
    return r if out is None else _to_out(out, r)


def fmin(input, other, *, out=None):
    """Elementwise minimum where a NaN loses to a number."""
    _both_tensors("fmin", input, other)
    r = Fmin.apply(input, other)
    return r if out is None else _to_out(out, r)


# -- where, lerp, addcmul, addcdiv, clamp ---------------------------------------------------------
class Where(Function):
    node_name = "WhereBackward0"
    scalar_slots = (1, 2)

    @staticmethod
    def forward(ctx, cond, a, b):
        x, y = operands(a, b)
        c = cond._data
        ctx.save_for_backward(cond)
        return get_array_module(c).where(c, x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = g * 0
        ga = where(cond, g, zero) if need[1] else None
        gb = where(cond, zero, g) if need[2] else None
        return None, ga, gb


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcast; numbers allowed).
    With only a condition, the indices of its nonzero elements (as ``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(
            f"where(): argument 'condition' (position 1) must be Tensor, not "
            f"{type(condition).__name__}"
        )
    if condition._data.dtype.kind != "b":
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{type_word(condition.dtype)}"
        )
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from ..dtypes import result_type

        dt = result_type(input, other)
        input = Tensor._make(np.asarray(input, dtype=dt.np), False, None)
    r = Where.apply(condition, input, other)
    return r if out is None else _to_out(out, r)


class Lerp(Function):
    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, start, end, weight):
        x, y = start._data, end._data
        if x.dtype != y.dtype:
            raise RuntimeError(
                f"expected dtype {_c_name(x.dtype)} for `end` but got dtype {_c_name(y.dtype)}"
            )
        if x.dtype.kind != "f":
            raise not_implemented("lerp_kernel_scalar", x.dtype)
        w = weight._data if isinstance(weight, Tensor) else weight
        if isinstance(weight, Tensor) and w.dtype != x.dtype:
            raise RuntimeError(
                f"expected dtype {_c_name(x.dtype)} for `weight` but got dtype {_c_name(w.dtype)}"
            )
        ctx.save_for_backward(start, end, weight)
        return x + w * (y - x)

    @staticmethod
    def backward(ctx, g):
        start, end, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gs = g * (1 - w) if need[0] else None
        ge = g * w if need[1] else None
        gw = g * (end - start) if need[2] else None
        return gs, ge, gw


class LerpTensor(Lerp):
    node_name = "LerpBackward1"


def _c_name(np_dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        np_dtype.name, np_dtype.name
    )


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    fn = LerpTensor if isinstance(weight, Tensor) else Lerp
    r = fn.apply(input, end, weight if isinstance(weight, Tensor) else _scalar(weight))
    return r if out is None else _to_out(out, r)


class Addcmul(Function):
    node_name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        x, y, z, v = _ternary_operands(a, t1, t2, value)
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        return x + v * y * z if value != 1 else x + y * z

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        g1 = (g * t2 if v == 1 else g * t2 * v) if need[1] else None
        g2 = (g * t1 if v == 1 else g * t1 * v) if need[2] else None
        return g, g1, g2, None


class Addcdiv(Function):
    node_name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        x, y, z, v = _ternary_operands(a, t1, t2, value)
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        return x + v * (y / z) if value != 1 else x + y / z

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        g1 = g * v / t2 if need[1] else None
        g2 = -g * v * t1 / (t2 * t2) if need[2] else None
        return g, g1, g2, None


def _ternary_operands(a, b, c, value):
    """Three tensors in their common dtype, and ``value`` as that dtype holds it."""
    from ..dtypes import result_type

    rt = result_type(a, b, c).np
    arrays = [t._data if t._data.dtype == rt else t._data.astype(rt) for t in (a, b, c)]
    v = _scalar(value)
    if rt.kind in "iub":
        v = int(v)
    return arrays[0], arrays[1], arrays[2], v


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    r = Addcmul.apply(input, tensor1, tensor2, value)
    return r if out is None else _to_out(out, r)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    if _is_int_tensor(tensor1) and _is_int_tensor(tensor2):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    r = Addcdiv.apply(input, tensor1, tensor2, value)
    return r if out is None else _to_out(out, r)


def _is_int_tensor(t) -> bool:
    return isinstance(t, Tensor) and t._data.dtype.kind in "iub"


class Clamp(Function):
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        x = a._data
        if x.dtype.kind in "iub" and (isinstance(lo, float) or isinstance(hi, float)):
            x = x.astype(get_default_dtype().np)
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return clamp_array(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        if lo is None:
            mask = a <= hi
        elif hi is None:
            mask = a >= lo
        else:
            mask = (a >= lo) & (a <= hi)
        return g * mask, None, None


class ClampTensor(Function):
    node_name = "ClampBackward0"
    scalar_slots = (1, 2)

    @staticmethod
    def forward(ctx, a, lo, hi):
        xp = get_array_module(a._data)
        x = a._data
        ctx.save_for_backward(a, lo, hi)
        if lo is not None:
            x, lo_arr = operands(Tensor._make(x, False, None), lo)
            x = xp.maximum(x, lo_arr)
        if hi is not None:
            x, hi_arr = operands(Tensor._make(x, False, None), hi)
            x = xp.minimum(x, hi_arr)
        return x

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        above = a >= lo if lo is not None else None
        below = a <= hi if hi is not None else None
        if above is None:
            mask = below
        elif below is None:
            mask = above
        else:
            mask = above & below
        ga = g * mask if need[0] else None
        glo = g * ((a < lo) if hi is None else (a < lo) & (lo <= hi)) if need[1] else None
        ghi = g * ((a > hi) if lo is None else (a > hi) | (lo > hi)) if need[2] else None
        return ga, glo, ghi


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampMinTensor(ClampTensor):
    node_name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    node_name = "ClampMaxBackward1"


def clamp_min(input, min, *, out=None):
    """max(input, min)."""
    if isinstance(min, Tensor):
        r = ClampMinTensor.apply(input, min, None)
    else:
        r = ClampMin.apply(input, _scalar(min), None)
    return r if out is None else _to_out(out, r)


def clamp_max(input, max, *, out=None):
    """min(input, max)."""
    if isinstance(max, Tensor):
        r = ClampMaxTensor.apply(input, None, max)
    else:
        r = ClampMax.apply(input, None, _scalar(max))
    return r if out is None else _to_out(out, r)


def clamp(input, min=None, max=None, *, out=None):
    """Limit ``input`` to [min, max]; either bound may be a number, a tensor or None."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = ClampTensor.apply(input, min, max)
    else:
        lo = None if min is None else _scalar(min)
        hi = None if max is None else _scalar(max)
        r = Clamp.apply(input, lo, hi)
    return r if out is None else _to_out(out, r)


clip = clamp


def _to_out(
    out: Tensor, result: Tensor, name: str | None = None, cast: bool = False, quiet: bool = False
) -> Tensor:
    """Write ``result`` into a caller's ``out=`` tensor, as torch does: refused when the
    result would need a gradient (``name`` is the op's, for the message; by default read off
    the result's grad_fn); resized when its shape differs, with torch's warning unless ``out``
    is empty or ``quiet`` (factories); cast to ``out``'s dtype when ``cast`` (the reductions,
    factories), else checked."""
    if result._rg and STATE.enabled:
        if name is None:
            name = _short_name(result.grad_fn.name()).lower()
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    check_inplace(out)
    arr = result._data
    if cast and arr.dtype != out._data.dtype:
        arr = arr.astype(out._data.dtype)
    if out._data.shape != arr.shape:
        if out._data.size and not quiet:
            import warnings

            warnings.warn(
                "An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(arr.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).",
                UserWarning,
                stacklevel=3,
            )
        out._data = arr.astype(out._data.dtype, copy=True)
    else:
        write_into(out, arr)
    return out


# -- in-place forms -------------------------------------------------------------------------------
def add_(self, other, *, alpha=1):
    """self += alpha * other (in place)."""
    if not STATE.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
        return _fast_inplace(self, other, alpha, np.add)
    return apply_inplace(self, add, other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    """self -= alpha * other (in place)."""
    if self._data.dtype.kind == "b" or _bool_operand(other):
        _no_bool_sub(self, other)
    if not STATE.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
        return _fast_inplace(self, other, alpha, np.subtract)
    return apply_inplace(self, sub, other, alpha=alpha)


def mul_(self, other):
    """self *= other (in place)."""
    if not STATE.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
        return _fast_inplace(self, other, 1, np.multiply)
    return apply_inplace(self, mul, other)


def _fast_inplace(self, other, alpha, ufunc):
    """No graph to record: compute straight into ``self``'s array when dtypes allow."""
    check_inplace(self)
    dst = self._data
    if isinstance(other, Tensor):
        src = other._data
        if src.dtype != dst.dtype:
            rt = binary_result(from_numpy(dst.dtype), dst.ndim > 0, other)
            if rt.category > from_numpy(dst.dtype).category:
                raise_cast_error(rt, from_numpy(dst.dtype))
        if src.shape != dst.shape:
            check_broadcast_into(src.shape, dst.shape)
    else:
        src = _scalar(other)
        if type(src) is not float or dst.dtype.kind in "iub":
            rt = binary_result(from_numpy(dst.dtype), dst.ndim > 0, src)
            if rt.category > from_numpy(dst.dtype).category:
                raise_cast_error(rt, from_numpy(dst.dtype))
    if alpha != 1:
        src = src * alpha
    if not dst.flags.writeable:
        write_into(self, dst)  # raises torch's error for overlapping or read-only memory
    ufunc(dst, src, out=dst, casting="unsafe")
    vc = self._vc
    if vc is None:
        self._vc = [1]
    else:
        vc[0] += 1
    return self


def check_broadcast_into(src_shape, dst_shape) -> None:
    """torch's errors for an in-place op whose other operand does not broadcast to ``self``:
    a size mismatch, or a broadcast shape larger than ``self``."""
    n = max(len(src_shape), len(dst_shape))
    a = (1,) * (n - len(dst_shape)) + tuple(dst_shape)
    b = (1,) * (n - len(src_shape)) + tuple(src_shape)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i}"
            )
    full = _bshape(src_shape, dst_shape)
    if tuple(full) != tuple(dst_shape):
        raise RuntimeError(
            f"output with shape {list(dst_shape)} doesn't match the broadcast shape {full}"
        )


def _bshape(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    return [max(x, y) for x, y in zip(a, b)]


def div_(self, other, *, rounding_mode=None):
    """self /= other (in place)."""
    return apply_inplace(self, div, other, rounding_mode=rounding_mode)


def floor_divide_(self, other):
    return apply_inplace(self, floor_divide, other)


def remainder_(self, other):
    return apply_inplace(self, remainder, other)


def fmod_(self, other):
    return apply_inplace(self, fmod, other)


def pow_(self, exponent):
    return apply_inplace(self, pow, exponent)


def atan2_(self, other):
    return apply_inplace(self, atan2, other)


def lerp_(self, end, weight):
    return apply_inplace(self, lerp, end, weight)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(self, addcmul, tensor1, tensor2, value=value)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(self, addcdiv, tensor1, tensor2, value=value)


def clamp_(self, min=None, max=None):
    return apply_inplace(self, clamp, min, max)


def clamp_min_(self, min):
    return apply_inplace(self, clamp_min, min)


def clamp_max_(self, max):
    return apply_inplace(self, clamp_max, max)


clip_ = clamp_
