"""Resolution's pipeline helpers: evidence lines (one per link and side, weights rounded half up to one decimal)
and the two sides of each compared pair."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.pipelines.resolve import _evidence_lines, _sides
from splitscan.resolve.compare import AddressLevel, compare_pairs
from splitscan.resolve.features import with_features


def test_evidence_lines_name_the_other_record_and_every_field_weight(spark: SparkSession) -> None:
    linked = spark.createDataFrame(
        [
            ("a", "b", 12.34, 5.25, -0.04, 0.0),
            ("a", "c", -1.05, -2.35, 10.0, 0.15),
        ],
        "record_id_l string, record_id_r string, match_weight double, w_name double, w_phone double, w_email double",
    )
    expected = spark.createDataFrame(
        [
            ("a", "b: weight 12.3 (name +5.3, phone -0.0, email +0.0)"),
            ("b", "a: weight 12.3 (name +5.3, phone -0.0, email +0.0)"),
            ("a", "c: weight -1.1 (name -2.4, phone +10.0, email +0.2)"),
            ("c", "a: weight -1.1 (name -2.4, phone +10.0, email +0.2)"),
        ],
        "record_id string, evidence string",
    )
    assert_df_equality(_evidence_lines(linked), expected, ignore_row_order=True, ignore_nullable=True)


def test_evidence_lines_match_java_formatting(spark: SparkSession) -> None:
    """The cheap rounding prints what `format_string('%+.1f')` printed before, on awkward values."""
    values = [0.05, 0.15, 0.25, 0.35, -0.05, -0.15, 1.45, 2.5, -2.5, 9.95, -9.95, 33.333, 0.0, -0.04, 123.45]
    linked = spark.createDataFrame(
        [("x", f"y{i}", v, v) for i, v in enumerate(values)],
        "record_id_l string, record_id_r string, match_weight double, w_name double",
    )
    got = {r["evidence"] for r in _evidence_lines(linked).where("record_id = 'x'").collect()}
    want = {f"y{i}: weight {_java(v, '')} (name {_java(v, '+')})" for i, v in enumerate(values)}
    assert got == want


def _java(value: float, sign: str) -> str:
    """Java's `%.1f`: the shortest decimal text of the double, rounded half up."""
    from decimal import ROUND_HALF_UP, Decimal

    text = str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if value < 0 and not text.startswith("-"):
        text = f"-{text}"
    return f"+{text}" if sign and not text.startswith("-") else text


def test_compared_pairs_read_the_written_address(spark: SparkSession) -> None:
    """The similar-address-text level compares `address_std`: two writings of one address whose street number
    has a typo and whose postcodes differ are similar text, though their building keys differ."""
    records = spark.createDataFrame(
        [
            ("a", "MINWOO GIM", "인천광역시 부평구 서문로13번길 375 상동", "21413", "821024458478", None, None),
            ("b", "MINU GIM", "인천광역시 부평구 서문로14번길 375 상동", "59850", "821024458478", None, None),
        ],
        "record_id string, name_std string, address_std string, postcode_std string, phone_std string, "
        "consignee_id_std string, email_std string",
    )
    features = with_features(records)
    pairs = spark.createDataFrame([("a", "b")], "record_id_l string, record_id_r string")
    compared = compare_pairs(_sides(pairs, features)).select(
        "record_id_l", "record_id_r", "building_key_l", "building_key_r", "gamma_address"
    )
    expected = spark.createDataFrame(
        [("a", "b", "P:21413|SUMUNLU13BEONGIL|375", "P:59850|SUMUNLU14BEONGIL|375", int(AddressLevel.SIMILAR_TEXT))],
        "record_id_l string, record_id_r string, building_key_l string, building_key_r string, gamma_address int",
    )
    assert_df_equality(compared, expected, ignore_nullable=True)
