"""``Optimizer``: the base every algorithm shares.

It owns what is the same for all of them: ``param_groups`` (one dict per group, every
hyperparameter filled from ``defaults``), ``state`` (a dict keyed by the parameter tensor),
``zero_grad``, ``state_dict``/``load_state_dict`` in PyTorch's layout (so checkpoints move
between ember and PyTorch), the step hooks and torch's ``repr``.

An algorithm is a subclass with two methods: ``_init_state(param, group)``, the state a
parameter starts with (torch's keys and dtypes), and ``_update(param, grad, state, group)``,
one in-place update of one parameter's array. ``step`` runs the update for every parameter
that has a gradient. Updates work on the arrays under the tensors (``p._data``), outside
autograd, so a step costs a few array operations per parameter. An update is a chain of
elementwise passes run through ``_passes``: on a large parameter they write intermediate values
into temporaries from ``_temp`` (reused across steps) a cache-sized chunk at a time; on a small
one each pass makes its result anew. ``step`` hands each update the gradient to follow
(``_grad_in``: negated for maximize, plus the L2 weight decay), so ``p.grad`` is never written.
"""

from __future__ import annotations

import copy
import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..backend import get_array_module, threads
from ..dtypes import float32, float64, get_default_dtype
from ..ops.inplace import bump_version
from ..tensor import Tensor
from ..utils.hooks import RemovableHandle

__all__ = [
    "Optimizer",
    "required",
    "register_optimizer_step_pre_hook",
    "register_optimizer_step_post_hook",
]

StateDict = dict[str, Any]
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]

_SCRATCH_MIN = 1 << 14  # elements: smaller temporaries come cheap from the allocator
_NONES = ((), (None,), (None, None))  # no temporaries, by their count

_global_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_post_hooks: OrderedDict[int, Callable] = OrderedDict()


class _RequiredParameter:
    """Marks a default that every parameter group must give (``lr`` of old SGD)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _typename(obj) -> str:
    """torch.typename: ``'torch.FloatTensor'`` for a tensor, the qualified class name else."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    if module in (None, "builtins"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def _scalar_dtype():
    """The dtype of ``state['step']``: float64 when that is the default dtype, else float32."""
    return float64 if get_default_dtype() is float64 else float32


def _hooked(step: Callable) -> Callable:
    """Wrap a ``step`` so the step hooks run once around it (not again for ``super().step``)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        self._opt_called = True  # read by the LR schedulers' step-order warning
        pre = self._optimizer_step_pre_hooks
        post = self._optimizer_step_post_hooks
        if not (pre or post or _global_pre_hooks or _global_post_hooks):
            return step(self, *args, **kwargs)
        if self.__dict__.get("_in_step", False):  # super().step(): the hooks ran already
            return step(self, *args, **kwargs)
        for hook in chain(list(_global_pre_hooks.values()), list(pre.values())):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                        f"{result}."
                    )
                args, kwargs = result
        self._in_step = True
        try:
            out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        for hook in chain(list(post.values()), list(_global_post_hooks.values())):
            hook(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers.

    ``Optimizer(params, defaults)``: ``params`` is an iterable of tensors, of
    ``(name, tensor)`` pairs (``model.named_parameters()``), or of dicts each defining a
    parameter group (``{'params': [...], 'lr': 0.1}``); ``defaults`` holds the value of every
    hyperparameter a group does not give. Parameters must come in an ordered collection (not a
    set): the order maps them to the indices of ``state_dict``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _hooked(step)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        if defaults.get("differentiable", False):
            raise NotImplementedError(
                "ember's optimizers update parameters outside autograd: differentiable=True is "
                "not supported"
            )
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # -- groups -------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a group (a dict with ``'params'`` and any hyperparameters to override)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            import warnings

            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                UserWarning,
                stacklevel=3,
            )
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add param "
                    f"group {which} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- the step -----------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every parameter's ``.grad`` (``set_to_none=True``) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g._data[...] = 0
                    bump_version(g)

    @_hooked
    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss.

        ``closure`` (optional) re-evaluates the model and returns the loss; it runs with
        gradients enabled before the update.
        """
        if type(self)._update is Optimizer._update:
            raise NotImplementedError
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        states = self.state
        update = self._update
        for group in self.param_groups:
            group = _read_group(group)
            maximize, decay = _grad_terms(group)
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                param, grad = p._data, grad._data
                if maximize or decay:
                    grad = self._grad_in(param, grad, maximize, decay)
                state = states.get(p)
                if state is None:
                    state = self._init_state(p, group)
                    update(param, grad, state, group)
                    if state:
                        states[p] = state
                else:
                    update(param, grad, state, group)
                # the in-place write bumps the version (a graph that saved p now refuses)
                vc = p._vc
                if vc is None:
                    p._vc = [1]
                else:
                    vc[0] += 1
        return loss

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of a parameter before its first update (torch's keys and dtypes)."""
        return {}

    def _update(self, param, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Update ``param`` (an array, in place) from ``grad`` (an array) and ``state``."""
        raise NotImplementedError

    def _temp(self, like, slot: int = 0):
        """An uninitialised array shaped like ``like`` for a step's intermediate values.

        Large ones are views of one buffer per slot kept across steps: a fresh large array
        costs page faults on every step, which would double the time of an update. Slot 1
        holds the effective gradient (``_grad_in``); updates use slots 0 and 2 (``_passes``).
        """
        n = like.size
        if n < _SCRATCH_MIN:
            return get_array_module(like).empty(like.shape, like.dtype)
        scratch = self.__dict__.setdefault("_scratch", {})
        key = (slot, like.dtype.str, type(like))
        flat = scratch.get(key)
        if flat is None or flat.size < n:
            flat = scratch[key] = get_array_module(like).empty(n, like.dtype)
        return flat[:n].reshape(like.shape)

    def _passes(self, fn, arrays: tuple, slots: tuple, args: tuple) -> None:
        """``fn(*arrays, *temps, *args)``, an update's chain of elementwise passes: ``arrays``
        of the parameter's shape (the parameter first; None allowed), and one temporary per
        entry of ``slots`` (a ``_temp`` slot), or None each on a parameter of under
        ``_SCRATCH_MIN`` elements. Passes write into a temporary as ``t = op(..., out=t)``, so
        that with None each makes its result anew: for small arrays the allocator's blocks
        cost less than a scratch array from ``_temp`` (6% of the instructions of an Adam step
        on the tutorials' CustomMLP). Large parameters go through ``in_chunks``. Either way an
        element sees the same operations in the same order: the same update, bit for bit, for
        hyperparameters given as Python numbers (as torch reads them). A NumPy float64 one
        (``betas=(np.float64(0.9), ...)``) makes a small array's products float64 where a
        temporary would round them to the parameter's dtype: a last-bit difference."""
        param = arrays[0]
        if param.size < _SCRATCH_MIN:  # one argument tuple: star-unpacking three costs 0.6 us
            fn(*(arrays + _NONES[len(slots)] + args))
        else:
            in_chunks(fn, arrays, tuple(self._temp(param, s) for s in slots), *args)

    def _grad_in(self, param, grad, maximize: bool, weight_decay: float):
        """The gradient an update follows: ``-grad`` if maximize, plus ``weight_decay * param``
        (L2 penalty) if nonzero; a temporary (``p.grad`` is never written). ``step`` calls it
        when the group's ``_grad_terms`` ask for either."""
        xp = get_array_module(param)
        g = self._temp(param, 1)
        if maximize:
            xp.negative(grad, out=g)
        else:
            xp.copyto(g, grad)
        if weight_decay != 0:
            t = self._temp(param)
            xp.multiply(param, weight_decay, out=t)
            g += t
        return g

    # -- hooks --------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None or (args, kwargs)`` before each step."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None`` after each step."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer)`` before ``state_dict()``."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer, state_dict) -> state_dict or None`` after ``state_dict()``."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer, state_dict) -> state_dict or None`` before loading."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer)`` after loading."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- checkpoints --------------------------------------------------------------------------
    def state_dict(self) -> StateDict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are numbered in the order of the groups; the state holds references to the
        optimizer's tensors (as torch's does), not copies.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a state made by ``state_dict()`` (ember's or PyTorch's, tensors as ember's).

        Saved parameters map to this optimizer's in order. State tensors are copied; all but
        ``step`` take their parameter's dtype when it is floating.
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(s["params"] for s in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {key: _cast(param, value, key) for key, value in v.items()}
            else:
                state[k] = v
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                saved.setdefault(name, default)
        self.__setstate__({"state": state, "param_groups": saved_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _register(hooks: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _grad_terms(group: dict[str, Any]) -> tuple:
    """(maximize, L2 coefficient) of a group, read once per group in ``step``: the L2 term
    is ``weight_decay`` unless the decay is decoupled (AdamW's, applied to the parameter in
    the update), and 0 for algorithms without one."""
    decay = 0 if group.get("decoupled_weight_decay") else group.get("weight_decay", 0)
    return group.get("maximize", False), decay


def _read_group(group: dict[str, Any]) -> dict[str, Any]:
    """``group`` itself, or a copy with tensor hyperparameters (a Tensor ``lr``,
    ``weight_decay`` or ``betas``, as torch allows) read as floats."""
    betas = group.get("betas")
    if not (
        isinstance(group["lr"], Tensor)
        or isinstance(group.get("weight_decay"), Tensor)
        or (betas is not None and (isinstance(betas[0], Tensor) or isinstance(betas[1], Tensor)))
    ):
        return group
    return {k: (_as_float(v) if k != "params" else v) for k, v in group.items()}


def _as_float(value):
    if isinstance(value, Tensor):
        return float(value.item())
    if isinstance(value, tuple):
        return tuple(_as_float(v) for v in value)
    return value


def _cast(param: Tensor, value, key=None):
    """A copy of a saved state value for ``param``: tensors copied (and, but ``step``, cast to
    a floating parameter's dtype), containers rebuilt, anything else as is."""
    if isinstance(value, Tensor):
        arr = value._data
        if key != "step" and param.is_floating_point():
            arr = arr.astype(param._data.dtype, copy=True)
        else:
            arr = arr.copy()
        xp = get_array_module(param._data)
        if xp is not get_array_module(arr):
            arr = xp.asarray(arr)
        return Tensor._make(arr, False, None)
    if key == "step" and isinstance(value, (int, float)):
        return Tensor._make(_new_step(value), False, None)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _new_step(value=0.0):
    """The array of a fresh ``state['step']`` (0-d, float32 unless the default is float64)."""
    return np.array(value, dtype=_scalar_dtype().np)


def new_state_tensor(array) -> Tensor:
    """An ember tensor wrapping ``array`` (state that the update changes in place)."""
    return Tensor._make(array, False, None)


def step_tensor() -> Tensor:
    """A fresh ``state['step']``: ``tensor(0.)`` in the scalar dtype."""
    return Tensor._make(_new_step(), False, None)


_CHUNK = 1 << 15  # elements per chunk of an update's passes: a few arrays' worth fit in L2


def in_chunks(fn, arrays, temps, *args) -> None:
    """``fn(*arrays, *temps, *args)``, an update's chain of elementwise passes, run chunk by
    chunk (``_CHUNK`` elements) on large NumPy arrays: ``arrays`` of one shape (None allowed),
    ``temps`` a tuple of scratch arrays as large, all C-contiguous (else one call on the whole
    arrays). Each chunk reuses the first ``_CHUNK`` elements of every scratch array.

    Whole-array passes stream every array through memory once per pass (an Adam update makes
    13), and after a backward pass the optimizer state is out of cache: the update is bound by
    memory bandwidth. On a chunk that stays in cache, the chain reads and writes each array
    once. Every element sees the same operations in the same order, so the result is the same
    bit for bit. With ``set_num_threads(n)``, the chunks are shared out between n threads
    (``backend.threads``); each part's scratch is its first chunk's stretch of the temporaries.
    """
    first = arrays[0]
    n = first.size
    if (
        n < 2 * _CHUNK
        or type(first) is not np.ndarray
        or not all(a is None or a.flags.c_contiguous for a in arrays + temps)
    ):
        fn(*arrays, *temps, *args)
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    flat_temps = [t.reshape(-1) for t in temps]
    # Shared out between threads, chunks are twice as long: where a NumPy call ends, the GIL
    # passes between the threads, and at the cache-sized length those hand-offs cost more
    # than the second thread gains (1.6 ms -> 1.7 ms for a (512, 784) Adam update; 1.0 ms at
    # twice the length).
    size = 2 * _CHUNK if threads.ACTIVE else _CHUNK

    def chunks(lo, hi):  # chunks lo:hi, with chunk lo's stretch of the temporaries as scratch
        at = lo * size
        scratch = [t[at : at + size] for t in flat_temps]
        for i in range(at, min(n, hi * size), size):
            j = min(n, i + size)
            parts = [None if a is None else a[i:j] for a in flat]
            fn(*parts, *[t[: j - i] for t in scratch], *args)

    threads.parallel_for(chunks, -(-n // size))  # a chunk's chain of passes: worth a part


def adam_moments_(exp_avg, exp_avg_sq, grad, beta1: float, beta2: float, tmp) -> None:
    """Adam's moment updates in place: m <- beta1 * m + (1 - beta1) * g (as ``lerp_``) and
    v <- beta2 * v + (1 - beta2) * g^2; ``tmp`` is a temporary shaped like ``grad``, or None
    (Adam, NAdam and RAdam share them)."""
    lerp_(exp_avg, grad, 1 - beta1, tmp)
    tmp = get_array_module(grad).multiply(grad, 1 - beta2, out=tmp)
    tmp *= grad
    exp_avg_sq *= beta2
    exp_avg_sq += tmp


def lerp_(a, b, weight: float, tmp) -> None:
    """``a += weight * (b - a)`` in place (torch's two-sided form for large weights); ``tmp``
    is a temporary shaped like ``a``, or None."""
    xp = get_array_module(a)
    tmp = xp.subtract(b, a, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        a += tmp
    else:
        tmp *= 1.0 - weight
        xp.subtract(b, tmp, out=a)


def check_fused_foreach(fused, foreach) -> None:
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
