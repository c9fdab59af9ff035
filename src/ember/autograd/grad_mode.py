"""Whether operations record a graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, each a context manager and a decorator.

The flag is one process-wide attribute read on every op call, so reading it is a single
attribute load (``STATE.enabled``).
"""

from __future__ import annotations

import functools
import inspect

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
]


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self):
        self.enabled = True
        self.inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record a graph."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _DecoratorContextManager:
    """Base for grad-mode switches usable as ``with mode():`` and as ``@mode()``."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise TypeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:  # forward throw() into the generator
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            try:
                                response = gen.send(request)
                            except StopIteration as stop:
                                return stop.value

            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_DecoratorContextManager):
    """Disable graph recording inside the block: results have ``requires_grad=False``."""

    def __init__(self, orig_func=None):
        self.prev = True
        self._func = orig_func

    def __new__(cls, orig_func=None):
        # ``@no_grad`` without parentheses decorates directly, as torch allows.
        if orig_func is None or not callable(orig_func):
            return super().__new__(cls)
        return cls()(orig_func)

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc):
        STATE.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Enable graph recording inside the block, even within ``no_grad``."""

    def __new__(cls, orig_func=None):
        if orig_func is None or not callable(orig_func):
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        self.prev = True

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = True

    def __exit__(self, *exc):
        STATE.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set graph recording on or off. Takes effect at once, and as a context manager restores
    the previous mode on exit."""

    def __init__(self, mode: bool):
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.enabled = self.prev

    def clone(self):
        return type(self)(self.mode)

    def __call__(self, func):
        STATE.enabled = self.prev
        return super().__call__(func)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (ember keeps no extra per-tensor bookkeeping to skip)."""

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True):
        self.mode = bool(mode) if isinstance(mode, bool) else True
        self.prev = True
        self.prev_inference = False

    def __enter__(self):
        self.prev = STATE.enabled
        self.prev_inference = STATE.inference
        if self.mode:
            STATE.enabled = False
            STATE.inference = True

    def __exit__(self, *exc):
        STATE.enabled = self.prev
        STATE.inference = self.prev_inference

    def clone(self):
        return type(self)(self.mode)
