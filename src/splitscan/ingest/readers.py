"""Input discovery and raw reading: CSV (header row), Parquet and JSON Lines, many files per folder.

Every file is read as text into the contract's columns, with its provenance: the file and the 1-based data row
(header excluded) that each value came from. Nothing is typed or judged here; a file that lacks a required
column keeps its rows, each carrying a `schema_required_column` failure, so they reach quarantine, not oblivion.
Files are found and CSV headers read through Hadoop's FileSystem API, so the same code reads a local folder,
HDFS or an object store under spark-submit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from urllib.parse import quote

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType

from splitscan.contracts import Contract
from splitscan.quality.rules import no_violations, violation_struct

__all__ = [
    "FORMATS",
    "InputFile",
    "discover_files",
    "files_frame",
    "read_raw",
]

logger = logging.getLogger(__name__)

# File name endings per format; anything else in the input folder (ground truth, notes, _SUCCESS) is ignored.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "parquet": (".parquet",),
    "jsonl": (".jsonl", ".ndjson", ".json"),
}
SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
VIOLATIONS = "_violations"
RAW_RECORD = "_raw_record"
_CORRUPT = "_corrupt_record"


class InputError(ValueError):
    """An input path cannot be read; the message names it."""


@dataclass(frozen=True)
class InputFile:
    """One input file version: its fully qualified path, size and modification time identify it."""

    path: str
    size: int
    modified_at: dt.datetime
    format: str
    uri: str = ""

    @property
    def spark_uri(self) -> str:
        """The path as Spark's `_metadata.file_path` spells it (percent-encoded URI)."""
        return self.uri or self.path


# Characters java.net.URI leaves unencoded in a path; Spark's `_metadata.file_path` is such a URI.
_URI_SAFE = "/!~'()*,;:$&+=@"


def _format_of(name: str) -> str | None:
    lower = name.lower()
    for fmt, endings in FORMATS.items():
        if lower.endswith(endings):
            return fmt
    return None


def _hadoop_fs(spark: SparkSession, path: str) -> tuple[object, object]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[union-attr]
    return fs, hpath


def _local_path(path: str) -> str | None:
    """The local file system path of `path`, or None when it lives elsewhere (HDFS, object store)."""
    if path.startswith("file:"):
        return "/" + path[len("file:") :].lstrip("/")
    if "://" in path or ":" in path.split("/", 1)[0]:
        return None
    return str(Path(path).absolute())


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/") if part)


def _discover_local(root: str) -> list[InputFile]:
    base = Path(root)
    if not base.exists():
        raise InputError(f"input path {root} does not exist")
    candidates = [base] if base.is_file() else [Path(d) / name for d, _, names in os.walk(base) for name in names]
    found = []
    for candidate in candidates:
        full = str(candidate)
        fmt = _format_of(full)
        if fmt is None or (candidate != base and _hidden(str(candidate.relative_to(base)))):
            continue
        st = candidate.stat()
        # Milliseconds, like Hadoop's FileStatus, so a file has the same identity whichever way it was listed.
        modified = dt.datetime.fromtimestamp(st.st_mtime_ns // 1_000_000 / 1000, tz=dt.UTC).replace(tzinfo=None)
        found.append(InputFile(f"file:{full}", st.st_size, modified, fmt, f"file:{quote(full, safe=_URI_SAFE)}"))
    return sorted(found, key=lambda f: f.path)


def discover_files(spark: SparkSession, input_path: str) -> list[InputFile]:
    """All input files under `input_path` (a file or a folder, searched recursively), sorted by path.

    Hidden files and folders (names starting with `.` or `_`) are skipped, as Spark does. Local folders are
    listed directly (a py4j round trip per file costs seconds per thousand files); other file systems through
    Hadoop's FileSystem API.

    Raises:
        InputError: the path does not exist.
    """
    local = _local_path(input_path)
    if local is not None:
        return _discover_local(local)
    fs, hpath = _hadoop_fs(spark, input_path)
    if not fs.exists(hpath):  # type: ignore[attr-defined]
        raise InputError(f"input path {input_path} does not exist")
    found = []
    it = fs.listFiles(hpath, True)  # type: ignore[attr-defined]
    root = str(fs.makeQualified(hpath).toUri().getPath())  # type: ignore[attr-defined]
    while it.hasNext():
        status = it.next()
        qualified = str(status.getPath().toString())
        relative = str(status.getPath().toUri().getPath())[len(root) :]
        if _hidden(relative):
            continue
        fmt = _format_of(qualified)
        if fmt is None:
            continue
        modified = dt.datetime.fromtimestamp(status.getModificationTime() / 1000, tz=dt.UTC).replace(tzinfo=None)
        uri = str(status.getPath().toUri().toString())
        found.append(InputFile(qualified, int(status.getLen()), modified, fmt, uri))
    return sorted(found, key=lambda f: f.path)


def files_frame(spark: SparkSession, files: Sequence[InputFile]) -> DataFrame:
    """The files as a small DataFrame: file_path, file_size, file_modified_at, file_format."""
    schema = StructType(
        [
            StructField("file_path", StringType(), False),
            StructField("file_size", LongType(), False),
            StructField("file_modified_at", TimestampType(), False),
            StructField("file_format", StringType(), False),
        ]
    )
    return spark.createDataFrame([(f.path, f.size, f.modified_at, f.format) for f in files], schema)


def _csv_header(spark: SparkSession, path: str) -> list[str]:
    local = _local_path(path)
    if local is not None:
        with Path(local).open(encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    fs, hpath = _hadoop_fs(spark, path)
    stream = fs.open(hpath)  # type: ignore[attr-defined]
    try:
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
        line = reader.readLine()
    finally:
        stream.close()
    if line is None:
        return []
    return next(csv.reader(io.StringIO(str(line).lstrip("\ufeff"))), [])


def _key(name: str) -> str:
    return name.strip().lower()


def _missing_column_violations(contract: Contract, present: set[str]) -> Column:
    missing = [c for c in contract.required_columns if c not in present]
    items = [
        violation_struct("schema_required_column", c, F.lit(f"the file has no column {c!r}"), "quarantine")
        for c in missing
    ]
    return F.concat(no_violations(), F.array(*items)) if items else no_violations()


def _finish(df: DataFrame, contract: Contract, present: dict[str, str], malformed: Column | None) -> DataFrame:
    """Select the contract columns as text, plus provenance, raw record and file-level violations."""
    cols = [
        (F.col(present[c.name]).cast("string") if c.name in present else F.lit(None).cast("string")).alias(c.name)
        for c in contract.columns
    ]
    violations = _missing_column_violations(contract, set(present))
    if malformed is not None:
        bad = violation_struct(
            "malformed_row",
            "*",
            F.concat(F.lit("malformed row: "), F.substring(malformed, 1, 500)),
            "quarantine",
        )
        violations = F.concat(violations, F.when(malformed.isNotNull(), F.array(bad)).otherwise(no_violations()))
    out = df.select(
        *cols,
        F.col("_metadata.file_path").alias(SOURCE_FILE),
        F.col("_metadata.file_block_start").alias("_block_start"),
        violations.alias(VIOLATIONS),
    )
    return out


def _read_csv_group(spark: SparkSession, paths: list[str], header: list[str], contract: Contract) -> DataFrame:
    # Name the schema's fields as the header does, so Spark's header check agrees; fall back to positions only
    # when the header repeats or omits a name.
    usable = all(h.strip() for h in header) and len(set(header)) == len(header) and _CORRUPT not in header
    positional = list(header) if usable else [f"_c{i}" for i in range(len(header))]
    schema = StructType(
        [StructField(p, StringType(), True) for p in positional] + [StructField(_CORRUPT, StringType())]
    )
    df = (
        spark.read.schema(schema)
        .option("header", True)
        .option("enforceSchema", True)  # the schema *is* this group's header, position by position
        .option("multiLine", True)  # quoted addresses may hold line breaks (RFC 4180)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", _CORRUPT)
        .option("encoding", "UTF-8")
        .csv(paths)
    )
    by_key = {_key(h): p for h, p in zip(header, positional, strict=True)}
    present = {c.name: f"`{by_key[c.name]}`" for c in contract.columns if c.name in by_key}
    return _finish(df, contract, present, F.col(_CORRUPT))


def _read_jsonl(spark: SparkSession, paths: list[str], contract: Contract) -> DataFrame:
    schema = StructType(
        [StructField(c, StringType(), True) for c in contract.column_names] + [StructField(_CORRUPT, StringType())]
    )
    df = (
        spark.read.schema(schema).option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", _CORRUPT).json(paths)
    )
    # JSON objects name their fields per row: a missing required field is a null, judged by the not-null rules.
    present = {c: c for c in contract.column_names}
    return _finish(df, contract, present, F.col(_CORRUPT))


def _read_parquet_group(spark: SparkSession, paths: list[str], contract: Contract) -> DataFrame:
    df = spark.read.parquet(*paths)
    by_key = {_key(f.name): f for f in df.schema.fields}
    present: dict[str, str] = {}
    projected = df
    for c in contract.columns:
        field = by_key.get(c.name)
        if field is None:
            continue
        alias = f"__{c.name}"  # a plain name: safe to reference as is
        src = F.col(f"`{field.name}`")
        type_name = field.dataType.typeName()
        if type_name in ("date", "timestamp", "timestamp_ntz"):
            text = F.date_format(F.to_date(src), "yyyy-MM-dd")
        else:
            text = src.cast("string")
        projected = projected.withColumn(alias, text)
        present[c.name] = alias
    return _finish(projected, contract, present, None)


def read_raw(spark: SparkSession, files: Sequence[InputFile], contract: Contract) -> DataFrame:
    """Read the files into the contract's columns as text, with provenance.

    Args:
        spark: the session.
        files: the files to read (see `discover_files`).
        contract: the raw input contract: its column names and which of them are required.

    Returns:
        One row per data row: the contract's columns (string; null where the file lacks the column),
        `_source_file`, `_source_row` (1-based data row within the file), `_raw_record` (JSON of the row as read)
        and `_violations` (file-level and malformed-row failures so far).
    """
    if not files:
        raise InputError("no input files to read")
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for f in files:
        if f.format == "csv":
            header = tuple(_csv_header(spark, f.path))
            if len({_key(h) for h in header}) != len(header):
                logger.warning("%s: duplicate column names in the header; the first of each is used", f.path)
            groups[("csv", header)].append(f.path)
        elif f.format == "parquet":
            try:
                schema = spark.read.parquet(f.path).schema
            except Exception as exc:  # Spark raises AnalysisException and friends; say which file
                raise InputError(f"{f.path}: cannot read Parquet schema: {str(exc).splitlines()[0]}") from exc
            signature = tuple(sorted(f"{_key(x.name)}:{x.dataType.simpleString()}" for x in schema.fields))
            groups[("parquet", signature)].append(f.path)
        else:
            groups[("jsonl", ())].append(f.path)
    frames = []
    # The files are already listed: stop Spark from launching a parallel listing job per read of > 32 paths
    # (seconds per thousand files, for nothing).
    threshold_key = "spark.sql.sources.parallelPartitionDiscovery.threshold"
    previous = spark.conf.get(threshold_key, None)
    spark.conf.set(threshold_key, str(max(len(files) + 1, 32)))
    try:
        for (fmt, header), paths in sorted(groups.items()):
            if fmt == "csv":
                extra = sorted({_key(h) for h in header} - set(contract.column_names))
                if extra:
                    logger.info("ignoring column(s) %s not in the contract, in %d CSV file(s)", extra, len(paths))
                frames.append(_read_csv_group(spark, paths, list(header), contract))
            elif fmt == "parquet":
                frames.append(_read_parquet_group(spark, paths, contract))
            else:
                frames.append(_read_jsonl(spark, paths, contract))
    finally:
        if previous is None:
            spark.conf.unset(threshold_key)
        else:
            spark.conf.set(threshold_key, previous)
    raw = reduce(lambda a, b: a.unionByName(b), frames)
    # Spark names each row's file as a percent-encoded URI; provenance keeps the path as it was listed.
    names = spark.createDataFrame([(f.spark_uri, f.path) for f in files], "_uri string, _path string")
    numbered = _number_rows(raw, contract)
    return (
        numbered.join(F.broadcast(names), numbered[SOURCE_FILE] == names["_uri"], "left")
        .withColumn(SOURCE_FILE, F.coalesce(F.col("_path"), F.col(SOURCE_FILE)))
        .drop("_uri", "_path")
    )


def _number_rows(raw: DataFrame, contract: Contract) -> DataFrame:
    """Give each row its 1-based data row number within its file, without sorting the data.

    A scan partition reads whole files or consecutive blocks of one file in order, and monotonically increasing
    ids are consecutive within a partition. So the rows of one file inside one partition are a run of
    consecutive ids; counting the runs of earlier blocks (a tiny aggregate) gives each run's offset.
    """
    tagged = raw.withColumn("_mono", F.monotonically_increasing_id()).withColumn("_pid", F.spark_partition_id())
    runs = tagged.groupBy(SOURCE_FILE, "_pid").agg(
        F.min("_mono").alias("_run_start"),
        F.count(F.lit(1)).alias("_run_len"),
        F.min("_block_start").alias("_blk"),
    )
    ordered = Window.partitionBy(SOURCE_FILE).orderBy("_blk", "_run_start").rowsBetween(Window.unboundedPreceding, -1)
    runs = runs.withColumn("_offset", F.coalesce(F.sum("_run_len").over(ordered), F.lit(0)))
    numbered = tagged.join(
        F.broadcast(runs.select(SOURCE_FILE, "_pid", "_run_start", "_offset")), [SOURCE_FILE, "_pid"]
    )
    row_number = (F.col("_offset") + F.col("_mono") - F.col("_run_start") + 1).cast("long")
    raw_record = F.to_json(F.struct(*[F.col(c) for c in contract.column_names]))
    return numbered.select(
        *contract.column_names,
        F.col(SOURCE_FILE),
        row_number.alias(SOURCE_ROW),
        raw_record.alias(RAW_RECORD),
        F.col(VIOLATIONS),
    )
