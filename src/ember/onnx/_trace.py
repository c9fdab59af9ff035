"""Recording one forward pass: every outermost ``Function.apply`` call, its arguments and
results.

``Trace`` is what ``ember.autograd.function.TRACER`` holds while ``ember.onnx.export`` runs
the model. Each call is run with the hook cleared (calls made inside an op's forward are
that op's business) and recorded with a snapshot (:class:`Ref`) of every tensor it took and
returned: the tensor, its ``grad_fn`` and output number, and its version counter. Those
snapshots are what the graph builder matches a later use of a tensor against, which also
follows in-place ops (an in-place op gives its tensor the new ``grad_fn``).
"""

from __future__ import annotations

from ..autograd import function as _function
from ..tensor import Tensor

__all__ = ["Trace", "Call", "Ref", "tensors_in"]


class Ref:
    """A tensor as it was at one moment of the trace."""

    __slots__ = ("tensor", "node", "nr", "version")

    def __init__(self, t: Tensor):
        self.tensor = t
        self.node = t.grad_fn
        self.nr = t._output_nr
        self.version = t._version


class Call:
    """One recorded op: ``cls.apply(*args)`` returned ``out``."""

    __slots__ = ("cls", "args", "out", "inputs", "outputs", "index")

    def __init__(self, cls, args, out, inputs, index):
        self.cls = cls
        self.args = args
        self.out = out
        self.inputs = inputs  # {id(tensor): Ref} for the tensors among args
        self.outputs = [Ref(t) for t in _outputs(out)]
        self.index = index

    @property
    def name(self) -> str:
        return f"{self.cls.__module__}.{self.cls.__qualname__}"


def tensors_in(values):
    """The tensors among ``values``, looking one level into lists and tuples."""
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (list, tuple)):
            for w in v:
                if isinstance(w, Tensor):
                    yield w


def _outputs(out):
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [o for o in out if isinstance(o, Tensor)]
    return []


class Trace:
    """Install with ``with Trace() as trace:``; ``trace.calls`` lists what ran."""

    def __init__(self):
        self.calls: list[Call] = []

    def __call__(self, cls, args):
        inputs = {id(t): Ref(t) for t in tensors_in(args)}
        _function.TRACER = None
        try:
            out = cls.apply(*args)
        finally:
            _function.TRACER = self
        self.calls.append(Call(cls, args, out, inputs, len(self.calls)))
        return out

    def __enter__(self):
        if _function.TRACER is not None:
            raise RuntimeError("ember.onnx.export is already tracing a model")
        _function.TRACER = self
        return self

    def __exit__(self, *exc):
        _function.TRACER = None
