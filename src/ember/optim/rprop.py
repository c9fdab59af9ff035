"""``Rprop``: resilient backpropagation, steps that grow or shrink with the gradient's sign
(Riedmiller & Braun, 1993)."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, new_state_tensor, step_tensor

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop.

    For each parameter :math:`\theta` with gradient :math:`g` and previous gradient :math:`p`,
    elementwise::

        g <- -g                                              if maximize
        eta <- etaplus if g * p > 0, etaminus if g * p < 0, else 1
        s <- clamp(s * eta, step_size_min, step_size_max)    (step_size, starts at lr)
        g <- 0 where g * p < 0                               (skip a step after a sign flip)
        theta <- theta - sign(g) * s
        p <- g                                               (prev)

    State: ``step`` (0-d float32 tensor), ``prev`` (zeros at first) and ``step_size`` (the
    parameter's shape and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: the initial step size (default: 1e-2).
        etas: (etaminus, etaplus), the factors that shrink and grow the steps
            (default: (0.5, 1.2)).
        step_sizes: the smallest and largest step size (default: (1e-6, 50)).
        maximize: ascend the objective instead (default: False).
        capturable, foreach, differentiable: accepted (one implementation in ember;
            ``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = get_array_module(param._data)
        return {
            "step": step_tensor(),
            "prev": new_state_tensor(xp.zeros_like(param._data)),
            "step_size": new_state_tensor(xp.full_like(param._data, group["lr"])),
        }

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = get_array_module(param)
        state["step"]._data += 1
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        prev = state["prev"]._data
        step_size = state["step_size"]._data
        sign = self._temp(param)
        xp.multiply(grad, prev, out=sign)
        xp.sign(sign, out=sign)
        flipped = sign < 0
        eta = xp.where(sign > 0, etaplus, xp.where(flipped, etaminus, 1.0))
        step_size *= eta.astype(step_size.dtype, copy=False)
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        # after a sign flip the step is skipped, and the next step starts afresh
        xp.copyto(prev, grad)
        prev[flipped] = 0
        xp.sign(prev, out=sign)
        sign *= step_size
        param -= sign
