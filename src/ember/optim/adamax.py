"""``Adamax``: Adam with the infinity norm in place of the second moment (Kingma & Ba, 2014)."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, lerp_, new_state_tensor, step_tensor

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax.

    For each parameter :math:`\theta` with gradient :math:`g`, at step :math:`t`::

        g <- -g                                     if maximize
        g <- g + weight_decay * theta               if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g            (exp_avg)
        u <- max(beta2 * u, |g| + eps)              (exp_inf)
        theta <- theta - lr / (1 - beta1^t) * m / u

    State: ``step`` (0-d float32 tensor), ``exp_avg`` and ``exp_inf`` (the parameter's shape
    and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 2e-3).
        betas: decay rates of the mean and of the infinity norm (default: (0.9, 0.999)).
        eps: added to ``|g|`` (default: 1e-8).
        weight_decay: L2 penalty (default: 0).
        maximize: ascend the objective instead (default: False).
        foreach, capturable, differentiable: accepted (one implementation in ember;
            ``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        zeros = get_array_module(param._data).zeros_like
        return {
            "step": step_tensor(),
            "exp_avg": new_state_tensor(zeros(param._data)),
            "exp_inf": new_state_tensor(zeros(param._data)),
        }

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        beta1, beta2 = group["betas"]
        arrays = (param, grad, state["exp_avg"]._data, state["exp_inf"]._data)
        scalars = (beta1, beta2, group["eps"], group["lr"] / (1 - beta1**step))
        self._passes(_adamax_passes, arrays, (0,), scalars)


def _adamax_passes(param, grad, exp_avg, exp_inf, t, beta1, beta2, eps, step):
    """The array passes of one Adamax update (on whole arrays or slices of them): the first
    moment, the infinity norm max(beta2 * u, |g| + eps), and param -= step * m / u; ``t`` is a
    temporary, or None."""
    xp = get_array_module(param)
    lerp_(exp_avg, grad, 1 - beta1, t)
    exp_inf *= beta2
    t = xp.abs(grad, out=t)
    t += eps
    xp.maximum(exp_inf, t, out=exp_inf)
    xp.divide(exp_avg, exp_inf, out=t)
    t *= step
    param -= t
