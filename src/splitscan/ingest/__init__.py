"""Ingest stage: readers per source format into canonical records, standardisation and FX conversion."""

from __future__ import annotations

__all__: list[str] = []
