from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from splitscan.contracts import load_contract
from splitscan.ingest.readers import discover_files, read_raw

RAW = load_contract("raw/import_declarations")


def test_discovery_skips_hidden_and_foreign_files(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "2025-01-02").mkdir()
    (tmp_path / "2025-01-02" / "a.csv").write_text("record_id\n1\n")
    (tmp_path / "b.JSONL").write_text("{}\n")
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".hidden.csv").write_text("x\n")
    (tmp_path / "_tmp").mkdir()
    (tmp_path / "_tmp" / "c.csv").write_text("x\n")
    (tmp_path / "notes.txt").write_text("x\n")
    found = discover_files(spark, str(tmp_path))
    assert [(f.path, f.format, f.size) for f in found] == [
        (f"file:{tmp_path}/2025-01-02/a.csv", "csv", 12),
        (f"file:{tmp_path}/b.JSONL", "jsonl", 3),
    ]


def test_rows_are_numbered_per_file_with_readable_paths(spark: SparkSession, tmp_path: Path) -> None:
    folder = tmp_path / "in box"
    folder.mkdir()
    # Column order differs between the files, one has an extra column, one a quoted line break.
    (folder / "first+1%.csv").write_text(
        'consignee_name,record_id,extra\n"KIM\nMINJUN",A1,x\nLEE,A2,y\nPARK,A3,z\n', encoding="utf-8"
    )
    (folder / "second.csv").write_text("record_id,consignee_name\nB1,CHOI\nB2,JUNG\n", encoding="utf-8")
    raw = read_raw(spark, discover_files(spark, str(folder)), RAW)
    got = sorted(tuple(r) for r in raw.select("_source_file", "_source_row", "record_id", "consignee_name").collect())
    assert got == [
        (f"file:{folder}/first+1%.csv", 1, "A1", "KIM\nMINJUN"),
        (f"file:{folder}/first+1%.csv", 2, "A2", "LEE"),
        (f"file:{folder}/first+1%.csv", 3, "A3", "PARK"),
        (f"file:{folder}/second.csv", 1, "B1", "CHOI"),
        (f"file:{folder}/second.csv", 2, "B2", "JUNG"),
    ]


def test_row_numbers_survive_many_partitions(spark: SparkSession, tmp_path: Path) -> None:
    # A file split over several scan partitions still numbers its rows 1..n in file order.
    lines = ["record_id,declared_value"] + [f"R{i},{i}" for i in range(1, 3001)]
    (tmp_path / "big.jsonl").write_text(
        "".join(f'{{"record_id": "R{i}", "declared_value": "{i}"}}\n' for i in range(1, 3001))
    )
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        raw = read_raw(spark, discover_files(spark, str(tmp_path)), RAW)
        mismatched = raw.filter("concat('R', _source_row) <> record_id").count()
        total = raw.count()
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous or "128MB")
    assert (total, mismatched) == (6000, 0)
