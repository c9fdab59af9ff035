"""``ember.linalg``: norms and the linear-algebra functions torch keeps under ``torch.linalg``."""

from __future__ import annotations

from .ops._out import takes_out
from .ops.linalg import cross as _cross
from .ops.linalg import det, inv, matmul
from .ops.reduction import vector_norm
from .tensor import Tensor

__all__ = [
    "norm",
    "vector_norm",
    "matrix_norm",
    "inv",
    "det",
    "matmul",
    "cross",
    "solve",
    "multi_dot",
]


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius norm (or max/min absolute row/column sums for ord=±1, ±inf)."""
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if ord in (1, -1, float("inf"), float("-inf")):
        d0, d1 = dim
        if ord in (float("inf"), float("-inf")):
            d0, d1 = d1, d0
        nd = A.dim()
        d0, d1 = d0 % nd, d1 % nd
        sums = A.abs().sum(d0, keepdim=keepdim)
        if not keepdim and d0 < d1:
            d1 -= 1
        return sums.amax(d1, keepdim=keepdim) if ord > 0 else sums.amin(d1, keepdim=keepdim)
    raise NotImplementedError(f"ember.linalg.matrix_norm: ord={ord!r} is not supported")


@takes_out("norm", cast=True)
def norm(A: Tensor, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """Vector norm (1-D input or ``dim`` an int) or matrix norm (2-D input or ``dim`` a pair);
    the 2-norm of the flattened input when ``ord`` and ``dim`` are None."""
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if isinstance(dim, int) or (dim is None and A.dim() == 1):
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    if dim is None:
        dim = (-2, -1)
    if isinstance(ord, str) or len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1):
    return _cross(input, other, dim)


def multi_dot(tensors):
    """The product of a chain of matrices (the first may be 1-D, a row; the last 1-D, a
    column), multiplied left to right."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


def solve(A: Tensor, B: Tensor, *, left=True):
    """X with A @ X = B (through the inverse; differentiable)."""
    if not left:
        return matmul(B, inv(A))
    if B.dim() == A.dim() - 1:
        return matmul(inv(A), B.unsqueeze(-1)).squeeze(-1)
    return matmul(inv(A), B)
