"""Resolution's pipeline helpers: evidence lines (one per link and side, weights rounded half up to one decimal)
and the two sides of each compared pair."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.pipelines.resolve import (
    INDEX_COLUMNS,
    _evidence_lines,
    _record_evidence,
    _sides,
    resolve_increment,
    resolve_records,
    term_frequencies,
)
from splitscan.resolve.compare import AddressLevel, compare_pairs
from splitscan.resolve.features import with_features
from splitscan.resolve.fellegi_sunter import DEFAULT_INITIAL_M, MatchModel


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


def test_evidence_lines_of_profiles_count_the_identical_records(spark: SparkSession) -> None:
    """A link between profiles names the other representative and its identical records; a self link says how
    many other records of its profile are identical. Every record of the profile shows its profile's lines."""
    linked = spark.createDataFrame(
        [
            ("a", "b", 12.0, 3, 2, 5.0),
            ("a", "a", 30.0, 3, 3, 6.0),
            ("b", "c", 9.0, 2, 1, 4.0),
            ("c", "d", 8.0, 1, 4, 1.0),
            ("e", "e", 20.0, 2, 2, 3.0),
        ],
        "record_id_l string, record_id_r string, match_weight double, profile_size_l long, profile_size_r long, "
        "w_name double",
    )
    expected = spark.createDataFrame(
        [
            ("a", "b and 1 identical record: weight 12.0 (name +5.0)"),
            ("b", "a and 2 identical records: weight 12.0 (name +5.0)"),
            ("a", "identical to 2 other records: weight 30.0 (name +6.0)"),
            ("b", "c: weight 9.0 (name +4.0)"),
            ("c", "b and 1 identical record: weight 9.0 (name +4.0)"),
            ("c", "d and 3 identical records: weight 8.0 (name +1.0)"),
            ("d", "c: weight 8.0 (name +1.0)"),
            ("e", "identical to 1 other record: weight 20.0 (name +3.0)"),
        ],
        "record_id string, evidence string",
    )
    assert_df_equality(_evidence_lines(linked), expected, ignore_row_order=True, ignore_nullable=True)
    members = spark.createDataFrame(
        [("a", "a"), ("a2", "a"), ("a3", "a"), ("b", "b"), ("b2", "b")], "record_id string, profile_id string"
    )
    got: dict[str, list[str]] = {}
    for r in _record_evidence(linked.where("record_id_l = 'a'"), members).collect():
        got.setdefault(r["record_id"], []).append(r["evidence"])
    got = {record: sorted(lines) for record, lines in got.items()}
    lines = {
        "b": ["a and 2 identical records: weight 12.0 (name +5.0)"],
        "a": [
            "b and 1 identical record: weight 12.0 (name +5.0)",
            "identical to 2 other records: weight 30.0 (name +6.0)",
        ],
    }
    assert got == {r: lines[p] for r, p in [("a", "a"), ("a2", "a"), ("a3", "a"), ("b", "b"), ("b2", "b")]}


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


def test_term_frequencies_count_the_records_each_profile_stands_for(spark: SparkSession) -> None:
    profiles = spark.createDataFrame(
        [("KIM", "MINJUN", "B1", "06236", "010", 3), ("KIM", "MINJUN", None, "06236", None, 1)],
        "surname string, given string, building_key string, postcode_std string, phone_std string, profile_size long",
    )
    expected = spark.createDataFrame(
        [
            ("name_key", "KIM|MINJUN", 1.0),
            ("building_key", "B1", 0.75),
            ("postcode_std", "06236", 1.0),
            ("phone_std", "010", 0.75),
        ],
        "column string, value string, tf double",
    )
    got = term_frequencies(profiles, weight="profile_size")
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


_U = {  # u of random pairs; m is the model's starting m (DEFAULT_INITIAL_M)
    "name": {6: 0.01, 5: 0.01, 4: 0.02, 3: 0.01, 2: 0.20, 1: 0.05, 0: 0.70},
    "address": {5: 0.001, 4: 0.01, 3: 0.20, 2: 0.30, 1: 0.05, 0: 0.439},
    "phone": {3: 0.005, 2: 0.005, 1: 0.01, 0: 0.98},
    "customs_id": {2: 0.001, 1: 0.004, 0: 0.995},
    "email": {2: 0.002, 1: 0.01, 0: 0.988},
}


def test_a_new_record_identical_to_resolved_ones_joins_their_entity(spark: SparkSession) -> None:
    """Three identical records are one entity; a fourth written the same way joins it in an incremental run (its
    profile links to nothing else), and the full rebuild gives the same entity, id included."""
    schema = (
        "record_id string, record_hash string, name_std string, address_std string, postcode_std string, "
        "phone_std string, consignee_id_std string, email_std string"
    )
    kim = ("KIM MINJUN", "서울특별시 강남구 테헤란로 152 101동 1203호", "06236", "01012345678", "P123456789012", None)
    lee = ("LEE JIEUN", "부산광역시 해운대구 센텀중앙로 79 2동 301호", "48058", "01098765432", None, None)
    old = spark.createDataFrame([("a1", "h", *kim), ("a2", "h", *kim), ("a3", "h", *kim), ("b1", "h", *lee)], schema)
    new = spark.createDataFrame([("a0", "h", *kim)], schema)
    model = MatchModel(m=DEFAULT_INITIAL_M, u=_U, lambda_=1e-4)
    # No term frequencies: in four records every value is common, and a common value weighs nothing.
    tf = spark.createDataFrame([], "column string, value string, tf double")
    first = resolve_records(old, model=model, tf=tf)
    entities = {r["record_id"]: r["entity_id"] for r in first.entities.collect()}
    assert entities["a1"] == entities["a2"] == entities["a3"] != entities["b1"]

    index = first.features.select(*INDEX_COLUMNS)
    step = resolve_increment(new, index, first.entities, model, tf=tf)
    rows = {r["record_id"]: (r["entity_id"], r["cluster_size"], r["joined_by"]) for r in step.entities.collect()}
    assert rows == dict.fromkeys(("a0", "a1", "a2", "a3"), (entities["a1"], 4, "strong"))

    previous = first.entities.select("record_id", "entity_id")
    rebuilt = resolve_records(old.unionByName(new), previous=previous, model=model, tf=tf)
    again = {r["record_id"]: (r["entity_id"], r["cluster_size"], r["joined_by"]) for r in rebuilt.entities.collect()}
    assert again == {**rows, "b1": (entities["b1"], 1, "alone")}
