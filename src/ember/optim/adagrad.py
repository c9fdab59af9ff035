"""``Adagrad``: per-coordinate steps scaled by the accumulated squared gradients (Duchi et al.,
2011)."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    check_fused_foreach,
    new_state_tensor,
    step_tensor,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad.

    For each parameter :math:`\theta` with gradient :math:`g`, at step :math:`t`::

        g <- -g                                     if maximize
        g <- g + weight_decay * theta               if weight_decay != 0
        clr <- lr / (1 + (t - 1) * lr_decay)
        s <- s + g^2                                (sum)
        theta <- theta - clr * g / (sqrt(s) + eps)

    State (made for every parameter when the optimizer is built, as torch does): ``step``
    (0-d float32 tensor) and ``sum`` (the parameter's shape and dtype, filled with
    ``initial_accumulator_value``).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 1e-2).
        lr_decay: learning-rate decay (default: 0).
        weight_decay: L2 penalty (default: 0).
        initial_accumulator_value: the starting value of ``sum`` (default: 0).
        eps: added to the denominator (default: 1e-10).
        maximize: ascend the objective instead (default: False).
        foreach, differentiable, fused: accepted (one implementation in ember;
            ``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = get_array_module(param._data)
        value = group["initial_accumulator_value"]
        return {"step": step_tensor(), "sum": new_state_tensor(xp.full_like(param._data, value))}

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        arrays = (param, grad, state["sum"]._data)
        self._passes(_adagrad_passes, arrays, (0,), (group["eps"], clr))


def _adagrad_passes(param, grad, state_sum, t, eps, clr):
    """The array passes of one Adagrad update (on whole arrays or slices of them): the sum of
    squares, then param -= clr * grad / (sqrt(sum) + eps); ``t`` is a temporary, or None."""
    xp = get_array_module(param)
    t = xp.multiply(grad, grad, out=t)
    state_sum += t
    xp.sqrt(state_sum, out=t)
    t += eps
    xp.divide(grad, t, out=t)
    t *= clr
    param -= t
