from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.resolve.blocking import BlockingRule, candidate_pairs, find_hubs, rule_report

SCHEMA = (
    "record_id string, name_key string, name_sorted_key string, phone_std string, unit_key string, postcode_std string"
)
RULES = (
    BlockingRule("phone", ("phone_std",)),
    BlockingRule("unit", ("unit_key",)),
    BlockingRule("name_postcode", ("name_key", "postcode_std")),
)


def _records(spark: SparkSession, rows: list[tuple[object, ...]]):  # type: ignore[no-untyped-def]
    return spark.createDataFrame(rows, SCHEMA)


def test_union_of_rules_remembers_which_rules_found_a_pair(spark: SparkSession) -> None:
    records = _records(
        spark,
        [
            ("a", "KIM|MINJUN", "KIM MINJUN", "821011112222", "U1", "06236"),
            ("b", "KIM|MINJUN", "KIM MINJUN", "821011112222", None, "06236"),
            ("c", "LEE|JIEUN", "JIEUN LEE", None, "U1", "06236"),
            ("d", "PARK|SOYEON", "PARK SOYEON", None, None, None),
        ],
    )
    hubs = find_hubs(records, max_identities=20, attributes=("phone_std", "unit_key"))
    pairs = candidate_pairs(records, hubs, rules=RULES, order_by="name_sorted_key")
    expected = spark.createDataFrame(
        [("a", "b", ["name_postcode", "phone"]), ("a", "c", ["unit"])],
        "record_id_l string, record_id_r string, rules array<string>",
    )
    assert_df_equality(pairs, expected, ignore_row_order=True, ignore_nullable=True)
    report = rule_report(pairs)
    assert sorted(tuple(r) for r in report.collect()) == [("name_postcode", 1, 0), ("phone", 1, 0), ("unit", 1, 1)]


def test_a_value_shared_by_many_identities_is_a_hub_and_makes_no_pairs(spark: SparkSession) -> None:
    # A forwarder unit used by 30 different names, and one household of 2 at another unit.
    rows = [(f"f{i:02d}", f"N{i}|X", f"X N{i}", None, "FWD-SUITE", None) for i in range(30)]
    rows += [("h1", "KIM|A", "A KIM", None, "HOME", None), ("h2", "KIM|B", "B KIM", None, "HOME", None)]
    records = _records(spark, rows)
    hubs = find_hubs(records, max_identities=20, attributes=("unit_key",))
    assert [tuple(r) for r in hubs.collect()] == [("unit_key", "FWD-SUITE", 30, 30, "forwarder")]
    pairs = candidate_pairs(records, hubs, rules=(BlockingRule("unit", ("unit_key",)),))
    assert [tuple(r) for r in pairs.select("record_id_l", "record_id_r").collect()] == [("h1", "h2")]


def test_an_oversized_block_is_paired_within_a_sorted_window(spark: SparkSession) -> None:
    # 10 records of one name and postcode (not a hub: one identity), block cap 4, window 2: 9 + 8 = 17 pairs
    # between sorted neighbours instead of 45.
    rows = [(f"r{i}", "KIM|MINJUN", f"KIM MINJUN {i}", None, None, "06236") for i in range(10)]
    records = _records(spark, rows)
    hubs = find_hubs(records, max_identities=20, attributes=("phone_std",))
    pairs = candidate_pairs(
        records, hubs, rules=(BlockingRule("name_postcode", ("name_key", "postcode_std")),), max_block_size=4, window=2
    )
    got = sorted(tuple(r) for r in pairs.select("record_id_l", "record_id_r").collect())
    expected = sorted([(f"r{i}", f"r{i + 1}") for i in range(9)] + [(f"r{i}", f"r{i + 2}") for i in range(8)])
    assert got == expected
