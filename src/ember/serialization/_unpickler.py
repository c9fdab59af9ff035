"""A pickle interpreter that rebuilds data, never runs code from the file.

Python's unpickler calls whatever the file names: ``GLOBAL os system`` followed by
``REDUCE`` runs a shell command. This interpreter reads the same opcodes but resolves every
global through an allow-list that the caller passes (``resolve``), calls only the
:class:`Allowed` wrappers that list hands out, and refuses the opcodes that exist to
instantiate arbitrary classes (``INST``, ``OBJ``, the extension registry, out-of-band
buffers). ``BUILD`` may only set plain attributes (``OrderedDict._metadata`` is one) on the
objects it built. The interpreter is iterative: no recursion, whatever the nesting.
"""

from __future__ import annotations

import _compat_pickle
import codecs
import pickle
import struct
from collections import Counter, OrderedDict

__all__ = ["Allowed", "Unpickler"]


class Allowed:
    """A callable the allow-list exposes: ``REDUCE`` calls ``fn(*args)``; ``NEWOBJ`` calls
    ``new(*args)`` (``new=True`` means ``fn``; None refuses). ``name`` is the global's dotted
    name, for messages."""

    __slots__ = ("name", "fn", "new")

    def __init__(self, name: str, fn, new=None):
        self.name = name
        self.fn = fn
        self.new = fn if new is True else new

    def __repr__(self) -> str:
        return f"<allowed global {self.name}>"


_BUILDABLE = (OrderedDict, Counter)


def _op(code: bytes) -> int:
    return code[0]


class Unpickler:
    """Interpret the pickles in ``data`` one after another (``load()`` returns the next).

    ``resolve(module, name)`` returns the object a global stands for or raises
    :class:`pickle.UnpicklingError`; ``persistent_load(pid)`` returns what a persistent id
    refers to; ``buildable`` lists the extra types whose instances ``BUILD`` may set plain
    attributes on; ``build(inst, state)`` may handle ``BUILD`` first (returning True), for
    classes the user allowed; ``label`` names the file in messages.
    """

    def __init__(
        self,
        data,
        *,
        resolve,
        persistent_load,
        label: str,
        buildable: tuple = (),
        build=None,
        encoding: str = "utf-8",
    ):
        self.data = bytes(data)
        self.pos = 0
        self.resolve = resolve
        self.persistent_load = persistent_load
        self.label = label
        self.buildable = _BUILDABLE + tuple(buildable)
        self.build_hook = build
        self.encoding = encoding

    # -- reading the stream ------------------------------------------------------------------
    def _read(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise pickle.UnpicklingError("pickle data was truncated")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def _line(self) -> bytes:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise pickle.UnpicklingError("pickle data was truncated")
        chunk = self.data[self.pos : end]
        self.pos = end + 1
        return chunk

    def _uint(self, fmt: str, size: int) -> int:
        return struct.unpack(fmt, self._read(size))[0]

    def _fail(self, message: str):
        raise pickle.UnpicklingError(f"{self.label}: {message}")

    # -- the interpreter ---------------------------------------------------------------------
    def load(self):
        """The next object of the stream."""
        self.stack = []
        self.metastack = []
        self.memo = {}
        dispatch = self._dispatch
        start = self.pos
        try:
            while True:
                if self.pos >= len(self.data):
                    raise pickle.UnpicklingError("pickle data was truncated")
                code = self.data[self.pos]
                self.pos += 1
                handler = dispatch.get(code)
                if handler is None:
                    self._fail(
                        f"unsupported pickle opcode {bytes([code])!r} at byte {self.pos - 1}"
                    )
                if handler(self) is _STOP:
                    return self.stack.pop()
        except pickle.UnpicklingError as exc:
            if str(exc).startswith(self.label):
                raise
            raise pickle.UnpicklingError(f"{self.label}: {exc}") from None
        except (IndexError, KeyError, TypeError, ValueError, struct.error, UnicodeError) as exc:
            raise pickle.UnpicklingError(
                f"{self.label}: malformed pickle data near byte {self.pos - start} "
                f"({type(exc).__name__}: {exc})"
            ) from None

    def _pop_mark(self) -> list:
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    # stack and memo
    def _mark(self):
        self.metastack.append(self.stack)
        self.stack = []

    def _stop(self):
        if len(self.stack) != 1 or self.metastack:
            self._fail("malformed pickle data: the stack is unbalanced at STOP")
        return _STOP

    def _pop(self):
        if self.stack:
            self.stack.pop()
        else:
            self._pop_mark()

    def _pop_mark_op(self):
        self._pop_mark()

    def _dup(self):
        self.stack.append(self.stack[-1])

    def _proto(self):
        proto = self._read(1)[0]
        if proto > pickle.HIGHEST_PROTOCOL:
            self._fail(f"unsupported pickle protocol {proto}")

    def _frame(self):
        self._read(8)

    def _put(self):
        self.memo[int(self._line())] = self.stack[-1]

    def _binput(self):
        self.memo[self._read(1)[0]] = self.stack[-1]

    def _long_binput(self):
        self.memo[self._uint("<I", 4)] = self.stack[-1]

    def _memoize(self):
        self.memo[len(self.memo)] = self.stack[-1]

    def _get(self):
        self.stack.append(self._memo_get(int(self._line())))

    def _binget(self):
        self.stack.append(self._memo_get(self._read(1)[0]))

    def _long_binget(self):
        self.stack.append(self._memo_get(self._uint("<I", 4)))

    def _memo_get(self, key):
        if key not in self.memo:
            self._fail(f"malformed pickle data: memo key {key} is not defined")
        return self.memo[key]

    # numbers, strings
    def _none(self):
        self.stack.append(None)

    def _true(self):
        self.stack.append(True)

    def _false(self):
        self.stack.append(False)

    def _int(self):
        line = self._line()
        if line == b"00":
            value = False
        elif line == b"01":
            value = True
        else:
            value = int(line)
        self.stack.append(value)

    def _binint(self):
        self.stack.append(self._uint("<i", 4))

    def _binint1(self):
        self.stack.append(self._read(1)[0])

    def _binint2(self):
        self.stack.append(self._uint("<H", 2))

    def _long(self):
        line = self._line()
        self.stack.append(int(line[:-1] if line.endswith(b"L") else line))

    def _long1(self):
        n = self._read(1)[0]
        self.stack.append(int.from_bytes(self._read(n), "little", signed=True))

    def _long4(self):
        n = self._uint("<i", 4)
        self.stack.append(int.from_bytes(self._read(n), "little", signed=True))

    def _float(self):
        self.stack.append(float(self._line()))

    def _binfloat(self):
        self.stack.append(self._uint(">d", 8))

    def _py2_string(self, raw: bytes):
        if self.encoding == "bytes":
            return raw
        return raw.decode(self.encoding, "strict")

    def _string(self):
        line = self._line()
        if len(line) < 2 or line[0] != line[-1] or line[:1] not in (b'"', b"'"):
            self._fail("malformed pickle data: the STRING opcode argument must be quoted")
        self.stack.append(self._py2_string(codecs.escape_decode(line[1:-1])[0]))

    def _binstring(self):
        self.stack.append(self._py2_string(self._read(self._uint("<i", 4))))

    def _short_binstring(self):
        self.stack.append(self._py2_string(self._read(self._read(1)[0])))

    def _unicode(self):
        self.stack.append(str(self._line(), "raw-unicode-escape"))

    def _binunicode(self):
        self.stack.append(str(self._read(self._uint("<I", 4)), "utf-8", "surrogatepass"))

    def _binunicode8(self):
        self.stack.append(str(self._read(self._uint("<Q", 8)), "utf-8", "surrogatepass"))

    def _short_binunicode(self):
        self.stack.append(str(self._read(self._read(1)[0]), "utf-8", "surrogatepass"))

    def _binbytes(self):
        self.stack.append(self._read(self._uint("<I", 4)))

    def _binbytes8(self):
        self.stack.append(self._read(self._uint("<Q", 8)))

    def _short_binbytes(self):
        self.stack.append(self._read(self._read(1)[0]))

    def _bytearray8(self):
        self.stack.append(bytearray(self._read(self._uint("<Q", 8))))

    # containers
    def _empty_list(self):
        self.stack.append([])

    def _empty_tuple(self):
        self.stack.append(())

    def _empty_dict(self):
        self.stack.append({})

    def _empty_set(self):
        self.stack.append(set())

    # (each pops the mark before touching self.stack, which _pop_mark replaces)
    def _list(self):
        items = self._pop_mark()
        self.stack.append(items)

    def _tuple(self):
        items = tuple(self._pop_mark())
        self.stack.append(items)

    def _tuple1(self):
        self.stack[-1] = (self.stack[-1],)

    def _tuple2(self):
        b = self.stack.pop()
        self.stack[-1] = (self.stack[-1], b)

    def _tuple3(self):
        c = self.stack.pop()
        b = self.stack.pop()
        self.stack[-1] = (self.stack[-1], b, c)

    def _dict(self):
        items = self._pop_mark()
        self.stack.append({items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)})

    def _frozenset(self):
        items = frozenset(self._pop_mark())
        self.stack.append(items)

    def _target(self, kinds, opname):
        target = self.stack[-1]
        if not isinstance(target, kinds):
            self._fail(f"{opname} on a {type(target).__name__} is not allowed")
        return target

    def _append(self):
        value = self.stack.pop()
        self._target(list, "APPEND").append(value)

    def _appends(self):
        items = self._pop_mark()
        self._target(list, "APPENDS").extend(items)

    def _setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._target(dict, "SETITEM")[key] = value

    def _setitems(self):
        items = self._pop_mark()
        target = self._target(dict, "SETITEMS")
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]

    def _additems(self):
        items = self._pop_mark()
        self._target(set, "ADDITEMS").update(items)

    # globals, calls, persistent ids
    def _global(self):
        module = self._line().decode("utf-8")
        name = self._line().decode("utf-8")
        self.stack.append(self._resolve(module, name))

    def _stack_global(self):
        name = self.stack.pop()
        module = self.stack.pop()
        if type(name) is not str or type(module) is not str:
            self._fail("malformed pickle data: STACK_GLOBAL needs two strings")
        self.stack.append(self._resolve(module, name))

    def _resolve(self, module: str, name: str):
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        return self.resolve(module, name)

    def _reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not isinstance(func, Allowed):
            self._fail(f"calling {_describe(func)} is not allowed")
        if type(args) is not tuple:
            self._fail(f"malformed pickle data: the arguments of {func.name} are not a tuple")
        self.stack[-1] = func.fn(*args)

    def _newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(self._new(cls, args, {}))

    def _newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(self._new(cls, args, kwargs))

    def _new(self, cls, args, kwargs):
        if not isinstance(cls, Allowed) or cls.new is None:
            self._fail(f"creating an instance of {_describe(cls)} is not allowed")
        if type(args) is not tuple or type(kwargs) is not dict or kwargs:
            self._fail(f"malformed pickle data: bad arguments to {cls.name}")
        return cls.new(*args)

    def _build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if state is None:
            return
        if self.build_hook is not None and self.build_hook(inst, state):
            return
        if not isinstance(inst, self.buildable):
            self._fail(f"setting the state of a {type(inst).__name__} is not allowed")
        if type(state) is tuple and len(state) == 2 and state[1] is None:
            state = state[0]
        if not isinstance(state, dict):
            self._fail(f"the state of a {type(inst).__name__} must be a dict")
        for key, value in state.items():
            if type(key) is not str or key.startswith("__") or hasattr(type(inst), key):
                self._fail(f"setting attribute {key!r} of a {type(inst).__name__} is not allowed")
            object.__setattr__(inst, key, value)

    def _persid(self):
        pid = self._line().decode("ascii")
        self.stack.append(self.persistent_load(pid))

    def _binpersid(self):
        pid = self.stack.pop()
        self.stack.append(self.persistent_load(pid))

    def _inst(self):
        module = self._line().decode("utf-8")
        name = self._line().decode("utf-8")
        self._fail(f"the INST opcode (creating an instance of {module}.{name}) is not allowed")

    def _refused(self):
        code = self.data[self.pos - 1]
        self._fail(f"the pickle opcode {_NAMES.get(code, hex(code))} is not allowed")


_STOP = object()


def _describe(obj) -> str:
    if isinstance(obj, Allowed):
        return obj.name
    return f"a {type(obj).__name__} object ({obj!r:.60})"


_NAMES = {op.code.encode("latin-1")[0]: op.name for op in __import__("pickletools").opcodes}

U = Unpickler
Unpickler._dispatch = {
    _op(pickle.MARK): U._mark,
    _op(pickle.STOP): U._stop,
    _op(pickle.POP): U._pop,
    _op(pickle.POP_MARK): U._pop_mark_op,
    _op(pickle.DUP): U._dup,
    _op(pickle.PROTO): U._proto,
    _op(pickle.FRAME): U._frame,
    _op(pickle.PUT): U._put,
    _op(pickle.BINPUT): U._binput,
    _op(pickle.LONG_BINPUT): U._long_binput,
    _op(pickle.MEMOIZE): U._memoize,
    _op(pickle.GET): U._get,
    _op(pickle.BINGET): U._binget,
    _op(pickle.LONG_BINGET): U._long_binget,
    _op(pickle.NONE): U._none,
    _op(pickle.NEWTRUE): U._true,
    _op(pickle.NEWFALSE): U._false,
    _op(pickle.INT): U._int,
    _op(pickle.BININT): U._binint,
    _op(pickle.BININT1): U._binint1,
    _op(pickle.BININT2): U._binint2,
    _op(pickle.LONG): U._long,
    _op(pickle.LONG1): U._long1,
    _op(pickle.LONG4): U._long4,
    _op(pickle.FLOAT): U._float,
    _op(pickle.BINFLOAT): U._binfloat,
    _op(pickle.STRING): U._string,
    _op(pickle.BINSTRING): U._binstring,
    _op(pickle.SHORT_BINSTRING): U._short_binstring,
    _op(pickle.UNICODE): U._unicode,
    _op(pickle.BINUNICODE): U._binunicode,
    _op(pickle.BINUNICODE8): U._binunicode8,
    _op(pickle.SHORT_BINUNICODE): U._short_binunicode,
    _op(pickle.BINBYTES): U._binbytes,
    _op(pickle.BINBYTES8): U._binbytes8,
    _op(pickle.SHORT_BINBYTES): U._short_binbytes,
    _op(pickle.BYTEARRAY8): U._bytearray8,
    _op(pickle.EMPTY_LIST): U._empty_list,
    _op(pickle.EMPTY_TUPLE): U._empty_tuple,
    _op(pickle.EMPTY_DICT): U._empty_dict,
    _op(pickle.EMPTY_SET): U._empty_set,
    _op(pickle.LIST): U._list,
    _op(pickle.TUPLE): U._tuple,
    _op(pickle.TUPLE1): U._tuple1,
    _op(pickle.TUPLE2): U._tuple2,
    _op(pickle.TUPLE3): U._tuple3,
    _op(pickle.DICT): U._dict,
    _op(pickle.FROZENSET): U._frozenset,
    _op(pickle.APPEND): U._append,
    _op(pickle.APPENDS): U._appends,
    _op(pickle.SETITEM): U._setitem,
    _op(pickle.SETITEMS): U._setitems,
    _op(pickle.ADDITEMS): U._additems,
    _op(pickle.GLOBAL): U._global,
    _op(pickle.STACK_GLOBAL): U._stack_global,
    _op(pickle.REDUCE): U._reduce,
    _op(pickle.NEWOBJ): U._newobj,
    _op(pickle.NEWOBJ_EX): U._newobj_ex,
    _op(pickle.BUILD): U._build,
    _op(pickle.PERSID): U._persid,
    _op(pickle.BINPERSID): U._binpersid,
    _op(pickle.INST): U._inst,
    _op(pickle.OBJ): U._refused,
    _op(pickle.EXT1): U._refused,
    _op(pickle.EXT2): U._refused,
    _op(pickle.EXT4): U._refused,
    _op(pickle.NEXT_BUFFER): U._refused,
    _op(pickle.READONLY_BUFFER): U._refused,
}
del U
