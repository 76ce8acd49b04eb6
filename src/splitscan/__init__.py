"""splitscan: split-shipment and nominee-ring detection in customs import records."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
