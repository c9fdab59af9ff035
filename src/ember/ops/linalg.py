"""Matrix products and linear algebra: matmul (every torch case), mm, bmm, mv, dot, outer,
einsum, addmm, and ``ember.linalg`` (norms, inv, det, solve).

``MatMul`` covers every matmul case: 1-D operands are promoted to matrices (a row on the left,
a column on the right) and the added dim is dropped from the result; batch dims broadcast, and
the engine sums their gradients back.
"""

from __future__ import annotations

import string
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..backend import as_array, get_array_module, threads
from ..tensor import Tensor
from ._args import wrap_dim
from ._out import takes_out, write_out
from .inplace import type_word

__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "inner",
    "outer",
    "ger",
    "einsum",
    "addmm",
    "baddbmm",
    "addmv",
    "addbmm",
    "cross",
    "det",
    "inv",
    "trace",
    "tensordot",
    "kron",
    "chain_matmul",
    "cdist",
]


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        from ..dtypes import c_type_name

        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{c_type_name(a.dtype)} != {c_type_name(b.dtype)}"
        )


class MatMul(Function):
    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        ctx.save_for_backward(a, b)
        if threads.ACTIVE and x.ndim == y.ndim and x.ndim >= 2:  # split over threads if large
            return threads.matmul(x, y)
        return as_array(threads.product(x, y))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx._next  # (needs_input_grad: an edge is true where its input needs grad)
        if not STATE.enabled and a._data.ndim == 2 and b._data.ndim == 2:
            # no graph of this backward: the same two products, on arrays
            ad, bd, gd = a._data, b._data, g._data
            # (each gradient's product is as large as the forward's)
            mm = threads.matmul if threads.ACTIVE and threads.large(ad, bd) else threads.product
            ga = Tensor._make(mm(gd, bd.T), False, None) if need[0] else None
            gb = None
            if need[1]:
                gb = mm(gd.T, ad).T if _transposed(b) else mm(ad.T, gd)
                gb = Tensor._make(gb, False, None)
            return ga, gb
        ga = gb = None
        a1, b1 = a.dim() == 1, b.dim() == 1
        x = a.unsqueeze(0) if a1 else a
        y = b.unsqueeze(-1) if b1 else b
        if a1 and b1:
            gg = g.reshape(1, 1)
        elif a1:
            gg = g.unsqueeze(-2)
        elif b1:
            gg = g.unsqueeze(-1)
        else:
            gg = g
        if need[0]:
            ga = matmul(gg, y.mT)
            if a1:
                ga = ga.squeeze(-2)
                if ga.dim() > 1:
                    ga = ga.sum(tuple(range(ga.dim() - 1)))
        if need[1]:
            if y.dim() == 2 and x.dim() == 2 and _transposed(y):
                # b is a transposed view (x @ W.t()): produce W's gradient contiguous
                gb = matmul(gg.mT, x).mT
            else:
                gb = matmul(x.mT, gg)
            if b1:
                gb = gb.squeeze(-1)
                if gb.dim() > 1:
                    gb = gb.sum(tuple(range(gb.dim() - 1)))
        return ga, gb


def _transposed(t: Tensor) -> bool:
    f = t._data.flags
    return f.f_contiguous and not f.c_contiguous


class Dot(MatMul):
    node_name = "DotBackward0"


class Mv(MatMul):
    node_name = "MvBackward0"


class Bmm(MatMul):
    node_name = "BmmBackward0"


def _dims_str(shape) -> str:
    return "x".join(str(s) for s in shape)


def _check_batched_matmul(sa, sb) -> None:
    """torch's errors for the matmul cases beyond 2-D: a batched ``a`` times a vector or a
    matrix folds a's batch into rows (mv/mm messages); otherwise batch dims broadcast and the
    product is a bmm over the broadcast batch."""
    k_a = sa[-1]
    k_b = sb[-2] if len(sb) >= 2 else sb[0]
    if len(sa) >= 3 and len(sb) <= 2 or len(sa) == 1 and len(sb) == 2:
        if k_a == k_b:
            return
        rows = int(np.prod(sa[:-1]))
        if len(sb) == 1:
            raise RuntimeError(
                f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec ({k_b})"
            )
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and {k_b}x{sb[-1]})"
        )
    from .shape import broadcast_shape

    batch = broadcast_shape(sa[:-2], sb[:-2])
    if k_a != k_b:
        n = int(np.prod(batch))
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k_a}] but "
            f"got: [{n}, {k_b}]."
        )


def matmul(input, other, *, out=None):
    """Matrix product with torch's rules for 1-D operands and broadcast batch dims."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        bad = other if isinstance(input, Tensor) else input
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(bad).__name__}"
        )
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.dtype is not b.dtype:  # (told inline: the call costs as much as the test)
        _same_dtype(input, other)
    if a.ndim == 1 and b.ndim == 1:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
                "to have the same "
                f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
            )
        cls = Dot
    elif a.ndim == 2 and b.ndim == 2:
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(a.shape)} and "
                f"{_dims_str(b.shape)})"
            )
        cls = MatMul
    elif a.ndim == 2 and b.ndim == 1:
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({_dims_str(a.shape)}), vec "
                f"({b.shape[0]})"
            )
        cls = Mv
    else:
        _check_batched_matmul(a.shape, b.shape)
        cls = Bmm if a.ndim == 3 and b.ndim == 3 else MatMul
    r = cls.apply(input, other)
    return r if out is None else write_out(out, r)


def mm(input, mat2, *, out=None):
    """(n, m) @ (m, p) -> (n, p): both arguments must be matrices."""
    _check_mm(input, mat2)
    return write_out(out, MatMul.apply(input, mat2))


def bmm(input, mat2, *, out=None):
    """(b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
    _check_bmm(input, mat2)
    return write_out(out, Bmm.apply(input, mat2))


def mv(input, vec, *, out=None):
    """(n, m) @ (m,) -> (n,)."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, {vec.dim()}")
    return matmul(input, vec, out=out)


def dot(input, other, *, out=None):
    """The inner product of two 1-D tensors."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    return matmul(input, other, out=out)


class Vdot(MatMul):
    node_name = "VdotBackward0"


@takes_out("vdot")
def vdot(input, other, *, out=None):
    """The inner product of two 1-D tensors (for real tensors, ``dot``)."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    _same_dtype(input, other)
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements, but got {input.shape[0]} "
            f"and {other.shape[0]} elements respectively"
        )
    return Vdot.apply(input, other)


def inner(input, other):
    """Sum over the last dims of both: dot for vectors, input @ other.mT for matrices."""
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    return tensordot(input, other, ([-1], [-1]))


def outer(input, vec2):
    """The outer product of two vectors: (n,) x (m,) -> (n, m)."""
    return input.unsqueeze(-1) * vec2.unsqueeze(0)


ger = outer


class Addmm(Function):
    """beta * input + alpha * (a @ b), the fused form of addmm, addmv, baddbmm and addbmm
    (which also sums the batch of products). With beta = 0, input is ignored (NaN in it
    does not propagate) but still gets a (zero) gradient, as in torch."""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, input, a, b, beta, alpha, batch_sum):
        prod = threads.matmul(a._data, b._data) if threads.ACTIVE else a._data @ b._data
        if batch_sum:
            prod = prod.sum(axis=0)
        if alpha != 1:
            prod = prod * alpha
        if beta != 0:
            inp = input._data
            _check_expandable(inp.shape, prod.shape)
            prod = prod + (inp if beta == 1 else inp * beta)
        ctx.beta, ctx.alpha, ctx.batch_sum = beta, alpha, batch_sum
        ctx.save_for_backward(a, b)
        return as_array(prod.astype(a._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gi = g * ctx.beta if need[0] else None
        gp = g * ctx.alpha if ctx.alpha != 1 else g
        vec = b.dim() == 1
        if vec:  # addmv: (n, m) @ (m,)
            gp = gp.unsqueeze(-1)
        if ctx.batch_sum:  # addbmm: every product of the batch gets the same gradient
            gp = gp.unsqueeze(0)
        bm = b.unsqueeze(-1) if vec else b
        ga = matmul(gp, bm.mT) if need[1] else None
        gb = None
        if need[2]:
            gb = matmul(a.mT, gp)
            gb = gb.squeeze(-1) if vec else gb
        return gi, ga, gb, None, None, None


def _check_expandable(shape, target) -> None:
    """torch's error when ``input`` of an add-product cannot expand to the product's shape."""
    if len(shape) > len(target):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(target)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    for k in range(1, len(shape) + 1):
        if shape[-k] not in (1, target[-k]):
            raise RuntimeError(
                f"The expanded size of the tensor ({target[-k]}) must match the existing size "
                f"({shape[-k]}) at non-singleton dimension {len(target) - k}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )


class Addmv(Addmm):
    node_name = "AddmvBackward0"


class Baddbmm(Addmm):
    node_name = "BaddbmmBackward0"


class Addbmm(Addmm):
    node_name = "AddbmmBackward0"


def _check_mm(a, b):
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 2:
        raise RuntimeError("self must be a matrix")
    if len(sb) != 2:
        raise RuntimeError("mat2 must be a matrix")
    if sa[1] != sb[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(sa)} and {_dims_str(sb)})"
        )
    _same_dtype(a, b)


def _check_bmm(a, b):
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(sb) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, "
            f"{sa[2]}] but got: [{sb[0]}, {sb[1]}]."
        )
    _same_dtype(a, b)


@takes_out("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to (n, p)."""
    _check_mm(mat1, mat2)
    return Addmm.apply(input, mat1, mat2, beta, alpha, False)


@takes_out("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    if mat.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}"
        )
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({mat.shape[0]}), mat ({_dims_str(mat.shape)}), vec "
            f"({vec.shape[0]})"
        )
    return Addmv.apply(input, mat, vec, beta, alpha, False)


@takes_out("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (batch1 @ batch2), batched; input broadcasts to (b, n, p)."""
    _check_bmm(batch1, batch2)
    return Baddbmm.apply(input, batch1, batch2, beta, alpha, False)


@takes_out("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_b (batch1[b] @ batch2[b])."""
    _check_bmm(batch1, batch2)
    return Addbmm.apply(input, batch1, batch2, beta, alpha, True)


def chain_matmul(*matrices):
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out


@takes_out("tensordot")
def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` (a count, or two lists of dims) of ``a`` and ``b``."""
    if isinstance(dims, int):
        da = list(range(-dims, 0))
        db = list(range(dims))
    elif isinstance(dims, Tensor):
        return tensordot(a, b, dims.tolist())
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    given = list(zip(da, db))
    da = [wrap_dim(d, a.dim()) for d in da]
    db = [wrap_dim(d, b.dim()) for d in db]
    for (x, y), (gx, gy) in zip(zip(da, db), given):  # torch names the dims as given
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[x]} in dim "
                f"{gx} and second has size {b.shape[y]} in dim {gy}"
            )
    free_a = [d for d in range(a.dim()) if d not in da]
    free_b = [d for d in range(b.dim()) if d not in db]
    k = int(np.prod([a.shape[d] for d in da])) if da else 1
    am = a.permute(free_a + da).reshape(-1, k)
    bm = b.permute(db + free_b).reshape(k, -1)
    shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return matmul(am, bm).reshape(shape)


def kron(input, other):
    a = input.reshape([s for d in input.shape for s in (d, 1)] or [1])
    b = other.reshape([s for d in other.shape for s in (1, d)] or [1])
    shape = [x * y for x, y in zip(input.shape, other.shape)]
    return (a * b).reshape(shape)


# -- einsum ---------------------------------------------------------------------------------------
def _parse_einsum(equation: str, shapes):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(shapes) > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    ell_len = 0
    for t, shape in zip(terms, shapes):
        if "..." in t:
            ell_len = max(ell_len, len(shape) - (len(t) - 3))
    ell = "".join(spare[:ell_len])
    out_terms = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            n = len(shape) - (len(t) - 3)
            t = t.replace("...", ell[ell_len - n :] if n else "")
        if len(t) != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                f"the number of dimensions ({len(shape)}) for operand {len(out_terms)}"
                + ("" if "..." in equation else " and no ellipsis was given")
            )
        out_terms.append(t)
    if rhs is None:
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return out_terms, rhs


class Einsum(Function):
    node_name = "EinsumBackward0"

    @staticmethod
    def forward(ctx, spec, *operands):
        terms, rhs = spec
        arrays = [t._data for t in operands]
        xp = get_array_module(*arrays)
        ctx.spec = spec
        ctx.save_for_backward(*operands)
        expr = ",".join(terms) + "->" + rhs
        return as_array(xp.einsum(expr, *arrays, optimize=len(arrays) > 2))

    @staticmethod
    def backward(ctx, g):
        terms, rhs = ctx.spec
        ops = ctx.saved_tensors
        grads = [None]
        for i in range(len(terms)):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            grads.append(_einsum_operand_grad(g, rhs, terms, ops, i))
        return tuple(grads)


def _einsum_operand_grad(g, rhs, terms, ops, i):
    """The gradient of operand ``i``: the einsum of the output gradient with the other
    operands, producing operand i's subscripts. A repeated subscript (a diagonal, as in 'ii')
    becomes a fresh one tied to the first by an identity matrix; subscripts summed in operand i
    alone (its gradient does not depend on them) are broadcast afterwards."""
    from .creation import eye

    term = terms[i]
    shape = ops[i].shape
    used = set("".join(terms) + rhs)
    fresh = iter(c for c in string.ascii_letters if c not in used)
    renamed, eye_terms, eyes = [], [], []
    for k, c in enumerate(term):
        if c in term[:k]:
            f = next(fresh)
            renamed.append(f)
            eye_terms.append(c + f)
            eyes.append(eye(shape[k], dtype=g.dtype, device=g.device))
        else:
            renamed.append(c)
    others = [(t, o) for j, (t, o) in enumerate(zip(terms, ops)) if j != i]
    avail = set(rhs).union(*[set(t) for t, _ in others], *[set(t) for t in eye_terms])
    target = "".join(c for c in renamed if c in avail)
    grad = _einsum(
        [rhs] + [t for t, _ in others] + eye_terms,
        target,
        [g] + [o for _, o in others] + eyes,
    )
    if len(target) != len(renamed):
        view = [shape[k] if c in avail else 1 for k, c in enumerate(renamed)]
        grad = grad.reshape(view).expand(shape)
    return grad


def _einsum(terms, rhs, operands):
    return Einsum.apply((tuple(terms), rhs), *operands)


def _sublist_equation(args):
    """``(op0, sub0, op1, sub1, ..., [out])`` as an equation string and the operands; a
    sublist holds ints in [0, 52) and Ellipsis."""

    def letters(sub):
        out = []
        for v in sub:
            if v is Ellipsis:
                out.append("...")
            elif isinstance(v, int) and 0 <= v < 52:
                out.append(string.ascii_letters[v])
            else:
                raise ValueError(
                    f"einsum(): expected subscript to be within the range [0, 52), but got {v}"
                )
        return "".join(out)

    operands = args[0::2][: len(args) // 2]
    terms = [letters(sub) for sub in args[1::2]]
    eq = ",".join(terms)
    if len(args) % 2:
        eq += "->" + letters(args[-1])
    return eq, tuple(operands)


def einsum(equation, *operands):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` (ellipsis supported)."""
    if not isinstance(equation, str):  # the sublist form: einsum(a, [0, 1], b, [1, 2], [0, 2])
        equation, operands = _sublist_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, rhs = _parse_einsum(equation, [o.shape for o in operands])
    sizes = {}
    for k, (t, o) in enumerate(zip(terms, operands)):
        for c, n in zip(t, o.shape):
            if c in sizes and sizes[c] != n and 1 not in (sizes[c], n):
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                    f"broadcast with previously seen size {sizes[c]}"
                )
            sizes[c] = max(sizes.get(c, n), n)
    return _einsum(terms, rhs, list(operands))


# -- linear algebra -------------------------------------------------------------------------------
@takes_out("cross")
def cross(input, other, dim=None, *, out=None):
    """The cross product of 3-vectors along ``dim`` (inputs broadcast); without ``dim``, the
    first dim of size 3 (deprecated in torch, which warns)."""
    from .shape import broadcast_tensors

    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    input, other = broadcast_tensors(input, other)
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        dim = next((i for i, s in enumerate(input.shape) if s == 3), -1)
    d = wrap_dim(dim, input.dim())
    if input.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
            f"{other.shape[d]}"
        )
    return Cross.apply(input, other, d)


class Cross(Function):
    """a x b along ``dim``; d(a x b) weighted by g is b x g for a and g x a for b."""

    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return get_array_module(a._data).cross(a._data, b._data, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = Cross.apply(b, g, ctx.dim) if need[0] else None
        gb = Cross.apply(g, a, ctx.dim) if need[1] else None
        return ga, gb, None


class Inv(Function):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        arr = a._data
        xp = get_array_module(arr)
        try:
            out = Tensor._make(xp.linalg.inv(arr), False, None)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                "linalg.inv: The diagonal element 1 is zero, the inversion could not be "
                "completed because the input matrix is singular."
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (inv_a,) = ctx.saved_tensors
        return -matmul(matmul(inv_a.mT, g), inv_a.mT)


def inv(input):
    """The inverse of square matrices (batched)."""
    _check_square("linalg.inv", input)
    return Inv.apply(input)


def _check_square(name, t):
    if t.dim() < 2 or t.shape[-1] != t.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are "
            f"{t.shape[-2] if t.dim() >= 2 else 1} by {t.shape[-1] if t.dim() else 1} matrices"
        )
    if t._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{type_word(t.dtype)}"
        )


class Det(Function):
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        arr = a._data
        out = Tensor._make(as_array(get_array_module(arr).linalg.det(arr)), False, None)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        # d det(A) / dA = det(A) * inv(A)^T  (for invertible A)
        return (g * d).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def det(input):
    """The determinant of square matrices (batched)."""
    _check_square("linalg.det", input)
    return Det.apply(input)


class Trace(Function):
    node_name = "TraceBackward0"

    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.shape = a.shape
        dtype = np.int64 if a.dtype.kind in "biu" else a.dtype
        return as_array(get_array_module(a).trace(a, dtype=dtype))

    @staticmethod
    def backward(ctx, g):
        from .creation import eye

        n, m = ctx.shape
        return g * eye(n, m, dtype=g.dtype, device=g.device)


def trace(input):
    """The sum of the main diagonal of a matrix (integers sum in int64)."""
    if input.dim() != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input.dim()))
    return Trace.apply(input)


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise p-norm distances between the rows of x1 and x2 (batched)."""
    from .reduction import vector_norm

    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff, p, dim=-1)
