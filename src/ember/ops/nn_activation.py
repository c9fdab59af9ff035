"""Activation functions of ``ember.nn.functional``: relu and its relatives, gelu, softplus,
softmax and log_softmax, glu, prelu, the shrinks.

Each forward works on arrays; each backward is written with ember ops so ``create_graph=True``
differentiates it again. ``inplace=True`` goes through ``apply_inplace`` as torch's ``relu_``
and friends do. Activations torch builds from others (softsign, tanhshrink, softmin) are built
the same way here.
"""

from __future__ import annotations

import math
import warnings

from ..autograd.function import Function
from ..backend import clamp_array, get_array_module, reduce_keepdims
from ..tensor import Tensor
from . import special
from ._args import wrap_dim
from .arith import where
from .inplace import apply_inplace
from .unary import Relu, erf, exp
from .unary import relu_ as _relu_
from .unary import sigmoid as _sigmoid
from .unary import tanh as _tanh

__all__ = [
    "relu",
    "relu_",
    "relu6",
    "leaky_relu",
    "leaky_relu_",
    "elu",
    "elu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "gelu",
    "silu",
    "mish",
    "softplus",
    "softsign",
    "hardtanh",
    "hardtanh_",
    "hardsigmoid",
    "hardswish",
    "sigmoid",
    "tanh",
    "logsigmoid",
    "softmax",
    "log_softmax",
    "softmin",
    "glu",
    "prelu",
    "threshold",
    "threshold_",
    "tanhshrink",
    "hardshrink",
    "softshrink",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _inplace_or(input: Tensor, inplace: bool, fn, *args) -> Tensor:
    """``fn(input, *args)``, written into ``input`` when ``inplace``."""
    if inplace:
        return apply_inplace(input, fn, *args)
    return fn(input, *args)


def _float_only(name: str, x: Tensor) -> None:
    if x._data.dtype.kind != "f":
        from .inplace import type_word

        raise NotImplementedError(f"\"{name}\" not implemented for '{type_word(x.dtype)}'")


# -- piecewise-linear --------------------------------------------------------------------------
class Hardtanh(Function):
    node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        a = x._data
        return get_array_module(a).clip(a, lo, hi).astype(a.dtype, copy=False)  # ints stay

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


class LeakyRelu(Function):
    node_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        a = x._data
        ctx.save_for_backward(x)
        ctx.slope = slope
        return get_array_module(a).where(a > 0, a, a * slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return where(x > 0, g, g * ctx.slope), None


class Threshold(Function):
    node_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, x, th, value):
        a = x._data
        ctx.save_for_backward(x)
        ctx.th = th
        # value where x <= threshold, else x: NaN passes through, with its gradient (as torch)
        return get_array_module(a).where(a <= th, value, a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return where(x <= ctx.th, g * 0, g), None, None


class Hardsigmoid(Function):
    node_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.save_for_backward(x)
        return get_array_module(a).clip(a / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > -3) & (x < 3)) / 6


class Hardswish(Function):
    node_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.save_for_backward(x)
        return a * get_array_module(a).clip(a / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        mid = g * (x / 3 + 0.5)
        return where(x <= -3, g * 0, where(x < 3, mid, g))  # torch's ends: 0 at -3, g at 3


class Hardshrink(Function):
    node_name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        a = x._data
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        # 0 where |x| <= lambd, else x: NaN passes through (as torch)
        return get_array_module(a).where(abs(a) <= lambd, 0, a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() > ctx.lambd), None


class Softshrink(Function):
    node_name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        a = x._data
        xp = get_array_module(a)
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        out = xp.where(abs(a) <= lambd, 0, a - xp.sign(a) * lambd)  # NaN passes through
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() > ctx.lambd), None


# -- smooth ------------------------------------------------------------------------------------
class Elu(Function):
    """scale * x for x > 0, else scale * alpha * (exp(x * input_scale) - 1)."""

    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        a = x._data
        xp = get_array_module(a)
        ctx.save_for_backward(x)
        ctx.args = (alpha, scale, input_scale)
        neg = xp.expm1(clamp_array(a, hi=0) * input_scale) * (alpha * scale)
        return xp.where(a > 0, a * scale, neg)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.args
        neg = g * (exp(x.clamp(max=0) * input_scale) * (alpha * scale * input_scale))
        return where(x > 0, g * scale, neg), None, None, None


class Celu(Elu):
    node_name = "CeluBackward0"


class Gelu(Function):
    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        a = x._data
        xp = get_array_module(a)
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = (a + 0.044715 * a * a * a) * _SQRT_2_OVER_PI
            return 0.5 * a * (1 + xp.tanh(inner))
        return 0.5 * a * (1 + special.erf(a * (1 / math.sqrt(2.0))))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            t = _tanh((x + 0.044715 * x2 * x) * _SQRT_2_OVER_PI)
            dinner = (1 + 3 * 0.044715 * x2) * _SQRT_2_OVER_PI
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner), None
        cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2.0))))
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return g * (cdf + x * pdf), None


def _np_sigmoid(a):
    xp = get_array_module(a)
    e = xp.exp(-abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _np_softplus(a):
    """log(1 + exp(a)) without overflow."""
    xp = get_array_module(a)
    return clamp_array(a, 0) + xp.log1p(xp.exp(-abs(a)))


class Silu(Function):
    node_name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.save_for_backward(x)
        return a * _np_sigmoid(a)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = _sigmoid(x)
        return g * s * (1 + x * (1 - s))


class Mish(Function):
    node_name = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.save_for_backward(x)
        return a * get_array_module(a).tanh(_np_softplus(a))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        t = _tanh(softplus(x))
        return g * (t + x * _sigmoid(x) * (1 - t * t))


class Softplus(Function):
    node_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        a = x._data
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = a * beta
        soft = _np_softplus(bx) / beta
        return get_array_module(a).where(bx > threshold, a, soft).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return where(bx > ctx.threshold, g, g * _sigmoid(bx)), None, None


class LogSigmoid(Function):
    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.save_for_backward(x)
        return -_np_softplus(-a)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _sigmoid(-x)


# -- softmax family ----------------------------------------------------------------------------
class Softmax(Function):
    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        xp = get_array_module(a)
        e = a - reduce_keepdims(xp.maximum, a, dim)
        xp.exp(e, out=e)
        e /= reduce_keepdims(xp.add, e, dim)
        y = Tensor._make(e, False, None)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True), None


class LogSoftmax(Function):
    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        xp = get_array_module(a)
        out = a - reduce_keepdims(xp.maximum, a, dim)
        lse = xp.log(reduce_keepdims(xp.add, xp.exp(out), dim))
        out -= lse
        y = Tensor._make(out, False, None)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - exp(y) * g.sum(ctx.dim, keepdim=True), None


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_apply(cls, name, input, dim, stacklevel, dtype):
    if dim is None:
        dim = _softmax_dim(name, input._data.ndim, stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind != "f":
        from .inplace import type_word

        raise NotImplementedError(
            f"\"{name}_lastdim_kernel_impl\" not implemented for '{type_word(input.dtype)}'"
        )
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return cls.apply(input.reshape(1), 0).reshape(())
    return cls.apply(input, d)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim`` (computed after subtracting the
    max, so it never overflows). ``dtype`` casts the input first. Shape: unchanged."""
    return _softmax_apply(Softmax, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log_softmax(x)_i = x_i - log(sum_j exp(x_j)) along ``dim``, stable for any magnitude."""
    return _softmax_apply(LogSoftmax, "log_softmax", input, dim, _stacklevel, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmin(x) = softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input._data.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


# -- gated and parametric ----------------------------------------------------------------------
class Glu(Function):
    node_name = "GluBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        half = a.shape[dim] // 2
        xp = get_array_module(a)
        first = xp.take(a, range(half), axis=dim)
        second = xp.take(a, range(half, 2 * half), axis=dim)
        ctx.save_for_backward(x)
        ctx.dim, ctx.half = dim, half
        return first * _np_sigmoid(second)

    @staticmethod
    def backward(ctx, g):
        from .shape import cat, narrow

        (x,) = ctx.saved_tensors
        dim, half = ctx.dim, ctx.half
        first, second = narrow(x, dim, 0, half), narrow(x, dim, half, half)
        s = _sigmoid(second)
        return cat([g * s, g * first * s * (1 - s)], dim), None


class Prelu(Function):
    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w, wshape):
        a = x._data
        wa = w._data.reshape(wshape)
        ctx.save_for_backward(x, w)
        ctx.wshape = wshape
        return get_array_module(a).where(a > 0, a, a * wa)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        wv = w.reshape(ctx.wshape)
        gx = where(x > 0, g, g * wv)
        gw = None
        if ctx.needs_input_grad[1]:
            gw = where(x > 0, g * 0, g * x)
            dims = tuple(i for i in range(x.dim()) if ctx.wshape[i] == 1)
            if dims:
                gw = gw.sum(dims)
            gw = gw.reshape(w.shape)
        return gx, gw, None


# -- public functions --------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """relu(x) = max(x, 0)."""
    return _relu_(input) if inplace else Relu.apply(input)


def relu_(input: Tensor) -> Tensor:
    """In-place relu."""
    return _relu_(input)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """hardtanh(x) = min(max(x, min_val), max_val); the gradient is 1 strictly inside."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or(input, inplace, Hardtanh.apply, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x) = min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope * x."""
    _float_only("leaky_relu_cpu", input)
    return _inplace_or(input, inplace, LeakyRelu.apply, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha * (exp(x) - 1)."""
    _float_only("elu_cpu", input)
    return _inplace_or(input, inplace, Elu.apply, alpha, 1.0, 1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with alpha = 1.6733 and scale = 1.0507 (self-normalizing)."""
    _float_only("elu_cpu", input)
    return _inplace_or(input, inplace, Elu.apply, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input: Tensor) -> Tensor:
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _float_only("elu_cpu", input)
    return _inplace_or(input, inplace, Celu.apply, alpha, 1.0, 1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Phi the standard normal CDF, through erf); ``approximate='tanh'`` uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only("GeluKernelImpl", input)
    return Gelu.apply(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """silu(x) = x * sigmoid(x) (swish)."""
    _float_only("silu_cpu", input)
    return _inplace_or(input, inplace, Silu.apply)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """mish(x) = x * tanh(softplus(x))."""
    _float_only("mish_cpu", input)
    return _inplace_or(input, inplace, Mish.apply)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """1/beta * log(1 + exp(beta * x)), and x itself where beta * x > threshold."""
    _float_only("softplus_cpu", input)
    return Softplus.apply(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    _float_only("hardsigmoid_cpu", input)
    return _inplace_or(input, inplace, Hardsigmoid.apply)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    _float_only("hardswish_cpu", input)
    return _inplace_or(input, inplace, Hardswish.apply)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent."""
    return _tanh(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for any x."""
    _float_only("log_sigmoid_cpu", input)
    return LogSigmoid.apply(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: a * sigmoid(b), where a and b are the halves of ``input`` along
    ``dim`` (whose size must be even). Shape: (*, 2n, *) -> (*, n, *)."""
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    _float_only("glu_cpu", input)
    return Glu.apply(input, d)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else weight * x; ``weight`` has one element or one per channel (dim 1)."""
    nw = weight._data.size
    nd = input._data.ndim
    if nw == 1:
        wshape = (1,) * nd
    else:
        channels = input._data.shape[1] if nd >= 2 else 1
        if nw != channels or weight._data.ndim != 1:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {nw} and channel size = {channels}."
            )
        wshape = (1, nw) + (1,) * (nd - 2)
    _float_only("prelu_cpu", input)
    return Prelu.apply(input, weight, wshape)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return _inplace_or(input, inplace, Threshold.apply, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _inplace_or(input, True, Threshold.apply, threshold, value)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - _tanh(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    _float_only("hardshrink_cpu", input)
    return Hardshrink.apply(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    if lambd < 0:
        from .inplace import type_word

        top = "3.40282e+38" if input._data.dtype.itemsize == 4 else "1.79769e+308"
        raise RuntimeError(
            f"lambda must be in range [0, {top}] for input dtype {type_word(input.dtype)}, "
            f"but found {lambd:g}"
        )
    _float_only("softshrink_check", input)
    return Softshrink.apply(input, lambd)
