"""Shared type aliases."""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame

__all__ = ["Transform"]

Transform = Callable[[DataFrame], DataFrame]
