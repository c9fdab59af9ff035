"""``NAdam``: Adam with Nesterov momentum and a momentum-decay schedule (Dozat, 2016)."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam.

    For each parameter :math:`\theta` with gradient :math:`g`, at step :math:`t`::

        g <- -g                                         if maximize
        theta <- theta * (1 - lr * weight_decay)        if decoupled_weight_decay
        g <- g + weight_decay * theta                   elif weight_decay != 0
        mu_t <- beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
        mu_{t+1} <- beta1 * (1 - 0.5 * 0.96^((t + 1) * momentum_decay))
        P <- P * mu_t                                   (mu_product, the product of all mu)
        m <- beta1 * m + (1 - beta1) * g                (exp_avg)
        v <- beta2 * v + (1 - beta2) * g^2              (exp_avg_sq)
        denom <- sqrt(v / (1 - beta2^t)) + eps
        theta <- theta - lr * (1 - mu_t) / (1 - P) * g / denom
                       - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / denom

    State: ``step`` and ``mu_product`` (0-d float32 tensors, the product kept in float32 as
    torch keeps it), ``exp_avg`` and ``exp_avg_sq`` (the parameter's shape and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 2e-3).
        betas: decay rates of the two moment averages (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: L2 penalty, or decoupled decay with ``decoupled_weight_decay``
            (default: 0).
        momentum_decay: the momentum schedule's decay (default: 4e-3).
        decoupled_weight_decay: AdamW-style weight decay (NAdamW) (default: False).
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
        momentum_decay: float = 4e-3,
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        zeros = get_array_module(param._data).zeros_like
        mu_product = step_tensor()
        mu_product._data += 1
        return {
            "step": step_tensor(),
            "mu_product": mu_product,
            "exp_avg": new_state_tensor(zeros(param._data)),
            "exp_avg_sq": new_state_tensor(zeros(param._data)),
        }

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        momentum_decay = group["momentum_decay"]
        weight_decay = group["weight_decay"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:  # (L2: in ``grad`` already)
            param *= 1 - lr * weight_decay
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product_t = state["mu_product"]._data
        mu_product_t *= mu  # in the state's dtype (float32), as torch rounds it
        mu_product = float(mu_product_t)
        arrays = (param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data)
        scalars = (beta1, beta2, 1 - beta2**step, group["eps"])
        scalars += (
            lr * (1.0 - mu) / (1.0 - mu_product),
            lr * mu_next / (1.0 - mu_product * mu_next),
        )
        self._passes(_nadam_passes, arrays, (2, 0), scalars)


def _nadam_passes(param, grad, exp_avg, exp_avg_sq, denom, t, beta1, beta2, bc2, eps, lr_g, lr_m):
    """The array passes of one NAdam update (on whole arrays or slices of them): the moments,
    denom = sqrt(v / bc2) + eps, and param -= lr_g * g / denom + lr_m * m / denom; ``denom``
    and ``t`` are temporaries (or None)."""
    xp = get_array_module(param)
    adam_moments_(exp_avg, exp_avg_sq, grad, beta1, beta2, t)
    denom = xp.divide(exp_avg_sq, bc2, out=denom)
    xp.sqrt(denom, out=denom)
    denom += eps
    t = xp.divide(grad, denom, out=t)
    t *= lr_g
    param -= t
    xp.divide(exp_avg, denom, out=t)
    t *= lr_m
    param -= t
