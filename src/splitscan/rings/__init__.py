"""Nominee-ring detection: the consignee graph in Spark, bounded groups, NetworkX per group, scored findings."""

from __future__ import annotations

from splitscan.rings.analysis import ANALYSIS_SCHEMA, AnalysisSettings, analyse_group, analyse_groups
from splitscan.rings.findings import (
    FindingSettings,
    describe_rings,
    ring_evidence,
    ring_members,
    ring_supply,
    with_score,
)
from splitscan.rings.graph import (
    ADDRESS_KINDS,
    ATTRIBUTE_COLUMNS,
    DEFAULT_WEIGHTS,
    EdgeSettings,
    attribute_edges,
    attribute_pairs,
    build_edges,
    delivery_point,
    entity_attributes,
    entity_homes,
    forwarder_values,
    with_house_key,
    with_supply,
)
from splitscan.rings.partition import edges_within, group_components, label_propagation, supply_backed
from splitscan.rings.picture import PictureStage, picture_path, render_ring_svg, write_picture
from splitscan.rings.thresholds import THRESHOLD_SCHEMA, thresholds_from_rules, with_threshold

__all__ = [
    "ADDRESS_KINDS",
    "ANALYSIS_SCHEMA",
    "ATTRIBUTE_COLUMNS",
    "DEFAULT_WEIGHTS",
    "THRESHOLD_SCHEMA",
    "AnalysisSettings",
    "EdgeSettings",
    "FindingSettings",
    "PictureStage",
    "analyse_group",
    "analyse_groups",
    "attribute_edges",
    "attribute_pairs",
    "build_edges",
    "delivery_point",
    "describe_rings",
    "edges_within",
    "entity_attributes",
    "entity_homes",
    "forwarder_values",
    "group_components",
    "label_propagation",
    "picture_path",
    "render_ring_svg",
    "ring_evidence",
    "ring_members",
    "ring_supply",
    "supply_backed",
    "thresholds_from_rules",
    "with_house_key",
    "with_score",
    "with_supply",
    "with_threshold",
    "write_picture",
]
