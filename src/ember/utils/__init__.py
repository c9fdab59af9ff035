"""``ember.utils``: data loading (``ember.utils.data``) and hook handles."""

from . import data, hooks

__all__ = ["data", "hooks"]
