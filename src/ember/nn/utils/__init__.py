"""``ember.nn.utils``."""
