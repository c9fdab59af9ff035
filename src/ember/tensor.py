"""``ember.Tensor``: an array (NumPy, or CuPy on a GPU) with reverse-mode autograd.

A tensor holds ``_data`` (the array), ``_rg`` (requires grad), ``grad_fn`` (the graph node that
made it, None for leaves), ``_grad`` and ``_vc`` (a version counter shared with its views, made
on first use). Fields most tensors never set (hooks, output index, view base) are class-level
defaults overridden in the instance dict, so making a tensor writes five slots.

This file holds dunders and one-line methods that call into ``ember.ops``; the math lives there.
"""

from __future__ import annotations

import operator as _op
import warnings
from collections import OrderedDict

import numpy as np

from . import dtypes as _dt
from .autograd import engine as _engine
from .autograd import function as _function
from .autograd import grad_mode as _grad_mode
from .backend import get_array_module, to_numpy
from .device import CPU, device
from .size import Size

__all__ = ["Tensor"]

_new = object.__new__


_NON_LEAF_RG = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
_T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor."
)
_DEPRECATED_0D = (
    "Tensor.{} is deprecated on 0-D tensors. This function is the identity in these cases."
)
# per-tensor graph bookkeeping, never pickled or deep-copied (a copy is a new leaf)
_GRAPH_STATE = frozenset(
    ("_hooks", "_post_acc_hooks", "_base", "_view_fn", "_view_version", "_output_nr")
)
_TO_SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
_warned = set()  # torch warns once per process about deprecated uses


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


def _wrap_dim(dim: int, ndim: int) -> int:
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if dim < lo or dim > hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return dim + ndim if dim < 0 else dim


class Tensor:
    """A multi-dimensional array of one dtype, recording the operations that made it when
    ``requires_grad`` is set so that ``backward()`` can compute gradients."""

    __slots__ = ("_data", "_rg", "grad_fn", "_grad", "_vc", "__dict__", "__weakref__")

    # Rarely-set fields: defaults here, per-tensor values in the instance dict.
    _output_nr = 0
    _hooks = None
    _post_acc_hooks = None
    _base = None
    _view_fn = None
    _view_version = 0
    _retains_grad = False
    # NumPy defers to Tensor's reflected operators (``np.float64(2) * t`` is a Tensor)
    __array_priority__ = 1000
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    layout = "torch.strided"

    def __init__(self, *args, **kwargs):
        """Legacy constructor: ``Tensor(data)`` (float32) or ``Tensor(*sizes)`` (uninitialized)."""
        from .ops import creation

        t = creation.legacy_tensor(*args, **kwargs)
        self._data = t._data
        self._rg = False
        self.grad_fn = None
        self._grad = None
        self._vc = None

    @staticmethod
    def _make(data, rg: bool, fn) -> Tensor:
        """Wrap an array without copying: the one constructor ops use."""
        t = _new(Tensor)
        t._data = data
        t._rg = rg
        t.grad_fn = fn
        t._grad = None
        t._vc = None
        return t

    # -- metadata ----------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy(self._data.dtype)

    @property
    def device(self) -> device:
        if isinstance(self._data, np.ndarray):
            return CPU
        return device("cuda", self._data.device.id)

    @property
    def is_cuda(self) -> bool:
        return not isinstance(self._data, np.ndarray)

    @property
    def is_cpu(self) -> bool:
        return isinstance(self._data, np.ndarray)

    def get_device(self) -> int:
        return -1 if isinstance(self._data, np.ndarray) else self._data.device.id

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "fi"

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None):
        """Strides in elements, as torch counts them."""
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size <= 1 or 0 in self._data.shape:
            strides = _contiguous_strides(self._data.shape)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        a = self._data
        base = a.base if isinstance(a.base, np.ndarray) else None
        if base is None:
            return 0
        return (a.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // (
            a.itemsize
        )

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def data_ptr(self) -> int:
        if isinstance(self._data, np.ndarray):
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    @property
    def _version(self) -> int:
        return self._vc[0] if self._vc is not None else 0

    # -- autograd state ----------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            raise RuntimeError(_NON_LEAF_RG if not value else _NON_LEAF_RG.split(" If")[0])
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf (in place); returns ``self``."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(_NON_LEAF_RG)
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                from .ops.inplace import type_word

                got = _dt.c_type_name(value.dtype)
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{got}' to a "
                    f"tensor with grad_dtype '{type_word(self.dtype)}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match."
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref

        node = self.grad_fn
        node._hooked = True
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a
        replacement. Returns a handle with ``remove()``."""
        from .utils.hooks import RemovableHandle

        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = OrderedDict()
            handle = RemovableHandle(self._hooks)
            self._hooks[handle.id] = hook
            return handle
        node = self.grad_fn
        node._hooked = True
        if node._pre_hooks is None:
            node._pre_hooks = {}
        table = node._pre_hooks.setdefault(self._output_nr, OrderedDict())
        handle = RemovableHandle(table)
        table[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been accumulated."""
        from .utils.hooks import RemovableHandle

        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_acc_hooks is None:
            self._post_acc_hooks = OrderedDict()
        handle = RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (``gradient`` weights a
        non-scalar ``self``)."""
        _engine.backward(
            self,
            gradient if gradient is None else (gradient,),
            retain_graph,
            create_graph,
            inputs=inputs,
        )

    def detach(self) -> Tensor:
        """A tensor sharing this one's data (and version counter), outside the graph."""
        if self._vc is None:
            self._vc = [0]
        t = Tensor._make(self._data, False, None)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self.grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                "be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def data(self) -> Tensor:
        return Tensor._make(self._data, False, None)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    # -- conversion ----------------------------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self):
        return to_numpy(self._data).tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array behind this tensor (shared memory)."""
        if force:
            return to_numpy(self._data)
        if self._rg:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if not isinstance(self._data, np.ndarray):
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a

    def __dlpack__(self, *args, **kwargs):
        if self._rg:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def to(self, *args, **kwargs) -> Tensor:
        """Convert dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(other)``,
        ``to(device, dtype)``. Returns ``self`` when nothing changes (unless ``copy=True``)."""
        from .ops import creation

        return creation.to(self, *args, **kwargs)

    def cpu(self, memory_format=None) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
        return self.to("cuda" if device is None else device)

    def float(self, memory_format=None) -> Tensor:
        return self.to(_dt.float32)

    def double(self, memory_format=None) -> Tensor:
        return self.to(_dt.float64)

    def half(self, memory_format=None) -> Tensor:
        return self.to(_dt.float16)

    def bfloat16(self, memory_format=None) -> Tensor:
        return self.to(_dt.bfloat16)

    def long(self, memory_format=None) -> Tensor:
        return self.to(_dt.int64)

    def int(self, memory_format=None) -> Tensor:
        return self.to(_dt.int32)

    def short(self, memory_format=None) -> Tensor:
        return self.to(_dt.int16)

    def char(self, memory_format=None) -> Tensor:
        return self.to(_dt.int8)

    def byte(self, memory_format=None) -> Tensor:
        return self.to(_dt.uint8)

    def bool(self, memory_format=None) -> Tensor:
        return self.to(_dt.bool_)

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """Without arguments, the legacy type name (``'torch.FloatTensor'``); else convert."""
        from .ops import creation

        if dtype is None:
            return creation.legacy_type_name(self)
        return self.to(creation.dtype_from_type_name(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from .ops import creation

        return creation.tensor(
            data,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from .ops import creation

        return creation.zeros(
            *size,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from .ops import creation

        return creation.ones(
            *size,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from .ops import creation

        return creation.empty(
            *size,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from .ops import creation

        return creation.full(
            size,
            fill_value,
            dtype=dtype or self.dtype,
            device=device or self.device,
            requires_grad=requires_grad,
        )

    # -- Python protocol ---------------------------------------------------------------------
    __hash__ = object.__hash__

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_shape.unbind(self, 0))

    def __bool__(self) -> bool:
        n = self._data.size
        if n == 1:
            return bool(self._data.item())
        if n == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")

    def __float__(self) -> float:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._rg and _grad_mode.STATE.enabled:  # torch warns only while recording
            _warn_once("float", _TO_SCALAR_WARNING)
        return float(self._data.item())

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._data.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __contains__(self, element) -> bool:
        return bool((self == element).any())

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __reduce_ex__(self, protocol):
        from .ops.creation import _rebuild_from_pickle

        state = {k: v for k, v in self.__dict__.items() if k not in _GRAPH_STATE}
        return (_rebuild_from_pickle, (type(self), to_numpy(self._data), self._rg, state))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        import copy

        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new._data = _deepcopy_array(self._data, memo)
        new._rg = self._rg
        new.grad_fn = None
        new._grad = None
        new._vc = None
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        for k, v in self.__dict__.items():
            if k not in _GRAPH_STATE:
                new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    # -- indexing ------------------------------------------------------------------------------
    def __getitem__(self, key):
        return _indexing.getitem(self, key)

    def __setitem__(self, key, value) -> None:
        _indexing.setitem(self, key, value)

    # -- operators ---------------------------------------------------------------------------
    # ``+``, ``*`` and ``/`` call their Functions directly: the functional forms only add the
    # ``out=`` handling, and a Python frame per operator is a tenth of a small op's time.
    # Where no graph can be involved, ``_plain`` skips even the Function (see there).
    def __add__(self, other):
        if not self._rg:  # (the test here spares a graph-recording op the call)
            out = _plain(self, other, _op.add, "fciub")
            if out is not None:
                return out
        return _Add(self, other)

    def __radd__(self, other):
        return _Add(self, other)

    def __iadd__(self, other):
        return _pw.add_(self, other)

    def __sub__(self, other):
        return _pw.sub(self, other)

    def __rsub__(self, other):
        return _pw.rsub(self, other)

    def __isub__(self, other):
        return _pw.sub_(self, other)

    def __mul__(self, other):
        if not self._rg:  # (the test here spares a graph-recording op the call)
            out = _plain(self, other, _op.mul, "fciub")
            if out is not None:
                return out
        return _Mul(self, other)

    def __rmul__(self, other):
        return _Mul(self, other)

    def __imul__(self, other):
        return _pw.mul_(self, other)

    def __truediv__(self, other):
        if not self._rg:  # (the test here spares a graph-recording op the call)
            out = _plain(self, other, _op.truediv, "fc")
            if out is not None:
                return out
        return _Div(self, other)

    def __rtruediv__(self, other):
        # torch computes ``other / self`` as ``self.reciprocal() * other``
        return _pw.mul(_pw.reciprocal(self), _pw.as_operand(other, self))

    def __itruediv__(self, other):
        return _pw.div_(self, other)

    def __floordiv__(self, other):
        return _pw.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _pw.floor_divide(_pw.as_operand(other, self), self)

    def __ifloordiv__(self, other):
        return _pw.floor_divide_(self, other)

    def __mod__(self, other):
        return _pw.remainder(self, other)

    def __rmod__(self, other):
        return _pw.remainder(_pw.as_operand(other, self), self)

    def __imod__(self, other):
        return _pw.remainder_(self, other)

    def __pow__(self, other):
        return _pw.pow(self, other)

    def __rpow__(self, other):
        return _pw.pow(_pw.as_operand(other, self), self)

    def __ipow__(self, other):
        return _pw.pow_(self, other)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __neg__(self):
        return _pw.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _pw.abs(self)

    def __invert__(self):
        return _pw.bitwise_not(self)

    def __and__(self, other):
        return _pw.bitwise_and(self, other)

    __rand__ = __and__

    def __iand__(self, other):
        return _pw.bitwise_and_(self, other)

    def __or__(self, other):
        return _pw.bitwise_or(self, other)

    __ror__ = __or__

    def __ior__(self, other):
        return _pw.bitwise_or_(self, other)

    def __xor__(self, other):
        return _pw.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __ixor__(self, other):
        return _pw.bitwise_xor_(self, other)

    def __eq__(self, other):
        return _pw.eq(self, other)

    def __ne__(self, other):
        return _pw.ne(self, other)

    def __lt__(self, other):
        return _pw.lt(self, other)

    def __le__(self, other):
        return _pw.le(self, other)

    def __gt__(self, other):
        return _pw.gt(self, other)

    def __ge__(self, other):
        return _pw.ge(self, other)

    # -- pointwise -----------------------------------------------------------------------------
    def add(self, other, *, alpha=1):
        return _pw.add(self, other, alpha=alpha)

    def add_(self, other, *, alpha=1):
        return _pw.add_(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return _pw.sub(self, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return _pw.sub_(self, other, alpha=alpha)

    subtract = sub
    subtract_ = sub_

    def mul(self, other):
        return _pw.mul(self, other)

    def mul_(self, other):
        return _pw.mul_(self, other)

    multiply = mul
    multiply_ = mul_

    def div(self, other, *, rounding_mode=None):
        return _pw.div(self, other, rounding_mode=rounding_mode)

    def div_(self, other, *, rounding_mode=None):
        return _pw.div_(self, other, rounding_mode=rounding_mode)

    divide = div
    divide_ = div_
    true_divide = div
    true_divide_ = div_

    def floor_divide(self, other):
        return _pw.floor_divide(self, other)

    def floor_divide_(self, other):
        return _pw.floor_divide_(self, other)

    def remainder(self, other):
        return _pw.remainder(self, other)

    def remainder_(self, other):
        return _pw.remainder_(self, other)

    def fmod(self, other):
        return _pw.fmod(self, other)

    def fmod_(self, other):
        return _pw.fmod_(self, other)

    def pow(self, exponent):
        return _pw.pow(self, exponent)

    def pow_(self, exponent):
        return _pw.pow_(self, exponent)

    def float_power(self, exponent):
        return _pw.float_power(self, exponent)

    def atan2(self, other):
        return _pw.atan2(self, other)

    def atan2_(self, other):
        return _pw.atan2_(self, other)

    arctan2 = atan2

    def hypot(self, other):
        return _pw.hypot(self, other)

    def xlogy(self, other):
        return _pw.xlogy(self, other)

    def maximum(self, other):
        return _pw.maximum(self, other)

    def minimum(self, other):
        return _pw.minimum(self, other)

    def fmax(self, other):
        return _pw.fmax(self, other)

    def fmin(self, other):
        return _pw.fmin(self, other)

    def lerp(self, end, weight):
        return _pw.lerp(self, end, weight)

    def lerp_(self, end, weight):
        return _pw.lerp_(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return _pw.addcmul(self, tensor1, tensor2, value=value)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return _pw.addcmul_(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return _pw.addcdiv(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return _pw.addcdiv_(self, tensor1, tensor2, value=value)

    def clamp(self, min=None, max=None):
        return _pw.clamp(self, min, max)

    def clamp_(self, min=None, max=None):
        return _pw.clamp_(self, min, max)

    clip = clamp
    clip_ = clamp_

    def clamp_min(self, min):
        return _pw.clamp_min(self, min)

    def clamp_min_(self, min):
        return _pw.clamp_min_(self, min)

    def clamp_max(self, max):
        return _pw.clamp_max(self, max)

    def clamp_max_(self, max):
        return _pw.clamp_max_(self, max)

    def where(self, condition, other):
        return _pw.where(condition, self, other)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _pw.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return _pw.nan_to_num_(self, nan, posinf, neginf)

    def neg(self):
        return _pw.neg(self)

    def neg_(self):
        return _pw.neg_(self)

    negative = neg
    negative_ = neg_

    def abs(self):
        return _pw.abs(self)

    def abs_(self):
        return _pw.abs_(self)

    absolute = abs
    absolute_ = abs_

    def sign(self):
        return _pw.sign(self)

    def sign_(self):
        return _pw.sign_(self)

    def sgn(self):
        return _pw.sign(self)

    def signbit(self):
        return _pw.signbit(self)

    def exp(self):
        return _pw.exp(self)

    def exp_(self):
        return _pw.exp_(self)

    def exp2(self):
        return _pw.exp2(self)

    def exp2_(self):
        return _pw.exp2_(self)

    def expm1(self):
        return _pw.expm1(self)

    def expm1_(self):
        return _pw.expm1_(self)

    def log(self):
        return _pw.log(self)

    def log_(self):
        return _pw.log_(self)

    def log2(self):
        return _pw.log2(self)

    def log2_(self):
        return _pw.log2_(self)

    def log10(self):
        return _pw.log10(self)

    def log10_(self):
        return _pw.log10_(self)

    def log1p(self):
        return _pw.log1p(self)

    def log1p_(self):
        return _pw.log1p_(self)

    def sqrt(self):
        return _pw.sqrt(self)

    def sqrt_(self):
        return _pw.sqrt_(self)

    def rsqrt(self):
        return _pw.rsqrt(self)

    def rsqrt_(self):
        return _pw.rsqrt_(self)

    def square(self):
        return _pw.square(self)

    def square_(self):
        return _pw.square_(self)

    def reciprocal(self):
        return _pw.reciprocal(self)

    def reciprocal_(self):
        return _pw.reciprocal_(self)

    def sin(self):
        return _pw.sin(self)

    def sin_(self):
        return _pw.sin_(self)

    def cos(self):
        return _pw.cos(self)

    def cos_(self):
        return _pw.cos_(self)

    def tan(self):
        return _pw.tan(self)

    def tan_(self):
        return _pw.tan_(self)

    def asin(self):
        return _pw.asin(self)

    def asin_(self):
        return _pw.asin_(self)

    arcsin = asin

    def acos(self):
        return _pw.acos(self)

    def acos_(self):
        return _pw.acos_(self)

    arccos = acos

    def atan(self):
        return _pw.atan(self)

    def atan_(self):
        return _pw.atan_(self)

    arctan = atan

    def sinh(self):
        return _pw.sinh(self)

    def sinh_(self):
        return _pw.sinh_(self)

    def cosh(self):
        return _pw.cosh(self)

    def cosh_(self):
        return _pw.cosh_(self)

    def tanh(self):
        return _pw.tanh(self)

    def tanh_(self):
        return _pw.tanh_(self)

    def asinh(self):
        return _pw.asinh(self)

    def asinh_(self):
        return _pw.asinh_(self)

    arcsinh = asinh

    def acosh(self):
        return _pw.acosh(self)

    def acosh_(self):
        return _pw.acosh_(self)

    arccosh = acosh

    def atanh(self):
        return _pw.atanh(self)

    def atanh_(self):
        return _pw.atanh_(self)

    arctanh = atanh

    def sigmoid(self):
        return _pw.sigmoid(self)

    def sigmoid_(self):
        return _pw.sigmoid_(self)

    def logit(self, eps=None):
        return _pw.logit(self, eps)

    def logit_(self, eps=None):
        return _pw.logit_(self, eps)

    def relu(self):
        return _pw.relu(self)

    def relu_(self):
        return _pw.relu_(self)

    def erf(self):
        return _pw.erf(self)

    def erf_(self):
        return _pw.erf_(self)

    def erfc(self):
        return _pw.erfc(self)

    def erfc_(self):
        return _pw.erfc_(self)

    def erfinv(self):
        return _pw.erfinv(self)

    def erfinv_(self):
        return _pw.erfinv_(self)

    def floor(self):
        return _pw.floor(self)

    def floor_(self):
        return _pw.floor_(self)

    def ceil(self):
        return _pw.ceil(self)

    def ceil_(self):
        return _pw.ceil_(self)

    def round(self, *, decimals=0):
        return _pw.round(self, decimals=decimals)

    def round_(self, *, decimals=0):
        return _pw.round_(self, decimals=decimals)

    def trunc(self):
        return _pw.trunc(self)

    def trunc_(self):
        return _pw.trunc_(self)

    fix = trunc
    fix_ = trunc_

    def frac(self):
        return _pw.frac(self)

    def frac_(self):
        return _pw.frac_(self)

    def isnan(self):
        return _pw.isnan(self)

    def isinf(self):
        return _pw.isinf(self)

    def isfinite(self):
        return _pw.isfinite(self)

    def isposinf(self):
        return _pw.isposinf(self)

    def isneginf(self):
        return _pw.isneginf(self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _pw.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _pw.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        return _pw.equal(self, other)

    def eq(self, other):
        return _pw.eq(self, other)

    def ne(self, other):
        return _pw.ne(self, other)

    def lt(self, other):
        return _pw.lt(self, other)

    def le(self, other):
        return _pw.le(self, other)

    def gt(self, other):
        return _pw.gt(self, other)

    def ge(self, other):
        return _pw.ge(self, other)

    def eq_(self, other):
        return _pw.eq_(self, other)

    def ne_(self, other):
        return _pw.ne_(self, other)

    def lt_(self, other):
        return _pw.lt_(self, other)

    def le_(self, other):
        return _pw.le_(self, other)

    def gt_(self, other):
        return _pw.gt_(self, other)

    def ge_(self, other):
        return _pw.ge_(self, other)

    greater = gt
    greater_equal = ge
    less = lt
    less_equal = le
    not_equal = ne

    def logical_and(self, other):
        return _pw.logical_and(self, other)

    def logical_and_(self, other):
        return _pw.logical_and_(self, other)

    def logical_or(self, other):
        return _pw.logical_or(self, other)

    def logical_or_(self, other):
        return _pw.logical_or_(self, other)

    def logical_xor(self, other):
        return _pw.logical_xor(self, other)

    def logical_xor_(self, other):
        return _pw.logical_xor_(self, other)

    def logical_not(self):
        return _pw.logical_not(self)

    def logical_not_(self):
        return _pw.logical_not_(self)

    def bitwise_and(self, other):
        return _pw.bitwise_and(self, other)

    def bitwise_and_(self, other):
        return _pw.bitwise_and_(self, other)

    def bitwise_or(self, other):
        return _pw.bitwise_or(self, other)

    def bitwise_or_(self, other):
        return _pw.bitwise_or_(self, other)

    def bitwise_xor(self, other):
        return _pw.bitwise_xor(self, other)

    def bitwise_xor_(self, other):
        return _pw.bitwise_xor_(self, other)

    def bitwise_not(self):
        return _pw.bitwise_not(self)

    def bitwise_not_(self):
        return _pw.bitwise_not_(self)

    def zero_(self):
        return _pw.zero_(self)

    def fill_(self, value):
        return _pw.fill_(self, value)

    def copy_(self, src, non_blocking=False):
        return _pw.copy_(self, src)

    # -- random, in place -----------------------------------------------------------------------
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return _random.normal_(self, mean, std, generator=generator)

    def uniform_(self, from_=0.0, to=1.0, *, generator=None):
        return _random.uniform_(self, from_, to, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return _random.bernoulli_(self, p, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        return _random.bernoulli(self, p, generator=generator)

    def random_(self, from_=0, to=None, *, generator=None):
        return _random.random_(self, from_, to, generator=generator)

    def exponential_(self, lambd=1.0, *, generator=None):
        return _random.exponential_(self, lambd, generator=generator)

    def geometric_(self, p, *, generator=None):
        return _random.geometric_(self, p, generator=generator)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return _random.log_normal_(self, mean, std, generator=generator)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return _random.cauchy_(self, median, sigma, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _random.multinomial(self, num_samples, replacement, generator=generator)

    # -- reductions --------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _red.nansum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return _red.mean(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _red.nanmean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return _red.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _red.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return _red.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return _red.amin(self, dim, keepdim)

    def aminmax(self, *, dim=None, keepdim=False):
        return _red.aminmax(self, dim=dim, keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _red.argmin(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim=False):
        return _red.logsumexp(self, dim, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _red.norm(self, p, dim, keepdim, dtype)

    def cumsum(self, dim, *, dtype=None):
        return _red.cumsum(self, dim, dtype=dtype)

    def cumsum_(self, dim, *, dtype=None):
        return _pw.copy_(self, _red.cumsum(self, dim, dtype=dtype))

    def cumprod(self, dim, *, dtype=None):
        return _red.cumprod(self, dim, dtype=dtype)

    def cummax(self, dim):
        return _red.cummax(self, dim)

    def cummin(self, dim):
        return _red.cummin(self, dim)

    def all(self, dim=None, keepdim=False):
        return _red.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _red.any(self, dim, keepdim)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _sorting.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _sorting.kthvalue(self, k, dim, keepdim)

    def sort(self, dim=-1, descending=False, stable=False):
        return _sorting.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _sorting.argsort(self, dim, descending, stable=stable)

    def msort(self):
        return _sorting.sort(self, 0)[0]

    def median(self, dim=None, keepdim=False):
        return _sorting.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _sorting.nanmedian(self, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _sorting.mode(self, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _sorting.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def count_nonzero(self, dim=None):
        return _red.count_nonzero(self, dim)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights=None, minlength=0):
        return _sorting.bincount(self, weights, minlength)

    def sum_to_size(self, *size):
        return _red.sum_to_size(self, *size)

    # -- shape -------------------------------------------------------------------------------
    def view(self, *shape):
        return _shape.view(self, *shape)

    def view_as(self, other):
        return _shape.view(self, other.shape)

    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def reshape_as(self, other):
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _shape.unflatten(self, dim, sizes)

    def ravel(self):
        return _shape.reshape(self, -1)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def squeeze_(self, dim=None):
        return _shape.squeeze_(self, dim)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def unsqueeze_(self, dim):
        return _shape.unsqueeze_(self, dim)

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def transpose_(self, dim0, dim1):
        return _shape.transpose_(self, dim0, dim1)

    swapaxes = transpose
    swapdims = transpose

    def t(self):
        return _shape.t(self)

    def t_(self):
        return _shape.t_(self)

    @property
    def T(self):
        nd = self._data.ndim
        if nd != 2:
            if nd == 0:
                _warn_once("T0", _DEPRECATED_0D.format("T"))
            else:
                _warn_once("T", _T_WARNING)
        return _shape.permute(self, *range(nd - 1, -1, -1))

    @property
    def mT(self):
        nd = self._data.ndim
        if nd < 2:
            if nd == 0:
                _warn_once("mT0", _DEPRECATED_0D.format("mT"))
                return self
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. "
                f"Got {nd}-D tensor."
            )
        return _shape.transpose(self, -2, -1)

    @property
    def H(self):
        return self.T

    @property
    def mH(self):
        return self.mT

    def adjoint(self):
        return self.mT

    def movedim(self, source, destination):
        return _shape.movedim(self, source, destination)

    moveaxis = movedim

    def expand(self, *sizes):
        return _shape.expand(self, *sizes)

    def expand_as(self, other):
        return _shape.expand(self, other.shape)

    def broadcast_to(self, size):
        return _shape.expand(self, size)

    def repeat(self, *sizes):
        return _shape.repeat(self, *sizes)

    def tile(self, *dims):
        return _shape.tile(self, *dims)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _shape.repeat_interleave(self, repeats, dim, output_size=output_size)

    def flip(self, *dims):
        return _shape.flip(self, *dims)

    def fliplr(self):
        return _shape.flip(self, 1)

    def flipud(self):
        return _shape.flip(self, 0)

    def roll(self, shifts, dims=None):
        return _shape.roll(self, shifts, dims)

    def rot90(self, k=1, dims=(0, 1)):
        return _shape.rot90(self, k, dims)

    def split(self, split_size, dim=0):
        return _shape.split(self, split_size, dim)

    def tensor_split(self, indices_or_sections, dim=0):
        return _shape.tensor_split(self, indices_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _shape.unbind(self, dim)

    def narrow(self, dim, start, length):
        return _shape.narrow(self, dim, start, length)

    def select(self, dim, index):
        return _shape.select(self, dim, index)

    def unfold(self, dimension, size, step):
        return _shape.unfold(self, dimension, size, step)

    def tril(self, diagonal=0):
        return _shape.tril(self, diagonal)

    def tril_(self, diagonal=0):
        return _pw.copy_(self, _shape.tril(self, diagonal))

    def triu(self, diagonal=0):
        return _shape.triu(self, diagonal)

    def triu_(self, diagonal=0):
        return _pw.copy_(self, _shape.triu(self, diagonal))

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _shape.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal=0):
        return _shape.diag(self, diagonal)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _shape.diag_embed(self, offset, dim1, dim2)

    def fill_diagonal_(self, fill_value, wrap=False):
        return _indexing.fill_diagonal_(self, fill_value, wrap)

    def clone(self, *, memory_format=None):
        return _shape.clone(self, memory_format=memory_format)

    def contiguous(self, memory_format=None):
        return _shape.contiguous(self)

    def as_strided(self, size, stride, storage_offset=None):
        return _shape.as_strided(self, size, stride, storage_offset)

    # -- indexing ------------------------------------------------------------------------------
    def gather(self, dim, index, *, sparse_grad=False):
        return _indexing.gather(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _indexing.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return _indexing.scatter_(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return _indexing.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        return _indexing.scatter_add_(self, dim, index, src)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _indexing.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def index_select(self, dim, index):
        return _indexing.index_select(self, dim, index)

    def index_add(self, dim, index, source, *, alpha=1):
        return _indexing.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        return _indexing.index_add_(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source):
        return _indexing.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return _indexing.index_copy_(self, dim, index, source)

    def index_fill(self, dim, index, value):
        return _indexing.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        return _indexing.index_fill_(self, dim, index, value)

    def index_put(self, indices, values, accumulate=False):
        return _indexing.index_put(self, indices, values, accumulate)

    def index_put_(self, indices, values, accumulate=False):
        return _indexing.index_put_(self, indices, values, accumulate)

    def masked_fill(self, mask, value):
        return _indexing.masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        return _indexing.masked_fill_(self, mask, value)

    def masked_select(self, mask):
        return _indexing.masked_select(self, mask)

    def masked_scatter(self, mask, source):
        return _indexing.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return _indexing.masked_scatter_(self, mask, source)

    def take(self, index):
        return _indexing.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _indexing.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple=False):
        return _indexing.nonzero(self, as_tuple=as_tuple)

    def argwhere(self):
        return _indexing.nonzero(self)

    # -- linear algebra ----------------------------------------------------------------------
    def matmul(self, other):
        return _linalg.matmul(self, other)

    def mm(self, mat2):
        return _linalg.mm(self, mat2)

    def bmm(self, mat2):
        return _linalg.bmm(self, mat2)

    def mv(self, vec):
        return _linalg.mv(self, vec)

    def dot(self, other):
        return _linalg.dot(self, other)

    def vdot(self, other):
        return _linalg.dot(self, other)

    def inner(self, other):
        return _linalg.inner(self, other)

    def outer(self, vec2):
        return _linalg.outer(self, vec2)

    ger = outer

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _linalg.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def cross(self, other, dim=None):
        return _linalg.cross(self, other, dim)

    def det(self):
        return _linalg.det(self)

    def inverse(self):
        return _linalg.inv(self)

    def trace(self):
        return _linalg.trace(self)

    # -- neural-network conveniences torch also puts on Tensor -----------------------------------
    def softmax(self, dim, dtype=None):
        return _nn_ops().softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _nn_ops().log_softmax(self, dim, dtype=dtype)


def _deepcopy_array(a, memo):
    """A copy of array ``a``; views of one array copied under one ``memo`` stay views of one
    copy (as torch's deepcopy keeps tensors sharing a storage sharing it)."""
    if not isinstance(a, np.ndarray):
        return a.copy()
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root is a or not (root.flags.c_contiguous or root.flags.f_contiguous):
        new = a.copy(order="K")
        memo.setdefault(id(a), new)
        return new
    new_root = memo.get(id(root))
    if new_root is None:
        new_root = memo[id(root)] = root.copy(order="K")
        memo.setdefault(id(memo), []).append(root)  # keep root alive while its id is a key
    offset = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=new_root, offset=offset, strides=a.strides)


def _contiguous_strides(shape) -> tuple:
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _nn_ops():
    from .nn import functional

    return functional


class _TorchOnly:
    """A torch.Tensor attribute ember lacks: reading it raises ``MissingAttribute`` naming it
    (see ``_torch_names``). Non-data, so an instance may still set the name for itself."""

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, owner=None):
        from .compat import MissingAttribute

        who = f"'{(owner if obj is None else type(obj)).__name__}' object"
        raise MissingAttribute(
            f"ember does not implement torch.Tensor.{self.name} ({who} has no attribute "
            f"'{self.name}')"
        )


def _name_torch_only() -> None:
    from ._torch_names import TORCH_ONLY

    for name in TORCH_ONLY:
        if not hasattr(Tensor, name):
            setattr(Tensor, name, _TorchOnly(name))


_name_torch_only()
_function._bind_tensor(Tensor)
_engine._bind_tensor(Tensor)

# The op families import Tensor from this module, so they are bound after the class exists.
from .ops import indexing as _indexing  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import pointwise as _pw  # noqa: E402
from .ops import random as _random  # noqa: E402
from .ops import reduction as _red  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops import sorting as _sorting  # noqa: E402
from .ops.arith import PASS_THROUGH as _PASS_THROUGH  # noqa: E402
from .ops.arith import Add as _AddFn  # noqa: E402
from .ops.arith import Div as _DivFn  # noqa: E402
from .ops.arith import Mul as _MulFn  # noqa: E402

_Add, _Mul, _Div = _AddFn.apply, _MulFn.apply, _DivFn.apply


def _plain(a, b, op, kinds):
    """``op`` (``+``, ``*`` or ``/``) of tensor ``a`` (which the callers have seen needs no
    grad) and ``b`` as a new tensor, skipping the Function, where what the Function would do
    is just that: no graph (``b`` needs no grad either), no view whose base changed in place
    since (refreshing it, maybe into needing grad, is the Function's work), no ONNX trace,
    ``b`` a tensor of ``a``'s dtype or a Python number that ``operands`` passes through
    unchanged, a dtype kind in ``kinds`` (``/`` of integers changes dtype), and an array out
    (0-d operands give NumPy scalars). None otherwise, and on any error: the caller then goes
    through the Function, which handles every case and names every error."""
    if _function.TRACER is not None or (a._base is not None and a._view_version != a._vc[0]):
        return None
    x = a._data
    kind = x.dtype.kind
    if kind not in kinds:
        return None
    if isinstance(b, Tensor):
        if b._rg or (b._base is not None and b._view_version != b._vc[0]):
            return None
        y = b._data
        if y.dtype != x.dtype:
            return None
    elif kind in _PASS_THROUGH.get(type(b), ""):
        y = b
    else:
        return None
    try:
        out = op(x, y)
    except (ValueError, TypeError, OverflowError):
        return None
    if type(out) is not np.ndarray:
        return None
    t = _new(Tensor)  # Tensor._make, inline (as in Function.apply): the call is 10% of this op
    t._data = out
    t._rg = False
    t.grad_fn = t._grad = t._vc = None
    return t


del get_array_module
