"""``ember.onnx.export``: a model as an ONNX file, by tracing one forward pass.

The export runs ``model(*args)`` once with a recorder installed in ``Function.apply`` (see
``_trace.py``), so it sees every op the forward pass runs, then translates them one by one
(``_ops.py``, ``_nn_ops.py``): parameters and buffers become initializers named as in
``model.state_dict()``, ops whose inputs are all constants are folded into constants, and
the first op with no translation stops the export with an ``UnsupportedOperatorError`` that
names it. The forward pass is run a second time with perturbed floating inputs: a constant
that changes with the inputs was computed outside the recorded ops (a NumPy round trip, a
Python branch on values), which a trace cannot capture, and the export refuses it.

Needs the ``onnx`` package (``pip install 'ember[onnx]'``).
"""

from __future__ import annotations

import os

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..backend import to_numpy
from ..tensor import Tensor
from ._graph import Graph, OnnxExporterError, UnsupportedOperatorError
from ._trace import Trace

__all__ = ["export", "OnnxExporterError", "UnsupportedOperatorError", "is_in_onnx_export"]

_EXPORTING = [False]


def is_in_onnx_export() -> bool:
    """True while ``export`` runs the model's forward pass."""
    return _EXPORTING[0]


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ModuleNotFoundError(
            "ONNX export needs the onnx package: pip install 'ember[onnx]'"
        ) from None
    return onnx


def export(
    model,
    args=(),
    f=None,
    *,
    kwargs: dict | None = None,
    verbose: bool | None = None,
    input_names=None,
    output_names=None,
    opset_version: int | None = None,
    dynamo: bool = True,
    dynamic_axes=None,
    export_params: bool = True,
    keep_initializers_as_inputs: bool = False,
    do_constant_folding: bool = True,
    training=None,
    **ignored,
):
    """Trace ``model(*args, **kwargs)`` and write it to ``f`` (a path or binary file object)
    as an ONNX model; returns the ``onnx.ModelProto``.

    Args:
        model: an ``nn.Module`` or any callable taking tensors.
        args: a tensor or a tuple of them (the example inputs).
        input_names, output_names: names of the graph's inputs and outputs (default
            ``input_0``..., ``output_0``...).
        opset_version: the ONNX opset (default 17; 13 to 21 are supported).
        dynamic_axes: ``{name: {axis: "dim_name"}}`` or ``{name: [axis, ...]}`` for inputs and
            outputs whose sizes vary (reshapes keep leading dims they copy, so a dynamic
            batch dimension works).
        export_params: store the parameters in the file (always; False is refused).
        keep_initializers_as_inputs: also list the initializers as graph inputs.

    ``dynamo``, ``do_constant_folding`` and ``training`` are accepted for torch's signature:
    ember always traces (without dynamo), always folds constants, and exports the model in
    the mode it is in (call ``model.eval()`` first; dropout in training mode is refused).
    """
    onnx = _onnx()
    opset = 17 if opset_version is None else int(opset_version)
    if not 13 <= opset <= 21:
        raise ValueError(f"ember.onnx.export supports opset versions 13 to 21, not {opset}")
    if not export_params:
        raise ValueError("ember.onnx.export always stores the parameters (export_params=True)")
    if isinstance(args, Tensor):
        args = (args,)
    elif not isinstance(args, tuple):
        args = tuple(args) if isinstance(args, list) else (args,)
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict) and not kwargs:
        args, kwargs = args[:-1], dict(args[-1])
    inputs = [a for a in args if isinstance(a, Tensor)]
    input_names = list(input_names or [])
    input_names += [f"input_{i}" for i in range(len(input_names), len(inputs))]

    trace, traced_inputs, result = _run(model, args, kwargs)
    outputs = _flatten_outputs(result)
    output_names = list(output_names or [])
    output_names += [f"output_{i}" for i in range(len(output_names), len(outputs))]

    params = {}
    if hasattr(model, "state_dict"):
        for name, t in model.state_dict(keep_vars=True).items():
            params.setdefault(id(t), name)
    g = Graph(onnx, opset, params)
    for ref, name in zip(traced_inputs, input_names):
        g.bind(ref, name)
    from ._convert import convert_calls, output_values

    constants = convert_calls(g, trace)
    out_values = output_values(g, outputs)
    _check_constants(model, args, kwargs, trace, constants)

    model_proto = _assemble(
        onnx,
        g,
        inputs,
        input_names,
        outputs,
        output_names,
        out_values,
        dynamic_axes or {},
        keep_initializers_as_inputs,
    )
    if verbose:
        print(onnx.helper.printable_graph(model_proto.graph))
    if f is not None:
        _write(model_proto, f)
    return model_proto


def _run(model, args, kwargs):
    """Run the forward pass under a trace; graph inputs are fresh non-leaf tensors (so that
    in-place ops on them stay legal) whose refs name the graph's inputs."""
    from ._trace import Ref

    traced_args = []
    refs = []
    with enable_grad():
        for a in args:
            if isinstance(a, Tensor):
                t = a.detach()
                if t.is_floating_point():
                    t = t.clone().requires_grad_(True).clone()
                else:
                    t = Tensor._make(t._data, False, None)
                refs.append(Ref(t))
                traced_args.append(t)
            else:
                traced_args.append(a)
        _EXPORTING[0] = True
        try:
            with Trace() as trace:
                result = model(*traced_args, **kwargs)
        finally:
            _EXPORTING[0] = False
    return trace, refs, result


def _flatten_outputs(result):
    todo = [result]
    out = []
    while todo:
        x = todo.pop(0)
        if isinstance(x, Tensor):
            out.append(x)
        elif isinstance(x, (tuple, list)):
            todo[:0] = list(x)
        elif isinstance(x, dict):
            todo[:0] = list(x.values())
        elif x is not None:
            raise OnnxExporterError(
                f"ember.onnx.export: the model returned a {type(x).__name__}; outputs must be "
                "tensors (or tuples, lists and dicts of them)"
            )
    if not out:
        raise OnnxExporterError("ember.onnx.export: the model returned no tensor")
    return out


def _perturbed(args):
    """Other values for the floating inputs: fresh random draws with the inputs' mean and
    spread (so that masks and branches on values come out differently)."""
    rng = np.random.default_rng(1234)
    out = []
    for a in args:
        if isinstance(a, Tensor) and a.is_floating_point() and a.numel():
            data = to_numpy(a.detach()._data).astype(np.float64)
            spread = float(data.std()) or 1.0
            fresh = data.mean() + spread * rng.standard_normal(data.shape)
            out.append(Tensor._make(fresh.astype(a._data.dtype), False, None))
        else:
            out.append(a)
    return tuple(out)


def _check_constants(model, args, kwargs, trace, constants) -> None:
    """Refuse constants that depend on the inputs (see the module docstring)."""
    if not constants:
        return
    saved = _snapshot_state(model)
    try:
        again, _, _ = _run(model, _perturbed(args), kwargs)
    except Exception:  # the model refuses other values: nothing to compare against
        return
    finally:
        _restore_state(saved)
    calls = again.calls
    for call_index, position, value in constants:
        first = trace.calls[call_index]
        if call_index >= len(calls) or calls[call_index].cls is not first.cls:
            raise OnnxExporterError(
                "ember.onnx.export: the forward pass runs different ops for different inputs "
                f"(op {call_index}, {first.name}); a trace cannot capture data-dependent "
                "control flow"
            )
        other = calls[call_index].args
        for i in position or ():
            other = other[i] if isinstance(other, (tuple, list)) and i < len(other) else None
        if not isinstance(other, Tensor) or not _same(other._data, value):
            raise OnnxExporterError(
                f"ember.onnx.export: op {call_index} ({first.name}) takes a tensor that changes "
                "with the model's inputs but was computed outside ember's recorded ops (for "
                "example through NumPy, .item(), or a comparison or logical op, which are not "
                "traced); a trace cannot capture it"
            )


def _snapshot_state(model):
    """Copies of the model's parameters and buffers (the second run must leave no trace)."""
    if not hasattr(model, "state_dict"):
        return []
    return [(t._data, t._data.copy()) for t in model.state_dict(keep_vars=True).values()]


def _restore_state(saved) -> None:
    for array, copy in saved:
        array[...] = copy


def _same(a, b) -> bool:
    a, b = to_numpy(a), to_numpy(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def _ir_version(onnx, opset: int) -> int:
    """The oldest IR version that carries ``opset``, so older runtimes accept the file."""
    for _, ir, ops, *_ in onnx.helper.VERSION_TABLE:
        if ops >= opset:
            return ir
    return onnx.IR_VERSION


def _dims(shape, axes):
    if isinstance(axes, dict):
        names = {int(k): v for k, v in axes.items()}
    else:
        names = {int(k): None for k in axes}
    dims = []
    for i, n in enumerate(shape):
        if i in names:
            dims.append(names[i] or f"dim_{i}")
        else:
            dims.append(int(n))
    return dims


def _assemble(onnx, g, inputs, input_names, outputs, output_names, out_values, dynamic, keep_inits):
    h = onnx.helper
    unknown = set(dynamic) - set(input_names) - set(output_names)
    if unknown:
        raise ValueError(f"dynamic_axes names {sorted(unknown)} are not input or output names")

    def info(name, t):
        elem = h.np_dtype_to_tensor_dtype(t._data.dtype)
        return h.make_tensor_value_info(name, elem, _dims(t.shape, dynamic.get(name, {})))

    graph_inputs = [info(n, t) for n, t in zip(input_names, inputs)]
    if keep_inits:
        graph_inputs += [
            h.make_tensor_value_info(i.name, i.data_type, list(i.dims)) for i in g.initializers
        ]
    nodes = list(g.nodes)
    for value, name in zip(out_values, output_names):
        nodes.append(h.make_node("Identity", [value], [name], name=f"/output/{name}"))
    graph = h.make_graph(
        nodes,
        "ember",
        graph_inputs,
        [info(n, t) for n, t in zip(output_names, outputs)],
        initializer=g.initializers,
    )
    from .. import __version__

    model = h.make_model(
        graph,
        producer_name="ember",
        producer_version=__version__,
        opset_imports=[h.make_opsetid("", g.opset)],
    )
    model.ir_version = _ir_version(onnx, g.opset)
    onnx.checker.check_model(model)
    return model


def _write(model, f) -> None:
    data = model.SerializeToString()
    if isinstance(f, (str, bytes, os.PathLike)):
        from ..serialization._save import atomic_path

        with atomic_path(os.fsdecode(f)) as tmp:
            with open(tmp, "xb") as stream:
                stream.write(data)
    else:
        f.write(data)
