from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DateType, DecimalType, StringType, StructField, StructType

from splitscan.ingest.fx import (
    FX_RATES_SCHEMA,
    convert_to_threshold_currency,
    daily_rates,
    read_fx_rates,
    read_jurisdictions,
)
from splitscan.reference import fx_rates_path

FRI, SAT, SUN, MON = dt.date(2025, 1, 3), dt.date(2025, 1, 4), dt.date(2025, 1, 5), dt.date(2025, 1, 6)

INPUT_SCHEMA = StructType(
    [
        StructField("record_id", StringType()),
        StructField("declared_value", DecimalType(18, 2)),
        StructField("currency", StringType()),
        StructField("arrival_date", DateType()),
        StructField("destination_country", StringType()),
    ]
)
OUTPUT_SCHEMA = StructType(
    [
        *INPUT_SCHEMA.fields,
        StructField("threshold_currency", StringType()),
        StructField("value_threshold_ccy", DecimalType(18, 2)),
        StructField("value_usd", DecimalType(18, 2)),
        StructField("fx_rate_date", DateType()),
        StructField("fx_error", StringType()),
    ]
)
DAILY_SCHEMA = StructType(
    [
        StructField("fx_date", DateType()),
        StructField("currency", StringType()),
        StructField("units_per_usd", DecimalType(20, 8)),
        StructField("rate_date", DateType()),
    ]
)


def _rates(spark: SparkSession, rows: list[tuple[dt.date, str, str]]) -> DataFrame:
    return spark.createDataFrame([(d, c, Decimal(u)) for d, c, u in rows], FX_RATES_SCHEMA)


def _jurisdictions(spark: SparkSession) -> DataFrame:
    pairs = [("KR", "USD"), ("US", "USD"), ("JP", "JPY"), ("DE", "EUR"), ("GB", "GBP"), ("CA", "CAD")]
    return spark.createDataFrame([*pairs, ("AU", "AUD")], "country_code string, threshold_currency string")


@pytest.fixture
def rates(spark: SparkSession) -> DataFrame:
    """Friday 2025-01-03 rates, and a new CNY rate on Monday. No CAD rate at all."""
    return _rates(
        spark,
        [
            (FRI, "USD", "1"),
            (FRI, "CNY", "7.30000000"),
            (FRI, "EUR", "0.96000000"),
            (FRI, "JPY", "157.00000000"),
            (FRI, "GBP", "0.81000000"),
            (FRI, "AUD", "2.00000000"),
            (MON, "CNY", "7.32000000"),
        ],
    )


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def test_convert_to_threshold_currency(spark: SparkSession, rates: DataFrame) -> None:
    no_rate = "no FX rate for currency {} on {} (latest within 7 days)"
    cases = [
        # (id, value, currency, arrival, destination) -> (threshold ccy, value in it, USD, rate date, error)
        (
            ("cny-fri", "100.00", "CNY", FRI, "KR"),
            ("USD", "13.70", "13.70", FRI, None),
        ),  # 100 / 7.3 = 13.6986
        (("cny-sat", "100.00", "CNY", SAT, "KR"), ("USD", "13.70", "13.70", FRI, None)),  # Friday rate
        (("cny-sun", "100.00", "CNY", SUN, "KR"), ("USD", "13.70", "13.70", FRI, None)),
        (("cny-mon", "100.00", "CNY", MON, "KR"), ("USD", "13.66", "13.66", MON, None)),  # 100 / 7.32
        (("cny-7-days", "100.00", "CNY", dt.date(2025, 1, 13), "KR"), ("USD", "13.66", "13.66", MON, None)),
        (
            ("cny-8-days", "100.00", "CNY", dt.date(2025, 1, 14), "KR"),
            ("USD", None, None, None, no_rate.format("CNY", "2025-01-14")),
        ),
        (("usd-usd", "250.00", "USD", SAT, "US"), ("USD", "250.00", "250.00", SAT, None)),  # no rate needed
        (("cny-jpy", "100.00", "CNY", FRI, "JP"), ("JPY", "2150.68", "13.70", FRI, None)),  # 100*157/7.3
        (("jpy-jpy", "10000.00", "JPY", SUN, "JP"), ("JPY", "10000.00", "63.69", FRI, None)),
        (("eur-eur", "50.00", "EUR", FRI, "DE"), ("EUR", "50.00", "52.08", FRI, None)),  # 50 / 0.96
        (("half-up-usd", "0.01", "AUD", FRI, "KR"), ("USD", "0.01", "0.01", FRI, None)),  # 0.005 -> 0.01
        (("half-up-gbp", "1.00", "AUD", FRI, "GB"), ("GBP", "0.41", "0.50", FRI, None)),  # 0.405 -> 0.41
        (("trimmed", "100.00", " cny ", FRI, "kr"), ("USD", "13.70", "13.70", FRI, None)),
        (
            ("unknown-ccy", "100.00", "XXX", FRI, "KR"),
            ("USD", None, None, None, no_rate.format("XXX", "2025-01-03")),
        ),
        (
            ("no-threshold-rate", "100.00", "USD", FRI, "CA"),
            ("CAD", None, None, None, no_rate.format("CAD", "2025-01-03")),
        ),
        (
            ("unknown-dest", "100.00", "EUR", FRI, "ZZ"),
            (None, None, None, None, "no threshold currency for destination country ZZ"),
        ),
        (("no-dest", "10.00", "USD", FRI, None), (None, None, None, None, "destination country missing")),
        (("no-ccy", "10.00", None, FRI, "KR"), ("USD", None, None, None, "currency missing")),
        (("no-date", "10.00", "USD", None, "KR"), ("USD", None, None, None, "arrival date missing")),
        (("no-value", None, "USD", FRI, "KR"), ("USD", None, None, None, "declared value missing")),
        (
            ("too-big", "9000000000000000.00", "USD", FRI, "JP"),
            ("JPY", None, None, None, "converted value out of range for decimal(18,2)"),
        ),
    ]
    df = spark.createDataFrame([(i, _d(v), c, a, d) for (i, v, c, a, d), _ in cases], INPUT_SCHEMA)
    expected = spark.createDataFrame(
        [(i, _d(v), c, a, d, tc, _d(vt), _d(vu), rd, e) for (i, v, c, a, d), (tc, vt, vu, rd, e) in cases],
        OUTPUT_SCHEMA,
    )

    actual = convert_to_threshold_currency(df, rates, _jurisdictions(spark))

    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_convert_rounds_once_from_the_exact_value(spark: SparkSession) -> None:
    # 0.01 CAD at 3 CAD/USD is 0.00333... USD; at 1.5 AUD/USD that is exactly 0.005 AUD, which rounds up.
    # Rounding (or truncating) the USD value first would give 0.00499... and round down.
    rates = _rates(spark, [(FRI, "CAD", "3.00000000"), (FRI, "AUD", "1.50000000")])
    df = spark.createDataFrame([("tie", Decimal("0.01"), "CAD", FRI, "AU")], INPUT_SCHEMA)
    expected = spark.createDataFrame(
        [("tie", Decimal("0.01"), "CAD", FRI, "AU", "AUD", Decimal("0.01"), Decimal("0.00"), FRI, None)],
        OUTPUT_SCHEMA,
    )
    actual = convert_to_threshold_currency(df, rates, _jurisdictions(spark))
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_convert_honours_max_staleness_days(spark: SparkSession, rates: DataFrame) -> None:
    df = spark.createDataFrame([("sun", Decimal("100.00"), "CNY", SUN, "KR")], INPUT_SCHEMA)
    expected = spark.createDataFrame(
        [
            (
                "sun",
                Decimal("100.00"),
                "CNY",
                SUN,
                "KR",
                "USD",
                None,
                None,
                None,
                "no FX rate for currency CNY on 2025-01-05 (latest within 1 days)",
            )
        ],
        OUTPUT_SCHEMA,
    )
    actual = convert_to_threshold_currency(df, rates, _jurisdictions(spark), max_staleness_days=1)
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_convert_rejects_double_values(spark: SparkSession, rates: DataFrame) -> None:
    df = spark.createDataFrame(
        [(100.0, "CNY", FRI, "KR")],
        "declared_value double, currency string, arrival_date date, destination_country string",
    )
    with pytest.raises(ValueError, match=r"declared_value must be decimal\(18,2\)"):
        convert_to_threshold_currency(df, rates, _jurisdictions(spark))


def test_convert_requires_input_columns(spark: SparkSession, rates: DataFrame) -> None:
    df = spark.createDataFrame([(Decimal("1.00"), "CNY")], "declared_value decimal(18,2), currency string")
    with pytest.raises(ValueError, match=r"missing input column.*arrival_date"):
        convert_to_threshold_currency(df, rates, _jurisdictions(spark))


def test_daily_rates_carries_the_latest_rate_within_staleness(spark: SparkSession) -> None:
    rates = _rates(
        spark,
        [(FRI, "CNY", "7.30000000"), (MON, "CNY", "7.32000000"), (FRI, "EUR", "0.96000000")],
    )
    jan = [dt.date(2025, 1, day) for day in range(3, 9)]  # Fri 3 ... Wed 8
    cny_fri, cny_mon, eur_fri = Decimal("7.30000000"), Decimal("7.32000000"), Decimal("0.96000000")
    expected = spark.createDataFrame(
        [
            (jan[0], "CNY", cny_fri, FRI),
            (jan[1], "CNY", cny_fri, FRI),
            (jan[2], "CNY", cny_fri, FRI),
            (jan[3], "CNY", cny_mon, MON),  # Monday's own rate replaces Friday's
            (jan[4], "CNY", cny_mon, MON),
            (jan[5], "CNY", cny_mon, MON),
            (jan[0], "EUR", eur_fri, FRI),
            (jan[1], "EUR", eur_fri, FRI),
            (jan[2], "EUR", eur_fri, FRI),  # 2 days after Friday, then nothing
        ],
        DAILY_SCHEMA,
    )
    actual = daily_rates(rates, max_staleness_days=2)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_daily_rates_with_zero_staleness_keeps_publication_days_only(spark: SparkSession) -> None:
    rates = _rates(spark, [(FRI, "CNY", "7.30000000"), (MON, "CNY", "7.32000000")])
    expected = spark.createDataFrame(
        [(FRI, "CNY", Decimal("7.30000000"), FRI), (MON, "CNY", Decimal("7.32000000"), MON)], DAILY_SCHEMA
    )
    actual = daily_rates(rates, max_staleness_days=0)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_daily_rates_rejects_negative_staleness(spark: SparkSession) -> None:
    rates = _rates(spark, [(FRI, "CNY", "7.30000000")])
    with pytest.raises(ValueError, match="max_staleness_days must be >= 0"):
        daily_rates(rates, max_staleness_days=-1)


def _write(path: Path, *lines: str) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_read_fx_rates_csv(spark: SparkSession, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "rates.csv",
        "rate_date,currency,units_per_usd",
        "2025-01-03,CNY,7.3",
        "2025-01-03,USD,1.00000000",
        "2025-01-06, CNY ,7.123456789",  # spaces are trimmed; a 9th decimal is rounded half-up
    )
    expected = spark.createDataFrame(
        [
            (FRI, "CNY", Decimal("7.30000000")),
            (FRI, "USD", Decimal("1.00000000")),
            (MON, "CNY", Decimal("7.12345679")),
        ],
        FX_RATES_SCHEMA,
    )
    actual = read_fx_rates(spark, path)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("2025-01-32,CNY,7.3", "row 2, field rate_date: not a date in yyyy-MM-dd form"),
        ("06/01/2025,CNY,7.3", "row 2, field rate_date: not a date in yyyy-MM-dd form"),
        (",CNY,7.3", "row 2, field rate_date: missing"),
        ("2025-01-06,cny,7.3", "row 2, field currency: not an ISO 4217 code"),
        ("2025-01-06,YUAN,7.3", "row 2, field currency: not an ISO 4217 code"),
        ("2025-01-06,CNY,", "row 2, field units_per_usd: missing"),
        ("2025-01-06,CNY,abc", "row 2, field units_per_usd: not a decimal number"),
        ("2025-01-06,CNY,1234567890123.5", "row 2, field units_per_usd: not a decimal number"),
        ("2025-01-06,CNY,-7.3", "row 2, field units_per_usd: not positive"),
        ("2025-01-06,CNY,0", "row 2, field units_per_usd: not positive"),
        ("2025-01-06,USD,1.1", "row 2, field units_per_usd: must be 1 for USD"),
        ("2025-01-06,CNY", r"row 2, field \(row\): wrong number of fields"),
        ("2025-01-06,CNY,7.3,extra", r"row 2, field \(row\): wrong number of fields"),
        ("2025-01-03,CNY,7.4", "row 1, field rate_date: duplicate"),
    ],
)
def test_read_fx_rates_names_file_row_and_field_of_a_bad_row(
    spark: SparkSession, tmp_path: Path, bad_line: str, expected: str
) -> None:
    path = _write(tmp_path / "rates.csv", "rate_date,currency,units_per_usd", "2025-01-03,CNY,7.3", bad_line)
    with pytest.raises(ValueError, match=rf"rates\.csv: {expected}"):
        read_fx_rates(spark, path)


def test_read_fx_rates_reports_bad_rows_in_file_order(spark: SparkSession, tmp_path: Path) -> None:
    lines = [f"2025-02-{day:02d},CNY,7.3" for day in range(1, 13)]
    lines[2] = "2025-02-03,CNY,-1"
    lines[11] = "2025-02-12,CNY,x"
    path = _write(tmp_path / "rates.csv", "rate_date,currency,units_per_usd", *lines)
    with pytest.raises(ValueError, match=r"row 3, field units_per_usd: not positive.*row 12, field units_per_usd"):
        read_fx_rates(spark, path)


def test_read_fx_rates_rejects_a_wrong_header(spark: SparkSession, tmp_path: Path) -> None:
    path = _write(tmp_path / "rates.csv", "currency,rate_date,units_per_usd", "CNY,2025-01-03,7.3")
    with pytest.raises(ValueError, match=r"rates\.csv: header \['currency', 'rate_date', 'units_per_usd'\]"):
        read_fx_rates(spark, path)


@pytest.mark.integration
def test_read_fx_rates_delta_table(spark: SparkSession, tmp_path: Path) -> None:
    table = str(tmp_path / "fx_delta")
    rates = _rates(spark, [(FRI, "CNY", "7.30000000"), (MON, "CNY", "7.32000000")])
    rates.write.format("delta").save(table)
    assert_df_equality(read_fx_rates(spark, table), rates, ignore_row_order=True, ignore_nullable=True)

    _rates(spark, [(MON, "CNY", "7.33000000")]).write.format("delta").mode("append").save(table)
    with pytest.raises(ValueError, match=r"Delta table .*row rate_date=2025-01-06 currency=CNY, field rate_date: dup"):
        read_fx_rates(spark, table)


def test_shipped_fx_rates_are_valid_and_complete(spark: SparkSession) -> None:
    rates = read_fx_rates(spark)  # validates every row
    assert [(f.name, f.dataType) for f in rates.schema] == [(f.name, f.dataType) for f in FX_RATES_SCHEMA]
    with Path(fx_rates_path()).open(encoding="utf-8") as handle:
        data_lines = sum(1 for _ in handle) - 1
    assert rates.count() == data_lines
    last = rates.where("rate_date = date'2026-10-30' and currency = 'CNY'").collect()
    assert [r["units_per_usd"] for r in last] == [Decimal("6.65288221")]  # 7.4326 CNY/EUR / 1.1172 USD/EUR


def test_read_jurisdictions_from_reference(spark: SparkSession) -> None:
    kr = read_jurisdictions(spark).where("country_code = 'KR'").collect()
    assert [(r["threshold_currency"], r["calling_code"], r["trunk_prefix"], r["eu_member"]) for r in kr] == [
        ("USD", "82", "0", False)
    ]
