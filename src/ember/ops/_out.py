"""``out=``: a result written into the caller's tensor (or pair of tensors), as torch does."""

from __future__ import annotations

import functools

from .. import return_types


def write_out(out, r, name: str | None = None, cast: bool = False, quiet: bool = False):
    """``r`` written into ``out`` (``arith._to_out``: refused where ``r`` needs a gradient,
    resized with torch's warning unless ``quiet``, cast to ``out``'s dtype when ``cast``); a
    ``(values, indices)`` result fills a pair and comes back as torch's ``<name>_out``
    tuple. ``name`` is the op's, for messages (by default read off the result's grad_fn)."""
    if out is None:
        return r
    from .arith import _to_out

    if isinstance(r, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(r):
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors")
        for o, t in zip(out, r):
            _to_out(o, t, name, cast, quiet)
        return getattr(return_types, f"{name}_out")(tuple(out))
    return _to_out(out, r, name, cast, quiet)


def takes_out(name: str, cast: bool = False, bool_out: bool = False, factory: bool = False):
    """Decorate an op computed without ``out`` so that its keyword ``out=`` is written as
    ``write_out`` writes it (``cast``: the reductions', creation's and sampling's rule, where
    the result takes ``out``'s dtype; ``bool_out``: ``out`` must be bool, as for all/any;
    ``factory``: creation and sampling, which cast and resize ``out`` without a warning)."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, out=None, **kwargs):
            r = fn(*args, **kwargs)
            if out is None:
                return r
            if bool_out and out._data.dtype.kind != "b":
                from .inplace import type_word

                raise RuntimeError(
                    f"{name} only supports bool tensor for result, got: {type_word(out.dtype)}"
                )
            return write_out(out, r, name, cast or factory, factory)

        return wrapper

    return deco
