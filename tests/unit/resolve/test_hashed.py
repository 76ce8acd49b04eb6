from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.resolve.hashed import hashed_join, hashed_window


def test_hashed_join_gives_the_plain_join_for_every_kind_and_keeps_null_keys_apart(spark: SparkSession) -> None:
    left = spark.createDataFrame(
        [("KR241101C0000009", 1), ("KR241101C0000019", 2), (None, 3)], "record_id string, a int"
    )
    right = spark.createDataFrame(
        [("KR241101C0000009", "x"), ("KR241101C0000036", "y"), (None, "z")], "record_id string, b string"
    )
    for how in ("inner", "left", "left_anti", "full"):
        got, want = hashed_join(left, right, "record_id", how), left.join(right, "record_id", how)
        assert got.columns == want.columns
        assert sorted(map(repr, got.collect())) == sorted(map(repr, want.collect()))
    got = {tuple(r) for r in hashed_join(left, right, "record_id", "left").collect()}
    assert got == {("KR241101C0000009", 1, "x"), ("KR241101C0000019", 2, None), (None, 3, None)}


def test_hashed_window_partitions_by_the_columns(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("e1", 1), ("e1", 2), ("e2", 5)], "entity_id string, n int")
    got = frame.select("entity_id", F.sum("n").over(hashed_window("entity_id")).alias("total"))
    assert sorted(tuple(r) for r in got.collect()) == [("e1", 3), ("e1", 3), ("e2", 5)]
