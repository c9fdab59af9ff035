"""``ember.nn.functional``: the math of the layers, as functions.

(Foundation stub: linear, relu, dropout, softmax, log_softmax and the two losses of the
tutorials. The nn issue owns this file and grows it.)
"""

from __future__ import annotations

from .. import ops  # noqa: F401
from ..ops.nn_dropout import (  # noqa: F401
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from ..ops.nn_embedding import embedding, one_hot  # noqa: F401
from ..ops.nn_linear import bilinear, linear  # noqa: F401
from ..ops.random import bernoulli  # noqa: F401
from ..ops.reduction import logsumexp
from ..tensor import Tensor

__all__ = ["linear", "relu", "dropout", "softmax", "log_softmax", "cross_entropy", "mse_loss"]
__all__ += ["bilinear", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout"]
__all__ += ["feature_alpha_dropout", "embedding", "one_hot"]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


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
