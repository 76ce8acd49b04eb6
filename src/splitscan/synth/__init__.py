"""Synthetic import records with injected split-shipment and nominee-ring schemes and ground-truth labels.

Usage::

    from splitscan.synth import SynthConfig, generate
    summary = generate(SynthConfig(records=200_000, seed=7), out_dir=Path("build/demo/data"))
    print(summary.describe())

See `generator.py` for the order of work, `writer.py` for the output layout and `data/ATTRIBUTION.md` for the
reference tables (KCS-derived distributions, MIT, © 2022 IBS & Korea Customs Service).
"""

from __future__ import annotations

from splitscan.synth.config import FILE_FORMATS, SUPPORTED_JURISDICTIONS, SynthConfig
from splitscan.synth.generator import GenerationSummary, generate
from splitscan.synth.noise import NOISE_LEVELS
from splitscan.synth.render import INPUT_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from splitscan.synth.schemes import SCHEME_TYPES

__all__ = [
    "FILE_FORMATS",
    "INPUT_COLUMNS",
    "NOISE_LEVELS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCHEME_TYPES",
    "SUPPORTED_JURISDICTIONS",
    "GenerationSummary",
    "SynthConfig",
    "generate",
]
