"""SynthConfig validation."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, datetime
from typing import Any

import pytest

from splitscan.synth import SynthConfig


def test_defaults_are_valid_and_frozen() -> None:
    cfg = SynthConfig()
    assert cfg.jurisdictions == ("KR", "US")
    assert cfg.n_days == 365
    with pytest.raises(FrozenInstanceError):
        cfg.records = 5  # type: ignore[misc]


def test_lists_are_coerced_to_tuples() -> None:
    cfg = SynthConfig(jurisdictions=["US"], jurisdiction_weights=[1])  # type: ignore[arg-type]
    assert cfg.jurisdictions == ("US",)
    assert cfg.jurisdiction_weights == (1,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"records": 99}, "records must be an integer"),
        ({"records": True}, "records must be an integer"),
        ({"records": 1000.0}, "records must be an integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"start_date": datetime(2025, 1, 1)}, "start_date must be a datetime.date"),
        ({"end_date": "2025-06-30"}, "end_date must be a datetime.date"),
        ({"start_date": date(2025, 2, 1), "end_date": date(2025, 1, 31)}, "is before start_date"),
        ({"start_date": date(2020, 1, 1), "end_date": date(2025, 1, 1)}, "at most 1098 are supported"),
        ({"jurisdictions": ("KR", "JP"), "jurisdiction_weights": (1, 1)}, r"unsupported jurisdiction\(s\) \['JP'\]"),
        ({"jurisdictions": "KR"}, "must be a tuple of country codes"),
        ({"jurisdictions": (), "jurisdiction_weights": ()}, "must not be empty"),
        ({"jurisdictions": ("KR", "KR")}, "must be distinct"),
        ({"jurisdiction_weights": (1.0,)}, "has 1 values for 2 jurisdictions"),
        ({"jurisdiction_weights": (1.0, 0.0)}, "finite and > 0"),
        ({"jurisdiction_weights": (1.0, float("nan"))}, "finite and > 0"),
        ({"fraud_rate": 0.31}, r"fraud_rate must be a number in \[0, 0.3\]"),
        ({"fraud_rate": -0.01}, "fraud_rate must be a number"),
        ({"bad_row_rate": 0.2}, "bad_row_rate must be a number"),
        ({"carrier_split_rate": "0.1"}, "carrier_split_rate must be a number"),
        ({"noise": "medium"}, "noise must be one of low, default, high"),
        ({"file_format": "xml"}, "file_format must be one of csv, parquet, jsonl"),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SynthConfig(**kwargs)
