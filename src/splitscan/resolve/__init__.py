"""Consignee resolution: records linked by pairwise match scores become consignee entities with stable IDs."""

from __future__ import annotations

from splitscan.resolve.components import (
    ComponentsNotConvergedError,
    ComponentsResult,
    StableIds,
    assign_stable_ids,
    assign_stable_ids_with_history,
    component_sizes,
    connected_components,
    guarded_components,
    run_connected_components,
)

__all__ = [
    "ComponentsNotConvergedError",
    "ComponentsResult",
    "StableIds",
    "assign_stable_ids",
    "assign_stable_ids_with_history",
    "component_sizes",
    "connected_components",
    "guarded_components",
    "run_connected_components",
]
