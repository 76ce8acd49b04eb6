"""Daily FX reference rates and conversion of declared values into each jurisdiction's threshold currency.

Rates are stored as units of a currency per one US dollar (`units_per_usd`, USD itself = 1), one row per
publication day and currency. A customs threshold is compared with the value converted at the rate in force on
the arrival date: the latest rate published on or before that day, if it is at most `max_staleness_days` old
(weekends and holidays have no publication).

Money is computed in decimal, never in floating point, and rounded half-up to the cent once, at the end.
"""

from __future__ import annotations

import logging

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as sf
from pyspark.sql.types import BooleanType, DateType, DecimalType, StringType, StructField, StructType

from splitscan.reference import fx_rates_path, load_jurisdictions_pdf

__all__ = [
    "BASE_CURRENCY",
    "FX_OUTPUT_COLUMNS",
    "FX_RATES_SCHEMA",
    "JURISDICTIONS_SCHEMA",
    "convert_to_threshold_currency",
    "daily_rates",
    "read_fx_rates",
    "read_jurisdictions",
]

logger = logging.getLogger(__name__)

BASE_CURRENCY = "USD"
RATE_TYPE = DecimalType(20, 8)
MONEY_TYPE = DecimalType(18, 2)
FX_RATES_SCHEMA = StructType(
    [
        StructField("rate_date", DateType(), nullable=False),
        StructField("currency", StringType(), nullable=False),
        StructField("units_per_usd", RATE_TYPE, nullable=False),
    ]
)
JURISDICTIONS_SCHEMA = StructType(
    [
        StructField("country_code", StringType(), nullable=False),
        StructField("name", StringType(), nullable=False),
        StructField("threshold_currency", StringType(), nullable=False),
        StructField("calling_code", StringType(), nullable=False),
        StructField("trunk_prefix", StringType(), nullable=False),
        StructField("eu_member", BooleanType(), nullable=False),
    ]
)
FX_OUTPUT_COLUMNS = ("threshold_currency", "value_threshold_ccy", "value_usd", "fx_rate_date", "fx_error")
_CONVERT_INPUT_COLUMNS = ("declared_value", "currency", "arrival_date", "destination_country")
_DATE_FORMAT = "yyyy-MM-dd"
_MAX_ERRORS_REPORTED = 5

# Narrower decimal types for the intermediate products. Spark sizes a quotient's scale from the operands'
# precisions; narrowing them keeps at least 12 decimal places through the one division, so an exact half
# cent stays exact and rounds up, and only a value within 10^-12 of a half cent could round the other way.
# The bounds are far above any real rate (10^10 units per USD) or parcel value (10^18 in the product); a
# value beyond them becomes an fx_error, never a wrong number.
_RATE_CALC_TYPE = DecimalType(18, 8)
_PRODUCT_CALC_TYPE = DecimalType(28, 10)


def read_jurisdictions(spark: SparkSession) -> DataFrame:
    """The jurisdictions reference (`splitscan/reference/jurisdictions.csv`) as a Spark DataFrame.

    Args:
        spark: the active session.

    Returns:
        One row per `country_code`, with the columns of `JURISDICTIONS_SCHEMA`.
    """
    return spark.createDataFrame(load_jurisdictions_pdf(), schema=JURISDICTIONS_SCHEMA)


def _is_delta_table(spark: SparkSession, path: str) -> bool:
    from delta.tables import DeltaTable  # imported here: only a Delta path needs the Delta Python API

    return bool(DeltaTable.isDeltaTable(spark, path))


def _blank(column: Column) -> Column:
    return column.isNull() | (sf.trim(column) == "")


def _first_problem(checks: list[tuple[str, Column, str]]) -> tuple[Column, Column]:
    """Fold (field, is_bad, reason) checks into the first failing field and its reason (both null if none)."""
    field: Column = sf.lit(None).cast("string")
    reason: Column = sf.lit(None).cast("string")
    for name, is_bad, why in reversed(checks):
        field = sf.when(is_bad, sf.lit(name)).otherwise(field)
        reason = sf.when(is_bad, sf.lit(why)).otherwise(reason)
    return field, reason


def _validated_rates(raw: DataFrame, *, source: str, row_label: Column, row_order: Column) -> DataFrame:
    """Check every rate row and raise on the first bad ones; return the typed rates.

    `raw` has the three columns as strings (or already typed, for Delta) and may have `_corrupt_record`;
    `row_label` names a row in an error message and `row_order` sorts the reported rows.
    """
    date_text = sf.trim(sf.col("rate_date").cast("string"))
    currency = sf.trim(sf.col("currency").cast("string"))
    units_text = sf.trim(sf.col("units_per_usd").cast("string"))
    parsed_date = sf.try_to_date(date_text, _DATE_FORMAT)
    parsed_units = units_text.try_cast(RATE_TYPE)
    checks = []
    if "_corrupt_record" in raw.columns:
        checks.append(("(row)", sf.col("_corrupt_record").isNotNull(), "wrong number of fields, expected 3"))
    checks += [
        ("rate_date", _blank(date_text), "missing"),
        ("rate_date", parsed_date.isNull(), f"not a date in {_DATE_FORMAT} form"),
        ("currency", _blank(currency), "missing"),
        ("currency", ~currency.rlike("^[A-Z]{3}$"), "not an ISO 4217 code (three capital letters)"),
        ("units_per_usd", _blank(units_text), "missing"),
        ("units_per_usd", parsed_units.isNull(), "not a decimal number that fits decimal(20,8)"),
        ("units_per_usd", parsed_units <= 0, "not positive"),
        (
            "units_per_usd",
            (currency == BASE_CURRENCY) & (parsed_units != 1),
            "must be 1 for USD (rates are units per US dollar)",
        ),
        (
            "rate_date",
            sf.count(sf.lit(1)).over(Window.partitionBy(parsed_date, currency)) > 1,
            "duplicate: another row has the same rate_date and currency",
        ),
    ]
    bad_field, bad_reason = _first_problem(checks)
    checked = raw.select(
        row_label.alias("_row"),
        row_order.alias("_row_order"),
        parsed_date.alias("rate_date"),
        currency.alias("currency"),
        parsed_units.alias("units_per_usd"),
        bad_field.alias("_bad_field"),
        bad_reason.alias("_bad_reason"),
        sf.concat_ws(",", date_text, currency, units_text).alias("_bad_value"),
    )
    problems = (
        checked.where(sf.col("_bad_field").isNotNull())
        .orderBy("_row_order")
        .select("_row", "_bad_field", "_bad_reason", "_bad_value")
        .limit(_MAX_ERRORS_REPORTED)
        .collect()
    )
    if problems:
        details = "; ".join(
            f"{p['_row']}, field {p['_bad_field']}: {p['_bad_reason']} (row {p['_bad_value']!r})" for p in problems
        )
        more = " (and possibly more)" if len(problems) == _MAX_ERRORS_REPORTED else ""
        raise ValueError(f"bad FX rates in {source}: {details}{more}")
    return checked.select(
        sf.col("rate_date").cast(DateType()),
        sf.col("currency").cast(StringType()),
        sf.col("units_per_usd").cast(RATE_TYPE),
    )


def read_fx_rates(spark: SparkSession, path: str | None = None) -> DataFrame:
    """Read and validate daily FX reference rates.

    Args:
        spark: the active session.
        path: a CSV file or folder of CSV files with the header `rate_date,currency,units_per_usd`, or a
            Delta table directory with those columns; None reads the sample ECB-derived rates shipped with
            splitscan.

    Returns:
        Rates with the schema `FX_RATES_SCHEMA` (`rate_date date, currency string, units_per_usd
        decimal(20,8)`), one row per (rate_date, currency).

    Raises:
        ValueError: a header, row or value is bad. The message names the file, the row (counted from 1, header
            excluded) and the field, e.g. `.../rates.csv: row 3, field units_per_usd: not positive`. Rates are
            reference data: one bad rate fails the read, it is never dropped or used.

    Row checks: date in yyyy-MM-dd form; currency three capital letters; rate a positive decimal that fits
    decimal(20,8) (more decimal places are rounded half-up to 8); USD exactly 1; three fields per row; no two
    rows with the same date and currency. Validation runs one small Spark job.
    """
    source = path or fx_rates_path()
    if _is_delta_table(spark, source):
        table = spark.read.format("delta").load(source)
        missing = [f.name for f in FX_RATES_SCHEMA if f.name not in table.columns]
        if missing:
            raise ValueError(f"bad FX rates in Delta table {source}: missing column(s) {missing}")
        key = [sf.col("rate_date").cast("string"), sf.col("currency").cast("string")]
        row_label = sf.format_string("row rate_date=%s currency=%s", *key)
        rates = _validated_rates(table, source=f"Delta table {source}", row_label=row_label, row_order=sf.struct(*key))
    else:
        header = spark.read.option("header", True).csv(source).columns
        expected = [f.name for f in FX_RATES_SCHEMA]
        if header != expected:
            raise ValueError(f"bad FX rates in {source}: header {header}, expected {expected}")
        text_schema = StructType(
            [StructField(name, StringType()) for name in expected] + [StructField("_corrupt_record", StringType())]
        )
        raw = (
            spark.read.schema(text_schema)
            .option("header", True)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "_corrupt_record")
            .csv(source)
            .select(
                "*",
                sf.col("_metadata.file_path").alias("_file"),
                sf.monotonically_increasing_id().alias("_id"),
            )
        )
        # monotonically_increasing_id grows with the position in each file (a file's splits are read in
        # order), so numbering by it per file gives the data row number. Only error messages depend on it.
        row_number = sf.row_number().over(Window.partitionBy("_file").orderBy("_id"))
        row_label = sf.format_string("%s: row %d", sf.col("_file"), row_number)
        row_order = sf.struct(sf.col("_file"), row_number)
        rates = _validated_rates(raw, source=source, row_label=row_label, row_order=row_order)
    logger.info("Read FX rates from %s", source)
    return rates


def daily_rates(rates: DataFrame, *, max_staleness_days: int) -> DataFrame:
    """Densify published rates to one row per currency and calendar day.

    Args:
        rates: published rates (`rate_date, currency, units_per_usd`), one row per (rate_date, currency), as
            `read_fx_rates` returns them.
        max_staleness_days: how many days after its publication a rate may still be used (7 covers a weekend
            plus a run of holidays).

    Returns:
        Columns `fx_date, currency, units_per_usd, rate_date`: for each currency and each day from its first
        publication to `max_staleness_days` after its last one, the latest rate published on or before
        `fx_date`, provided `fx_date - rate_date <= max_staleness_days`. Days further from any publication
        have no row.

    Raises:
        ValueError: `max_staleness_days` is negative.
    """
    if max_staleness_days < 0:
        raise ValueError(f"max_staleness_days must be >= 0, got {max_staleness_days}")
    next_publication = sf.lead("rate_date").over(Window.partitionBy("currency").orderBy("rate_date"))
    # least() skips nulls: the last publication of a currency is carried for the full staleness window.
    last_day = sf.least(sf.date_sub(next_publication, 1), sf.date_add("rate_date", max_staleness_days))
    return rates.select("currency", "units_per_usd", "rate_date", last_day.alias("_last_day")).select(
        sf.explode(sf.sequence(sf.col("rate_date"), sf.col("_last_day"))).alias("fx_date"),
        sf.col("currency"),
        sf.col("units_per_usd"),
        sf.col("rate_date"),
    )


def _rates_on(daily: DataFrame, prefix: str) -> DataFrame:
    return sf.broadcast(
        daily.select(
            sf.col("fx_date").alias(f"{prefix}_date"),
            sf.col("currency").alias(f"{prefix}_ccy"),
            sf.col("units_per_usd").alias(f"{prefix}_units"),
            sf.col("rate_date").alias(f"{prefix}_rate_date"),
        )
    )


def _on_rate(currency_col: str, prefix: str) -> Column:
    """Join condition: the rate of `currency_col`'s currency on the arrival date."""
    same_currency = sf.col(currency_col) == sf.col(f"{prefix}_ccy")
    return same_currency & (sf.col("arrival_date") == sf.col(f"{prefix}_date"))


def convert_to_threshold_currency(
    df: DataFrame,
    rates: DataFrame,
    jurisdictions: DataFrame,
    *,
    max_staleness_days: int = 7,
) -> DataFrame:
    """Convert each declared value to US dollars and to the destination's threshold currency.

    Args:
        df: records with `declared_value` (decimal, at most 2 decimal places), `currency` (ISO 4217),
            `arrival_date` (date) and `destination_country` (ISO 3166-1 alpha-2).
        rates: published rates as returned by `read_fx_rates`.
        jurisdictions: `country_code` and `threshold_currency`, as returned by `read_jurisdictions`.
        max_staleness_days: the oldest rate still usable, in days before the arrival date.

    Returns:
        `df` with `threshold_currency string, value_threshold_ccy decimal(18,2), value_usd decimal(18,2),
        fx_rate_date date, fx_error string` appended (replacing columns of those names). Row count is
        unchanged: nothing is dropped and no join can multiply rows (rates and jurisdictions are unique on
        their keys).

    Rules:
      * The rate of a currency on the arrival date is the latest published on or before it, at most
        `max_staleness_days` old (`daily_rates`). USD is the base currency: 1 on every day, never looked
        up, so a feed without USD rows still converts USD values.
      * `value_usd = declared_value / units_per_usd[currency]` and
        `value_threshold_ccy = declared_value * units_per_usd[threshold] / units_per_usd[currency]` (the same
        as `value_usd` unrounded times the threshold rate, multiplied first so the only inexact step is one
        division carried to at least 12 decimal places); each is rounded half-up to the cent once, at the
        end, in decimal arithmetic. When the currency is the threshold currency, `value_threshold_ccy` is the
        declared value itself.
      * `fx_rate_date` is the publication date of the older of the two rates used; the USD base rate counts
        as published on the arrival date itself, so USD to USD gives the arrival date.
      * `fx_error` is null when the conversion succeeded; otherwise it gives the first reason, and
        `value_usd`, `value_threshold_ccy` and `fx_rate_date` are null: `destination country missing`,
        `no threshold currency for destination country ZZ`, `currency missing`, `arrival date missing`,
        `declared value missing`, `no FX rate for currency XXX on 2025-01-04 (latest within 7 days)`,
        `converted value out of range for decimal(18,2)`.

    Raises:
        ValueError: an input column is missing, or `declared_value` is not a decimal with at most 2 decimal
            places (a double would silently lose cents).
    """
    missing = [c for c in _CONVERT_INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"convert_to_threshold_currency: missing input column(s) {missing}")
    value_type = df.schema["declared_value"].dataType
    if (
        not isinstance(value_type, DecimalType)
        or value_type.scale > MONEY_TYPE.scale
        or value_type.precision - value_type.scale > MONEY_TYPE.precision - MONEY_TYPE.scale
    ):
        raise ValueError(
            f"convert_to_threshold_currency: declared_value must be decimal(18,2) or narrower, got {value_type}"
        )

    daily = daily_rates(rates, max_staleness_days=max_staleness_days)
    thresholds = sf.broadcast(
        jurisdictions.select(
            sf.col("country_code").alias("_fx_dest"),
            sf.col("threshold_currency").alias("_fx_threshold_ccy"),
        )
    )
    src = _rates_on(daily, "_fx_src")
    tgt = _rates_on(daily, "_fx_tgt")

    ccy = sf.upper(sf.trim(sf.col("currency")))
    dest = sf.upper(sf.trim(sf.col("destination_country")))
    joined = (
        df.select("*", ccy.alias("_fx_ccy"), dest.alias("_fx_dest_key"))
        .join(thresholds, sf.col("_fx_dest_key") == sf.col("_fx_dest"), "left")
        .join(src, _on_rate("_fx_ccy", "_fx_src"), "left")
        .join(tgt, _on_rate("_fx_threshold_ccy", "_fx_tgt"), "left")
    )

    value = sf.col("declared_value").cast(MONEY_TYPE)
    src_is_base = sf.col("_fx_ccy") == BASE_CURRENCY
    tgt_is_base = sf.col("_fx_threshold_ccy") == BASE_CURRENCY
    one = sf.lit(1).cast(_RATE_CALC_TYPE)
    src_units = sf.when(src_is_base, one).otherwise(sf.col("_fx_src_units").try_cast(_RATE_CALC_TYPE))
    tgt_units = sf.when(tgt_is_base, one).otherwise(sf.col("_fx_tgt_units").try_cast(_RATE_CALC_TYPE))
    src_rate_date = sf.when(src_is_base, sf.col("arrival_date")).otherwise(sf.col("_fx_src_rate_date"))
    tgt_rate_date = sf.when(tgt_is_base, sf.col("arrival_date")).otherwise(sf.col("_fx_tgt_rate_date"))

    value_usd = sf.round(value / src_units, 2).try_cast(MONEY_TYPE)
    converted = sf.round((value * tgt_units).try_cast(_PRODUCT_CALC_TYPE) / src_units, 2).try_cast(MONEY_TYPE)
    value_threshold = sf.when(sf.col("_fx_ccy") == sf.col("_fx_threshold_ccy"), value).otherwise(converted)

    def no_rate(currency: Column) -> Column:
        return sf.format_string(
            "no FX rate for currency %s on %s (latest within %d days)",
            currency,
            sf.date_format("arrival_date", _DATE_FORMAT),
            sf.lit(max_staleness_days),
        )

    error = (
        sf.when(_blank(sf.col("_fx_dest_key")), sf.lit("destination country missing"))
        .when(
            sf.col("_fx_threshold_ccy").isNull(),
            sf.format_string("no threshold currency for destination country %s", sf.col("_fx_dest_key")),
        )
        .when(_blank(sf.col("_fx_ccy")), sf.lit("currency missing"))
        .when(sf.col("arrival_date").isNull(), sf.lit("arrival date missing"))
        .when(sf.col("declared_value").isNull(), sf.lit("declared value missing"))
        .when(src_units.isNull(), no_rate(sf.col("_fx_ccy")))
        .when(tgt_units.isNull(), no_rate(sf.col("_fx_threshold_ccy")))
        .when(
            value_usd.isNull() | value_threshold.isNull(),
            sf.lit("converted value out of range for decimal(18,2)"),
        )
    )
    ok = error.isNull()
    kept = [sf.col(f"`{c}`") for c in df.columns if c not in FX_OUTPUT_COLUMNS]
    return joined.select(
        *kept,
        sf.col("_fx_threshold_ccy").alias("threshold_currency"),
        sf.when(ok, value_threshold).cast(MONEY_TYPE).alias("value_threshold_ccy"),
        sf.when(ok, value_usd).cast(MONEY_TYPE).alias("value_usd"),
        sf.when(ok, sf.least(src_rate_date, tgt_rate_date)).alias("fx_rate_date"),
        error.alias("fx_error"),
    )
