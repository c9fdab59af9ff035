"""Argument normalization shared by the op families: dims, sizes and scalar operands."""

from __future__ import annotations

from ..tensor import Tensor


def wrap_dim(dim, ndim: int) -> int:
    """``dim`` as a non-negative index into ``ndim`` dimensions (0-d tensors accept -1 and 0)."""
    if isinstance(dim, Tensor):
        dim = int(dim)
    if not isinstance(dim, int):
        dim = dim.__index__()
    n = ndim if ndim else 1
    if dim < -n or dim >= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


def wrap_dims(dims, ndim: int) -> tuple:
    """A tuple of distinct non-negative dims; None or () means every dim."""
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, (int, Tensor)) or hasattr(dims, "__index__"):
        return (wrap_dim(dims, ndim),)
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        d = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def sizes(args, name: str = "") -> tuple:
    """``(2, 3)``, ``((2, 3),)``, ``([2, 3],)`` or ``(Size,)`` as a tuple of ints; ``name`` (the
    op) phrases the TypeError for anything else as torch does."""
    if len(args) == 1 and not isinstance(args[0], int) and not hasattr(args[0], "__index__"):
        args = args[0]
        if not isinstance(args, (tuple, list)) and not isinstance(args, Tensor):
            raise TypeError(
                f"{name}(): " * bool(name) + "argument 'size' (position 1) must be tuple of "
                f"ints, not {type(args).__name__}"
            )
    elif len(args) == 1 and isinstance(args[0], Tensor) and args[0].dim() == 1:
        args = args[0].tolist()
    out = []
    for i, s in enumerate(args):
        if isinstance(s, bool) or not (isinstance(s, int) or hasattr(s, "__index__")):
            raise TypeError(
                f"{name}(): " * bool(name) + "argument 'size' failed to unpack the object at "
                f'pos {i + 1} with error "type must be tuple of ints,but got {type(s).__name__}"'
            )
        out.append(int(s) if isinstance(s, int) else s.__index__())
    return tuple(out)


def is_number(x) -> bool:
    return isinstance(x, (int, float, bool))
