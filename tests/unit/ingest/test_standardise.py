from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from splitscan.ingest.standardise import (
    STANDARDISE_INPUT_COLUMNS,
    STANDARDISED_COLUMNS,
    standardise_address,
    standardise_customs_id,
    standardise_email,
    standardise_name,
    standardise_phone,
    standardise_postcode,
    with_standardised_columns,
)

BLANKS = [None, "", "   ", "\t\n", "\u3000"]  # \u3000: the full-width (ideographic) space


@pytest.mark.parametrize(
    "fn",
    [
        standardise_name,
        standardise_address,
        standardise_customs_id,
        standardise_email,
        standardise_postcode,
        lambda s: standardise_phone(s, calling_code="82"),
        lambda s: standardise_phone(s, calling_code=None),
    ],
    ids=["name", "address", "customs_id", "email", "postcode", "phone_kr", "phone_unknown"],
)
@pytest.mark.parametrize("blank", BLANKS)
def test_blank_input_gives_none(fn: object, blank: str | None) -> None:
    assert callable(fn)
    assert fn(blank) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  kim   min-jun ", "KIM MIN JUN"),
        ("ＫＩＭ　ＭＩＮＪＵＮ", "KIM MINJUN"),
        ("김민준", "김민준"),
        ("김 민준", "김 민준"),
        ("  김민준  ", "김민준"),
        ("김\u200b민준", "김민준"),  # zero-width space does not split a name
        ("Kim 김민준 (KIM.MJ)", "KIM 김민준 KIM MJ"),
        ("李明", "李明"),
        ("ｶﾞｷﾞ", "ガギ"),  # half-width katakana with voicing mark composes
        ("O'Brien-Smith", "O BRIEN SMITH"),
        ("José  Álvarez", "JOSÉ ÁLVAREZ"),
        ("Straße", "STRASSE"),
        ("Kim 🙂 Min", "KIM MIN"),
        ("Kim❤️Min", "KIM MIN"),  # emoji with variation selector
        ("Kim👨‍👩‍👧Lee", "KIM LEE"),  # emoji joined by zero-width joiners
        ("🙂", None),
        ("---", None),
        ("J.", "J"),
    ],
)
def test_standardise_name(raw: str, expected: str | None) -> None:
    assert standardise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("서울시 강남구 테헤란로 123, 101동-1203호", "서울시 강남구 테헤란로 123 101동 1203호"),
        ("테헤란로 123 101-1203", "테헤란로 123 101-1203"),
        ("Apt. #5, 101–1203", "APT #5 101-1203"),  # en dash between digits becomes "-"
        ("101 - 1203", "101-1203"),
        ("１０１－１２０３", "101-1203"),  # full-width digits and hyphen
        ("東京都千代田区1ー2ー3", "東京都千代田区1-2-3"),  # katakana long mark used as a dash
        ("Main St. - Unit A", "MAIN ST UNIT A"),
        ("B-12", "B 12"),
        ("  1600 Pennsylvania Ave. N.W.,\nWashington ", "1600 PENNSYLVANIA AVE N W WASHINGTON"),
        ("Suite #12345, 8001 NW 25th St 🏠", "SUITE #12345 8001 NW 25TH ST"),
        ("...", None),
    ],
)
def test_standardise_address(raw: str, expected: str | None) -> None:
    assert standardise_address(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "+82 10-1234-5678",
        "010.1234.5678",
        "(010) 1234 5678",
        "82-10-1234-5678",
        "0082 10 1234 5678",
        "010-1234-5678",
        "01012345678",
        "+82 (0)10 1234 5678",
        "＋８２ １０－１２３４－５６７８",
        "０１０－１２３４－５６７８",
        "010-1234-5678 ext. 12",
        "010-1234-5678 내선 12",
    ],
)
def test_standardise_phone_korean_forms(raw: str) -> None:
    assert standardise_phone(raw, calling_code="82") == "821012345678"


@pytest.mark.parametrize(
    ("raw", "calling_code", "expected"),
    [
        ("(415) 555-0132", "1", "14155550132"),
        ("+1-415-555-0132", "1", "14155550132"),
        ("1-415-555-0132", "1", "14155550132"),
        ("415.555.0132 x204", "1", "14155550132"),
        ("011 82 10 1234 5678", "1", "821012345678"),  # US international prefix
        ("011-123-4567", "81", "81111234567"),  # Sapporo: 011 is an area code in Japan
        ("03-1234-5678", "81", "81312345678"),
        ("020 7946 0958", "44", "442079460958"),
        ("+44 (0)20 7946 0958", "44", "442079460958"),
        ("06 1234 5678", "39", "390612345678"),  # Italy: no trunk prefix, the 0 stays
        ("+39 06 1234 5678", "39", "390612345678"),
        ("030 1234567", "49", "49301234567"),
        ("138 1234 5678", "86", "8613812345678"),
        ("+86 138 1234 5678", "82", "8613812345678"),  # another country's number keeps its own code
        ("8 612 34567", "370", "37061234567"),  # Lithuania's old trunk prefix 8
        ("0612 34567", "370", "37061234567"),  # ... and the new one, 0
        ("+82 10 1234 5678", None, "821012345678"),  # unknown country: digits only
        ("0082 10 1234 5678", None, "821012345678"),
        ("010-1234-5678", None, "01012345678"),
    ],
)
def test_standardise_phone_other_forms(raw: str, calling_code: str | None, expected: str) -> None:
    assert standardise_phone(raw, calling_code=calling_code) == expected


@pytest.mark.parametrize(
    ("raw", "calling_code"),
    [
        ("0000000", "82"),
        ("0000000", None),
        ("000-0000-0000", "82"),
        ("010-0000-0000", "82"),
        ("1111111111", "1"),
        ("+82 00000000", "82"),
        ("010-1234", "82"),  # 6 digits after the code
        ("123456", None),
        ("N/A", "82"),
        ("없음", "82"),
        ("☎", "82"),
        ("010-1234-5678 / 010-9876-5432", "82"),  # two numbers in one field: more than 15 digits
    ],
)
def test_standardise_phone_rejects_placeholders_and_short_numbers(raw: str, calling_code: str | None) -> None:
    assert standardise_phone(raw, calling_code=calling_code) is None


def test_standardise_phone_explicit_trunk_prefix_overrides_reference() -> None:
    assert standardise_phone("0612 3456", calling_code="999", trunk_prefix="0") == "9996123456"
    assert standardise_phone("0612 3456", calling_code="999", trunk_prefix="") == "99906123456"


def test_standardise_phone_rejects_malformed_calling_code() -> None:
    with pytest.raises(ValueError, match="calling_code must be ASCII digits"):
        standardise_phone("010-1234-5678", calling_code="+82")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("p-1234 5678 9012", "P123456789012"),
        ("ｐ１２３４５６７８９０１２", "P123456789012"),
        ("P123456789012", "P123456789012"),
        (" P.1234/5678.9012 ", "P123456789012"),
        ("p–1234—5678 9012", "P123456789012"),  # en and em dashes
        ("gb 123456789000", "GB123456789000"),  # an EORI keeps its letters
        ("N/A", None),
        ("없음", None),
    ],
)
def test_standardise_customs_id(raw: str, expected: str | None) -> None:
    assert standardise_customs_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Kim.MinJun@Example.COM ", "kim.minjun@example.com"),
        ("kim＠example.com", "kim@example.com"),
        ("ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ", "kim@example.com"),
        ("kim+shop@mail.example.co.kr", "kim+shop@mail.example.co.kr"),
        ("김민준@example.com", "김민준@example.com"),
        ("kim@example", None),
        ("kim@@example.com", None),
        ("kim@a@example.com", None),
        ("@example.com", None),
        ("kim@.com", None),
        ("kim@example.com.", None),
        ("kim min@example.com", None),
        ("Kim <kim@example.com>", None),
        ("kimexample.com", None),
        ("🙂@example.com", "🙂@example.com"),  # odd but well-formed: not the standardiser's call
    ],
)
def test_standardise_email(raw: str, expected: str | None) -> None:
    assert standardise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 236", "06236"),
        ("06236", "06236"),
        ("０６２３６", "06236"),
        ("135-080", "135080"),  # old 6-digit Korean postcode
        ("〒100-0001", "1000001"),
        ("94103-1234", "94103"),  # ZIP+4 -> ZIP5
        ("941031234", "94103"),
        ("94103", "94103"),
        ("sw1a 1aa", "SW1A1AA"),
        ("K1A 0B1", "K1A0B1"),
        ("1012 AB", "1012AB"),
        ("N/A", None),
        ("none", None),
        ("00000", None),
        ("-", None),
    ],
)
def test_standardise_postcode(raw: str, expected: str | None) -> None:
    assert standardise_postcode(raw) == expected


_INPUT_SCHEMA = StructType(
    [StructField("record_id", StringType())] + [StructField(c, StringType()) for c in STANDARDISE_INPUT_COLUMNS]
)
_OUTPUT_SCHEMA = StructType(_INPUT_SCHEMA.fields + [StructField(c, StringType()) for c in STANDARDISED_COLUMNS])


def test_with_standardised_columns(spark: SparkSession) -> None:
    rows = [
        # record_id, name, address, phone, id, email, postcode, destination
        (
            "r1",
            "  kim   min-jun ",
            "서울시 강남구 테헤란로 123, 101-1203",
            "010.1234.5678",
            "p-1234 5678 9012",
            " Kim@Example.COM ",
            "06 236",
            "KR",
        ),
        (
            "r2",
            "ＫＩＭ　ＭＩＮＪＵＮ",
            "１０１－１２０３",
            "＋８２ １０ １２３４ ５６７８",
            "ｐ１２３４５６７８９０１２",
            "kim＠example.com",
            "０６２３６",
            "kr",
        ),
        (
            "r3",
            "John O'Brien",
            "1600 Pennsylvania Ave. N.W.",
            "(415) 555-0132",
            None,
            "bad@",
            "94103-1234",
            "US",
        ),
        ("r4", "김민준", None, "+82 10 1234 5678", "N/A", None, None, "ZZ"),  # unknown country: digits only
        ("r5", "🙂", "  ", "0000000", "  ", "", "N/A", None),
        ("r6", None, None, None, None, None, None, None),
    ]
    expected_std = {
        "r1": (
            "KIM MIN JUN",
            "서울시 강남구 테헤란로 123 101-1203",
            "821012345678",
            "P123456789012",
            "kim@example.com",
            "06236",
        ),
        "r2": ("KIM MINJUN", "101-1203", "821012345678", "P123456789012", "kim@example.com", "06236"),
        "r3": ("JOHN O BRIEN", "1600 PENNSYLVANIA AVE N W", "14155550132", None, None, "94103"),
        "r4": ("김민준", None, "821012345678", None, None, None),
        "r5": (None, None, None, None, None, None),
        "r6": (None, None, None, None, None, None),
    }
    df = spark.createDataFrame(rows, _INPUT_SCHEMA)
    expected = spark.createDataFrame([row + expected_std[row[0]] for row in rows], _OUTPUT_SCHEMA)

    actual = with_standardised_columns(df)

    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_with_standardised_columns_accepts_all_null_and_untyped_columns(spark: SparkSession) -> None:
    # A reader that had no such field may hand over NULL-typed (void) columns.
    df = spark.range(3).select(
        sf.col("id").cast("string").alias("record_id"),
        *[sf.lit(None).alias(c) for c in STANDARDISE_INPUT_COLUMNS],
    )
    actual = with_standardised_columns(df).select("record_id", *STANDARDISED_COLUMNS)
    expected = spark.createDataFrame(
        [(str(i),) + (None,) * len(STANDARDISED_COLUMNS) for i in range(3)],
        StructType([StructField("record_id", StringType()), *_OUTPUT_SCHEMA.fields[-len(STANDARDISED_COLUMNS) :]]),
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_with_standardised_columns_runs_one_python_udf(spark: SparkSession) -> None:
    df = spark.createDataFrame([("r1", "kim", "addr", "010-1234-5678", "P1", "a@b.co", "06236", "KR")], _INPUT_SCHEMA)
    plan = with_standardised_columns(df)._jdf.queryExecution().executedPlan().toString()
    assert plan.count("ArrowEvalPython") == 1


def test_with_standardised_columns_replaces_existing_std_columns(spark: SparkSession) -> None:
    df = spark.createDataFrame([("r1", "kim", None, None, None, None, None, "KR")], _INPUT_SCHEMA).withColumn(
        "name_std", sf.lit("stale")
    )
    out = with_standardised_columns(df)
    assert out.columns == [f.name for f in _OUTPUT_SCHEMA.fields]
    first = out.first()
    assert first is not None
    assert first["name_std"] == "KIM"


def test_with_standardised_columns_requires_input_columns(spark: SparkSession) -> None:
    df = spark.createDataFrame([("kim",)], "consignee_name string")
    with pytest.raises(ValueError, match=r"missing input column.*consignee_address"):
        with_standardised_columns(df)
