"""Sampling: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``, and the in-place fills ``normal_``, ``uniform_``, ... Every function takes
``generator=``; without one it draws from the default generator."""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import get_array_module
from ..dtypes import from_numpy, get_default_dtype, int64, to_dtype
from ..random import resolve
from ..tensor import Tensor
from ._args import sizes
from ._out import takes_out
from .arith import not_implemented
from .creation import _finish, _xp_for
from .inplace import apply_inplace, check_inplace, write_into

__all__ = [
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "poisson",
    "rand_like",
    "randn_like",
    "randint_like",
    "normal_",
    "uniform_",
    "bernoulli_",
    "random_",
    "exponential_",
    "geometric_",
    "log_normal_",
    "cauchy_",
]


def _place(arr, device, requires_grad=False):
    xp = _xp_for(device)
    if xp is not np:
        arr = xp.asarray(arr)
    return _finish(arr, requires_grad)


def _float_dtype(dtype, kernel="check_uniform_bounds"):
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if not dt.is_floating_point:
        raise not_implemented(kernel, dt)
    return dt


class _Sampled(Function):
    """Random values that replace a tensor in the graph: they do not depend on its old value
    (or on a mean or std tensor), so every input's gradient is zero, as in torch."""

    node_name = "NormalBackward0"

    @staticmethod
    def forward(ctx, *args):
        return args[-1]  # the sampled array; the tensors before it are the inputs

    @staticmethod
    def backward(ctx, g):
        return tuple(g * 0 if need else None for need in ctx.needs_input_grad)


def _sampled(name: str):
    return type(name.replace("Backward", "Sampled"), (_Sampled,), {"node_name": name})


_NODES = {
    name: _sampled(name)
    for name in (
        "NormalBackward0",
        "NormalBackward1",
        "NormalBackward2",
        "NormalBackward3",
        "UniformBackward0",
        "BernoulliBackward0",
        "BernoulliBackward1",
        "BernoulliBackward2",
        "RandomBackward0",
        "RandomBackward1",
        "RandomBackward2",
        "ExponentialBackward0",
        "GeometricBackward0",
        "LogNormalBackward0",
        "CauchyBackward0",
    )
}


def _draw_float(gen, kind, shape, np_dtype, *params):
    # NumPy draws float32 natively for these; float16 is drawn as float32 and rounded.
    native = np_dtype if np_dtype in (np.float32, np.float64) else np.float32
    if kind == "uniform":
        arr = gen.random(shape, dtype=native)
    else:
        arr = gen.standard_normal(shape, dtype=native)
    return arr.astype(np_dtype, copy=False)


@takes_out("rand", factory=True)
def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype)
    arr = _draw_float(resolve(generator), "uniform", sizes(size, "rand"), dt.np)
    return _place(arr, device, requires_grad)


@takes_out("randn", factory=True)
def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Standard normal samples."""
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _draw_float(resolve(generator), "normal", sizes(size, "randn"), dt.np)
    return _place(arr, device, requires_grad)


@takes_out("randint", factory=True)
def randint(
    low,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """Integers uniform on [low, high); int64 unless ``dtype``. ``randint(high, size)`` too."""
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if not isinstance(size, (tuple, list)) and not hasattr(size, "__len__"):
        raise TypeError(
            f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}"
        )
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dt = to_dtype(dtype) if dtype is not None else int64
    arr = resolve(generator).integers(low, high, size=sizes((size,)), dtype=np.int64)
    return _place(arr.astype(dt.np), device, requires_grad)


@takes_out("randperm", factory=True)
def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A random permutation of 0..n-1 (int64)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = to_dtype(dtype) if dtype is not None else int64
    arr = resolve(generator).permutation(n).astype(dt.np)
    return _place(arr, device, requires_grad)


@takes_out("normal", factory=True)
def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """Samples of N(mean, std**2): numbers with ``size``, or elementwise for tensor mean/std."""
    gen = resolve(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if not isinstance(std, Tensor) and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        z = _draw_float(gen, "normal", shape, ref._data.dtype)
        z = backend.to_numpy(m) + backend.to_numpy(s) * z
        arr = get_array_module(ref._data).asarray(z.astype(ref._data.dtype))
        tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
        if STATE.enabled and any(t._rg for t in tensors):
            kind = 3 if len(tensors) == 2 else (1 if isinstance(mean, Tensor) else 2)
            return _NODES[f"NormalBackward{kind}"].apply(*tensors, arr)
        return Tensor._make(arr, False, None)
    if size is None:
        raise TypeError("normal() missing required argument 'size' for float mean and std")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    z = _draw_float(gen, "normal", sizes((size,)), dt.np)
    return _place((mean + std * z).astype(dt.np), device, requires_grad)


@takes_out("bernoulli", factory=True)
def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (or ``p``) elementwise, else 0; input's dtype."""
    a = backend.to_numpy(input._data)
    if a.dtype.kind != "f":
        raise not_implemented("bernoulli_tensor_cpu_p_", a.dtype)
    probs = a if p is None else np.full(a.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    draws = resolve(generator).random(a.shape) < probs
    arr = get_array_module(input._data).asarray(draws.astype(a.dtype))
    if STATE.enabled and input._rg:
        return _NODES["BernoulliBackward0"].apply(input, arr)
    return Tensor._make(arr, False, None)


@takes_out("multinomial", factory=True)
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distributions in the rows of ``input``
    (unnormalized, non-negative weights); int64, shape (..., num_samples)."""
    w = backend.to_numpy(input._data).astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if replacement and not (w >= 0).all():  # NaN counts as negative, as in torch
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if replacement and np.isinf(w).any():
        raise RuntimeError(
            "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
        )
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    gen = resolve(generator)
    out_rows = []
    for r in rows:
        total = r.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and (r > 0).sum() < num_samples:
            raise RuntimeError(
                "invalid multinomial distribution (with replacement=False, not enough "
                "non-negative category to sample)"
            )
        out_rows.append(gen.choice(r.size, size=num_samples, replace=replacement, p=r / total))
    res = np.stack(out_rows).astype(np.int64) if out_rows else np.zeros((0, num_samples), np.int64)
    if w.ndim == 1:
        res = res[0]
    return Tensor._make(get_array_module(input._data).asarray(res), False, None)


def poisson(input, generator=None):
    lam = backend.to_numpy(input._data)
    arr = resolve(generator).poisson(lam).astype(lam.dtype)
    return Tensor._make(get_array_module(input._data).asarray(arr), False, None)


def rand_like(
    input,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    generator=None,
):
    return rand(
        input.shape,
        dtype=dtype or input.dtype,
        device=device or input.device,
        requires_grad=requires_grad,
        generator=generator,
    )


def randn_like(
    input,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    generator=None,
):
    return randn(
        input.shape,
        dtype=dtype or input.dtype,
        device=device or input.device,
        requires_grad=requires_grad,
        generator=generator,
    )


def randint_like(
    input,
    low=0,
    high=None,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    generator=None,
):
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        input.shape,
        dtype=dtype or input.dtype,
        device=device or input.device,
        generator=generator,
    )


# -- in-place fills -------------------------------------------------------------------------------
def _fill(self: Tensor, arr, node: str) -> Tensor:
    """Write the samples ``arr`` into ``self``; in the graph, ``self`` takes the node ``node``
    (the samples do not depend on its old value: its gradient becomes zero)."""
    check_inplace(self)
    xp = get_array_module(self._data)
    arr = xp.asarray(arr.astype(self._data.dtype, copy=False))
    if STATE.enabled and self._rg:
        return apply_inplace(self, _NODES[node].apply, arr)
    write_into(self, arr)
    return self


def _float_np(t, kernel):
    if t._data.dtype.kind != "f":
        raise not_implemented(kernel, from_numpy(t._data.dtype))
    return t._data.dtype


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std**2), in place."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    z = _draw_float(resolve(generator), "normal", self._data.shape, _float_np(self, _NORMAL))
    return _fill(self, mean + std * z if (mean, std) != (0.0, 1.0) else z, "NormalBackward0")


_NORMAL = "normal_kernel_cpu"


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """Fill with samples uniform on [from_, to), in place."""
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    dt = _float_np(self, "check_uniform_bounds")
    u = _draw_float(resolve(generator), "uniform", self._data.shape, dt)
    return _fill(self, from_ + (to - from_) * u if (from_, to) != (0.0, 1.0) else u, _UNIFORM)


_UNIFORM = "UniformBackward0"


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 (probability ``p``, a number or tensor) or 0, in place."""
    probs = backend.to_numpy(p._data) if isinstance(p, Tensor) else p
    draws = resolve(generator).random(self._data.shape) < probs
    return _fill(self, draws, "BernoulliBackward1" if isinstance(p, Tensor) else _BERNOULLI)


_BERNOULLI = "BernoulliBackward2"


def random_(self, from_=0, to=None, *, generator=None):
    """Fill with integers uniform on [from_, to), in place (to defaults to 2**mantissa or the
    dtype's maximum)."""
    node = "RandomBackward0" if to is not None else "RandomBackward1"
    if to is None:
        from_, to = 0, from_ if from_ else None
    if to is None:
        node = "RandomBackward2"
        kind = self._data.dtype
        to = (
            2 ** (np.finfo(kind).nmant + 1)
            if kind.kind == "f"
            else (2 if kind.kind == "b" else int(np.iinfo(kind).max) + 1)
        )
    arr = resolve(generator).integers(from_, to, size=self._data.shape, dtype=np.int64)
    return _fill(self, arr, node)


def exponential_(self, lambd=1.0, *, generator=None):
    arr = resolve(generator).exponential(1.0 / lambd, size=self._data.shape)
    return _fill(self, arr, "ExponentialBackward0")


def geometric_(self, p, *, generator=None):
    return _fill(self, resolve(generator).geometric(p, size=self._data.shape), "GeometricBackward0")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    arr = resolve(generator).lognormal(mean, std, size=self._data.shape)
    return _fill(self, arr, "LogNormalBackward0")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    arr = median + sigma * resolve(generator).standard_cauchy(self._data.shape)
    return _fill(self, arr, "CauchyBackward0")
