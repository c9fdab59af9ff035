"""``RAdam``: Adam with the variance of the adaptive step rectified (Liu et al., 2019)."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    adam_moments_,
    new_state_tensor,
    step_tensor,
)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam.

    For each parameter :math:`\theta` with gradient :math:`g`, at step :math:`t`::

        g <- -g                                         if maximize
        theta <- theta * (1 - lr * weight_decay)        if decoupled_weight_decay
        g <- g + weight_decay * theta                   elif weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g                (exp_avg)
        v <- beta2 * v + (1 - beta2) * g^2              (exp_avg_sq)
        m_hat <- m / (1 - beta1^t)
        rho_inf <- 2 / (1 - beta2) - 1
        rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
        if rho_t > 5:
            r <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            theta <- theta - lr * m_hat * r * sqrt(1 - beta2^t) / (sqrt(v) + eps)
        else:
            theta <- theta - lr * m_hat

    State: ``step`` (0-d float32 tensor), ``exp_avg`` and ``exp_avg_sq`` (the parameter's
    shape and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 1e-3).
        betas: decay rates of the two moment averages (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: L2 penalty, or decoupled decay with ``decoupled_weight_decay``
            (default: 0).
        decoupled_weight_decay: AdamW-style weight decay (RAdamW) (default: False).
        maximize: ascend the objective instead (default: False).
        foreach, capturable, differentiable: accepted (one implementation in ember;
            ``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
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
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        zeros = get_array_module(param._data).zeros_like
        return {
            "step": step_tensor(),
            "exp_avg": new_state_tensor(zeros(param._data)),
            "exp_avg_sq": new_state_tensor(zeros(param._data)),
        }

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:  # (L2: in ``grad`` already)
            param *= 1 - lr * weight_decay
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        rect = None  # the variance rectification, once the variance is tractable
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
        arrays = (param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data)
        scalars = (beta1, beta2, bias_correction1, bias_correction2**0.5, lr, group["eps"], rect)
        self._passes(_radam_passes, arrays, (2, 0), scalars)


def _radam_passes(
    param, grad, exp_avg, exp_avg_sq, update, t, beta1, beta2, bc1, bc2_sqrt, lr, eps, rect
):
    """The array passes of one RAdam update (on whole arrays or slices of them): the moments,
    the step lr * m / bc1, times the adaptive rate bc2_sqrt / (sqrt(v) + eps) and ``rect``
    where rectified (``rect`` not None), and param -= step; ``update`` and ``t`` are
    temporaries (or None)."""
    xp = get_array_module(param)
    adam_moments_(exp_avg, exp_avg_sq, grad, beta1, beta2, t)
    update = xp.divide(exp_avg, bc1, out=update)
    update *= lr
    if rect is not None:
        t = xp.sqrt(exp_avg_sq, out=t)
        t += eps
        xp.divide(bc2_sqrt, t, out=t)  # the adaptive learning rate
        update *= t
        update *= rect
    param -= update
