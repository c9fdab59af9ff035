"""``Adam``: adaptive moment estimation (Kingma & Ba, 2014), with AMSGrad and decoupled
weight decay as options."""

from __future__ import annotations

from typing import Any

from ..backend import get_array_module
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    adam_moments_,
    check_fused_foreach,
    new_state_tensor,
    step_tensor,
)

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam.

    For each parameter :math:`\theta` with gradient :math:`g`, at step :math:`t`::

        g <- -g                                        if maximize
        theta <- theta * (1 - lr * weight_decay)       if decoupled_weight_decay
        g <- g + weight_decay * theta                  elif weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g               (exp_avg)
        v <- beta2 * v + (1 - beta2) * g^2             (exp_avg_sq)
        v_max <- max(v_max, v)                         if amsgrad (max_exp_avg_sq)
        denom <- sqrt(v_max or v) / sqrt(1 - beta2^t) + eps
        theta <- theta - lr / (1 - beta1^t) * m / denom

    State: ``step`` (a 0-d float32 tensor; float64 when that is the default dtype),
    ``exp_avg``, ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq`` (the parameter's shape
    and dtype).

    Args:
        params: parameters, ``(name, parameter)`` pairs, or parameter-group dicts.
        lr: learning rate (default: 1e-3).
        betas: decay rates of the two moment averages (default: (0.9, 0.999)).
        eps: added to the denominator (default: 1e-8).
        weight_decay: L2 penalty, or decoupled decay with ``decoupled_weight_decay``
            (default: 0).
        amsgrad: use the running maximum of ``v`` (default: False).
        maximize: ascend the objective instead (default: False).
        decoupled_weight_decay: AdamW's weight decay (default: False).
        foreach, capturable, differentiable, fused: PyTorch's implementation switches,
            accepted and kept in the groups; ember has one implementation
            (``differentiable=True`` is refused).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError(
                    "lr as a Tensor is not supported for capturable=False and foreach=True"
                )
            if lr.numel() != 1:
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
        both_floats = isinstance(betas[0], float) and isinstance(betas[1], float)
        both_tensors = isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)
        if not (both_floats or both_tensors):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor):
                if not capturable and foreach:
                    raise ValueError(
                        f"betas[{i}] as a Tensor is not supported for capturable=False and "
                        "foreach=True"
                    )
                if beta.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        check_fused_foreach(fused, foreach)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        zeros = get_array_module(param._data).zeros_like
        state = {
            "step": step_tensor(),
            "exp_avg": new_state_tensor(zeros(param._data)),
            "exp_avg_sq": new_state_tensor(zeros(param._data)),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = new_state_tensor(zeros(param._data))
        return state

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:  # (L2: in ``grad`` already)
            param *= 1 - lr * weight_decay
        arrays = (param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data)
        arrays += (state["max_exp_avg_sq"]._data if group["amsgrad"] else None,)
        scalars = (beta1, beta2, (1 - beta2**step) ** 0.5, group["eps"], lr / (1 - beta1**step))
        self._passes(_adam_passes, arrays, (0,), scalars)


def _adam_passes(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, t, beta1, beta2, bc2, eps, step):
    """The array passes of one Adam update (on whole arrays or slices of them): the moments,
    the denominator sqrt(v or v_max) / bc2 + eps, and param -= step * m / denom; ``t`` is a
    temporary, or None."""
    xp = get_array_module(param)
    adam_moments_(exp_avg, exp_avg_sq, grad, beta1, beta2, t)
    if max_exp_avg_sq is not None:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        t = xp.sqrt(max_exp_avg_sq, out=t)
    else:
        t = xp.sqrt(exp_avg_sq, out=t)
    t /= bc2
    t += eps
    xp.divide(exp_avg, t, out=t)
    t *= step
    param -= t
