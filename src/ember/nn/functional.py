"""``ember.nn.functional``: the math of the layers, as functions.

(Foundation stub: linear, relu, dropout, softmax, log_softmax and the two losses of the
tutorials. The nn issue owns this file and grows it.)
"""

from __future__ import annotations

from .. import ops  # noqa: F401
from ..ops.linalg import matmul
from ..ops.random import bernoulli  # noqa: F401
from ..ops.reduction import logsumexp
from ..tensor import Tensor

__all__ = ["linear", "relu", "dropout", "softmax", "log_softmax", "cross_entropy", "mse_loss"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b. Shapes: input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    out = matmul(input, weight.t())
    return out if bias is None else out + bias


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero each element with probability p during training, scaling the rest by 1/(1-p)."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    keep = (input.new_empty(input.shape).bernoulli_(1 - p)) / (1 - p)
    return input * keep


def softmax(input: Tensor, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along dim."""
    if dtype is not None:
        input = input.to(dtype)
    return (input - logsumexp(input, dim, keepdim=True)).exp()


def log_softmax(input: Tensor, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    """x - logsumexp(x) along dim."""
    if dtype is not None:
        input = input.to(dtype)
    return input - logsumexp(input, dim, keepdim=True)


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """Negative log likelihood of the target classes under softmax(input) (class indices)."""
    logp = log_softmax(input, 1)
    picked = logp.gather(1, target.unsqueeze(1)).squeeze(1)
    if reduction == "mean":
        return -picked.mean()
    if reduction == "sum":
        return -picked.sum()
    return -picked


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error."""
    d = (input - target) ** 2
    if reduction == "mean":
        return d.mean()
    if reduction == "sum":
        return d.sum()
    return d
