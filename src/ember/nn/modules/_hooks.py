"""Running a module's hooks: forward pre-hooks and hooks around ``forward``, and full backward
(pre-)hooks wired into the graph by identity Functions around the module's inputs and outputs.

Global hooks (``register_module_forward_hook`` and friends) run before each module's own.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

from ...autograd.function import BackwardNode, Function
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ...utils.hooks import RemovableHandle

__all__ = [
    "GLOBAL",
    "call_with_hooks",
    "register_module_forward_pre_hook",
    "register_module_forward_hook",
    "register_module_full_backward_pre_hook",
    "register_module_full_backward_hook",
]


class _GlobalHooks:
    """The hooks every module runs."""

    def __init__(self):
        self.forward_pre: OrderedDict = OrderedDict()
        self.forward: OrderedDict = OrderedDict()
        self.forward_always: OrderedDict = OrderedDict()
        self.backward_pre: OrderedDict = OrderedDict()
        self.backward: OrderedDict = OrderedDict()


GLOBAL = _GlobalHooks()


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """``hook(module, args)`` runs before every module's forward."""
    handle = RemovableHandle(GLOBAL.forward_pre)
    GLOBAL.forward_pre[handle.id] = hook
    return handle


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """``hook(module, args, output)`` runs after every module's forward."""
    if with_kwargs:
        raise NotImplementedError("ember: global forward hooks take no kwargs")
    handle = RemovableHandle(GLOBAL.forward, extra_dict=GLOBAL.forward_always)
    GLOBAL.forward[handle.id] = hook
    if always_call:
        GLOBAL.forward_always[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook) -> RemovableHandle:
    handle = RemovableHandle(GLOBAL.backward_pre)
    GLOBAL.backward_pre[handle.id] = hook
    return handle


def register_module_full_backward_hook(hook) -> RemovableHandle:
    handle = RemovableHandle(GLOBAL.backward)
    GLOBAL.backward[handle.id] = hook
    return handle


def _run_pre_hooks(module, args, kwargs):
    d = module.__dict__
    with_kwargs = d["_forward_pre_hooks_with_kwargs"]
    hooks = list(GLOBAL.forward_pre.items()) + list(d["_forward_pre_hooks"].items())
    for hid, hook in hooks:
        if hid in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {result}."
                    )
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def _run_forward_hooks(module, args, kwargs, result, only_always=False):
    d = module.__dict__
    with_kwargs = d["_forward_hooks_with_kwargs"]
    always = d["_forward_hooks_always_called"]
    hooks = [(hid, h, hid in GLOBAL.forward_always) for hid, h in GLOBAL.forward.items()]
    hooks += [(hid, h, hid in always) for hid, h in d["_forward_hooks"].items()]
    for hid, hook, is_always in hooks:
        if only_always and not is_always:
            continue
        if hid in with_kwargs:
            out = hook(module, args, kwargs, result)
        else:
            out = hook(module, args, result)
        if out is not None:
            result = out
    return result


def call_with_hooks(module, args, kwargs):
    """``module(*args, **kwargs)`` with its (and the global) hooks."""
    d = module.__dict__
    if d["_forward_pre_hooks"] or GLOBAL.forward_pre:
        args, kwargs = _run_pre_hooks(module, args, kwargs)
    pre = list(GLOBAL.backward_pre.values()) + list(d["_backward_pre_hooks"].values())
    post = list(GLOBAL.backward.values()) + list(d["_backward_hooks"].values())
    state = None
    if (pre or post) and is_grad_enabled():
        state = _BackwardHookState(module, pre, post)
        args = state.wrap_inputs(args)
    try:
        result = module.forward(*args, **kwargs)
    except Exception:
        if d["_forward_hooks_always_called"] or GLOBAL.forward_always:
            _run_forward_hooks(module, args, kwargs, None, only_always=True)
        raise
    if d["_forward_hooks"] or GLOBAL.forward:
        result = _run_forward_hooks(module, args, kwargs, result)
    if state is not None:
        result = state.wrap_outputs(result)
    return result


class BackwardHookFunction(Function):
    """Identity on a module's tensors; its backward hands the gradients to the hook state
    (``kind`` 'out': gradients of the outputs; 'in': gradients of the inputs)."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, state, kind, *tensors):
        if isinstance(ctx, BackwardNode):
            ctx.hook_state = state
            ctx.hook_kind = kind
            ctx.set_materialize_grads(False)  # an unused output's gradient reaches hooks as None
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.hook_state
        if ctx.hook_kind == "out":
            grads = state.on_output_grads(grads)
        else:
            grads = state.on_input_grads(grads)
        return (None, None) + tuple(grads)


_NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details."
)


class _BackwardHookState:
    """One call's backward hooks: remembers where the tensors were among the arguments and
    the output gradients until the input gradients arrive."""

    def __init__(self, module, pre_hooks, hooks):
        self.module = module
        self.pre_hooks = pre_hooks
        self.hooks = hooks
        self.n_args = 0
        self.positions = []
        self.input_rg = []
        self.inputs_wrapped = False
        self.grad_outputs = None

    def wrap_inputs(self, args):
        self.n_args = len(args)
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in self.positions]
        self.input_rg = [t.requires_grad for t in tensors]
        if not any(self.input_rg) or not self.hooks:
            return args
        self.inputs_wrapped = True
        wrapped = BackwardHookFunction.apply(self, "in", *tensors)
        args = list(args)
        for i, t in zip(self.positions, wrapped):
            args[i] = t
        return tuple(args)

    def wrap_outputs(self, result):
        if isinstance(result, Tensor):
            if not result.requires_grad:
                return result
            (out,) = BackwardHookFunction.apply(self, "out", result)
            return out
        if isinstance(result, (tuple, list)):
            where = [i for i, r in enumerate(result) if isinstance(r, Tensor) and r.requires_grad]
            if not where:
                return result
            wrapped = BackwardHookFunction.apply(self, "out", *[result[i] for i in where])
            items = list(result)
            for i, t in zip(where, wrapped):
                items[i] = t
            return type(result)(items) if type(result) in (tuple, list) else type(result)(*items)
        return result

    def on_output_grads(self, grads):
        grads = tuple(grads)
        for hook in self.pre_hooks:
            out = hook(self.module, grads)
            if out is not None:
                out = out if isinstance(out, tuple) else (out,)
                if len(out) != len(grads):
                    raise RuntimeError(
                        f"Backward pre hook returned an invalid number of grad_output, got "
                        f"{len(out)}, but expected {len(grads)}"
                    )
                grads = out
        self.grad_outputs = grads
        if self.hooks and not self.inputs_wrapped:
            warnings.warn(_NO_INPUT_GRAD_WARNING, UserWarning, stacklevel=2)
            for hook in self.hooks:
                hook(self.module, (None,) * self.n_args, grads)
        return grads

    def on_input_grads(self, grads):
        # every tensor argument passed through the identity, so each one (even one that did
        # not require grad) gets its gradient, as in torch
        grad_input = [None] * self.n_args
        for i, g in zip(self.positions, grads):
            grad_input[i] = g
        grad_input = tuple(grad_input)
        for hook in self.hooks:
            out = hook(self.module, grad_input, self.grad_outputs)
            if out is not None:
                out = out if isinstance(out, tuple) else (out,)
                if len(out) != len(grad_input):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got {len(out)}, "
                        f"but expected {len(grad_input)}"
                    )
                grad_input = out
        return tuple(grad_input[i] for i in self.positions)
