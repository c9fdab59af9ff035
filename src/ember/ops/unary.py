"""Elementwise functions of one tensor: exp, log, sin, sqrt, sigmoid, floor, ...

Integer and bool inputs of the floating functions compute in the default float dtype, as in
torch. Each backward is written with ember ops, so it is differentiable again.
"""

from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import clamp_array, fill_where, get_array_module, nonpositive, threads
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import special
from ._out import write_out
from .inplace import apply_inplace

__all__ = [
    "neg",
    "abs",
    "sign",
    "signbit",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "sqrt",
    "rsqrt",
    "square",
    "reciprocal",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "sigmoid",
    "logit",
    "relu",
    "erf",
    "erfc",
    "erfinv",
    "floor",
    "ceil",
    "round",
    "trunc",
    "frac",
    "nan_to_num",
]


def _f(x: Tensor):
    """x's array, in the default float dtype if it is integral."""
    a = x._data
    if a.dtype.kind in "fc":
        return a
    return a.astype(get_default_dtype().np)


def _out(a) -> Tensor:
    return Tensor._make(a, False, None)


def _refuse(kernel: str, a, kinds: str = "b") -> None:
    """torch's NotImplementedError for a kernel without an implementation for a's dtype."""
    if a.dtype.kind in kinds:
        from .arith import not_implemented

        raise not_implemented(kernel, a.dtype)


class Neg(Function):
    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return -x._data

    @staticmethod
    def backward(ctx, g):
        return -g


class Abs(Function):
    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        _refuse("abs_cpu", x._data)
        ctx.save_for_backward(x)
        return get_array_module(x._data).abs(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * sign(x)


class Sign(Function):
    node_name = "SignBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        if a.dtype.kind == "b":
            return a.copy()
        xp = get_array_module(a)
        out = xp.sign(a)
        if a.dtype.kind == "f":
            out = xp.where(xp.isnan(a), 0, out).astype(a.dtype, copy=False)  # sign(nan) is 0
        return out

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Exp(Function):
    node_name = "ExpBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return get_array_module(x._data).exp(_f(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Exp2(Function):
    node_name = "Exp2Backward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return get_array_module(x._data).exp2(_f(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * math.log(2.0)


class Expm1(Function):
    node_name = "Expm1Backward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return get_array_module(x._data).expm1(_f(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y + 1)


class Log(Function):
    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).log(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Log2(Function):
    node_name = "Log2Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).log2(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * math.log(2.0))


class Log10(Function):
    node_name = "Log10Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).log10(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * math.log(10.0))


class Log1p(Function):
    node_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).log1p(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Sqrt(Function):
    node_name = "SqrtBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return get_array_module(x._data).sqrt(_f(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (y * 2)


class Rsqrt(Function):
    node_name = "RsqrtBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        a = _f(x)
        return 1 / get_array_module(a).sqrt(a)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * y * y * -0.5


class Reciprocal(Function):
    node_name = "ReciprocalBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return 1 / _f(x)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * y * y


class Sin(Function):
    node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).sin(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cos(x)


class Cos(Function):
    node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).cos(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * sin(x)


class Tan(Function):
    node_name = "TanBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return get_array_module(x._data).tan(_f(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y + 1)


class Asin(Function):
    node_name = "AsinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).arcsin(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * rsqrt(1 - x * x)


class Acos(Function):
    node_name = "AcosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).arccos(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * rsqrt(1 - x * x)


class Atan(Function):
    node_name = "AtanBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).arctan(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * x + 1)


class Sinh(Function):
    node_name = "SinhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).sinh(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * cosh(x)


class Cosh(Function):
    node_name = "CoshBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).cosh(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * sinh(x)


class Tanh(Function):
    node_name = "TanhBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return get_array_module(x._data).tanh(_f(x))

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)


class Asinh(Function):
    node_name = "AsinhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).arcsinh(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * rsqrt(x * x + 1)


class Acosh(Function):
    node_name = "AcoshBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).arccosh(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * rsqrt(x * x - 1)


class Atanh(Function):
    node_name = "AtanhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x._data).arctanh(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 - x * x)


class Sigmoid(Function):
    node_name = "SigmoidBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        a = _f(x)
        xp = get_array_module(a)
        # exp of a non-positive number only: no overflow warning for large |x|
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y * (1 - y)


class Logit(Function):
    node_name = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps):
        a = _f(x)
        xp = get_array_module(a)
        if eps is not None:
            a = xp.clip(a, eps, 1 - eps)
        ctx.save_for_backward(x)
        ctx.eps = eps
        return xp.log(a / (1 - a))

    @staticmethod
    def backward(ctx, g):
        from .arith import where

        (x,) = ctx.saved_tensors
        eps = ctx.eps
        grad = g / (x * (1 - x))
        # outside [0, 1] (or [eps, 1 - eps]) torch's gradient is NaN (or 0)
        lo, hi, fill = (0.0, 1.0, math.nan) if eps is None else (eps, 1 - eps, 0.0)
        return where((x < lo) | (x > hi), fill, grad), None


class Relu(Function):
    node_name = "ReluBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        a = x._data
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        return clamp_array(a, 0)

    @staticmethod
    def backward(ctx, g):
        if not STATE.enabled:  # no graph of this backward: the same select, on arrays
            y, gd = ctx.saved_output_data(), g._data
            if threads.ACTIVE and gd.size >= threads.PARALLEL_SIZE:  # in stretches
                out = get_array_module(gd).empty_like(gd)
                return (Tensor._make(threads.map_flat(_relu_grad, out, y, gd), False, None),)
            return (Tensor._make(fill_where(nonpositive(y), 0, gd), False, None),)
        from .indexing import masked_fill

        (y,) = ctx.saved_tensors
        return (masked_fill(g, y <= 0, 0),)  # NaN inputs pass the gradient, as in torch


def _relu_grad(y, g, out) -> None:
    fill_where(nonpositive(y), 0, g, out)


class Erf(Function):
    node_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special.erf(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * exp(-x * x) * (2 / math.sqrt(math.pi))


class Erfc(Function):
    node_name = "ErfcBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special.erfc(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * exp(-x * x) * (-2 / math.sqrt(math.pi))


class Erfinv(Function):
    """Its gradient is made from the input (erfinv again), as torch's is: an in-place change
    of the output before backward is no error."""

    node_name = "ErfinvBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return special.erfinv(_f(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        y = erfinv(x)
        return g * exp(y * y) * (math.sqrt(math.pi) / 2)


class _Rounding(Function):
    """floor, ceil, round, trunc: piecewise constant, so the gradient is zero."""

    @staticmethod
    def backward(ctx, g):
        return (g * 0,) + (None,) * (len(ctx.needs_input_grad) - 1)


class Floor(_Rounding):
    node_name = "FloorBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        _refuse("floor_vml_cpu", a)
        return a.copy() if a.dtype.kind in "iu" else get_array_module(a).floor(a)


class Ceil(_Rounding):
    node_name = "CeilBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        _refuse("ceil_vml_cpu", a)
        return a.copy() if a.dtype.kind in "iu" else get_array_module(a).ceil(a)


class Round(_Rounding):
    node_name = "RoundBackward0"

    @staticmethod
    def forward(ctx, x, decimals):
        a = x._data
        if decimals:
            _refuse("round_cpu", a, "iub")
        _refuse("round_vml_cpu", a)
        if a.dtype.kind in "iu":
            return a.copy()
        # half to even, as torch (and NumPy) round
        return get_array_module(a).round(a, decimals)


class Trunc(_Rounding):
    node_name = "TruncBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        _refuse("trunc_vml_cpu", a)
        return a.copy() if a.dtype.kind in "iu" else get_array_module(a).trunc(a)


class Frac(Function):
    node_name = "FracBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        _refuse("frac_cpu", a, "iub")
        return a - get_array_module(a).trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


class NanToNum(Function):
    node_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        a = x._data
        xp = get_array_module(a)
        ctx.save_for_backward(x)
        if a.dtype.kind not in "fc":
            return a.copy()
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * isfinite(x), None, None, None


def neg(input, *, out=None):
    """-input."""
    return write_out(out, Neg.apply(input))


negative = neg


def abs(input, *, out=None):
    """|input|; the gradient at 0 is 0."""
    return write_out(out, Abs.apply(input))


absolute = abs


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element."""
    return write_out(out, Sign.apply(input))


sgn = sign


def signbit(input):
    """True where the sign bit is set (negative numbers and -0.0)."""
    return _out(get_array_module(input._data).signbit(input._data))


def exp(input, *, out=None):
    """e ** input."""
    return write_out(out, Exp.apply(input))


def exp2(input, *, out=None):
    """2 ** input."""
    return write_out(out, Exp2.apply(input))


def expm1(input, *, out=None):
    """e ** input - 1, accurate for small input."""
    return write_out(out, Expm1.apply(input))


def log(input, *, out=None):
    """Natural logarithm."""
    return write_out(out, Log.apply(input))


def log2(input, *, out=None):
    return write_out(out, Log2.apply(input))


def log10(input, *, out=None):
    return write_out(out, Log10.apply(input))


def log1p(input, *, out=None):
    """log(1 + input), accurate for small input."""
    return write_out(out, Log1p.apply(input))


def sqrt(input, *, out=None):
    return write_out(out, Sqrt.apply(input))


def rsqrt(input, *, out=None):
    """1 / sqrt(input)."""
    return write_out(out, Rsqrt.apply(input))


def square(input, *, out=None):
    """input ** 2 (grad_fn PowBackward0, as torch)."""
    from .arith import pow

    return write_out(out, pow(input, 2))


def reciprocal(input, *, out=None):
    """1 / input."""
    return write_out(out, Reciprocal.apply(input))


def sin(input, *, out=None):
    return write_out(out, Sin.apply(input))


def cos(input, *, out=None):
    return write_out(out, Cos.apply(input))


def tan(input, *, out=None):
    return write_out(out, Tan.apply(input))


def asin(input, *, out=None):
    return write_out(out, Asin.apply(input))


def acos(input, *, out=None):
    return write_out(out, Acos.apply(input))


def atan(input, *, out=None):
    return write_out(out, Atan.apply(input))


def sinh(input, *, out=None):
    return write_out(out, Sinh.apply(input))


def cosh(input, *, out=None):
    return write_out(out, Cosh.apply(input))


def tanh(input, *, out=None):
    return write_out(out, Tanh.apply(input))


def asinh(input, *, out=None):
    return write_out(out, Asinh.apply(input))


def acosh(input, *, out=None):
    return write_out(out, Acosh.apply(input))


def atanh(input, *, out=None):
    return write_out(out, Atanh.apply(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def sigmoid(input, *, out=None):
    """1 / (1 + exp(-input)), computed without overflow."""
    return write_out(out, Sigmoid.apply(input))


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when ``eps`` is given."""
    return write_out(out, Logit.apply(input, eps))


def relu(input):
    """max(input, 0)."""
    return Relu.apply(input)


def erf(input, *, out=None):
    """The error function, 2/sqrt(pi) * integral of exp(-t**2) from 0 to input."""
    return write_out(out, Erf.apply(input))


def erfc(input, *, out=None):
    """1 - erf(input), accurate for large input."""
    return write_out(out, Erfc.apply(input))


def erfinv(input, *, out=None):
    """The inverse of erf on (-1, 1)."""
    return write_out(out, Erfinv.apply(input))


def floor(input, *, out=None):
    return write_out(out, Floor.apply(input))


def ceil(input, *, out=None):
    return write_out(out, Ceil.apply(input))


class RoundDecimals(Round):
    node_name = "RoundBackward1"


def round(input, *, decimals=0, out=None):
    """Round half to even (to ``decimals`` places)."""
    return write_out(out, (RoundDecimals if decimals else Round).apply(input, decimals))


def trunc(input, *, out=None):
    """Round toward zero."""
    return write_out(out, Trunc.apply(input))


fix = trunc


def frac(input, *, out=None):
    """input - trunc(input)."""
    return write_out(out, Frac.apply(input))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the dtype's
    largest and smallest finite values)."""
    return write_out(out, NanToNum.apply(input, nan, posinf, neginf))


def isfinite(input):
    from .compare import isfinite as _isfinite

    return _isfinite(input)


def _inplace(fn):
    def op(self, *args, **kwargs):
        return apply_inplace(self, fn, *args, **kwargs)

    op.__name__ = fn.__name__ + "_"
    op.__qualname__ = op.__name__
    op.__doc__ = f"In-place {fn.__name__}."
    return op


neg_ = _inplace(neg)
abs_ = _inplace(abs)
sign_ = _inplace(sign)
exp_ = _inplace(exp)
exp2_ = _inplace(exp2)
expm1_ = _inplace(expm1)
log_ = _inplace(log)
log2_ = _inplace(log2)
log10_ = _inplace(log10)
log1p_ = _inplace(log1p)
sqrt_ = _inplace(sqrt)
rsqrt_ = _inplace(rsqrt)
square_ = _inplace(square)
reciprocal_ = _inplace(reciprocal)
sin_ = _inplace(sin)
cos_ = _inplace(cos)
tan_ = _inplace(tan)
asin_ = _inplace(asin)
acos_ = _inplace(acos)
atan_ = _inplace(atan)
sinh_ = _inplace(sinh)
cosh_ = _inplace(cosh)
tanh_ = _inplace(tanh)
asinh_ = _inplace(asinh)
acosh_ = _inplace(acosh)
atanh_ = _inplace(atanh)
sigmoid_ = _inplace(sigmoid)
logit_ = _inplace(logit)
relu_ = _inplace(relu)
erf_ = _inplace(erf)
erfc_ = _inplace(erfc)
erfinv_ = _inplace(erfinv)
floor_ = _inplace(floor)
ceil_ = _inplace(ceil)
round_ = _inplace(round)
trunc_ = _inplace(trunc)
frac_ = _inplace(frac)
nan_to_num_ = _inplace(nan_to_num)
