"""A module's registries (``_parameters``, ``_buffers``, ``_modules``), mirrored as attributes.

``module.weight`` has to find the parameter in ``module._parameters``. Torch does that in
``Module.__getattr__``, which Python calls only after its ordinary lookup has failed; on
CPython 3.11 that failure builds and formats an AttributeError and then discards it, about 6K
instructions per access (the whole ``a * b`` on 4x4 tensors takes 10K). A small model reads
its parameters and children that way on every step.

So each registry is a ``Table``: a dict that writes every entry it holds into the module's
instance ``__dict__`` as well, where the ordinary lookup finds it at once. Every way of
changing the dict (item assignment and deletion, ``pop``, ``popitem``, ``setdefault``,
``update``, ``|=``, ``clear``) keeps the mirror in step. ``Module.__getattr__`` still answers
for a registry replaced by a plain dict. A table pickles and copies as a plain dict, and
``Module.__setstate__`` makes tables of them again.
"""

from __future__ import annotations

_MISSING = object()


class Table(dict):
    """A dict whose entries are also entries of ``owner`` (a module's instance ``__dict__``)."""

    __slots__ = ("_owner",)

    def __init__(self, owner: dict, items=()):
        super().__init__(items)
        self._owner = owner
        owner.update(self)

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, value)
        self._owner[key] = value

    def __delitem__(self, key) -> None:
        dict.__delitem__(self, key)
        self._owner.pop(key, None)

    def pop(self, key, default=_MISSING):
        if key in self:
            self._owner.pop(key, None)
            return dict.pop(self, key)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self):
        key, value = dict.popitem(self)
        self._owner.pop(key, None)
        return key, value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args, **kwargs) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other):
        self.update(other)
        return self

    def clear(self) -> None:
        for key in self:
            self._owner.pop(key, None)
        dict.clear(self)

    def __reduce__(self):
        return dict, (dict(self),)
