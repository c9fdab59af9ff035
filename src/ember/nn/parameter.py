"""``nn.Parameter``: a tensor that a Module registers as one of its parameters."""

from __future__ import annotations

from ..tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter"]


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and that ``Module.__setattr__`` registers.

    ``Parameter(data=None, requires_grad=True)`` shares ``data``'s array.
    """

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            # torch detaches its argument first, and fails there
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        self._data = data._data
        self._rg = False
        self.grad_fn = None
        self._grad = None
        self._vc = data._vc
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        from ..backend import to_numpy
        from ..ops.creation import _rebuild_from_pickle

        return (
            _rebuild_from_pickle,
            (type(self), to_numpy(self._data), self._rg, dict(self.__dict__)),
        )


class Buffer(Tensor):
    """Marks a tensor to register as a buffer: ``self.x = nn.Buffer(t)`` (torch >= 2.5)."""

    def __init__(self, data=None, *, persistent: bool = True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        self._data = data._data
        self._rg = data._rg
        self.grad_fn = None
        self._grad = None
        self._vc = data._vc
        self.persistent = persistent


class UninitializedParameter(Parameter):
    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        raise NotImplementedError("ember does not implement lazy modules (UninitializedParameter)")
