"""Rows for the nn-core functional ops: linear, bilinear, embedding, one_hot, dropout."""

from __future__ import annotations

import numpy as np

from . import Op


def _F(t):
    return t.nn.functional


def _indices(high):
    def draw(rng, shape):
        return rng.integers(0, high, size=shape).astype(np.int64)

    return draw


ROWS = [
    Op(
        "linear",
        lambda t, x, w, b: _F(t).linear(x, w, b),
        [((4, 5), (3, 5), (3,)), ((2, 4, 5), (3, 5), (3,)), ((5,), (3, 5), (3,))],
    ),
    Op(
        "linear_nobias",
        lambda t, x, w: _F(t).linear(x, w),
        [((4, 5), (3, 5)), ((2, 2, 5), (3, 5)), ((5,), (3, 5)), ((0, 5), (3, 5))],
    ),
    Op("linear_scalar_bias", lambda t, x, w, b: _F(t).linear(x, w, b), [((4, 5), (3, 5), ())]),
    Op(
        "bilinear",
        lambda t, a, b, w, bias: _F(t).bilinear(a, b, w, bias),
        [((3, 2), (3, 4), (5, 2, 4), (5,)), ((2, 3, 2), (2, 3, 4), (2, 2, 4), (2,))],
    ),
    Op(
        "bilinear_nobias",
        lambda t, a, b, w: _F(t).bilinear(a, b, w),
        [((3, 2), (3, 4), (5, 2, 4))],
    ),
    Op(
        "embedding",
        lambda t, i, w: _F(t).embedding(i, w),
        [((2, 3), (6, 4)), ((5,), (6, 2)), ((), (6, 3))],
        inputs={0: _indices(6)},
        noncontig=False,
    ),
    Op(
        "embedding_padding_freq",
        lambda t, i, w: _F(t).embedding(i, w, padding_idx=1, scale_grad_by_freq=True),
        [((3, 4), (5, 3))],
        inputs={0: _indices(5)},
        noncontig=False,
        gradcheck=False,  # by design not the true derivative (padding row, frequency scale)
    ),
    Op(
        "embedding_max_norm",
        lambda t, i, w: _F(t).embedding(i, w * 2, max_norm=1.5, norm_type=3.0),
        [((2, 3), (6, 4)), ((5,), (6, 2))],
        inputs={0: _indices(6)},
        noncontig=False,
        gradcheck=False,  # the renorm is done without autograd, as in torch
    ),
    Op(
        "one_hot",
        lambda t, i: _F(t).one_hot(i, 7),
        [((3, 2),), ((4,),)],
        inputs={0: _indices(7)},
        grad=False,
    ),
    Op("dropout_eval", lambda t, x: _F(t).dropout(x, 0.5, training=False)),
    Op("dropout_p0", lambda t, x: _F(t).dropout(x, 0.0)),
    Op("dropout_train", lambda t, x: _F(t).dropout(x, 0.3), random=True, grad=False),
    Op(
        "dropout2d_train",
        lambda t, x: _F(t).dropout2d(x, 0.3),
        [((2, 3, 4, 4),)],
        random=True,
        grad=False,
    ),
    Op("dropout2d_eval", lambda t, x: _F(t).dropout2d(x, 0.3, training=False), [((2, 3, 2, 2),)]),
    Op(
        "alpha_dropout_train",
        lambda t, x: _F(t).alpha_dropout(x, 0.3, training=True),
        [((3, 4),)],
        random=True,
        grad=False,
    ),
]
