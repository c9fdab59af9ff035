"""``ember.autograd.Function``: an op's forward and backward side by side.

Every built-in op is a Function, and users write custom ops the same way::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

``Function.apply`` runs ``forward`` with graph recording off. When an input requires grad it
also makes the context object ``ctx``, which becomes the outputs' ``grad_fn``: a node of the
graph holding the edges to the inputs' nodes (or to leaf tensors, whose ``.grad`` receives
gradients), the inputs' shapes and dtypes (the engine sums each gradient back to its input's
shape, so no op undoes broadcasting itself), and the saved tensors.

Built-in forwards may work on arrays (``x._data``) and return arrays; ``apply`` wraps them.
Backwards are written with ember ops so ``create_graph=True`` gives higher derivatives.
"""

from __future__ import annotations

import functools
from collections import OrderedDict

import numpy as np

from ..backend import as_array
from .grad_mode import STATE

_new = object.__new__

__all__ = ["Function", "FunctionCtx", "BackwardNode", "once_differentiable", "InplaceFunction"]

Tensor = None  # bound by ember.tensor once the class exists (it imports this module)

# ember.onnx.export's recorder, set only while it traces a forward pass: ``TRACER(cls, args)``
# runs the call (with TRACER cleared, so nested calls are not recorded) and records it.
TRACER = None


def _bind_tensor(cls) -> None:
    global Tensor
    Tensor = cls


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def _short_name(node_name: str) -> str:
    """``ExpBackward0`` -> ``Exp``: how torch names a node in the version-counter error."""
    name = node_name.split("::")[-1]
    stem = name.rstrip("0123456789")
    return stem[: -len("Backward")] if stem.endswith("Backward") else name


class _OutputRef:
    """A saved output of the node itself, kept as its array so node and tensor form no cycle."""

    __slots__ = ("data", "nr", "vc")

    def __init__(self, data, nr, vc):
        self.data = data
        self.nr = nr
        self.vc = vc


class FunctionCtx:
    """What ``forward`` may call on ``ctx`` when no graph is recorded (inputs need no grad)."""

    needs_input_grad: tuple = ()
    materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        pass

    def mark_non_differentiable(self, *tensors) -> None:
        pass

    def mark_dirty(self, *tensors) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass

    def save_for_forward(self, *tensors) -> None:
        pass


NULL_CTX = FunctionCtx()


class _NeedsInputGrad:
    """``ctx.needs_input_grad``: one bool per argument of ``forward``, made from the node's
    edges when first read (most backwards never read it) and then kept on the node."""

    def __get__(self, ctx, owner=None):
        if ctx is None:
            return self
        need = ctx.__dict__["needs_input_grad"] = tuple(map(bool, ctx._next))
        return need


class BackwardNode(FunctionCtx):
    """A node of the autograd graph: a tensor's ``grad_fn`` and its Function's ``ctx``.

    Class attributes give the defaults of what most nodes never set, so making a node writes
    only the field every node needs: ``_next``, one edge per argument of ``forward``
    (``needs_input_grad`` is made from it when read). An edge is ``(node, output index, shape,
    dtype)`` for an input made by ``node``, ``(leaf, 0, shape, dtype)`` for a leaf that
    requires grad (the shape and dtype are the input's, to which the engine sums and casts its
    gradient), ``()`` for a float tensor that needs no grad, ``False`` for another tensor, and
    ``None`` for an argument that is not a tensor. Only the first two are true.
    """

    _fn = None  # the Function class whose backward this node runs
    needs_input_grad = _NeedsInputGrad()
    _saved = ()
    _saved_versions = ()
    _out_refs = False  # whether _saved holds _OutputRef entries (outputs saved by forward)
    _freed = False
    _n_out = 1
    _out_meta = None  # (shape, dtype) per output, kept for multi-output nodes only
    _pre_hooks = None  # {output index: [fn]}: tensor hooks on non-leaf outputs
    _retained = None  # {output index: tensor} for retain_grad()
    _post_hooks = None
    _prehooks_node = None
    _hooked = False  # set with any of the four above: the engine reads one field per node
    _non_diff = None
    _dirty = None
    materialize_grads = True

    # -- what forward calls on ctx -------------------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        self._saved = tensors
        versions = []
        for t in tensors:
            if isinstance(t, Tensor):
                vc = t._vc
                versions.append(vc[0] if vc is not None else 0)
            else:
                versions.append(-1)
        self._saved_versions = versions

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_diff = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        saved = self._saved
        if not self._out_refs:  # the common case: the saved tuple itself, once checked
            for t, v in zip(saved, self._saved_versions):
                if v >= 0:
                    vc = t._vc
                    if (vc[0] if vc is not None else 0) != v:
                        break
            else:
                return saved
        out = []
        for t, v in zip(saved, self._saved_versions):
            if isinstance(t, _OutputRef):
                tensor = Tensor._make(self._ref_data(t, v), True, self)
                tensor._vc = t.vc
                if t.nr:
                    tensor._output_nr = t.nr
                out.append(tensor)
            elif v >= 0:
                vc = t._vc
                now = vc[0] if vc is not None else 0
                if now != v:
                    fn = t.grad_fn
                    self._raise_modified(t._data.shape, t._data.dtype, now, v, t._output_nr, fn)
                out.append(t)
            else:
                out.append(t)
        return tuple(out)

    @property
    def saved_variables(self) -> tuple:
        return self.saved_tensors

    def saved_output_data(self):
        """The array of the output that ``Function.saves_output`` saved, checked against
        in-place changes as ``saved_tensors`` checks it: for a backward working on arrays,
        which needs no tensor made."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        return self._ref_data(self._saved[0], self._saved_versions[0])

    def _ref_data(self, ref, version):
        now = ref.vc[0]
        if now != version:
            self._raise_modified(ref.data.shape, ref.data.dtype, now, version, ref.nr)
        return ref.data

    def _raise_modified(self, shape, np_dtype, now, expected, nr, fn=False):
        from ..dtypes import from_numpy

        kind = {
            "float32": "FloatTensor",
            "float64": "DoubleTensor",
            "float16": "HalfTensor",
            "int64": "LongTensor",
            "int32": "IntTensor",
            "int16": "ShortTensor",
            "int8": "CharTensor",
            "uint8": "ByteTensor",
            "bool": "BoolTensor",
        }[from_numpy(np_dtype).name]
        where = ""
        owner = self if fn is False else fn
        if owner is not None:
            where = f", which is output {nr} of {_short_name(owner.name())},"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [ember.{kind} [{', '.join(map(str, shape))}]]{where} is at "
            f"version {now}; expected version {expected} instead. Hint: enable anomaly detection "
            "to find the operation that failed to compute its gradient, with "
            "ember.autograd.set_detect_anomaly(True, check_nan=False)."
        )

    # -- torch's grad_fn interface -------------------------------------------------------------
    _full_name = "BackwardNode"

    def name(self) -> str:
        return self._full_name

    @property
    def next_functions(self) -> tuple:
        """One ``(node, output index)`` per differentiable input, as torch lists them: float
        tensors (``(None, 0)`` where one needs no grad), and the Python numbers an op takes in
        a tensor's place (``x * 2``); integer tensors and other arguments are left out."""
        out = []
        slots = self._fn.scalar_slots if self._fn is not None else ()
        for i, edge in enumerate(self._next):
            if edge:
                tgt = edge[0]
                out.append((AccumulateGrad(tgt), 0) if isinstance(tgt, Tensor) else edge[:2])
            elif edge == () or (edge is None and i in slots):
                out.append((None, 0))
        return tuple(out)

    @property
    def metadata(self) -> dict:
        meta = self.__dict__.get("_metadata")
        if meta is None:
            meta = self.__dict__["_metadata"] = {}
        return meta

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward; it may return
        replacement grad_inputs."""
        from ..utils.hooks import RemovableHandle

        self._hooked = True
        if self._post_hooks is None:
            self._post_hooks = OrderedDict()
        handle = RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward; it may return replacements."""
        from ..utils.hooks import RemovableHandle

        self._hooked = True
        if self._prehooks_node is None:
            self._prehooks_node = OrderedDict()
        handle = RemovableHandle(self._prehooks_node)
        self._prehooks_node[handle.id] = fn
        return handle

    def __call__(self, *grads):
        return self._fn.backward(self, *grads)

    def _release(self) -> None:
        if self._saved:
            self._saved = ()
            self._freed = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad:
    """The node torch shows for a leaf in ``next_functions``; ``variable`` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


class Function:
    """Base class of differentiable operations: subclass and write static ``forward(ctx, ...)``
    and ``backward(ctx, *grad_outputs)``, then call ``MyFunction.apply(...)``.

    ``backward`` returns one gradient per ``forward`` argument (``None`` for arguments that are
    not tensors or need none). ``ctx.needs_input_grad`` tells which are wanted.
    """

    _Node = BackwardNode
    _setup = False
    #: positions where a Python number stands in for a tensor operand (listed by
    #: ``next_functions`` as ``(None, 0)``, as torch lists its wrapped scalars)
    scalar_slots: tuple = ()
    #: the name of the grad_fn class (torch's ``AddBackward0`` style for built-ins)
    node_name: str | None = None
    #: a built-in forward returning one array may set this instead of saving its output:
    #: ``apply`` saves the output tensor for backward (as ``save_for_backward(out)`` would)
    saves_output: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
        # the class takes the short name (what repr shows), name() the full one
        # ('torch::autograd::CopySlices'), as torch's nodes do
        attrs = {"_fn": cls, "__module__": cls.__module__, "_full_name": name}
        cls._Node = type(name.split("::")[-1], (BackwardNode,), attrs)
        cls._setup = cls.setup_context is not Function.setup_context

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            args = _bind_kwargs(cls, args, kwargs)
        if TRACER is not None:
            return TRACER(cls, args)
        state = STATE
        enabled = state.enabled
        edges = None
        if enabled:
            # one pass over the arguments: the edge of each that needs grad (see BackwardNode)
            for i, a in enumerate(args):
                if isinstance(a, Tensor):
                    if a._base is not None and a._view_version != a._vc[0]:
                        _refresh_view(a)  # its base changed in place, maybe now needing grad
                    if a._rg:
                        if edges is None:
                            edges = [None] * len(args) if i == 0 else _no_edges(args, i)
                        d = a._data
                        fn = a.grad_fn
                        if fn is not None:
                            edges[i] = (fn, a._output_nr, d.shape, d.dtype)
                        else:
                            edges[i] = (a, 0, d.shape, d.dtype)
                    elif edges is not None:
                        edges[i] = () if a._data.dtype.kind in "fc" else False
        if edges is None:  # no graph: forward with its arrays wrapped as tensors
            state.enabled = False
            try:
                out = cls.forward(*args) if cls._setup else cls.forward(NULL_CTX, *args)
            except ValueError as exc:
                _reraise_broadcast(exc, args)
            finally:
                state.enabled = enabled
            if type(out) is np.ndarray:  # Tensor._make, inline: the commonest return of all
                t = _new(Tensor)
                t._data = out
                t._rg = False
                t.grad_fn = t._grad = t._vc = None
                return t
            if type(out) is tuple:
                return tuple(_plain_output(o, args) for o in out)
            return _plain_output(out, args)
        ctx = _new(cls._Node)  # no __init__: one Python frame less per recorded op
        ctx._next = edges
        state.enabled = False
        try:
            if cls._setup:
                out = cls.forward(*args)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args)
        except ValueError as exc:
            _reraise_broadcast(exc, args)
        finally:
            state.enabled = True
        if type(out) is np.ndarray and ctx._dirty is None and ctx._non_diff is None:
            # the common case: one new array from a built-in forward (its tensor is made here,
            # so forward cannot have saved it: nothing to turn into an output reference)
            t = _new(Tensor)  # Tensor._make, inline
            t._data = out
            t._grad = t._vc = None
            if out.dtype.kind in "fc":
                t._rg = True
                t.grad_fn = ctx
            else:
                t._rg = False
                t.grad_fn = None
            if cls.saves_output:  # the output, saved as a reference (see _saved_outputs_to_refs)
                t._vc = vc = [0]
                ctx._saved = (_OutputRef(out, 0, vc),)
                ctx._saved_versions = (0,)
                ctx._out_refs = True
            return t
        if type(out) is tuple:
            ctx._n_out = len(out)
            outs = tuple(_graph_output(o, i, ctx, args) for i, o in enumerate(out))
            ctx._out_meta = [
                (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outs
            ]
            result = outs
        else:
            outs = (_graph_output(out, 0, ctx, args),)
            result = outs[0]
            if cls.saves_output:
                ctx.save_for_backward(result)
        if ctx._saved:
            _saved_outputs_to_refs(ctx, outs)
        return result


def _no_edges(args, upto: int) -> list:
    """The edges of ``args[:upto]``, none of which needs grad, and room for the rest."""
    edges = [None] * len(args)
    for j in range(upto):
        a = args[j]
        if isinstance(a, Tensor):
            edges[j] = () if a._data.dtype.kind in "fc" else False
    return edges


def _bind_kwargs(cls, args, kwargs) -> tuple:
    """Keyword arguments of ``apply`` as positional ones, defaults filled in, as torch binds
    them against ``forward``'s signature."""
    import inspect

    params = list(inspect.signature(cls.forward).parameters.values())
    if not cls._setup:
        params = params[1:]  # ctx
    bound = inspect.Signature(params).bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.args)


def _refresh_view(view) -> None:
    from ..ops.inplace import refresh_view

    refresh_view(view)


def _reraise_broadcast(exc, args):
    """NumPy's broadcasting ValueError, as torch's RuntimeError naming the sizes and dim."""
    if "broadcast" not in str(exc):
        raise exc
    shapes = [a._data.shape for a in args if isinstance(a, Tensor)]
    if len(shapes) < 2:
        raise exc
    a, b = shapes[0], shapes[1]
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                f"non-singleton dimension {i}"
            ) from None
    raise exc


def _plain_output(out, args):
    if type(out) is np.ndarray:
        return Tensor._make(out, False, None)
    if isinstance(out, Tensor):
        for a in args:
            if a is out:  # forward returned an input: give a new tensor sharing its data
                return Tensor._make(out._data, False, None)
        return out
    if isinstance(out, np.generic):
        return Tensor._make(np.asarray(out), False, None)
    if out is None or isinstance(out, (int, float, bool, str, list)):
        return out
    return Tensor._make(out, False, None)


def _graph_output(out, nr, ctx, args):
    if isinstance(out, np.generic):
        out = np.asarray(out)
    elif out is None or isinstance(out, (int, float, bool, str, list)):
        return out
    if isinstance(out, Tensor):
        for a in args:
            if a is out:
                dirty = ctx._dirty
                if dirty is not None and any(d is out for d in dirty):
                    if out.grad_fn is None and out._rg:
                        raise RuntimeError(
                            "a leaf Variable that requires grad has been used in an in-place "
                            "operation."
                        )
                    vc = out._vc  # marking dirty bumps the version, as in torch
                    if vc is None:
                        out._vc = [1]
                    else:
                        vc[0] += 1
                    break
                out = Tensor._make(out._data, False, None)
                break
    else:
        out = Tensor._make(as_array(out), False, None)
    if out._data.dtype.kind not in "fc":
        return out
    non_diff = ctx._non_diff
    if non_diff is not None and any(t is out for t in non_diff):
        return out
    out._rg = True
    out.grad_fn = ctx
    if nr:
        out._output_nr = nr
    return out


def _saved_outputs_to_refs(ctx, outs) -> None:
    saved = list(ctx._saved)
    changed = False
    for i, t in enumerate(saved):
        if not isinstance(t, Tensor):
            continue
        for o in outs:
            if o is t and o.grad_fn is ctx:
                if o._vc is None:
                    o._vc = [0]
                saved[i] = _OutputRef(o._data, o._output_nr, o._vc)
                changed = True
    if changed:
        ctx._saved = tuple(saved)
        ctx._out_refs = True


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable: it runs without recording,
    and a double backward through it raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad

        with no_grad():
            outputs = fn(ctx, *args)
        return outputs

    return wrapper


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace
