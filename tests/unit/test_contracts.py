from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql.types import (
    ArrayType,
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from splitscan.contracts import ContractError, Expectation, _parse, load_contract, parse_type


def test_raw_contract_to_spark_schema() -> None:
    schema = load_contract("raw/import_declarations").schema
    assert schema.fields[:7] == [
        StructField("record_id", StringType(), False),
        StructField("destination_country", StringType(), False),
        StructField("arrival_date", DateType(), False),
        StructField("consignee_name", StringType(), False),
        StructField("consignee_address", StringType(), False),
        StructField("declared_value", DecimalType(18, 2), False),
        StructField("currency", StringType(), False),
    ]
    assert [f.name for f in schema.fields[7:]] == [
        "channel",
        "order_date",
        "declaration_date",
        "consignee_postcode",
        "consignee_phone",
        "consignee_id",
        "consignee_email",
        "shipper_name",
        "shipper_country",
        "seller_id",
        "platform",
        "order_id",
        "tracking_number",
        "master_awb",
        "hs_code",
        "goods_description",
        "quantity",
        "gross_weight_kg",
        "origin_country",
    ]
    assert schema["quantity"] == StructField("quantity", IntegerType(), True)
    assert schema["gross_weight_kg"] == StructField("gross_weight_kg", DecimalType(12, 3), True)


def test_keys_and_partitions_come_from_the_contracts() -> None:
    assert load_contract("raw/import_declarations").primary_key == ("record_id",)
    assert load_contract("silver/import_records").partition_by == ("arrival_month",)
    assert load_contract("silver/quarantine").primary_key == ("source_file", "source_row", "rule", "field")
    assert load_contract("silver/ingest_log").primary_key == ("file_path", "file_size", "file_modified_at")


def test_required_columns_are_the_issue_list() -> None:
    assert load_contract("raw/import_declarations").required_columns == [
        "record_id",
        "destination_country",
        "arrival_date",
        "consignee_name",
        "consignee_address",
        "declared_value",
        "currency",
    ]


def test_silver_schema_types() -> None:
    schema = load_contract("silver/import_records").schema
    assert schema["quality_flags"].dataType == ArrayType(StringType(), containsNull=True)
    assert schema["source_row"].dataType == LongType()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string", StringType()),
        ("decimal(18, 2)", DecimalType(18, 2)),
        ("array<long>", ArrayType(LongType(), True)),
    ],
)
def test_parse_type(text: str, expected: object) -> None:
    assert parse_type(text) == expected


def test_unknown_type_is_rejected_with_the_file_and_column() -> None:
    data = {"name": "x", "layer": "raw", "primary_key": ["a"], "columns": [{"name": "a", "type": "varchar"}]}
    with pytest.raises(ContractError, match=r"bad\.yaml: columns\[0\] \(a\): unknown type 'varchar'"):
        _parse(data, "bad.yaml")


def test_expectation_on_unknown_column_is_rejected() -> None:
    data = {
        "name": "x",
        "layer": "raw",
        "primary_key": ["a"],
        "columns": [{"name": "a", "type": "string"}],
        "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "b"}}],
    }
    with pytest.raises(ContractError, match="unknown column 'b'"):
        _parse(data, "bad.yaml")


def test_key_must_be_a_column() -> None:
    data = {"name": "x", "layer": "raw", "primary_key": ["id"], "columns": [{"name": "a", "type": "string"}]}
    with pytest.raises(ContractError, match="key or partition column 'id' is not a column"):
        _parse(data, "bad.yaml")


def test_parameters_are_resolved() -> None:
    exp = Expectation("expect_column_values_to_be_between", {"column": "d", "max_value": {"$PARAMETER": "m"}})
    assert exp.resolved({"m": "2025-02-01"}).kwargs == {"column": "d", "max_value": "2025-02-01"}
    with pytest.raises(ContractError, match="no value for parameter 'm'"):
        exp.resolved({})


def test_contracts_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "tiny.yaml").write_text(
        "name: tiny\nlayer: raw\nprimary_key: [a]\ncolumns:\n  - {name: a, type: string, nullable: false}\n"
    )
    monkeypatch.setenv("SPLITSCAN_CONTRACTS_DIR", str(tmp_path))
    contract = load_contract.__wrapped__("raw/tiny")
    assert contract.schema == StructType([StructField("a", StringType(), False)])
    assert contract.required_columns == ["a"]
