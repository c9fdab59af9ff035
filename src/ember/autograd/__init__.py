"""``ember.autograd``: reverse-mode differentiation.

``Function`` (custom ops), ``backward`` and ``grad`` (the engine), the grad-mode switches,
``gradcheck``/``gradgradcheck`` and anomaly detection.
"""

from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .function import Function, FunctionCtx, InplaceFunction, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function",
    "FunctionCtx",
    "InplaceFunction",
    "once_differentiable",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "gradcheck",
    "gradgradcheck",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "Variable",
]


def __getattr__(name):
    # gradcheck imports Tensor, which imports this package: load it on first use.
    if name in ("gradcheck", "gradgradcheck", "GradcheckError"):
        import importlib

        module = importlib.import_module(".gradcheck", __name__)
        for n in ("gradcheck", "gradgradcheck", "GradcheckError"):
            globals()[n] = getattr(module, n)  # replaces the submodule bound by the import
        return globals()[name]
    if name == "Variable":
        return Variable
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")


def Variable(data, requires_grad=False, volatile=False):
    """The legacy wrapper: returns ``data`` itself (tensors are variables since torch 0.4)."""
    if requires_grad:
        data.requires_grad_(True)
    return data
