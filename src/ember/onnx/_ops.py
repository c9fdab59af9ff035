"""ONNX translations of ember's core ops (pointwise, reductions, shape, indexing, linalg).

``CONVERTERS`` maps each ``Function`` class to ``convert(g, call, *args) -> name(s)``, where
``args`` are the arguments the op's ``forward`` took. Classes are registered one by one, not
through their base classes: a new subclass of an op stays unexported until someone checks
that the translation fits it. Where ONNX has no operator the translation is a composite of
ONNX operators (``expm1`` is ``Exp(x) - 1``); the ops left out have no reasonable form.
"""

from __future__ import annotations

import numpy as np

from ..ops import arith, creation, indexing, linalg, pointwise, reduction, shape, unary
from ._graph import INT64_MAX, INT64_MIN, OnnxExporterError

__all__ = [
    "converts",
    "converts_family",
    "converter_for",
    "basic_index",
    "reshape_target",
    "dtype_of",
]

CONVERTERS: dict = {}
FAMILIES: list = []  # (base class, converter) for ops whose subclasses are made at run time


def converts(*classes):
    def register(fn):
        for cls in classes:
            CONVERTERS[cls] = fn
        return fn

    return register


def converts_family(base):
    """Register ``fn`` for ``base`` and every subclass of it (``Resample`` makes one class per
    grad_fn name as it goes)."""

    def register(fn):
        FAMILIES.append((base, fn))
        return fn

    return register


def converter_for(cls):
    fn = CONVERTERS.get(cls)
    if fn is None:
        for base, family_fn in FAMILIES:
            if issubclass(cls, base):
                return family_fn
    return fn


def dtype_of(call):
    """The NumPy dtype of the call's (first) output: the dtype the op computes in."""
    out = call.out[0] if isinstance(call.out, tuple) else call.out
    return out._data.dtype


# -- pointwise ------------------------------------------------------------------------------------
_UNARY = {
    unary.Neg: "Neg",
    unary.Abs: "Abs",
    unary.Sign: "Sign",
    unary.Exp: "Exp",
    unary.Log: "Log",
    unary.Sqrt: "Sqrt",
    unary.Reciprocal: "Reciprocal",
    unary.Sin: "Sin",
    unary.Cos: "Cos",
    unary.Tan: "Tan",
    unary.Asin: "Asin",
    unary.Acos: "Acos",
    unary.Atan: "Atan",
    unary.Sinh: "Sinh",
    unary.Cosh: "Cosh",
    unary.Tanh: "Tanh",
    unary.Asinh: "Asinh",
    unary.Acosh: "Acosh",
    unary.Atanh: "Atanh",
    unary.Sigmoid: "Sigmoid",
    unary.Relu: "Relu",
    unary.Erf: "Erf",
    unary.Floor: "Floor",
    unary.Ceil: "Ceil",
}


@converts(*_UNARY)
def _unary(g, call, x):
    return g.op(_UNARY[call.cls], g.input(x, dtype_of(call)))


@converts(unary.Round, unary.RoundDecimals)
def _round(g, call, x, decimals):
    dt = dtype_of(call)
    v = g.input(x, dt)
    if dt.kind in "iu":
        return g.op("Identity", v)
    if not decimals:
        return g.op("Round", v)
    scale = g.const(np.asarray(10.0**decimals, dtype=dt))
    return g.op("Div", g.op("Round", g.op("Mul", v, scale)), scale)


def _trunc(g, v):
    return g.op("Mul", g.op("Sign", v), g.op("Floor", g.op("Abs", v)))


@converts(unary.Trunc)
def _trunc_op(g, call, x):
    dt = dtype_of(call)
    v = g.input(x, dt)
    return g.op("Identity", v) if dt.kind in "iu" else _trunc(g, v)


@converts(unary.Frac)
def _frac(g, call, x):
    v = g.input(x, dtype_of(call))
    return g.op("Sub", v, _trunc(g, v))


def _scalar(g, value, dt):
    return g.const(np.asarray(value, dtype=dt))


@converts(unary.Exp2)
def _exp2(g, call, x):
    dt = dtype_of(call)
    return g.op("Pow", _scalar(g, 2.0, dt), g.input(x, dt))


@converts(unary.Expm1)
def _expm1(g, call, x):
    dt = dtype_of(call)
    return g.op("Sub", g.op("Exp", g.input(x, dt)), _scalar(g, 1.0, dt))


@converts(unary.Log1p)
def _log1p(g, call, x):
    dt = dtype_of(call)
    return g.op("Log", g.op("Add", g.input(x, dt), _scalar(g, 1.0, dt)))


@converts(unary.Log2, unary.Log10)
def _log_base(g, call, x):
    dt = dtype_of(call)
    base = 2.0 if call.cls is unary.Log2 else 10.0
    return g.op("Div", g.op("Log", g.input(x, dt)), _scalar(g, np.log(base), dt))


@converts(unary.Rsqrt)
def _rsqrt(g, call, x):
    return g.op("Reciprocal", g.op("Sqrt", g.input(x, dtype_of(call))))


@converts(unary.Erfc)
def _erfc(g, call, x):
    dt = dtype_of(call)
    return g.op("Sub", _scalar(g, 1.0, dt), g.op("Erf", g.input(x, dt)))


@converts(unary.Logit)
def _logit(g, call, x, eps):
    dt = dtype_of(call)
    v = g.input(x, dt)
    if eps is not None:
        v = g.op("Clip", v, _scalar(g, eps, dt), _scalar(g, 1 - eps, dt))
    return g.op("Log", g.op("Div", v, g.op("Sub", _scalar(g, 1.0, dt), v)))


@converts(arith.Add, arith.Sub)
def _add_sub(g, call, a, b, alpha=1):
    dt = dtype_of(call)
    y = g.input(b, dt)
    if alpha != 1:
        y = g.op("Mul", y, _scalar(g, alpha, dt))
    return g.op("Add" if call.cls is arith.Add else "Sub", g.input(a, dt), y)


@converts(arith.Rsub)
def _rsub(g, call, a, b, alpha=1):
    dt = dtype_of(call)
    x = g.input(a, dt)
    if alpha != 1:
        x = g.op("Mul", x, _scalar(g, alpha, dt))
    return g.op("Sub", g.input(b, dt), x)


_BINARY = {
    arith.Mul: "Mul",
    arith.Div: "Div",
    arith.Maximum: "Max",
    arith.Minimum: "Min",
    arith.PowTensor: "Pow",
    arith.Pow: "Pow",
    arith.RPow: "Pow",
}


@converts(*_BINARY)
def _binary(g, call, a, b):
    dt = dtype_of(call)
    return g.op(_BINARY[call.cls], g.input(a, dt), g.input(b, dt))


@converts(arith.FloorDivide)
def _div_rounded(g, call, a, b, mode):
    dt = dtype_of(call)
    if dt.kind in "iu":  # through float64, where both roundings are exact for these ranges
        q = g.op("Div", g.input(a, np.float64), g.input(b, np.float64))
        q = g.op("Floor", q) if mode == "floor" else _trunc(g, q)
        return g.cast(q, dt)
    q = g.op("Div", g.input(a, dt), g.input(b, dt))
    return g.op("Floor", q) if mode == "floor" else _trunc(g, q)


@converts(arith.Remainder, arith.RemainderTensor)
def _remainder(g, call, a, b):
    dt = dtype_of(call)
    x, y = g.input(a, dt), g.input(b, dt)
    if dt.kind in "iu":
        return g.op("Mod", x, y, fmod=0)
    return g.op("Sub", x, g.op("Mul", g.op("Floor", g.op("Div", x, y)), y))


@converts(arith.Fmod, arith.FmodTensor)
def _fmod(g, call, a, b):
    dt = dtype_of(call)
    return g.op("Mod", g.input(a, dt), g.input(b, dt), fmod=1 if dt.kind == "f" else 0)


@converts(arith.Fmax, arith.Fmin)
def _fmax(g, call, a, b):
    dt = dtype_of(call)
    x, y = g.input(a, dt), g.input(b, dt)
    both = g.op("Max" if call.cls is arith.Fmax else "Min", x, y)
    return g.op("Where", g.op("IsNaN", x), y, g.op("Where", g.op("IsNaN", y), x, both))


@converts(arith.Xlogy, arith.XlogyScalarSelf, arith.XlogyScalarOther)
def _xlogy(g, call, a, b):
    """x log(y), 0 where x is 0 (even where y is 0 or inf), NaN wherever y is NaN."""
    dt = dtype_of(call)
    x, y = g.input(a, dt), g.input(b, dt)
    out = g.op("Mul", x, g.op("Log", y))
    out = g.op("Where", g.op("Equal", x, _scalar(g, 0, dt)), _scalar(g, 0, dt), out)
    return g.op("Where", g.op("IsNaN", y), y, out)


@converts(arith.Where)
def _where(g, call, cond, a, b):
    dt = dtype_of(call)
    return g.op("Where", g.input(cond, np.bool_), g.input(a, dt), g.input(b, dt))


@converts(arith.Lerp, arith.LerpTensor)
def _lerp(g, call, start, end, weight):
    dt = dtype_of(call)
    s = g.input(start, dt)
    step = g.op("Mul", g.input(weight, dt), g.op("Sub", g.input(end, dt), s))
    return g.op("Add", s, step)


@converts(arith.Addcmul, arith.Addcdiv)
def _addc(g, call, a, t1, t2, value):
    dt = dtype_of(call)
    op = "Mul" if call.cls is arith.Addcmul else "Div"
    term = g.op(op, g.input(t1, dt), g.input(t2, dt))
    if value != 1:
        term = g.op("Mul", term, _scalar(g, value, dt))
    return g.op("Add", g.input(a, dt), term)


@converts(arith.Clamp, arith.ClampMin, arith.ClampMax)
def _clamp(g, call, a, lo, hi):
    dt = dtype_of(call)
    low = _scalar(g, lo, dt) if lo is not None else None
    high = _scalar(g, hi, dt) if hi is not None else None
    return g.op("Clip", g.input(a, dt), low, high)


@converts(arith.ClampTensor, arith.ClampMinTensor, arith.ClampMaxTensor)
def _clamp_tensor(g, call, a, lo, hi):
    dt = dtype_of(call)
    y = g.input(a, dt)
    if lo is not None:
        y = g.op("Max", y, g.input(lo, dt))
    if hi is not None:
        y = g.op("Min", y, g.input(hi, dt))
    return y


@converts(creation.ToCopy)
def _to_copy(g, call, x, np_dtype, xp):
    if x._data.dtype == np.dtype(np_dtype):
        return g.op("Identity", g.input(x))
    return g.cast(g.input(x), np_dtype)


@converts(shape.Clone)
def _clone(g, call, x, order):
    return g.op("Identity", g.input(x))


@converts(pointwise._Fill, pointwise._Zero)
def _fill(g, call, x, value):
    dt = dtype_of(call)
    value = np.asarray(value.item() if hasattr(value, "item") else value, dtype=dt).reshape(1)
    filled = g.h.make_tensor("value", g.h.np_dtype_to_tensor_dtype(dt), [1], value.tolist())
    return g.op("ConstantOfShape", g.op("Shape", g.input(x)), value=filled)


@converts(pointwise._FillTensor, pointwise._Copy)
def _copy(g, call, x, src):
    return g.op("Expand", g.input(src, dtype_of(call)), g.op("Shape", g.input(x)))


# -- linear algebra -------------------------------------------------------------------------------
@converts(linalg.MatMul, linalg.Dot, linalg.Mv, linalg.Bmm)
def _matmul(g, call, a, b):
    dt = dtype_of(call)
    return g.op("MatMul", g.input(a, dt), g.input(b, dt))


@converts(linalg.Einsum)
def _einsum(g, call, spec, *operands):
    dt = dtype_of(call)
    if isinstance(spec, tuple):  # parsed: ((subscripts of each operand), output subscripts)
        spec = ",".join(spec[0]) + "->" + spec[1]
    return g.op("Einsum", *[g.input(t, dt) for t in operands], equation=spec.replace(" ", ""))


# -- reductions -----------------------------------------------------------------------------------
def _axes(dims, ndim):
    if dims is None:
        return list(range(ndim))
    return [dims] if isinstance(dims, int) else list(dims)


@converts(reduction.Sum, reduction.SumAll, reduction.Mean, reduction.MeanAll)
@converts(reduction.Prod, reduction.ProdAll)
def _sum(g, call, x, dims, keepdim, np_dtype):
    op = {
        reduction.Sum: "ReduceSum",
        reduction.SumAll: "ReduceSum",
        reduction.Mean: "ReduceMean",
        reduction.MeanAll: "ReduceMean",
        reduction.Prod: "ReduceProd",
        reduction.ProdAll: "ReduceProd",
    }[call.cls]
    v = g.input(x, dtype_of(call))
    if x.dim() == 0:
        return g.op("Identity", v)
    return g.reduce(op, v, _axes(dims, x.dim()), keepdim)


@converts(reduction.Amax, reduction.Amin, reduction.MaxAll, reduction.MinAll)
def _extreme(g, call, x, dims, keepdim, largest):
    v = g.input(x)
    if x.dim() == 0:
        return g.op("Identity", v)
    return g.reduce("ReduceMax" if largest else "ReduceMin", v, _axes(dims, x.dim()), keepdim)


@converts(reduction.MaxDim, reduction.MinDim)
def _extreme_dim(g, call, x, dim, keepdim, largest):
    v = g.input(x)
    if x.dim() == 0:
        return [g.op("Identity", v), g.const(np.zeros((), np.int64))]
    values = g.reduce("ReduceMax" if largest else "ReduceMin", v, [dim], keepdim)
    index = g.op("ArgMax" if largest else "ArgMin", v, axis=dim, keepdims=int(bool(keepdim)))
    return [values, index]


@converts(reduction.Var, reduction.Std)
def _var(g, call, x, dims, correction, keepdim):
    dt = dtype_of(call)
    v = g.input(x, dt)
    axes = _axes(dims, x.dim())
    n = int(np.prod([x.shape[a] for a in axes]))
    centered = g.op("Sub", v, g.reduce("ReduceMean", v, axes, True))
    total = g.reduce("ReduceSum", g.op("Mul", centered, centered), axes, keepdim)
    var = g.op("Div", total, _scalar(g, max(n - correction, 0), dt))
    return g.op("Sqrt", var) if call.cls is reduction.Std else var


@converts(reduction.LogSumExp)
def _logsumexp(g, call, x, dims, keepdim):
    return g.reduce("ReduceLogSumExp", g.input(x, dtype_of(call)), _axes(dims, x.dim()), keepdim)


@converts(reduction.VectorNorm)
def _norm(g, call, x, ord, dims, keepdim):
    dt = dtype_of(call)
    v = g.input(x, dt)
    axes = _axes(dims, x.dim()) if dims not in (None, ()) else list(range(x.dim()))
    if ord == 2:
        return g.reduce("ReduceL2", v, axes, keepdim)
    if ord == 1:
        return g.reduce("ReduceL1", v, axes, keepdim)
    if ord == float("inf"):
        return g.reduce("ReduceMax", g.op("Abs", v), axes, keepdim)
    if ord == float("-inf"):
        return g.reduce("ReduceMin", g.op("Abs", v), axes, keepdim)
    if ord == 0:
        nonzero = g.cast(g.op("Not", g.op("Equal", v, _scalar(g, 0, dt))), dt)
        return g.reduce("ReduceSum", nonzero, axes, keepdim)
    p = _scalar(g, ord, dt)
    total = g.reduce("ReduceSum", g.op("Pow", g.op("Abs", v), p), axes, keepdim)
    return g.op("Pow", total, _scalar(g, 1.0 / ord, dt))


@converts(reduction.CumSum)
def _cumsum(g, call, x, dim, np_dtype):
    return g.op("CumSum", g.input(x, dtype_of(call)), g.const(np.asarray(dim, np.int64)))


@converts(reduction.SumToSize)
def _sum_to_size(g, call, x, size):
    lead = x.dim() - len(size)
    axes = list(range(lead)) + [
        lead + i for i, n in enumerate(size) if n == 1 and x.shape[lead + i] != 1
    ]
    v = g.input(x)
    if not axes:
        return g.op("Identity", v)
    y = g.reduce("ReduceSum", v, axes, True)
    return g.squeeze(y, list(range(lead))) if lead else y


# -- shape ----------------------------------------------------------------------------------------
def reshape_target(in_shape, out_shape):
    """Reshape's target: leading dims that the input keeps are 0 ("copy"), and one other dim
    is -1, so a model exported with a dynamic batch dim reshapes any batch."""
    target = list(out_shape)
    k = 0
    while k < min(len(in_shape), len(out_shape)) and in_shape[k] == out_shape[k]:
        target[k] = 0
        k += 1
    if k < len(target) and 0 not in out_shape:
        target[k] = -1
    return target


@converts(
    shape.View,
    shape.Reshape,
    shape.Squeeze,
    shape.SqueezeDim,
    shape.SqueezeDims,
    shape.Unsqueeze,
    shape.ExpandSame,
)
def _view(g, call, x, new_shape):
    out = tuple(call.out.shape)
    return g.op("Reshape", g.input(x), g.ints(reshape_target(tuple(x.shape), out)))


@converts(shape.Permute)
def _permute(g, call, x, dims):
    return g.op("Transpose", g.input(x), perm=[int(d) for d in dims])


@converts(shape.Transpose, shape.T)
def _transpose(g, call, x, d0=0, d1=1):  # (T, t(): no dims)
    perm = list(range(x.dim()))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return g.op("Transpose", g.input(x), perm=perm)


@converts(shape.Expand)
def _expand(g, call, x, new_shape):
    # ONNX's Expand broadcasts its input with the shape given: a 1 keeps the input's size, so
    # dims the input already has stay free to vary (a dynamic batch dimension)
    out = list(call.out.shape)
    lead = len(out) - x.dim()
    target = [1 if i >= lead and x.shape[i - lead] == n else n for i, n in enumerate(out)]
    return g.op("Expand", g.input(x), g.ints(target))


@converts(shape.Repeat)
def _repeat(g, call, x, reps):
    v = g.input(x)
    lead = len(reps) - x.dim()
    if lead:
        v = g.unsqueeze(v, list(range(lead)))
    return g.op("Tile", v, g.ints(reps))


@converts(shape.Flip)
def _flip(g, call, x, dims):
    n = len(dims)
    return g.op(
        "Slice",
        g.input(x),
        g.ints([-1] * n),
        g.ints([INT64_MIN] * n),
        g.ints(dims),
        g.ints([-1] * n),
    )


@converts(shape.Roll)
def _roll(g, call, x, shifts, dims):
    v = g.input(x)
    if dims is None or dims == ():
        flat = g.op("Reshape", v, g.ints([-1]))
        rolled = _roll_axis(g, flat, int(shifts[0] if isinstance(shifts, tuple) else shifts), 0)
        return g.op("Reshape", rolled, g.ints(x.shape))
    shifts = shifts if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    for s, d in zip(shifts, dims):
        v = _roll_axis(g, v, int(s) % max(x.shape[d], 1), d)
    return v


def _roll_axis(g, v, s, d):
    if s == 0:
        return v
    tail = g.op("Slice", v, g.ints([-s]), g.ints([INT64_MAX]), g.ints([d]))
    head = g.op("Slice", v, g.ints([0]), g.ints([-s]), g.ints([d]))
    return g.op("Concat", tail, head, axis=d)


@converts(shape.Cat)
def _cat(g, call, dim, *tensors):
    dt = dtype_of(call)
    parts = [g.input(t, dt) for t in tensors if t.numel() or t.dim() != 1]
    return g.op("Concat", *parts, axis=dim)


@converts(shape.Stack)
def _stack(g, call, dim, *tensors):
    dt = dtype_of(call)
    parts = [g.unsqueeze(g.input(t, dt), [dim]) for t in tensors]
    return g.op("Concat", *parts, axis=dim)


@converts(shape.Split, shape.SplitWithSizes)
def _split(g, call, x, bounds, dim):
    sizes = [hi - lo for lo, hi in bounds]
    v = g.input(x)
    if bounds[0][0] != 0 or bounds[-1][1] != x.shape[dim]:
        v = g.op("Slice", v, g.ints([bounds[0][0]]), g.ints([bounds[-1][1]]), g.ints([dim]))
    if len(sizes) == 1:
        return [g.op("Identity", v)]
    return g.op("Split", v, g.ints(sizes), axis=dim, outputs=len(sizes))


@converts(shape.Unbind)
def _unbind(g, call, x, dim):
    n = x.shape[dim]
    v = g.input(x)
    parts = [v] if n == 1 else g.op("Split", v, g.ints([1] * n), axis=dim, outputs=n)
    return [g.squeeze(p, [dim]) for p in parts]


@converts(shape.Tril, shape.Triu)
def _trilu(g, call, x, k, upper):
    return g.op("Trilu", g.input(x), g.const(np.asarray(k, np.int64)), upper=int(bool(upper)))


@converts(shape.SliceView, shape.SelectView)
def _slice(g, call, x, key):
    return basic_index(g, g.input(x), key, x.dim())


def basic_index(g, v, key, ndim):
    """``v[key]`` for a key of ints, slices, None and Ellipsis: one Slice, a Gather per int
    (highest axis first, so the others keep their numbers), one Unsqueeze for the Nones."""
    key = tuple(key) if isinstance(key, tuple) else (key,)
    if Ellipsis in key:
        at = key.index(Ellipsis)
        used = sum(1 for k in key if k is not None and k is not Ellipsis)
        key = key[:at] + (slice(None),) * (ndim - used) + key[at + 1 :]
    starts, ends, axes, steps, picks, news = [], [], [], [], [], []
    axis = out_axis = 0
    for k in key:
        if k is None:
            news.append(out_axis)
            out_axis += 1
        elif isinstance(k, slice):
            if k != slice(None):
                step = 1 if k.step is None else int(k.step)
                starts.append(_bound(k.start, 0 if step > 0 else INT64_MAX))
                ends.append(_bound(k.stop, INT64_MAX if step > 0 else INT64_MIN))
                axes.append(axis)
                steps.append(step)
            axis += 1
            out_axis += 1
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            picks.append((axis, int(k)))
            axis += 1
        else:
            raise OnnxExporterError(f"{g.where()}: cannot export the index {k!r}")
    if axes:
        v = g.op("Slice", v, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps))
    for a, i in sorted(picks, reverse=True):
        v = g.op("Gather", v, g.const(np.asarray(i, np.int64)), axis=a)
    if news:
        v = g.unsqueeze(v, news)
    return v if (axes or picks or news) else g.op("Identity", v)


def _bound(value, default):
    return default if value is None else int(value)


@converts(indexing.Index)
def _index(g, call, x, key):
    key = key if isinstance(key, tuple) else (key,)
    arrays = [i for i, k in enumerate(key) if isinstance(k, np.ndarray)]
    if len(arrays) != 1 or key[arrays[0]].dtype == np.bool_:
        raise OnnxExporterError(
            f"{g.where()}: exports indexing with one integer index array (with ints and "
            "slices); this key has a different form"
        )
    at = arrays[0]
    before = key[:at]
    if any(k is None or k is Ellipsis for k in before):
        raise OnnxExporterError(f"{g.where()}: cannot export None or ... before an index array")
    v = basic_index(g, g.input(x), before + (slice(None),) * (x.dim() - len(before)), x.dim())
    axis = sum(1 for k in before if isinstance(k, slice))
    v = g.op("Gather", v, g.const(key[at].astype(np.int64)), axis=axis)
    rest = key[at + 1 :]
    if rest:
        out_ndim = x.dim() - len(before) + axis - 1 + key[at].ndim
        lead = (slice(None),) * (axis + key[at].ndim)
        v = basic_index(g, v, lead + rest, out_ndim)
    return v


@converts(indexing.Gather)
def _gather(g, call, x, dim, index):
    return g.op("GatherElements", g.input(x), g.input(index, np.int64), axis=dim)


@converts(indexing.IndexSelect)
def _index_select(g, call, x, dim, index):
    return g.op("Gather", g.input(x), g.input(index, np.int64), axis=dim)


@converts(indexing.MaskedFill)
def _masked_fill(g, call, x, mask, value):
    dt = dtype_of(call)
    return g.op("Where", g.input(mask, np.bool_), g.input(value, dt), g.input(x, dt))
