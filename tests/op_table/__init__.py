"""Rows of the op test table (tests/test_ops.py), one module per op family.

A row is an ``Op``: a function ``fn(lib, *inputs, **kwargs)`` called once with ``lib=ember``
and once with ``lib=torch`` on the same input values, the shapes to try, and how to draw the
inputs. The harness compares values, dtypes and the gradients of every float input with
torch, and runs a float64 gradcheck (which needs no torch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

UNARY_SHAPES = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]
BINARY_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 3), (4, 1)),
    ((), (3,)),
    ((0, 3), (3,)),
]


@dataclass
class Op:
    """One row of the op table."""

    name: str
    fn: Callable[..., Any]
    shapes: list = field(default_factory=lambda: UNARY_SHAPES)
    # (low, high) for uniform float inputs, or a callable(rng, shape, np_dtype) -> array
    domain: Any = (-2.0, 2.0)
    # per-input overrides: {index: callable(rng, shape) -> array} (e.g. integer index inputs)
    inputs: dict = field(default_factory=dict)
    dtypes: tuple = ("float32", "float64")
    grad: bool = True
    gradcheck: bool = True
    kwargs: dict = field(default_factory=dict)
    rtol: float = 1e-5
    atol: float = 1e-6
    # compare dtypes of the outputs with torch's
    check_dtype: bool = True
    # the function's outputs are random: compare shapes and dtypes only
    random: bool = False
    # inputs that must not be made non-contiguous (e.g. index tensors)
    noncontig: bool = True

    def id(self) -> str:
        return self.name


def uniform(low, high):
    def draw(rng, shape, dtype):
        return rng.uniform(low, high, size=shape).astype(dtype)

    return draw


def positive(rng, shape, dtype):
    return rng.uniform(0.2, 2.0, size=shape).astype(dtype)


def away_from_zero(rng, shape, dtype):
    """Values in ±[0.5, 2]: safe for division and for ops with kinks at 0."""
    mag = rng.uniform(0.5, 2.0, size=shape)
    sign = np.where(rng.random(size=shape) < 0.5, -1.0, 1.0)
    return (mag * sign).astype(dtype)


def distinct(rng, shape, dtype):
    """A permutation of well-separated values: no ties for max, sort, median..."""
    n = int(np.prod(shape)) if shape else 1
    vals = rng.permutation(n).astype(np.float64) * 0.37 - n * 0.15
    return vals.reshape(shape).astype(dtype)
