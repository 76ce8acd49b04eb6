from __future__ import annotations

from collections.abc import Sequence

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


def _records(spark: SparkSession, rows: Sequence[tuple[object, ...]]):  # type: ignore[no-untyped-def]
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


def test_hub_record_counts_add_up_the_records_each_row_stands_for(spark: SparkSession) -> None:
    # 25 profiles at one forwarder unit, the first standing for 4 identical records: 28 records, 25 identities.
    rows = [(f"f{i:02d}", f"N{i}|X", f"X N{i}", None, "FWD-SUITE", None, 4 if i == 0 else 1) for i in range(25)]
    records = spark.createDataFrame(rows, f"{SCHEMA}, profile_size long")
    hubs = find_hubs(records, max_identities=20, attributes=("unit_key",), weight="profile_size")
    assert [tuple(r) for r in hubs.collect()] == [("unit_key", "FWD-SUITE", 28, 25, "forwarder")]


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


def test_touching_keeps_exactly_the_full_pairs_that_involve_a_flagged_record(spark: SparkSession) -> None:
    # Old records o1..o3 share a phone; new n1 shares o1's unit; an oversized name block (cap 3, window 1) holds
    # o4, o5, n2, o6 in sorted order. Full pairs restricted to n1/n2 are the incremental pairs, nothing more.
    rows = [
        ("o1", "KIM|A", "A KIM", "8210", "U1", None, False),
        ("o2", "LEE|B", "B LEE", "8210", None, None, False),
        ("o3", "PARK|C", "C PARK", "8210", None, None, False),
        ("n1", "CHOI|D", "D CHOI", None, "U1", None, True),
        ("o4", "JUNG|E", "E JUNG 1", None, None, "06236", False),
        ("o5", "JUNG|E", "E JUNG 2", None, None, "06236", False),
        ("n2", "JUNG|E", "E JUNG 3", None, None, "06236", True),
        ("o6", "JUNG|E", "E JUNG 4", None, None, "06236", False),
    ]
    records = spark.createDataFrame(rows, f"{SCHEMA}, is_new boolean")
    hubs = find_hubs(records, max_identities=20, attributes=("phone_std",))
    options = {"rules": RULES, "max_block_size": 3, "window": 1}
    full = candidate_pairs(records, hubs, **options)  # type: ignore[arg-type]
    new = candidate_pairs(records, hubs, touching="is_new", **options)  # type: ignore[arg-type]
    expected = spark.createDataFrame(
        [("n1", "o1", ["unit"]), ("n2", "o5", ["name_postcode"]), ("n2", "o6", ["name_postcode"])],
        "record_id_l string, record_id_r string, rules array<string>",
    )
    assert_df_equality(new, expected, ignore_row_order=True, ignore_nullable=True)
    restricted = full.filter("record_id_l like 'n%' or record_id_r like 'n%'")
    assert_df_equality(new, restricted, ignore_row_order=True, ignore_nullable=True)
    assert full.count() == 3 + 1 + 3  # phone block o1-o2-o3, unit n1-o1, window pairs o4-o5, o5-n2, n2-o6
