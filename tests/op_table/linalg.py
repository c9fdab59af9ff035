"""Linear-algebra rows: matmul in every torch case, mm, bmm, mv, dot, outer, inner, einsum,
addmm, baddbmm, tensordot, cross, det, inv, trace and the ``linalg`` norms."""

from __future__ import annotations

import numpy as np

from . import Op, away_from_zero, distinct

MATMUL_SHAPES = [
    ((4,), (4,)),  # 1-D . 1-D: a scalar
    ((3, 4), (4,)),  # 2-D . 1-D: mv
    ((4,), (4, 5)),  # 1-D . 2-D: a row times a matrix
    ((3, 4), (4, 5)),  # 2-D . 2-D: mm
    ((2, 3, 4), (2, 4, 5)),  # batched: bmm
    ((2, 1, 3, 4), (5, 4, 2)),  # batch dims broadcast
    ((2, 3, 4), (4, 5)),  # batched . matrix
    ((3, 4), (2, 4, 5)),  # matrix . batched
    ((4,), (2, 4, 5)),  # 1-D . batched
    ((2, 3, 4), (4,)),  # batched . 1-D
    ((0, 4), (4, 5)),  # empty rows
    ((3, 0), (0, 5)),  # empty inner dim: zeros
    ((2, 0, 3, 4), (4, 2)),  # empty batch
]


def well_conditioned(rng, shape, dtype):
    """Random matrices plus a multiple of the identity: safely invertible."""
    a = rng.uniform(-1.0, 1.0, size=shape)
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        a = a + 3.0 * np.eye(shape[-1])
    return a.astype(dtype)


ROWS = [
    # -- matmul and its special cases
    Op("matmul", lambda t, x, y: t.matmul(x, y), MATMUL_SHAPES),
    Op("matmul_operator", lambda t, x, y: x @ y, MATMUL_SHAPES[:6]),
    Op("matmul_method", lambda t, x, y: x.matmul(y), [((3, 4), (4, 5))]),
    Op("rmatmul_transposed", lambda t, x, y: x @ y.t(), [((3, 4), (5, 4)), ((2, 3, 4), (5, 4))]),
    Op("matmul_int", lambda t, x, y: x @ y, MATMUL_SHAPES[:5], grad=False, dtypes=("int64",)),
    Op(
        "matmul_double_backward",
        lambda t, x, y: _grad_of(t, lambda a, b: a @ b, x, y),
        [((3, 4), (4, 5)), ((4,), (2, 4, 5))],
        gradcheck=False,
    ),
    Op("mm", lambda t, x, y: t.mm(x, y), [((3, 4), (4, 5)), ((1, 4), (4, 1)), ((0, 2), (2, 3))]),
    Op("mm_method", lambda t, x, y: x.mm(y), [((3, 4), (4, 2))]),
    Op("bmm", lambda t, x, y: t.bmm(x, y), [((2, 3, 4), (2, 4, 5)), ((0, 3, 4), (0, 4, 2))]),
    Op("mv", lambda t, x, y: t.mv(x, y), [((3, 4), (4,)), ((0, 4), (4,))]),
    Op("dot", lambda t, x, y: t.dot(x, y), [((4,), (4,)), ((0,), (0,))]),
    Op("vdot", lambda t, x, y: t.vdot(x, y), [((4,), (4,))]),
    Op("outer", lambda t, x, y: t.outer(x, y), [((3,), (4,)), ((0,), (2,))]),
    Op("ger", lambda t, x, y: t.ger(x, y), [((3,), (4,))]),
    Op(
        "inner",
        lambda t, x, y: t.inner(x, y),
        [((4,), (4,)), ((3, 4), (4,)), ((3, 4), (5, 4)), ((2, 3, 4), (5, 4)), ((), (3, 4))],
    ),
    # -- einsum
    Op("einsum_mm", lambda t, x, y: t.einsum("ij,jk->ik", x, y), [((3, 4), (4, 5))]),
    Op("einsum_list", lambda t, x, y: t.einsum("ij,jk", [x, y]), [((3, 4), (4, 5))]),
    Op("einsum_implicit", lambda t, x, y: t.einsum("ij,kj", x, y), [((3, 4), (5, 4))]),
    Op("einsum_implicit_sorted", lambda t, x, y: t.einsum("bj,ja", x, y), [((3, 4), (4, 5))]),
    Op("einsum_batch", lambda t, x, y: t.einsum("bij,bjk->bik", x, y), [((2, 3, 4), (2, 4, 5))]),
    Op(
        "einsum_ellipsis",
        lambda t, x, y: t.einsum("...ij,...jk->...ik", x, y),
        [((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))],
    ),
    Op("einsum_ellipsis_implicit", lambda t, x: t.einsum("i...->...", x), [((3, 4, 2),)]),
    Op("einsum_ellipsis_mid", lambda t, x: t.einsum("a...b->ba...", x), [((2, 3, 4, 5),)]),
    Op("einsum_trace", lambda t, x: t.einsum("ii", x), [((4, 4),)], gradcheck=True),
    Op("einsum_diag", lambda t, x: t.einsum("ii->i", x), [((4, 4),)]),
    Op("einsum_batch_trace", lambda t, x: t.einsum("bii->b", x), [((2, 3, 3),)]),
    Op("einsum_sum", lambda t, x: t.einsum("ij->", x), [((3, 4),)]),
    Op("einsum_transpose", lambda t, x: t.einsum("ij->ji", x), [((3, 4),)]),
    Op("einsum_outer", lambda t, x, y: t.einsum("i,j->ij", x, y), [((3,), (4,))]),
    Op("einsum_dot", lambda t, x, y: t.einsum("i,i->", x, y), [((4,), (4,))]),
    Op(
        "einsum_three",
        lambda t, x, y, z: t.einsum("ij,jk,kl->il", x, y, z),
        [((2, 3), (3, 4), (4, 5))],
    ),
    Op(
        "einsum_bilinear",
        lambda t, x, w, y: t.einsum("bi,oij,bj->bo", x, w, y),
        [((2, 3), (4, 3, 5), (2, 5))],
    ),
    Op("einsum_broadcast_one", lambda t, x, y: t.einsum("ij,ij->ij", x, y), [((3, 4), (1, 4))]),
    Op("einsum_spaces", lambda t, x, y: t.einsum("i j , j k -> i k", x, y), [((3, 4), (4, 2))]),
    Op(
        "einsum_sublist", lambda t, x, y: t.einsum(x, [0, 1], y, [1, 2], [0, 2]), [((3, 4), (4, 2))]
    ),
    # -- fused products
    Op(
        "addmm",
        lambda t, b, x, y: t.addmm(b, x, y),
        [((5,), (3, 4), (4, 5)), ((3, 5), (3, 4), (4, 5))],
    ),
    Op(
        "addmm_scaled",
        lambda t, b, x, y: t.addmm(b, x, y, beta=0.5, alpha=-2.0),
        [((3, 1), (3, 4), (4, 5))],
    ),
    Op("addmm_beta0", lambda t, b, x, y: t.addmm(b, x, y, beta=0), [((3, 5), (3, 4), (4, 5))]),
    Op("addmv", lambda t, b, x, y: t.addmv(b, x, y, alpha=2), [((3,), (3, 4), (4,))]),
    Op(
        "baddbmm",
        lambda t, b, x, y: t.baddbmm(b, x, y),
        [((2, 3, 5), (2, 3, 4), (2, 4, 5)), ((5,), (2, 3, 4), (2, 4, 5))],
    ),
    Op(
        "baddbmm_scaled",
        lambda t, b, x, y: t.baddbmm(b, x, y, beta=2.0, alpha=0.5),
        [((1, 3, 1), (2, 3, 4), (2, 4, 5))],
    ),
    Op("addbmm", lambda t, b, x, y: t.addbmm(b, x, y), [((3, 5), (2, 3, 4), (2, 4, 5))]),
    Op(
        "chain_matmul", lambda t, x, y, z: t.linalg.multi_dot([x, y, z]), [((2, 3), (3, 4), (4, 5))]
    ),
    Op("tensordot", lambda t, x, y: t.tensordot(x, y), [((2, 3, 4), (3, 4, 5))]),
    Op("tensordot_int", lambda t, x, y: t.tensordot(x, y, 1), [((2, 3), (3, 4)), ((3,), (3,))]),
    Op("tensordot_zero", lambda t, x, y: t.tensordot(x, y, 0), [((2, 3), (4,))]),
    Op(
        "tensordot_lists",
        lambda t, x, y: t.tensordot(x, y, ([0, 2], [1, 0])),
        [((2, 3, 4), (4, 2, 5))],
    ),
    Op("kron", lambda t, x, y: t.kron(x, y), [((2, 3), (2, 2)), ((3,), (2,))]),
    # -- cross, det, inv, trace
    Op("cross", lambda t, x, y: t.cross(x, y, dim=1), [((4, 3), (4, 3)), ((3, 3, 2), (3, 3, 2))]),
    Op("linalg_cross", lambda t, x, y: t.linalg.cross(x, y), [((4, 3), (4, 3)), ((4, 3), (1, 3))]),
    Op("det", lambda t, x: t.det(x), [((3, 3),), ((2, 4, 4),), ((1, 1),)]),
    Op("linalg_det", lambda t, x: t.linalg.det(x), [((3, 3),)], domain=well_conditioned),
    Op("inv", lambda t, x: t.inverse(x), [((3, 3),), ((2, 4, 4),)], domain=well_conditioned),
    Op(
        "linalg_inv",
        lambda t, x: t.linalg.inv(x),
        [((3, 3),), ((0, 2, 2),)],
        domain=well_conditioned,
    ),
    Op(
        "linalg_solve",
        lambda t, a, b: t.linalg.solve(a, b),
        [((3, 3), (3,)), ((3, 3), (3, 2))],
        domain=well_conditioned,
        rtol=1e-4,
    ),
    Op("trace", lambda t, x: t.trace(x), [((3, 3),), ((3, 5),), ((4, 2),), ((0, 3),)]),
    Op("trace_int", lambda t, x: t.trace(x), [((3, 3),)], grad=False, dtypes=("int64",)),
    # -- linalg norms
    Op(
        "vector_norm",
        lambda t, x: t.linalg.vector_norm(x),
        [((3, 4),), ((),), ((0, 3),)],
        domain=away_from_zero,
    ),
    Op(
        "vector_norm_dim",
        lambda t, x: t.linalg.vector_norm(x, 3, dim=-1, keepdim=True),
        [((3, 4),), ((2, 3, 4),)],
        domain=away_from_zero,
    ),
    Op(
        "vector_norm_inf",
        lambda t, x: t.linalg.vector_norm(x, float("inf"), (0, 1)),
        [((3, 4),), ((2, 3, 4),)],
        domain=distinct,
    ),
    Op("vector_norm_ord0", lambda t, x: t.linalg.vector_norm(x, 0, 1), [((3, 4),)]),
    Op(
        "vector_norm_ord1",
        lambda t, x: t.linalg.vector_norm(x, 1),
        [((3, 4),)],
        domain=away_from_zero,
    ),
    Op(
        "vector_norm_dtype",
        lambda t, x: t.linalg.vector_norm(x, dtype=t.float64),
        [((3, 4),)],
        domain=away_from_zero,
    ),
    Op(
        "vector_norm_neg",
        lambda t, x: t.linalg.vector_norm(x, -2, 0),
        [((3, 4),)],
        domain=away_from_zero,
    ),
    Op("matrix_norm", lambda t, x: t.linalg.matrix_norm(x), [((3, 4),), ((2, 3, 4),)]),
    Op(
        "matrix_norm_1",
        lambda t, x: t.linalg.matrix_norm(x, 1),
        [((3, 4),), ((2, 3, 4),)],
        domain=distinct,
    ),
    Op(
        "matrix_norm_inf",
        lambda t, x: t.linalg.matrix_norm(x, float("-inf"), keepdim=True),
        [((3, 4),), ((2, 3, 4),)],
        domain=distinct,
    ),
    Op("matrix_norm_dims", lambda t, x: t.linalg.matrix_norm(x, "fro", dim=(0, 2)), [((2, 3, 4),)]),
    Op(
        "linalg_norm",
        lambda t, x: t.linalg.norm(x),
        [((3, 4),), ((4,),), ((2, 3, 4),)],
        domain=away_from_zero,
    ),
    Op("linalg_norm_ord_vec", lambda t, x: t.linalg.norm(x, 3), [((4,),)], domain=away_from_zero),
    Op(
        "linalg_norm_ord_mat",
        lambda t, x: t.linalg.norm(x, float("inf")),
        [((3, 4),)],
        domain=distinct,
    ),
    Op("linalg_norm_dim", lambda t, x: t.linalg.norm(x, dim=1), [((3, 4),)], domain=away_from_zero),
    Op("linalg_norm_fro_dims", lambda t, x: t.linalg.norm(x, "fro", (1, 2)), [((2, 3, 4),)]),
]


def _grad_of(t, f, x, y):
    """Gradients of ``f(x, y).sum()``, kept in the graph (double backward)."""
    out = f(x, y)
    return t.autograd.grad(out, (x, y), t.ones_like(out), create_graph=True)
