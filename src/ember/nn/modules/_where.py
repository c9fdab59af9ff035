"""Errors that say where: an exception escaping a module's ``forward`` names the module.

``Module.__call__`` catches an exception on its way out, prepends where it happened to its
message and re-raises the same object (same type, same traceback, so the traceback still
ends at the user's line)::

    RuntimeError: CustomMLP.fc2 (CustomLinearLayer): matmul: x of shape (5, 20) cannot be
    multiplied with weight.t() of shape (50, 30): mat1 and mat2 shapes cannot be multiplied
    (5x20 and 50x30)

The innermost module writes the note once; each enclosing module's ``__call__`` then only
prefixes its own name, so the final text carries the full path from the outermost module
called. The detail comes from the traceback: when the error came out of an ember operation
called from the user's ``forward``, the failing expression is read back from the source (the
exact span Python records for the instruction) and its operands are matched with the
arguments the operation received, giving each operand's source text and shape. Otherwise the
detail lists the module's own tensor arguments. Nothing is computed unless an error escapes.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os

from ...tensor import Tensor

__all__ = ["annotate"]

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
_MATMUL_OPS = {"matmul", "mm", "bmm", "mv", "__matmul__", "__rmatmul__"}
_SHAPE_WORDS = ("cannot be multiplied", "size mismatch", "shapes", "size of tensor")


class _Where:
    """The note carried by an annotated exception while it climbs the module tree."""

    __slots__ = ("top", "parts", "desc", "detail", "message")


def annotate(exc: BaseException, module, args: tuple, kwargs: dict) -> None:
    """Rewrite ``exc``'s message to say that it escaped from ``module``."""
    try:
        _annotate(exc, module, args, kwargs)
    except Exception:  # noqa: BLE001 - the note is a courtesy; never replace the user's error
        pass


def _rewritable(exc: BaseException) -> bool:
    if isinstance(exc, (StopIteration, StopAsyncIteration, Warning)):
        return False
    if len(exc.args) > 1 or (exc.args and not isinstance(exc.args[0], str)):
        return False
    str_fn = type(exc).__str__
    return str_fn is BaseException.__str__ or str_fn is AttributeError.__str__


def _annotate(exc, module, args, kwargs) -> None:
    where = exc.__dict__.get("_ember_where")
    if where is None:
        if not _rewritable(exc) or _from_base_forward(exc.__traceback__):
            return
        where = _Where()
        where.top = module
        where.parts = []
        where.desc = _describe(module)
        where.message = exc.args[0] if exc.args else ""
        where.detail = _op_detail(exc.__traceback__, where.message)
        if where.detail is None:
            where.detail = _inputs_detail(module, args, kwargs)
        exc._ember_where = where
    else:
        if where.top is module:
            return
        name = _child_path(module, where.top)
        if name is None:
            return
        where.parts = name.split(".") + where.parts
        where.top = module
    exc.args = (_render(where),)


def _from_base_forward(tb) -> bool:
    """The error is Module.forward's own 'missing forward', which names the module already."""
    from .module import Module

    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code is Module.forward.__code__


def _render(where: _Where) -> str:
    if where.parts:
        head = type(where.top).__name__ + "".join("." + p for p in where.parts)
        head = f"{head} ({where.desc})"
    else:
        head = where.desc
    pieces = [head]
    if where.detail:
        pieces.append(where.detail)
    if where.message:
        pieces.append(where.message)
    return ": ".join(pieces)


def _describe(module) -> str:
    """``Linear(in_features=4, out_features=5, bias=True)`` for a layer with a one-line
    extra_repr, else the class name."""
    name = type(module).__name__
    extra = module.extra_repr()
    if extra and "\n" not in extra and len(extra) <= 80:
        return f"{name}({extra})"
    return name


def _child_path(parent, child) -> str | None:
    for key, m in parent._modules.items():
        if m is child:
            return key
    for key, m in parent.named_modules():
        if m is child and key:
            return key
    return None


def _shape(t: Tensor) -> str:
    return str(tuple(t._data.shape))


def _list(entries) -> str:
    """'a of shape (2,)', 'a of shape (2,) and b of shape (3,)', 'a ..., b ... and c ...'."""
    dtypes = {t._data.dtype for _, t in entries}
    words = []
    for name, t in entries:
        text = f"{name} of shape {_shape(t)}"
        if len(dtypes) > 1 or t._data.dtype.kind not in "fc":
            text += f" ({t.dtype})".replace("ember.", "")
        words.append(text)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _inputs_detail(module, args, kwargs) -> str:
    """'input of shape (3, 7)': the module's own tensor arguments, named as in forward."""
    try:
        bound = inspect.signature(module.forward).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        bound = {f"input{i}" if i else "input": a for i, a in enumerate(args)}
        bound.update(kwargs)
    entries = []
    for name, value in bound.items():
        if isinstance(value, Tensor):
            entries.append((name, value))
        elif isinstance(value, (tuple, list)):
            entries += [(f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, Tensor)]
    return _list(entries) if entries else ""


# -- the failing expression ------------------------------------------------------------------------
def _in_ember(tb) -> bool:
    return tb.tb_frame.f_code.co_filename.startswith(_EMBER_DIR)


def _op_detail(tb, message: str) -> str | None:
    """'matmul: x of shape (5, 20) cannot be multiplied with weight.t() of shape (50, 30)' when
    an ember op called from user code raised; None otherwise."""
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    if not frames or not _in_ember(frames[-1]):
        return None
    j = len(frames) - 1
    while j >= 0 and _in_ember(frames[j]):
        j -= 1
    if j < 0:
        return None
    node = _failing_node(frames[j])
    if node is None:
        return None
    op_frame = frames[j + 1].tb_frame
    op = op_frame.f_code.co_name
    entries = _operands(node, op_frame)
    if not entries:
        return None
    name = _op_name(op)
    if op in _MATMUL_OPS and len(entries) == 2 and any(w in message for w in _SHAPE_WORDS):
        (a, ta), (b, tb_) = entries
        return (
            f"{name}: {a} of shape {_shape(ta)} cannot be multiplied with {b} of shape "
            f"{_shape(tb_)}"
        )
    return f"{name}: {_list(entries)}"


def _op_name(code_name: str) -> str:
    if code_name == "__getitem__":
        return "indexing"
    if code_name == "__setitem__":
        return "index assignment"
    if code_name.startswith("__") and code_name.endswith("__"):
        core = code_name[2:-2]
        if core.startswith("r") and core[1:] in _BINARY:
            core = core[1:]
        if core.startswith("i") and core[1:] in _BINARY:
            core = core[1:]
        return core
    return code_name


_BINARY = {
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
    "lshift", "rshift",
}  # fmt: skip


def _failing_node(tb):
    """The AST of the expression whose evaluation raised in frame ``tb``."""
    code = tb.tb_frame.f_code
    positions = list(code.co_positions())
    index = tb.tb_lasti // 2
    if index >= len(positions):
        return None
    lineno, end_lineno, col, end_col = positions[index]
    if None in (lineno, end_lineno, col, end_col):
        return None
    lines = [linecache.getline(code.co_filename, n) for n in range(lineno, end_lineno + 1)]
    if not lines or not lines[0]:
        return None
    # Python records byte offsets into the UTF-8 line
    if lineno == end_lineno:
        text = lines[0].encode()[col:end_col].decode()
    else:
        first = lines[0].encode()[col:].decode()
        last = lines[-1].encode()[:end_col].decode()
        text = first + "".join(lines[1:-1]) + last
    try:
        return ast.parse("(" + text + "\n)", mode="eval").body
    except SyntaxError:
        return None


def _operands(node, frame) -> list:
    """(source text, tensor) for each tensor the op received, matched with the expression's
    operands through the op's parameter names."""
    code = frame.f_code
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    if not params:
        return []
    if isinstance(node, ast.Call):
        if any(isinstance(a, ast.Starred) for a in node.args):
            return []
        exprs = list(node.args)
        if params[0] == "self" and isinstance(node.func, ast.Attribute):
            exprs.insert(0, node.func.value)
        pairs = list(zip(params, exprs))
        pairs += [(kw.arg, kw.value) for kw in node.keywords if kw.arg in params]
    elif isinstance(node, ast.BinOp):
        exprs = [node.left, node.right]
        name = code.co_name
        if name.startswith("__r") and name[3:-2] in _BINARY:
            exprs.reverse()
        pairs = list(zip(params, exprs))
    elif isinstance(node, ast.Subscript):
        pairs = [(params[0], node.value)]
    else:
        return []
    values = frame.f_locals
    out = []
    for param, expr in pairs:
        value = values.get(param)
        if isinstance(value, Tensor):
            out.append((_source(expr), value))
    return out


class _DropSelf(ast.NodeTransformer):
    """``self.weight`` -> ``weight``: the module path already says whose attribute it is."""

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return ast.copy_location(ast.Name(id=node.attr, ctx=node.ctx), node)
        return node


def _source(expr) -> str:
    text = ast.unparse(_DropSelf().visit(expr))
    if len(text) > 60:
        text = text[:57] + "..."
    return text
