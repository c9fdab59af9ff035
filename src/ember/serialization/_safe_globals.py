"""Globals the user declares safe for ``weights_only`` loading, as in ``torch.serialization``.

``add_safe_globals([MyClass, some_function])`` (or the ``safe_globals([...])`` context
manager) lets checkpoints name those objects: a function may be called (``REDUCE``), a class
called or instantiated with ``cls.__new__`` (``NEWOBJ``) and given its state (``BUILD``, through
``__setstate__`` or the instance dict). That trusts the listed objects with data from the
file, so list only what you have read. ``get_unsafe_globals_in_checkpoint(f)`` lists, without
loading anything, the globals a checkpoint names beyond what is allowed.
"""

from __future__ import annotations

import _compat_pickle
import io
import os
import pickletools

from ._unpickler import Allowed

__all__ = [
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "user_global",
    "build_user_object",
]

_USER: dict = {}  # "module.qualname" -> object


def _name_of(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals: list) -> None:
    """Mark functions and classes (or ``(object, "module.name")`` pairs, for objects saved
    under another name) as safe for ``ember.load(weights_only=True)``."""
    for item in safe_globals:
        if isinstance(item, tuple):
            obj, name = item
        else:
            obj, name = item, _name_of(item)
        if not callable(obj):
            raise TypeError(f"safe globals must be functions or classes, got {obj!r}")
        _USER[name] = obj


def get_safe_globals() -> list:
    """The user's safe globals (a pair where the name is not the object's own)."""
    return [obj if name == _name_of(obj) else (obj, name) for name, obj in _USER.items()]


def clear_safe_globals() -> None:
    _USER.clear()


class safe_globals:
    """``with safe_globals([...]):`` adds safe globals for the block only."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        self._saved = dict(_USER)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _USER.clear()
        _USER.update(self._saved)


def user_global(name: str):
    """The allow-list entry for a user's safe global, or None."""
    obj = _USER.get(name)
    if obj is None:
        return None
    if isinstance(obj, type):
        return Allowed(name, obj, lambda *args: obj.__new__(obj, *args))
    return Allowed(name, obj)


def build_user_object(inst, state) -> bool:
    """``BUILD`` for an instance of a user's safe class, as pickle does it; False when
    ``inst`` is not one."""
    if type(inst) not in _USER.values():
        return False
    setstate = getattr(inst, "__setstate__", None)
    if setstate is not None:
        setstate(state)
        return True
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    if state:
        inst.__dict__.update(state)
    for key, value in (slots or {}).items():
        setattr(inst, key, value)
    return True


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """The globals named by the checkpoint ``f`` that ``weights_only`` loading would refuse,
    found by reading its pickle's opcodes (nothing is loaded or run)."""
    from ._rebuild import Restorer

    allowed = Restorer("").allowed
    found = []
    for module, name in _globals_in(_pickle_bytes(f)):
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if full not in allowed and full not in _USER and full not in found:
            found.append(full)
    return found


def _pickle_bytes(f) -> bytes:
    """The object pickle of a checkpoint: ``data.pkl`` of a zip, the fourth pickle of a
    legacy file."""
    import zipfile

    from ._zip import ZipReader

    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as stream:
            raw = stream.read()
    else:
        raw = f.read()
    if raw[:4] == b"PK\x03\x04":
        reader = ZipReader(io.BytesIO(raw), repr(getattr(f, "name", f)))
        names = [n for n in reader.names if n.endswith("/data.pkl") or n == "data.pkl"]
        if not names:
            raise zipfile.BadZipFile("the archive holds no data.pkl")
        return bytes(reader.read(names[0]))
    stream = io.BytesIO(raw)
    for _ in range(3):  # magic number, protocol version, system info
        for _ in pickletools.genops(stream):
            pass
    return raw[stream.tell() :]


def _globals_in(data: bytes):
    """(module, name) of each GLOBAL, INST and STACK_GLOBAL in the first pickle of ``data``.
    STACK_GLOBAL takes its names from the strings pushed (or fetched from the memo) before."""
    strings = []
    memo = {}
    count = 0  # MEMOIZE's next index
    last = None  # the string on top of the stack, when the last push was one
    for op, arg, _ in pickletools.genops(data):
        kind = op.name
        if kind in ("GLOBAL", "INST"):
            module, name = arg.split(" ", 1)
            yield module, name
            last = None
        elif kind == "STACK_GLOBAL":
            if len(strings) >= 2:
                yield strings[-2], strings[-1]
            last = None
        elif isinstance(arg, str) and "UNICODE" in kind:
            strings.append(arg)
            last = arg
        elif kind in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
            index = count if kind == "MEMOIZE" else arg
            count += kind == "MEMOIZE"
            if last is not None:
                memo[index] = last
        elif kind in ("GET", "BINGET", "LONG_BINGET") and arg in memo:
            strings.append(memo[arg])
            last = memo[arg]
        else:
            last = None
