"""From a recorded trace to ONNX nodes: call by call, in the order the ops ran."""

from __future__ import annotations

from ..tensor import Tensor
from ._graph import OnnxExporterError, UnsupportedOperatorError
from ._ops import converter_for
from ._trace import Ref

__all__ = ["convert_calls", "output_values"]


def convert_calls(g, trace) -> list:
    """Add every call that depends on the graph's inputs to ``g``; calls on constants alone
    are folded (their results become constants when used). Returns the tensors that became
    constants other than parameters: ``(call index, argument position, array)``."""
    from . import _nn_ops  # noqa: F401  (registers the layer ops' translations)

    used = []
    g.constants_used = used
    for call in trace.calls:
        g.call = call
        live = False
        for ref in call.inputs.values():
            if g.lookup(ref) is not None:
                live = True
                break
        if not live:
            continue
        fn = converter_for(call.cls)
        if fn is None:
            grad_name = getattr(call.cls, "node_name", None) or call.cls.__name__
            raise UnsupportedOperatorError(
                f"ember.onnx.export: op {call.index} of the forward pass, {call.name} "
                f"({grad_name}), has no ONNX translation; the export stops at the first such op"
            )
        names = fn(g, call, *call.args)
        if isinstance(names, str):
            names = [names]
        if len(names) != len(call.outputs):
            raise OnnxExporterError(f"{g.where()}: the translation gave {len(names)} outputs")
        for ref, name in zip(call.outputs, names):
            g.bind(ref, name)
    g.call = None
    return used


def output_values(g, outputs) -> list:
    """The ONNX value behind each of the model's output tensors."""
    values = []
    for t in outputs:
        value = g.lookup(Ref(t))
        if value is None:
            value = g.const(t._data)
        values.append(value)
    return values


def position_of(call, x: Tensor):
    """Where tensor ``x`` sits among ``call.args``: an index, or (index, index) in a list."""
    for i, a in enumerate(call.args):
        if a is x:
            return (i,)
        if isinstance(a, (list, tuple)):
            for j, b in enumerate(a):
                if b is x:
                    return (i, j)
    return None
