"""Anomaly detection: with it on, a backward returning NaN raises, naming the node."""

from __future__ import annotations

from .engine import Anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


def is_anomaly_enabled() -> bool:
    return Anomaly.enabled


class detect_anomaly:
    """Context manager turning anomaly detection on inside the block."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        self.prev = Anomaly.enabled

    def __enter__(self):
        self.prev = Anomaly.enabled
        Anomaly.enabled = self.check_nan

    def __exit__(self, *exc):
        Anomaly.enabled = self.prev


class set_detect_anomaly:
    """Turn anomaly detection on or off (at once, and as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = Anomaly.enabled
        Anomaly.enabled = bool(mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        Anomaly.enabled = self.prev
