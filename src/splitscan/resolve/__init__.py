"""Consignee resolution: records linked by pairwise match scores become consignee entities with stable IDs."""

from __future__ import annotations

from splitscan.resolve.addresses import (
    ADDRESS_FEATURE_COLUMNS,
    UNIT_RELATIONS,
    ParsedAddress,
    address_features,
    parse_address,
    unit_relation,
)
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
from splitscan.resolve.names import (
    NAME_FEATURE_COLUMNS,
    ParsedName,
    canonical_surname,
    given_name_similarity,
    name_features,
    name_key,
    name_phonetic_key,
    name_sorted_key,
    parse_name,
    phonetic_code,
    romanise_hangul,
)

__all__ = [
    "ADDRESS_FEATURE_COLUMNS",
    "NAME_FEATURE_COLUMNS",
    "UNIT_RELATIONS",
    "ComponentsNotConvergedError",
    "ComponentsResult",
    "ParsedAddress",
    "ParsedName",
    "StableIds",
    "address_features",
    "assign_stable_ids",
    "assign_stable_ids_with_history",
    "canonical_surname",
    "component_sizes",
    "connected_components",
    "given_name_similarity",
    "guarded_components",
    "name_features",
    "name_key",
    "name_phonetic_key",
    "name_sorted_key",
    "parse_address",
    "parse_name",
    "phonetic_code",
    "romanise_hangul",
    "run_connected_components",
    "unit_relation",
]
