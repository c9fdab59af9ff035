"""The ONNX graph under construction, and what converters call to add to it.

A converter gets the :class:`Graph` and the recorded :class:`~ember.onnx._trace.Call`; it
asks ``g.input(x, dtype)`` for the ONNX value of an argument (a traced value, a parameter
initializer, a constant folded from parameters, or a Python number turned into a constant of
the dtype the op computes in), adds nodes with ``g.op(...)``, and returns the names of the
call's outputs.
"""

from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor

__all__ = ["Graph", "OnnxExporterError", "UnsupportedOperatorError"]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


class OnnxExporterError(RuntimeError):
    """The model cannot be exported as it is."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op of the traced forward pass has no ONNX translation."""


class Graph:
    def __init__(self, onnx, opset: int, param_names: dict):
        self.onnx = onnx
        self.h = onnx.helper
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self.param_names = param_names  # id(tensor) -> "fc1.weight"
        self._const_names = {}  # id(array) or scalar key -> name
        self._keep = []  # arrays whose ids name constants
        self._by_node = {}  # (id(grad_fn), output nr) -> value name
        self._by_tensor = {}  # id(tensor) -> (version, value name), for tensors without grad_fn
        self._counter = 0
        self.call = None  # the call being converted
        self.constants_used = []  # (call index, argument position, array), see _convert

    # -- names -------------------------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        self._counter += 1
        return f"/{hint}_{self._counter}"

    def bind(self, ref, name: str) -> None:
        """``ref`` (a tensor at one moment) is the ONNX value ``name``."""
        if ref.node is not None:
            self._by_node[(id(ref.node), ref.nr)] = name
        self._by_tensor[id(ref.tensor)] = (ref.version, name, ref.tensor)

    def lookup(self, ref):
        """The ONNX value of a traced tensor, or None for a constant."""
        if ref.node is not None:
            name = self._by_node.get((id(ref.node), ref.nr))
            if name is not None:
                return name
        entry = self._by_tensor.get(id(ref.tensor))
        if entry is None:
            return None
        if entry[0] != ref.version:
            raise OnnxExporterError(
                f"{self.where()}: an input was modified in place by an operation the exporter "
                "cannot see (outside ember's recorded ops); export needs it to be traced"
            )
        return entry[1]

    def where(self) -> str:
        if self.call is None:
            return "ember.onnx.export"
        return f"ember.onnx.export: op {self.call.index} ({self.call.name})"

    # -- values ------------------------------------------------------------------------------
    def input(self, x, dtype=None) -> str:
        """The ONNX value of argument ``x`` of the current call, in NumPy ``dtype`` if given."""
        if isinstance(x, Tensor):
            ref = self.call.inputs.get(id(x)) if self.call is not None else None
            name = self.lookup(ref) if ref is not None else None
            src = x._data.dtype
            if name is None:
                if ref is not None and ref.version != x._version:
                    raise OnnxExporterError(
                        f"{self.where()}: a constant it uses was modified in place after the op ran"
                    )
                array = to_numpy(x._data)
                if self.call is not None and id(x) not in self.param_names:
                    from ._convert import position_of

                    where = position_of(self.call, x)
                    self.constants_used.append((self.call.index, where, array))
                if dtype is not None and np.dtype(dtype) != array.dtype:
                    return self.const(array.astype(dtype))
                return self.const(array, self.param_names.get(id(x)), keep=x)
            if dtype is not None and np.dtype(dtype) != src:
                return self.cast(name, dtype)
            return name
        if isinstance(x, (bool, int, float, np.generic)):
            return self.const(np.asarray(x, dtype=dtype if dtype is not None else None))
        raise OnnxExporterError(f"{self.where()}: cannot pass a {type(x).__name__} to ONNX")

    def const(self, value, name: str | None = None, keep=None) -> str:
        """An initializer holding ``value`` (deduplicated)."""
        array = np.asarray(value)
        if keep is not None and (name is not None or array.size > 16):
            key = ("tensor", id(keep))  # a parameter keeps its name, whatever its values
        elif array.size <= 16:
            key = ("value", array.dtype.str, array.shape, array.tobytes())
        else:
            key = ("array", id(array))
        found = self._const_names.get(key)
        if found is not None:
            return found
        if name is None:
            name = self.fresh("Constant")
        self._const_names[key] = name
        self._keep.append((array, keep))
        contiguous = array if array.flags.c_contiguous else array.copy(order="C")
        tensor = self.onnx.numpy_helper.from_array(contiguous, name)
        self.initializers.append(tensor)
        return name

    def ints(self, values) -> str:
        """An int64 constant (shapes, axes, indices)."""
        return self.const(np.asarray(list(values), dtype=np.int64))

    def op(self, op_type: str, *inputs, outputs: int = 1, **attrs):
        """Add a node; returns its output name (or the list of them when ``outputs`` > 1)."""
        names = [self.fresh(f"{op_type}_output") for _ in range(outputs)]
        inputs = list(inputs)
        while inputs and inputs[-1] is None:  # trailing optional inputs are left out
            inputs.pop()
        node = self.h.make_node(
            op_type,
            [i if i is not None else "" for i in inputs],
            names,
            name=self.fresh(op_type),
            **{k: v for k, v in attrs.items() if v is not None},
        )
        self.nodes.append(node)
        return names if outputs > 1 else names[0]

    def cast(self, name: str, dtype) -> str:
        to = self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        return self.op("Cast", name, to=to)

    # -- opset-dependent spellings -----------------------------------------------------------
    def reduce(self, op_type: str, x: str, axes, keepdims: bool) -> str:
        """``op_type`` over ``axes`` (None: all); axes became an input in opset 18 (13 for
        ReduceSum)."""
        as_input = self.opset >= (13 if op_type == "ReduceSum" else 18)
        keep = int(bool(keepdims))
        if axes is None:
            return self.op(op_type, x, keepdims=keep)
        axes = [int(a) for a in axes]
        if as_input:
            return self.op(op_type, x, self.ints(axes), keepdims=keep)
        return self.op(op_type, x, axes=axes, keepdims=keep)

    def squeeze(self, x: str, axes) -> str:
        return self.op("Squeeze", x, self.ints(axes))

    def unsqueeze(self, x: str, axes) -> str:
        return self.op("Unsqueeze", x, self.ints(axes))
