"""``RMSprop``: scale each step by a running root mean square of the gradients (Hinton)."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, lerp_, new_state_tensor, step_tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop.

    For each parameter :math:`\theta` with gradient :math:`g`::

        g <- -g                                     if maximize
        g <- g + weight_decay * theta               if weight_decay != 0
        v <- alpha * v + (1 - alpha) * g^2          (square_avg)
        if centered:
            a <- alpha * a + (1 - alpha) * g        (grad_avg)
            denom <- sqrt(v - a^2) + eps
        else:
            denom <- sqrt(v) + eps
        if momentum > 0:
            b <- momentum * b + g / denom           (momentum_buffer)
            theta <- theta - lr * b
        else:
            theta <- theta - lr * g / denom

    State: ``step`` (0-d float32 tensor), ``square_avg``, plus ``momentum_buffer`` when
    momentum > 0 and ``grad_avg`` when centered (the parameter's shape and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 1e-2).
        alpha: smoothing constant of the square average (default: 0.99).
        eps: added to the denominator (default: 1e-8).
        weight_decay: L2 penalty (default: 0).
        momentum: momentum factor (default: 0).
        centered: divide by the centered second moment, an estimate of the variance
            (default: False).
        maximize: ascend the objective instead (default: False).
        capturable, foreach, differentiable: accepted (one implementation in ember;
            ``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        zeros = get_array_module(param._data).zeros_like
        state = {"step": step_tensor(), "square_avg": new_state_tensor(zeros(param._data))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = new_state_tensor(zeros(param._data))
        if group["centered"]:
            state["grad_avg"] = new_state_tensor(zeros(param._data))
        return state

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"]._data += 1
        grad_avg = state["grad_avg"]._data if group["centered"] else None
        momentum = group["momentum"]
        buf = state["momentum_buffer"]._data if momentum > 0 else None
        arrays = (param, grad, state["square_avg"]._data, grad_avg, buf)
        scalars = (group["alpha"], group["eps"], momentum, group["lr"])
        self._passes(_rmsprop_passes, arrays, (0,), scalars)


def _rmsprop_passes(param, grad, square_avg, grad_avg, buf, t, alpha, eps, momentum, lr):
    """The array passes of one RMSprop update (on whole arrays or slices of them): the
    averages (``grad_avg`` None unless centered), the step grad / (sqrt(v) + eps), the momentum
    buffer (``buf`` None without momentum) and param -= lr * step; ``t`` is a temporary, or None."""
    xp = get_array_module(param)
    t = xp.multiply(grad, 1 - alpha, out=t)
    t *= grad
    square_avg *= alpha
    square_avg += t
    if grad_avg is not None:
        lerp_(grad_avg, grad, 1 - alpha, t)
        xp.multiply(grad_avg, grad_avg, out=t)
        xp.subtract(square_avg, t, out=t)
        xp.sqrt(t, out=t)
    else:
        xp.sqrt(square_avg, out=t)
    t += eps
    xp.divide(grad, t, out=t)
    if buf is not None:
        buf *= momentum
        buf += t
        xp.multiply(buf, lr, out=t)
    else:
        t *= lr
    param -= t
