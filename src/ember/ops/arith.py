"""Binary arithmetic with torch's broadcasting and type promotion.

Operands are tensors or Python numbers. ``operands`` casts them to torch's result dtype so the
array library computes in that dtype; gradients come back in the output's dtype and shape, and
the engine sums and casts each one to its input's shape and dtype.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module
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
]

_NUMBER = (int, float, bool)


def _scalar(x):
    """A Python number from ``x`` (NumPy scalars included); TypeError for other objects."""
    if isinstance(x, _NUMBER):
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


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
        t = type(b)
        kind = ad.dtype.kind
        if (t is float and kind == "f") or (t is int and kind in "fi"):
            return ad, b
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
    if isinstance(x, (Tensor,) + _NUMBER):
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"unsupported operand type(s): '{type(x).__name__}' and 'Tensor'")


def _floating(arr):
    """Integer and bool arrays become the default float dtype (true division, pow, ...)."""
    if arr.dtype.kind in "fc":
        return arr
    return arr.astype(get_default_dtype().np)


def _xp(a, b):
    return get_array_module(a if not isinstance(a, _NUMBER) else b)


# -- add, sub, mul, div ---------------------------------------------------------------------------
class Add(Function):
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operands(a, b)
        if alpha != 1:
            y = y * alpha
        ctx.alpha = alpha
        return x + y

    @staticmethod
    def backward(ctx, g):
        gb = None
        if ctx.needs_input_grad[1]:
            gb = g if ctx.alpha == 1 else g * ctx.alpha
        return g, gb, None


class Sub(Function):
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
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        if not isinstance(x, _NUMBER):
            x = _floating(x)
        elif not isinstance(y, _NUMBER):
            y = _floating(y)
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

    @staticmethod
    def forward(ctx, a, b, mode):
        x, y = operands(a, b)
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
    return Add.apply(input, other, alpha)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if out is not None:
        return _to_out(out, sub(input, other, alpha=alpha))
    if isinstance(input, Tensor):
        _no_bool_sub(input, other)
        return Sub.apply(input, other, alpha)
    return rsub(other, input, alpha=alpha)


def _no_bool_sub(a, b) -> None:
    if a._data.dtype.kind == "b" and (
        isinstance(b, bool) or (isinstance(b, Tensor) and b._data.dtype.kind == "b")
    ):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
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


def floor_divide(input, other, *, out=None):
    """input // other, rounded down (Python's rule)."""
    r = _DivRounded.apply(input, other, "floor")
    return r if out is None else _to_out(out, r)


# -- remainder, fmod, pow -------------------------------------------------------------------------
class Remainder(Function):
    node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
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


def remainder(input, other, *, out=None):
    """Python's modulus: the result has the sign of ``other``."""
    r = Remainder.apply(input, other)
    return r if out is None else _to_out(out, r)


def fmod(input, other, *, out=None):
    """C's modulus: the result has the sign of ``input``."""
    r = Fmod.apply(input, other)
    return r if out is None else _to_out(out, r)


class Pow(Function):
    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, p):
        x, e = operands(a, p)
        xp = get_array_module(x)
        if x.dtype.kind in "iu" and (isinstance(e, int) and e < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(a)
        ctx.p = p
        return xp.power(x, e)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return g * 0, None
        return g * p * a ** (p - 1), None


class PowTensor(Function):
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
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
        if need[0]:
            ga = g * b * a ** (b - 1)
        if need[1]:
            # d/db a**b = a**b * log(a); where a == 0 and b >= 0 torch defines it as 0
            from .indexing import masked_fill
            from .unary import log

            safe = where(a == 0, 1.0, a)
            gb = masked_fill(g * out * log(safe), (a == 0) & (b >= 0), 0.0)
        return ga, gb


class RPow(Function):
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, base, b):
        y, x = operands(b, base)
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
        if base == 0:
            return None, g * 0
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
        need = ctx.needs_input_grad
        return (g * b / denom if need[0] else None), (-g * a / denom if need[1] else None)


def _floating_pair(x, y):
    if not isinstance(x, _NUMBER):
        x = _floating(x)
    if not isinstance(y, _NUMBER):
        y = _floating(y)
    return x, y


def atan2(input, other, *, out=None):
    """The angle of the point (other, input), in (-pi, pi]."""
    r = Atan2.apply(input, other)
    return r if out is None else _to_out(out, r)


arctan2 = atan2


def hypot(input, other):
    """sqrt(input**2 + other**2)."""
    from .unary import sqrt

    return sqrt(input * input + other * other)


def xlogy(input, other):
    """input * log(other), and 0 where input is 0 (even if other is 0)."""
    from .unary import log

    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=get_default_dtype().np), False, None)
    safe = where(input == 0, 1.0, other)
    return where(input == 0, 0.0, input * log(safe))


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
    # The winner takes the gradient; ties split it evenly, as torch does.
    wins_a = (a > b) if larger else (a < b)
    tie = a == b
    share_a = wins_a.to(g.dtype) + tie.to(g.dtype) * 0.5
    ga = g * share_a if need[0] else None
    gb = g * (1 - share_a) if need[1] else None
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
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(bad).__name__}"
        )


def fmax(input, other):
    """Elementwise maximum where NaN loses to a number."""
    nan_a = input != input
    return where(nan_a, other, where(other != other, input, maximum(input, other)))


def fmin(input, other):
    """Elementwise minimum where NaN loses to a number."""
    nan_a = input != input
    return where(nan_a, other, where(other != other, input, minimum(input, other)))


# -- where, lerp, addcmul, addcdiv, clamp ---------------------------------------------------------
class Where(Function):
    node_name = "WhereBackward0"

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
        x, y = operands(start, end)
        w = weight._data if isinstance(weight, Tensor) else weight
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


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    r = Lerp.apply(input, end, weight)
    return r if out is None else _to_out(out, r)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    prod = tensor1 * tensor2
    r = input + (prod if value == 1 else prod * value)
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
    quot = tensor1 / tensor2
    r = input + (quot if value == 1 else quot * value)
    return r if out is None else _to_out(out, r)


def _is_int_tensor(t) -> bool:
    return isinstance(t, Tensor) and t._data.dtype.kind in "iub"


class Clamp(Function):
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        x = a._data
        xp = get_array_module(x)
        if x.dtype.kind in "iub" and (isinstance(lo, float) or isinstance(hi, float)):
            x = x.astype(get_default_dtype().np)
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        if lo is None:
            return xp.minimum(x, hi)
        if hi is None:
            return xp.maximum(x, lo)
        return xp.minimum(xp.maximum(x, lo), hi)

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


def _to_out(out: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into a caller's ``out=`` tensor (resized if its shape differs)."""
    check_inplace(out)
    if out._data.shape != result._data.shape:
        out._data = result._data.astype(out._data.dtype, copy=True)
    else:
        write_into(out, result._data)
    return out


# -- in-place forms -------------------------------------------------------------------------------
def add_(self, other, *, alpha=1):
    """self += alpha * other (in place)."""
    if not STATE.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
        return _fast_inplace(self, other, alpha, np.add)
    return apply_inplace(self, add, other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    """self -= alpha * other (in place)."""
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
            src_dt, dst_dt = from_numpy(src.dtype), from_numpy(dst.dtype)
            if src_dt.category > dst_dt.category:
                raise_cast_error(src_dt, dst_dt)
        if len(src.shape) > len(dst.shape) or any(
            s != 1 and s != d for s, d in zip(src.shape[::-1], dst.shape[::-1])
        ):
            raise RuntimeError(
                f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                f"{_bshape(src.shape, dst.shape)}"
            )
    else:
        src = _scalar(other)
        if isinstance(src, float) and dst.dtype.kind in "iub":
            raise_cast_error(get_default_dtype(), from_numpy(dst.dtype))
    if alpha != 1:
        src = src * alpha
    if not dst.flags.writeable:
        write_into(self, dst)  # raises the overlapping-memory error
    ufunc(dst, src, out=dst, casting="unsafe")
    vc = self._vc
    if vc is None:
        self._vc = [1]
    else:
        vc[0] += 1
    return self


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


clip_ = clamp_
