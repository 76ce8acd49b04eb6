"""Synthetic import records with ground truth."""

from __future__ import annotations
