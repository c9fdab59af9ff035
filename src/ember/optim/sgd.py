"""``SGD``: stochastic gradient descent with optional momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import _SCRATCH_MIN, Optimizer, ParamsT, check_fused_foreach, new_state_tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        g <- -g                                   if maximize
        g <- g + weight_decay * theta             if weight_decay != 0
        if momentum != 0:
            b <- g                                if t == 1
            b <- momentum * b + (1 - dampening) * g   otherwise
            g <- g + momentum * b                 if nesterov
            g <- b                                otherwise
        theta <- theta - lr * g

    State: ``momentum_buffer`` (the parameter's shape and dtype), only when momentum != 0.

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 1e-3).
        momentum: momentum factor (default: 0).
        dampening: dampening of the momentum (default: 0).
        weight_decay: L2 penalty (default: 0).
        nesterov: Nesterov momentum; needs momentum > 0 and dampening 0 (default: False).
        maximize: ascend the objective instead (default: False).
        foreach, fused, differentiable: PyTorch's implementation switches, accepted and kept
            in the groups; ember has one implementation (``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach)

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        if momentum == 0 and param.size < _SCRATCH_MIN:  # plain SGD on a small parameter:
            param -= grad * group["lr"]  # _sgd_passes's one pass, without its calls
            return
        buf, first = None, False
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step's buffer is the gradient itself
                buf, first = grad.copy(), True
                state["momentum_buffer"] = new_state_tensor(buf)
            else:
                buf = buf._data
        scalars = (momentum, group["dampening"], group["nesterov"], group["lr"], first)
        self._passes(_sgd_passes, (param, grad, buf), (0,), scalars)


def _sgd_passes(param, grad, buf, t, momentum, dampening, nesterov, lr, first):
    """The array passes of one SGD update (on whole arrays or slices of them): the momentum
    buffer ``buf`` (None without momentum; ``first``: just made from the gradient), nesterov's
    look-ahead, and param -= lr * direction; ``t`` is a temporary, or None (each product then
    a new array: ``Optimizer._passes``)."""
    if buf is not None:
        if not first:
            buf *= momentum
            if dampening == 0:
                buf += grad
            else:
                buf += _scaled(grad, 1 - dampening, t)
        if nesterov:
            t = _scaled(buf, momentum, t)
            t += grad
            grad = t
        else:
            grad = buf
    param -= _scaled(grad, lr, t)


def _scaled(a, c, out):
    """``a * c``, written into ``out`` when given: the other optimizers' ``out=t`` convention,
    with the operator on small arrays (0.3% of the batch-5 CustomMLP step against
    ``xp.multiply(a, c, out=None)`` and its ``get_array_module``)."""
    if out is None:
        return a * c
    get_array_module(a).multiply(a, c, out=out)
    return out
