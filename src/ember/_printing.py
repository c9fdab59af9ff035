"""Tensor printing in PyTorch's format: ``tensor([[1.7575, 1.6852]])``.

One formatter per tensor picks the mode from the nonzero finite values: integers print as
``1.``, values spanning more than three orders of magnitude (or above 1e8, or below 1e-4) in
scientific notation, others with ``precision`` decimals; every element is right-aligned to the
widest. Past ``threshold`` elements only ``edgeitems`` rows and columns print, around ``...``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .backend import to_numpy

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr", "printoptions"]


@dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


OPTS = _Options()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """Set how tensors print (torch's arguments and profiles 'default', 'short', 'full')."""
    if profile is not None:
        if profile == "default":
            OPTS.precision, OPTS.threshold, OPTS.edgeitems, OPTS.linewidth = 4, 1000, 3, 80
        elif profile == "short":
            OPTS.precision, OPTS.threshold, OPTS.edgeitems, OPTS.linewidth = 2, 1000, 2, 80
        elif profile == "full":
            OPTS.precision, OPTS.threshold, OPTS.edgeitems, OPTS.linewidth = 4, math.inf, 3, 80
    if precision is not None:
        OPTS.precision = precision
    if threshold is not None:
        OPTS.threshold = threshold
    if edgeitems is not None:
        OPTS.edgeitems = edgeitems
    if linewidth is not None:
        OPTS.linewidth = linewidth
    OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    return dict(vars(OPTS))


class printoptions:
    """Context manager: print options inside the block, restored after."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __enter__(self):
        self.saved = get_printoptions()
        set_printoptions(**self.kwargs)

    def __exit__(self, *exc):
        set_printoptions(**{k: v for k, v in self.saved.items()})


class _Formatter:
    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat.astype(np.float64)
        finite = vals[np.isfinite(vals) & (vals != 0)]
        if finite.size == 0:
            return
        absv = np.abs(finite)
        vmin, vmax = absv.min(), absv.max()
        p = OPTS.precision
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = bool(vmax / vmin > 1000.0 or vmax > 1.0e8)
        else:
            self.sci_mode = bool(vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4)
        if OPTS.sci_mode is not None:
            self.sci_mode = OPTS.sci_mode
        # the width follows the mode finally chosen (a forced sci_mode included)
        items = finite.tolist()
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{p}e}") for v in items)
        elif self.int_mode:
            self.max_width = max(len(f"{v:.0f}") + 1 for v in items)
        else:
            self.max_width = max(len(f"{v:.{p}f}") for v in items)

    def format(self, value) -> str:
        if self.floating:
            p = OPTS.precision
            if self.sci_mode:
                s = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."
            else:
                s = f"{value:.{p}f}"
        else:
            s = str(value)
        return (self.max_width - len(s)) * " " + s


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements that will print (edges only), to pick the format from."""
    e = OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate([a[:e], a[-e:]]) if a.shape[0] > 2 * e else a
    if a.shape[0] > 2 * e:
        rows = list(range(e)) + list(range(a.shape[0] - e, a.shape[0]))
    else:
        rows = range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, int(math.floor((OPTS.linewidth - indent) / (fmt.max_width + 2))))
    e = OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        data = [fmt.format(v) for v in a[:e].tolist()] + [" ..."]
        data += [fmt.format(v) for v in a[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    e = OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in range(e)]
        parts += ["..."]
        parts += [_body(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)]
    else:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_str(a: np.ndarray, indent: int) -> str:
    """The bracketed values of array ``a`` as torch prints them."""
    if a.size == 0:
        return "[]"
    summarize = a.size > OPTS.threshold
    floating = a.dtype.kind == "f"
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    fmt = _Formatter(_summarized(a) if summarize else a, floating)
    return _body(a, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes, indent: int) -> str:
    out = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(t) -> str:
    """``repr(t)`` for a Tensor or Parameter, exactly in torch's layout."""
    from .dtypes import bool_, get_default_dtype, int64

    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    a = to_numpy(t._data)
    if not t.is_cpu:
        suffixes.append(f"device='{t.device}'")
    dt = t.dtype
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if dt is not get_default_dtype():
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if dt not in (get_default_dtype(), int64, bool_):
            suffixes.append(f"dtype={dt!r}")
        body = tensor_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
