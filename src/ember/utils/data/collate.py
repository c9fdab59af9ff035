"""Turning a list of samples into a batch (``default_collate``) and one sample's arrays into
tensors (``default_convert``, used when automatic batching is off).

``collate`` dispatches on the type of the batch's first element through ``collate_fn_map``
(type -> function), so a user can extend ``default_collate_fn_map`` with their own types.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

import numpy as np

from ...dtypes import float64
from ...ops.creation import as_tensor, tensor
from ...ops.shape import stack
from ...tensor import Tensor

__all__ = [
    "collate",
    "default_collate",
    "default_collate_fn_map",
    "default_convert",
]

# NumPy dtypes that have no tensor counterpart: bytes, str and object arrays.
_NP_STR_OBJ = re.compile(r"[SaUO]")

_TYPE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_namedtuple(obj) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def default_convert(data):
    """Arrays and NumPy scalars in ``data`` become tensors, recursively through mappings,
    namedtuples and sequences (tuples come back as lists, as in torch); strings, numbers and
    everything else are returned unchanged."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray | np.generic) and not isinstance(data, np.str_ | np.bytes_):
        if _NP_STR_OBJ.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, str | bytes):
        converted = [default_convert(d) for d in data]
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data


def _collate_tensor(batch, *, collate_fn_map=None):
    return stack(list(batch), 0)


def _collate_ndarray(batch, *, collate_fn_map=None):
    if _NP_STR_OBJ.search(batch[0].dtype.str) is not None:
        raise TypeError(_TYPE_ERROR.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _collate_numpy_scalar(batch, *, collate_fn_map=None):
    return as_tensor(np.asarray(batch))


def _collate_float(batch, *, collate_fn_map=None):
    return tensor(list(batch), dtype=float64)


def _collate_int(batch, *, collate_fn_map=None):
    return tensor(list(batch))


def _collate_str(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: _collate_tensor,
    np.ndarray: _collate_ndarray,
    np.bool_: _collate_numpy_scalar,
    np.number: _collate_numpy_scalar,
    float: _collate_float,
    int: _collate_int,
    str: _collate_str,
    bytes: _collate_str,
}


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate ``batch`` (a list of samples of one structure) by the type of its first
    element: a type found in ``collate_fn_map`` (exactly, then by ``isinstance``) uses that
    function; mappings collate key by key, namedtuples field by field, and other sequences
    position by position (their samples must all have the same length)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for known_type, fn in collate_fn_map.items():
            if isinstance(elem, known_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        collated = {
            key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem
        }
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        try:
            return elem_type(collated)
        except TypeError:
            return collated
    if _is_namedtuple(elem):
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # torch returns a list for tuples
        try:
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_TYPE_ERROR.format(elem_type))


def default_collate(batch):
    """A batch from a list of samples, keeping their structure: tensors are stacked on a new
    first dim; NumPy arrays and scalars become stacked tensors; Python floats a float64
    tensor, ints (and bools) an int64 (bool) tensor; strings and bytes stay a sequence; dicts,
    namedtuples, tuples and lists are collated field by field (tuples become lists).

    >>> default_collate([(0, 'a'), (1, 'b')])
    [tensor([0, 1]), ('a', 'b')]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
