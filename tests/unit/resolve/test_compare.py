from __future__ import annotations

from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import Row, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import IntegerType, StringType, StructField, StructType
from rapidfuzz.distance import JaroWinkler

from splitscan.resolve.compare import (
    COMPARE_INPUT_COLUMNS,
    COMPARISON_OUTPUT_COLUMNS,
    COMPARISONS,
    GAMMA_COLUMNS,
    AddressLevel,
    CustomsIdLevel,
    EmailLevel,
    NameLevel,
    PhoneLevel,
    compare_pairs,
)
from splitscan.resolve.names import given_name_similarity

_SIDE_COLUMNS = (*COMPARE_INPUT_COLUMNS, "address_std")
PAIR_SCHEMA = StructType(
    [StructField("case", StringType())]
    + [StructField(f"{c}{side}", StringType()) for c in _SIDE_COLUMNS for side in ("_l", "_r")]
)


def _pair(case: str, **fields: tuple[str | None, str | None]) -> dict[str, Any]:
    """A pair row: every side column null except `field=(left, right)`."""
    row: dict[str, Any] = {"case": case}
    for c in _SIDE_COLUMNS:
        left, right = fields.get(c, (None, None))
        row[f"{c}_l"], row[f"{c}_r"] = left, right
    return row


def _same(value: str) -> tuple[str, str]:
    return value, value


# (case id, column, expected level, pair fields)
CASES: list[tuple[str, str, int, dict[str, tuple[str | None, str | None]]]] = [
    # -- name ------------------------------------------------------------------------------------------------
    ("name_exact_std", "gamma_name", NameLevel.EXACT, {"name_std": _same("KIM MINJUN")}),
    (
        "name_exact_parts",
        "gamma_name",
        NameLevel.EXACT,
        {"name_std": ("KIM MIN JUN", "KIM MINJUN"), "surname": _same("KIM"), "given": _same("MINJUN")},
    ),
    (
        "name_given_close",
        "gamma_name",
        NameLevel.SURNAME_GIVEN_CLOSE,
        {"surname": _same("KIM"), "given": ("MINJUN", "MINJUNE")},  # JW 0.971
    ),
    (
        "name_given_similar",
        "gamma_name",
        NameLevel.SURNAME_GIVEN_SIMILAR,
        {"surname": _same("KIM"), "given": ("MINJUN", "MINJAE")},  # JW 0.867, 0.893 after romanisation folds
    ),
    (
        "name_given_romanised",
        "gamma_name",
        NameLevel.SURNAME_GIVEN_CLOSE,
        {"surname": _same("KIM"), "given": ("MINJUN", "MINJOON")},  # JW 0.910, the same after the OO->U fold
    ),
    (
        "name_given_initial",
        "gamma_name",
        NameLevel.SURNAME_GIVEN_SIMILAR,
        {"surname": _same("WHITE"), "given": ("G", "GRACE")},  # an initial: 0.85
    ),
    (
        "name_tokens_swapped",
        "gamma_name",
        NameLevel.TOKENS,
        {
            "name_std": ("KIM MINJUN", "MINJUN KIM"),
            "surname": ("KIM", "MINJUN"),
            "given": ("MINJUN", "KIM"),
            "name_tokens": _same("KIM MINJUN"),
        },
    ),
    (
        "name_tokens_fuzzy",
        "gamma_name",
        NameLevel.TOKENS,
        {"name_std": ("JIHOON KIM", "KIM JIHUN"), "name_tokens": ("JIHOON KIM", "JIHOON KIN")},
    ),
    (
        "name_surname_only",
        "gamma_name",
        NameLevel.SURNAME_ONLY,
        {"surname": _same("KIM"), "given": ("MINJUN", "SEOYEON"), "name_tokens": ("KIM MINJUN", "KIM SEOYEON")},
    ),
    (
        "name_surname_given_missing",
        "gamma_name",
        NameLevel.SURNAME_ONLY,
        {"surname": _same("KIM"), "given": ("MINJUN", None)},
    ),
    (
        "name_given_only",
        "gamma_name",
        NameLevel.GIVEN_ONLY,
        {"surname": ("LEE", "YI"), "given": _same("MINJUN"), "name_tokens": ("LEE MINJUN", "MINJUN YI")},
    ),
    (
        "name_other",
        "gamma_name",
        NameLevel.OTHER,
        {"surname": ("KIM", "PARK"), "given": ("MINJUN", "SEOYEON"), "name_tokens": ("KIM MINJUN", "PARK SEOYEON")},
    ),
    ("name_null", "gamma_name", NameLevel.NOT_COMPARABLE, {"name_std": ("KIM MINJUN", None), "surname": ("KIM", None)}),
    ("name_empty", "gamma_name", NameLevel.NOT_COMPARABLE, {"name_std": ("", "KIM"), "surname": ("KIM", "")}),
    # -- address ---------------------------------------------------------------------------------------------
    (
        "addr_same_unit_key",
        "gamma_address",
        AddressLevel.SAME_UNIT,
        {"building_key": _same("B1"), "unit": _same("101-1203"), "unit_key": _same("B1#101-1203")},
    ),
    (
        "addr_same_unit_no_key",
        "gamma_address",
        AddressLevel.SAME_UNIT,
        {"building_key": _same("B1"), "unit": _same("101-1203")},
    ),
    (
        "addr_unit_key_other_building",
        "gamma_address",
        AddressLevel.OTHER,
        {
            "building_key": ("SEOUL GANGNAM TEHERANRO 12", "BUSAN HAEUNDAE 99"),
            "unit_key": _same("1203"),
            "postcode_std": ("06234", "48094"),
        },
    ),
    (
        "addr_unit_missing",
        "gamma_address",
        AddressLevel.BUILDING_UNIT_MISSING,
        {"building_key": _same("B1"), "unit": ("101-1203", None), "unit_key": ("B1#101-1203", None)},
    ),
    (
        "addr_other_unit",
        "gamma_address",
        AddressLevel.BUILDING_OTHER_UNIT,
        {
            "building_key": _same("B1"),
            "unit": ("101-1203", "101-1204"),
            "unit_key": ("B1#101-1203", "B1#101-1204"),
            "postcode_std": _same("06234"),
        },
    ),
    (
        "addr_postcode",
        "gamma_address",
        AddressLevel.SAME_POSTCODE,
        {"building_key": ("B1", "B2"), "postcode_std": _same("06234")},
    ),
    ("addr_postcode_only", "gamma_address", AddressLevel.SAME_POSTCODE, {"postcode_std": _same("06234")}),
    (
        "addr_similar_text",
        "gamma_address",
        AddressLevel.SIMILAR_TEXT,
        {
            "building_key": ("TEHERANRO 12", "TEHERANRO 12 1"),
            "postcode_std": ("06234", "06235"),
            "address_std": ("12 TEHERAN RO GANGNAM GU SEOUL", "12 TEHERAN RO GANGNAM GU SEOUL KR"),
        },
    ),
    (
        "addr_other",
        "gamma_address",
        AddressLevel.OTHER,
        {"building_key": ("TEHERANRO 12", "HAEUNDAERO 99"), "postcode_std": ("06234", "48094")},
    ),
    (
        "addr_null",
        "gamma_address",
        AddressLevel.NOT_COMPARABLE,
        {"building_key": ("B1", None), "postcode_std": (None, "1")},
    ),
    # -- phone -----------------------------------------------------------------------------------------------
    ("phone_exact", "gamma_phone", PhoneLevel.EXACT, {"phone_std": _same("821012345678")}),
    ("phone_tail", "gamma_phone", PhoneLevel.SAME_TAIL, {"phone_std": ("821012345678", "01012345678")}),
    ("phone_substitution", "gamma_phone", PhoneLevel.ONE_EDIT, {"phone_std": ("821012345678", "821012345670")}),
    ("phone_transposition", "gamma_phone", PhoneLevel.ONE_EDIT, {"phone_std": ("821012345678", "821012345687")}),
    ("phone_deletion", "gamma_phone", PhoneLevel.ONE_EDIT, {"phone_std": ("821012345678", "82101234567")}),
    ("phone_other", "gamma_phone", PhoneLevel.OTHER, {"phone_std": ("821012345678", "821098765432")}),
    ("phone_null", "gamma_phone", PhoneLevel.NOT_COMPARABLE, {"phone_std": ("821012345678", None)}),
    # -- customs id ------------------------------------------------------------------------------------------
    ("id_exact", "gamma_customs_id", CustomsIdLevel.EXACT, {"consignee_id_std": _same("P123456789012")}),
    (
        "id_substitution",
        "gamma_customs_id",
        CustomsIdLevel.ONE_TYPO,
        {"consignee_id_std": ("P123456789012", "P123456789013")},
    ),
    (
        "id_transposition",
        "gamma_customs_id",
        CustomsIdLevel.ONE_TYPO,
        {"consignee_id_std": ("P123456789012", "P123456789021")},
    ),
    (
        "id_different",
        "gamma_customs_id",
        CustomsIdLevel.DIFFERENT,
        {"consignee_id_std": ("P123456789012", "P987654321098")},
    ),
    (
        "id_other_kind_insertion",
        "gamma_customs_id",
        CustomsIdLevel.DIFFERENT,
        {"consignee_id_std": ("EORI123", "EORI1234")},
    ),
    (
        "id_kind_mismatch",
        "gamma_customs_id",
        CustomsIdLevel.NOT_COMPARABLE,
        {"consignee_id_std": ("P123456789012", "US55")},
    ),
    ("id_null", "gamma_customs_id", CustomsIdLevel.NOT_COMPARABLE, {"consignee_id_std": (None, "P123456789012")}),
    # -- e-mail ----------------------------------------------------------------------------------------------
    ("email_exact", "gamma_email", EmailLevel.EXACT, {"email_std": _same("mj.kim@gmail.com")}),
    (
        "email_mailbox",
        "gamma_email",
        EmailLevel.SAME_LOCAL_PART,
        {"email_std": ("mj.kim@gmail.com", "mj.kim@naver.com")},
    ),
    (
        "email_mailbox_tag",
        "gamma_email",
        EmailLevel.SAME_LOCAL_PART,
        {"email_std": ("mj.kim+shop@gmail.com", "mj.kim@naver.com")},
    ),
    ("email_other", "gamma_email", EmailLevel.OTHER, {"email_std": ("mj.kim@gmail.com", "sy.lee@gmail.com")}),
    ("email_null", "gamma_email", EmailLevel.NOT_COMPARABLE, {"email_std": (None, None)}),
]


@pytest.fixture(scope="module")
def compared(spark: SparkSession) -> dict[str, Row]:
    """Every crafted pair compared in one Spark job, by case id."""
    rows = [_pair(case, **fields) for case, _, _, fields in CASES]
    rows.append(_pair("all_null"))
    df = spark.createDataFrame(rows, PAIR_SCHEMA)
    return {r["case"]: r for r in compare_pairs(df).collect()}


@pytest.mark.parametrize(
    ("case", "column", "level"), [(c, col, lvl) for c, col, lvl, _ in CASES], ids=[c[0] for c in CASES]
)
def test_comparison_level(compared: dict[str, Row], case: str, column: str, level: int) -> None:
    assert compared[case][column] == level


def test_every_level_of_every_field_is_covered() -> None:
    covered = {(column, int(level)) for _, column, level, _ in CASES}
    for comparison in COMPARISONS.values():
        for level in (*comparison.levels, -1):
            assert (comparison.gamma_column, level) in covered, (comparison.field, level)


def test_all_null_pair_is_not_comparable_anywhere(compared: dict[str, Row]) -> None:
    row = compared["all_null"]
    assert [row[c] for c in GAMMA_COLUMNS] == [-1] * len(GAMMA_COLUMNS)
    assert [row[c] for c in COMPARISON_OUTPUT_COLUMNS[len(GAMMA_COLUMNS) :]] == [None] * 5


def test_similarity_figures(compared: dict[str, Row]) -> None:
    assert compared["name_given_similar"]["sim_given"] == pytest.approx(given_name_similarity("MINJUN", "MINJAE"))
    assert compared["name_given_romanised"]["sim_given"] == 1.0
    assert compared["name_exact_parts"]["sim_given"] == 1.0
    assert compared["name_tokens_swapped"]["sim_name_tokens_jw"] == 1.0
    assert compared["addr_similar_text"]["sim_address_jw"] == pytest.approx(
        JaroWinkler.normalized_similarity("12 TEHERAN RO GANGNAM GU SEOUL", "12 TEHERAN RO GANGNAM GU SEOUL KR")
    )
    assert compared["addr_same_unit_key"]["sim_address_jw"] is None  # decided without text similarity
    assert compared["phone_exact"]["dist_phone"] == 0
    assert compared["phone_transposition"]["dist_phone"] == 1
    assert compared["phone_other"]["dist_phone"] == 3  # capped
    assert compared["phone_null"]["dist_phone"] is None
    assert compared["id_transposition"]["dist_customs_id"] == 1
    assert compared["id_exact"]["dist_customs_id"] == 0


def test_compare_pairs_keeps_columns_and_rows_without_address_std(spark: SparkSession) -> None:
    cols = [f"{c}{side}" for c in COMPARE_INPUT_COLUMNS for side in ("_l", "_r")]
    schema = StructType(
        [StructField("record_id_l", StringType()), StructField("record_id_r", StringType())]
        + [StructField(c, StringType()) for c in cols]
    )
    values = dict.fromkeys(cols) | {"phone_std_l": "821012345678", "phone_std_r": "821012345678"}
    df = spark.createDataFrame([{"record_id_l": "a", "record_id_r": "b", **values}], schema)
    out = compare_pairs(df)
    assert out.columns == ["record_id_l", "record_id_r", *cols, *COMPARISON_OUTPUT_COLUMNS]
    actual = out.select("record_id_l", "record_id_r", *GAMMA_COLUMNS)
    expected = spark.createDataFrame(
        [("a", "b", -1, -1, 3, -1, -1)],
        StructType(
            [StructField("record_id_l", StringType()), StructField("record_id_r", StringType())]
            + [StructField(c, IntegerType(), nullable=False) for c in GAMMA_COLUMNS]
        ),
    )
    assert_df_equality(actual, expected)


def test_compare_pairs_runs_one_python_udf(spark: SparkSession) -> None:
    df = spark.createDataFrame([_pair("x", phone_std=_same("821012345678"))], PAIR_SCHEMA)
    plan = compare_pairs(df)._jdf.queryExecution().executedPlan().toString()
    assert plan.count("ArrowEvalPython") == 1


def test_compare_pairs_replaces_existing_output_columns(spark: SparkSession) -> None:
    df = spark.createDataFrame([_pair("x", phone_std=_same("821012345678"))], PAIR_SCHEMA).withColumn(
        "gamma_phone", sf.lit(99)
    )
    out = compare_pairs(df)
    assert out.columns.count("gamma_phone") == 1
    first = out.first()
    assert first is not None
    assert first["gamma_phone"] == PhoneLevel.EXACT


def test_compare_pairs_requires_input_columns(spark: SparkSession) -> None:
    df = spark.createDataFrame([("KIM", "KIM")], "name_std_l string, name_std_r string")
    with pytest.raises(ValueError, match=r"missing input column.*surname_l"):
        compare_pairs(df)
