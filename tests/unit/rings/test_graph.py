"""Edge building per attribute type, hub exclusion, the per-value cap, tiers and supply evidence."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.rings.graph import (
    attribute_edges,
    attribute_pairs,
    build_edges,
    entity_attributes,
    forwarder_values,
    with_house_key,
    with_supply,
)

ATTRS = "entity_id string, kind string, value string, is_home boolean"
PAIRS = "src string, dst string, kind string, value string"
EDGES = "src string, dst string, weight double, tier string, kinds array<string>, evidence array<string>"


def test_entity_attributes_drop_hubs_and_blanks_and_mark_the_home_unit_or_house(spark: SparkSession) -> None:
    records = spark.createDataFrame(
        [
            ("r1", "E1", "P1", None, "C1", "U1", None),
            ("r2", "E1", "AGENT", "", "C1", "U1", None),
            ("r3", "E1", None, "m@x", None, "U9", None),
            ("r4", "E2", "P1", None, None, None, "H1"),  # E2's home is a house
            ("r5", "E2", None, None, None, None, "H1"),
            ("r6", "E2", None, None, None, "U9", None),
            ("r7", "E3", None, None, None, None, "BIG"),  # a building resolution lists as a hub: no house
        ],
        "record_id string, entity_id string, phone_std string, email_std string, consignee_id_std string, "
        "unit_key string, house_key string",
    )
    hubs = spark.createDataFrame(
        [("phone_std", "AGENT"), ("unit_key", "U1X"), ("building_key", "BIG")], "attribute string, value string"
    )
    expected = spark.createDataFrame(
        [
            ("E1", "phone", "P1", False),
            ("E1", "customs_id", "C1", False),
            ("E1", "email", "m@x", False),
            ("E1", "unit", "U1", True),
            ("E1", "unit", "U9", False),
            ("E2", "phone", "P1", False),
            ("E2", "house", "H1", True),
            ("E2", "unit", "U9", False),
        ],
        ATTRS,
    )
    assert_df_equality(entity_attributes(records, hubs), expected, ignore_row_order=True, ignore_nullable=True)


def test_house_key_only_for_whole_buildings_no_parcel_addresses_by_unit(spark: SparkSession) -> None:
    schema = "record_id string, building_key string, complex_key string, unit string, is_po_box boolean"
    records = spark.createDataFrame(
        [
            ("r1", "P:90210|MAIN|12", None, None, False),  # a house
            ("r2", "P:90210|MAIN|12", None, None, None),  # the same house, PO box flag unknown
            ("r3", "P:10001|ELM|5", None, "4B", False),  # an apartment
            ("r4", "P:10001|ELM|5", None, None, False),  # its unit left out: not a house
            ("r5", "D:GANGNAM|C|JUGONG5", "D:GANGNAM|C|JUGONG5", None, False),  # a named complex without unit
            ("r6", "P:30301|POBOX", None, None, True),  # a PO box without its number
            ("r7", None, None, None, False),  # an address that could not be read
        ],
        schema,
    )
    expected = spark.createDataFrame(
        [
            ("r1", "P:90210|MAIN|12", None, None, False, "P:90210|MAIN|12"),
            ("r2", "P:90210|MAIN|12", None, None, None, "P:90210|MAIN|12"),
            ("r3", "P:10001|ELM|5", None, "4B", False, None),
            ("r4", "P:10001|ELM|5", None, None, False, None),
            ("r5", "D:GANGNAM|C|JUGONG5", "D:GANGNAM|C|JUGONG5", None, False, None),
            ("r6", "P:30301|POBOX", None, None, True, None),
            ("r7", None, None, None, False, None),
        ],
        schema + ", house_key string",
    )
    assert_df_equality(with_house_key(records), expected, ignore_row_order=True, ignore_nullable=True)


def test_pairs_per_attribute_type(spark: SparkSession) -> None:
    attributes = spark.createDataFrame(
        [
            ("E1", "phone", "P1", False),
            ("E2", "phone", "P1", False),
            ("E1", "unit", "U1", True),  # E1's home, E2 only receives there: a drop address
            ("E2", "unit", "U1", False),
            ("E3", "unit", "U2", True),  # home to both: a plain shared unit
            ("E4", "unit", "U2", True),
            ("E5", "customs_id", "C1", False),
            ("E6", "customs_id", "C1", False),
            ("E5", "email", "M1", False),  # nobody else has M1: no pair
            ("E7", "house", "H1", True),  # E7's house, where E8 only receives: a drop address
            ("E8", "house", "H1", False),
            ("E9", "house", "H2", True),  # a house home to both
            ("E10", "house", "H2", True),
        ],
        ATTRS,
    )
    expected = spark.createDataFrame(
        [
            ("E1", "E2", "phone", "P1"),
            ("E1", "E2", "drop_address", "U1"),
            ("E3", "E4", "unit", "U2"),
            ("E5", "E6", "customs_id", "C1"),
            ("E7", "E8", "drop_address", "H1"),
            ("E10", "E9", "house", "H2"),
        ],
        PAIRS,
    )
    actual = attribute_pairs(attributes, max_entities_per_value=10)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_value_above_the_cap_makes_no_edges(spark: SparkSession) -> None:
    attributes = spark.createDataFrame(
        [
            ("E1", "phone", "BUSY", False),
            ("E2", "phone", "BUSY", False),
            ("E3", "phone", "BUSY", False),
            ("E1", "email", "M", False),
            ("E2", "email", "M", False),
        ],
        ATTRS,
    )
    expected = spark.createDataFrame([("E1", "E2", "email", "M")], PAIRS)
    actual = attribute_pairs(attributes, max_entities_per_value=2)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_edges_sum_weights_and_tiers_mark_households_and_one_identity(spark: SparkSession) -> None:
    pairs = spark.createDataFrame(
        [
            ("E1", "E2", "phone", "P1"),
            ("E1", "E2", "drop_address", "U1"),
            ("E3", "E4", "unit", "U2"),
            ("E3", "E4", "phone", "P2"),
            ("E5", "E6", "phone", "P3"),  # a family phone: same surname, one phone, no unit address on either side
            ("E7", "E8", "customs_id", "C1"),  # one customs identity: one party
            ("E7", "E8", "unit", "U3"),
            ("E9", "E10", "phone", "P4"),  # relatives living apart: same surname and phone, different homes
            ("E9", "E10", "drop_address", "U4"),
            ("E11", "E12", "phone", "P5"),  # same surname and phone, one home unknown: not known to be one home
            ("E13", "E14", "house", "H1"),  # one surname, one house: a household
            ("E13", "E15", "house", "H1"),  # another surname in the same house
            ("E16", "E17", "phone", "P6"),  # one phone, one name: one person
            ("E18", "E19", "drop_address", "U8"),  # one name, a drop address only: namesakes are not one person
        ],
        PAIRS,
    )
    people = spark.createDataFrame(
        [
            ("E1", "KIM", "KIM MINJUN", "U1"),
            ("E2", "LEE", "LEE SOYEON", None),
            ("E3", "PARK", "PARK JIHO", "U2"),
            ("E4", "PARK", "PARK MINSEO", "U2"),
            ("E5", "CHOI", "CHOI YUNA", None),
            ("E6", "CHOI", "CHOI JUNHO", None),
            ("E7", "HAN", "HAN SEOJUN", "U3"),
            ("E9", "KIM", "KIM HAJUN", "U4"),
            ("E10", "KIM", "KIM DOYUN", "U5"),
            ("E11", "YOON", "YOON SEOA", "U6"),
            ("E12", "YOON", "YOON JIAN", None),
            ("E13", "SMITH", "JOHN SMITH", "H1"),
            ("E14", "SMITH", "MARY SMITH", "H1"),
            ("E15", "JONES", "ANN JONES", "H1"),
            ("E16", "OK", "HUN TUNK UK", "U7"),  # one person written two ways, left as two entities
            ("E17", "OK", "HUN TUNK UK", None),
            ("E18", "LEE", "HUN TUNK LEE", "U8"),  # one name key, but no phone or e-mail in common
            ("E19", "LEE", "HUN TUNK LEE", "U9"),
        ],
        "entity_id string, surname string, name string, home string",
    )
    weights = {"customs_id": 3.0, "phone": 2.0, "drop_address": 2.0, "unit": 1.5, "house": 1.5}
    expected = spark.createDataFrame(
        [
            ("E1", "E2", 4.0, "ring", ["drop_address", "phone"], ["drop_address=U1", "phone=P1"]),
            ("E3", "E4", 3.5, "household", ["phone", "unit"], ["phone=P2", "unit=U2"]),
            ("E5", "E6", 2.0, "household", ["phone"], ["phone=P3"]),
            ("E7", "E8", 4.5, "same_identity", ["customs_id", "unit"], ["customs_id=C1", "unit=U3"]),
            ("E9", "E10", 4.0, "ring", ["drop_address", "phone"], ["drop_address=U4", "phone=P4"]),
            ("E11", "E12", 2.0, "ring", ["phone"], ["phone=P5"]),
            ("E13", "E14", 1.5, "household", ["house"], ["house=H1"]),
            ("E13", "E15", 1.5, "ring", ["house"], ["house=H1"]),
            ("E16", "E17", 2.0, "same_identity", ["phone"], ["phone=P6"]),
            ("E18", "E19", 2.0, "ring", ["drop_address"], ["drop_address=U8"]),
        ],
        EDGES,
    )
    actual = attribute_edges(pairs, people, weights=weights)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_supply_strengthens_edges_with_overlapping_purchases_only(spark: SparkSession) -> None:
    edges = spark.createDataFrame(
        [
            ("E1", "E2", 2.0, "ring", ["phone"], ["phone=P1"]),
            ("E3", "E4", 2.0, "ring", ["phone"], ["phone=P2"]),
        ],
        EDGES,
    )
    day = dt.date(2025, 3, 1)
    records = spark.createDataFrame(
        [
            ("E1", "S1", day, None),
            ("E2", "S1", None, day + dt.timedelta(days=10)),  # no order date: the arrival date stands in
            ("E5", "S1", day, None),  # same merchant, but E5 has no edge: nothing to strengthen
            ("E3", "S2", day, None),
            ("E4", "S2", day + dt.timedelta(days=90), None),  # months apart: not one supply
        ],
        "entity_id string, seller_id string, order_date date, arrival_date date",
    )
    expected = spark.createDataFrame(
        [
            ("E1", "E2", 2.5, "ring", ["phone", "seller"], ["phone=P1", "seller=S1"]),
            ("E3", "E4", 2.0, "ring", ["phone"], ["phone=P2"]),
        ],
        EDGES,
    )
    actual = with_supply(edges, records, supply_weight=0.5, max_sellers=2, slack_days=14)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_values_used_mostly_at_forwarder_mailboxes_are_hubs(spark: SparkSession) -> None:
    records = spark.createDataFrame(
        [
            ("E1", 6, "FWD", None, "C1"),  # suite 319041 at a forwarder: the phone is the forwarder's
            ("E2", 5, "FWD", None, None),
            ("E3", None, "FWD", "a@x", None),
            ("E3", None, "HOME", "a@x", "C1"),
            ("E4", 2, "HOME", None, "C1"),  # C1: one record in three at a mailbox, not the forwarder's
        ],
        "entity_id string, suite_digits int, phone_std string, email_std string, consignee_id_std string",
    )
    expected = spark.createDataFrame([("phone_std", "FWD")], "attribute string, value string")
    actual = forwarder_values(records, min_suite_digits=5, min_share=0.5)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_houses_link_their_people_but_apartments_without_units_and_hub_buildings_do_not(spark: SparkSession) -> None:
    day = dt.date(2025, 3, 1)
    house, flats, hall = "P:90210|MAIN|12", "P:10001|ELM|5", "P:10001|BROAD|1"
    records = spark.createDataFrame(
        [
            # A couple in a house (one surname) and a friend of another name whose parcels go to that house.
            ("r1", "A", "SMITH", house, None, "S1", day),
            ("r2", "B", "SMITH", house, None, "S1", day),
            ("r3", "C", "JONES", house, None, "S1", day),
            ("r4", "C", "JONES", "P:10002|OAK|7", None, "S9", day),  # C's own house
            ("r5", "C", "JONES", "P:10002|OAK|7", None, "S9", day),
            # Apartment neighbours: one writes the unit, the other leaves it out. No link.
            ("r6", "D", "PARK", flats, "2A", "S2", day),
            ("r7", "E", "KIM", flats, None, "S2", day),
            # A building resolution lists as a hub (many names, no units written): no link either.
            ("r8", "F", "LEE", hall, None, "S3", day),
            ("r9", "G", "CHOI", hall, None, "S3", day),
        ],
        "record_id string, entity_id string, surname string, building_key string, unit string, seller_id string, "
        "order_date date",
    ).select(
        "*",
        F.concat_ws(" ", "entity_id", "surname").alias("name_sorted_key"),
        F.lit(None).cast("string").alias("complex_key"),
        F.when(F.col("unit").isNotNull(), F.concat_ws("|", "building_key", "unit")).alias("unit_key"),
        F.lit(False).alias("is_po_box"),
        F.lit(None).cast("int").alias("suite_digits"),
        F.lit(None).cast("date").alias("arrival_date"),
        *[F.lit(None).cast("string").alias(c) for c in ("consignee_id_std", "phone_std", "email_std")],
    )
    hubs = spark.createDataFrame([("building_key", hall)], "attribute string, value string")
    expected = spark.createDataFrame(
        [
            ("A", "B", 2.0, "household", ["house", "seller"], [f"house={house}", "seller=S1"]),
            ("A", "C", 2.5, "ring", ["drop_address", "seller"], [f"drop_address={house}", "seller=S1"]),
            ("B", "C", 2.5, "ring", ["drop_address", "seller"], [f"drop_address={house}", "seller=S1"]),
        ],
        EDGES,
    )
    actual = build_edges(with_house_key(records), hubs)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
