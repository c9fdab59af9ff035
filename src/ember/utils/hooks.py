"""``RemovableHandle``: what ``register_*hook`` returns; ``remove()`` unregisters the hook."""

from __future__ import annotations

import itertools
import weakref

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """Removes one entry of a hooks dict (held weakly) on ``remove()`` or on leaving a
    ``with`` block."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(_ids)
        self.extra_dict_refs = (
            tuple(weakref.ref(d) for d in extra_dict)
            if isinstance(extra_dict, (list, tuple))
            else ((weakref.ref(extra_dict),) if extra_dict is not None else ())
        )

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref,) + self.extra_dict_refs:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
