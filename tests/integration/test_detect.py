"""Split detection end to end: `splitscan detect` writes gold split_findings, reruns keep ids, `whatif` writes
nothing, a bad rule file exits 2 and leaves the table as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from splitscan.cli import main
from splitscan.contracts import load_contract
from splitscan.storage import conform, merge_on_keys, read_table, table_version

pytestmark = pytest.mark.integration

D = dt.date


def _seed(spark: SparkSession, warehouse: Path) -> None:
    """Two KR parcels of one entity from one supplier on one purchase date (USD 90 + 80 > 150), and noise."""
    contract = load_contract("silver/import_records")
    rows = []
    for rid, entity_day, value in (
        ("r1", D(2025, 3, 4), "90.00"),
        ("r2", D(2025, 3, 5), "80.00"),
        ("r3", D(2025, 3, 4), "20.00"),
    ):
        rows.append(
            {
                "record_id": rid,
                "destination_country": "KR",
                "arrival_date": entity_day,
                "consignee_name": "KIM",
                "consignee_address": "SEOUL",
                "declared_value": Decimal(value),
                "currency": "USD",
                "order_date": D(2025, 3, 1),
                "seller_id": "S1" if rid != "r3" else "S2",
                "shipper_country": "CN",
                "threshold_currency": "USD",
                "value_threshold_ccy": Decimal(value),
                "value_usd": Decimal(value),
                "fx_rate_date": entity_day,
                "name_std": "KIM",
                "address_std": "SEOUL",
                "quality_flags": [],
                "arrival_month": "2025-03",
                "source_file": "f.csv",
                "source_row": 1,
                "record_hash": rid,
                "run_id": "seed",
                "ingested_at": dt.datetime(2025, 3, 6),
            }
        )
    records = spark.createDataFrame([tuple(r.get(c) for c in contract.column_names) for r in rows], contract.schema)
    merge_on_keys(records, f"{warehouse}/silver/import_records", contract)
    ents = load_contract("silver/consignee_entities")
    entities = spark.createDataFrame(
        [(r, "E1" if r != "r3" else "E2", 1, "alone", [], "seed", dt.datetime(2025, 3, 6)) for r in ("r1", "r2", "r3")],
        ents.schema,
    )
    merge_on_keys(conform(entities, ents), f"{warehouse}/silver/consignee_entities", ents)


def test_detect_whatif_and_bad_rules(spark: SparkSession, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    _seed(spark, warehouse)
    args = ["--warehouse", str(warehouse), "--run-date", "2025-04-01", "--master", "local[2]"]
    assert main(["detect", *args]) == 0
    path = f"{warehouse}/gold/split_findings"
    first = read_table(spark, path).select("finding_id", "rule_id", "record_ids", "window_month").collect()
    assert [(r["rule_id"], r["record_ids"], r["window_month"]) for r in first] == [
        ("KR-SUPPLIER-DATE", ["r1", "r2"], "2025-03")
    ]

    assert main(["detect", *args]) == 0  # rerun: same ids, same rows
    assert [r["finding_id"] for r in read_table(spark, path).collect()] == [first[0]["finding_id"]]

    version = table_version(spark, path)
    lower = tmp_path / "lower.yaml"
    lower.write_text(
        "rules:\n  - id: KR-SUPPLIER-DATE\n    jurisdiction: KR\n    kind: legal\n    key: [seller_id]\n"
        "    window: calendar_month\n    currency: USD\n    versions:\n"
        "      - {valid_from: 2000-01-01, threshold: 100}\n",
        encoding="utf-8",
    )
    out = tmp_path / "diff.csv"
    assert main(["whatif", *args, "--rules", str(lower), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        "jurisdiction,month,findings_base,findings_alt,findings_gained,findings_lost,parcels_gained,parcels_lost,"
        "duty_usd_base,duty_usd_alt,duty_usd_gained,duty_usd_lost",
        "KR,2025-03,1,1,1,1,2,2,31.96,0.00,0.00,31.96",  # the alternative rule sets no duty rate
    ]
    assert table_version(spark, path) == version  # what-if writes nothing

    bad = tmp_path / "bad.yaml"
    bad.write_text(lower.read_text(encoding="utf-8").replace("currency: USD", "currency: ABC"), encoding="utf-8")
    assert main(["detect", *args, "--rules", str(bad)]) == 2
    assert table_version(spark, path) == version
    assert [r["finding_id"] for r in read_table(spark, path).collect()] == [first[0]["finding_id"]]
