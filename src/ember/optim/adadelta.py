"""``Adadelta``: steps whose size adapts from running averages of the squared gradients and of
the squared updates (Zeiler, 2012)."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, new_state_tensor, step_tensor

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta.

    For each parameter :math:`\theta` with gradient :math:`g`::

        g <- -g                                         if maximize
        g <- g + weight_decay * theta                   if weight_decay != 0
        v <- rho * v + (1 - rho) * g^2                  (square_avg)
        delta <- sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho * u + (1 - rho) * delta^2              (acc_delta)
        theta <- theta - lr * delta

    State: ``step`` (0-d float32 tensor), ``square_avg`` and ``acc_delta`` (the parameter's
    shape and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: scale of the delta (default: 1.0).
        rho: decay rate of both running averages (default: 0.9).
        eps: added inside the square roots (default: 1e-6).
        weight_decay: L2 penalty (default: 0).
        maximize: ascend the objective instead (default: False).
        foreach, capturable, differentiable: accepted (one implementation in ember;
            ``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        zeros = get_array_module(param._data).zeros_like
        return {
            "step": step_tensor(),
            "square_avg": new_state_tensor(zeros(param._data)),
            "acc_delta": new_state_tensor(zeros(param._data)),
        }

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"]._data += 1
        arrays = (param, grad, state["square_avg"]._data, state["acc_delta"]._data)
        scalars = (group["rho"], group["eps"], group["lr"])
        self._passes(_adadelta_passes, arrays, (2, 0), scalars)


def _adadelta_passes(param, grad, square_avg, acc_delta, delta, t, rho, eps, lr):
    """The array passes of one Adadelta update (on whole arrays or slices of them): the
    squared-gradient average, delta = sqrt(acc + eps) / sqrt(v + eps) * g, the squared-delta
    average and param -= lr * delta; ``delta`` and ``t`` are temporaries (or None)."""
    xp = get_array_module(param)
    t = xp.multiply(grad, 1 - rho, out=t)
    t *= grad
    square_avg *= rho
    square_avg += t
    xp.add(square_avg, eps, out=t)
    xp.sqrt(t, out=t)  # std
    delta = xp.add(acc_delta, eps, out=delta)
    xp.sqrt(delta, out=delta)
    delta /= t
    delta *= grad
    xp.multiply(delta, 1 - rho, out=t)
    t *= delta
    acc_delta *= rho
    acc_delta += t
    xp.multiply(delta, lr, out=t)
    param -= t
