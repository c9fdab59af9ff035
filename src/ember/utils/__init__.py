"""``ember.utils``: data loading (``ember.utils.data``) and hook handles."""

from . import hooks

__all__ = ["hooks"]
