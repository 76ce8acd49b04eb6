"""The `splitscan` command line, shared by the console script and the spark-submit entry points in `jobs/`.

Exit codes: 0 success; 1 the data broke a blocking rule (nothing was written); 2 bad usage, config or input path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from splitscan.config import Config, ConfigError, load_config
from splitscan.contracts import ContractError, ContractViolation
from splitscan.logs import configure_logging

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _common(p: argparse.ArgumentParser, *, warehouse: bool = True) -> None:
    p.add_argument("--config", help="TOML config file (see docs/configuration.md)")
    if warehouse:
        p.add_argument("--warehouse", help="folder or URI of the Delta warehouse (default: ./warehouse)")
    p.add_argument("--master", help="Spark master (default: local[*], or spark-submit's)")
    p.add_argument("--run-date", type=_date, default=None, help="run date YYYY-MM-DD (default: today, UTC)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="splitscan", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic import records with ground truth")
    gen.add_argument("--records", type=int, required=True)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", required=True, help="output folder: input/ and truth/ are written inside")
    gen.add_argument("--start-date", type=_date, default=None)
    gen.add_argument("--end-date", type=_date, default=None)
    gen.add_argument("--jurisdictions", default=None, help="comma-separated, e.g. KR,US")
    gen.add_argument("--fraud-rate", type=float, default=None)
    gen.add_argument("--noise", choices=["low", "default", "high"], default=None)
    gen.add_argument("--format", dest="file_format", choices=["csv", "parquet", "jsonl"], default=None)
    gen.add_argument("--bad-row-rate", type=float, default=None)
    gen.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])

    ing = sub.add_parser("ingest", help="validate new input files and merge them into the Delta tables")
    ing.add_argument("--input", required=True, help="input folder (or file): CSV, Parquet, JSON Lines")
    _common(ing)

    val = sub.add_parser("validate", help="check files against the contract without writing tables")
    val.add_argument("path", help="file or folder to check")
    val.add_argument("--docs-dir", help="where to write GX Data Docs (default: <warehouse>/data_docs)")
    val.add_argument("--strict", action="store_true", help="also exit 1 when any row would be quarantined")
    _common(val)

    res = sub.add_parser(
        "resolve",
        help="resolve import records into consignee entities (new records only, unless --full)",
    )
    res.add_argument("--full", action="store_true", help="rebuild: re-score every candidate pair, not just new records")
    res.add_argument("--retrain", action="store_true", help="re-estimate the match model by EM")
    _common(res)

    rng = sub.add_parser("rings", help="detect nominee rings among consignee entities; write ring findings")
    rng.add_argument("--top", type=int, default=10, help="rings to print (default: 10)")
    _common(rng)

    exp = sub.add_parser("export", help="export a table to CSV (or, for cases, Excel)")
    exp.add_argument(
        "what",
        choices=["entities", "cases"],
        help="entities: record_id,entity_id; cases: the ranked active cases, formula-safe",
    )
    exp.add_argument("--out", required=True, help="file to write: .csv, or .csv/.xlsx for cases")
    _common(exp)

    det = sub.add_parser("detect", help="find split shipments and write gold split_findings")
    det.add_argument("--rules", action="append", default=[], help="extra rule file (YAML); repeatable")
    det.add_argument("--lookback-days", type=int, default=400, help="rewrite findings months from run date - N")
    det.add_argument("--full", action="store_true", help="rewrite every month of split_findings")
    det.add_argument("--top", type=int, default=10, help="findings to print")
    _common(det)

    wif = sub.add_parser("whatif", help="re-evaluate history under an alternative rule table (writes no table)")
    wif.add_argument("--rules", required=True, action="append", help="alternative rule file (YAML); repeatable")
    wif.add_argument("--replace", action="store_true", help="use the files alone, not on top of the shipped rules")
    wif.add_argument("--out", help="also write the difference by jurisdiction and month to this CSV file")
    _common(wif)

    cas = sub.add_parser("cases", help="investigation cases: run the stage, list the ranked cases, show one case")
    cas_sub = cas.add_subparsers(dest="cases_command", required=True)
    cas_run = cas_sub.add_parser("run", help="merge findings into ranked cases; write gold cases tables and the report")
    cas_run.add_argument("--top", type=int, default=10, help="cases to print (default: 10)")
    _common(cas_run)
    cas_list = cas_sub.add_parser("list", help="print the ranked cases of the latest run")
    cas_list.add_argument("--top", type=int, default=20, help="cases to print (default: 20)")
    cas_list.add_argument(
        "--status",
        action="append",
        choices=["open", "confirmed", "dismissed", "needs-info"],
        help="only cases with this status (repeatable); dismissed cases are listed only when asked for",
    )
    _common(cas_list)
    cas_report = cas_sub.add_parser("report", help="write the HTML case report again from the gold cases tables")
    cas_report.add_argument("--top", type=int, default=200, help="raised cases with a page (default: 200)")
    _common(cas_report)
    cas_show = cas_sub.add_parser("show", help="print one case with its reasons, reviews and parcels")
    cas_show.add_argument("case_id")
    cas_show.add_argument("--parcels", type=int, default=50, help="parcels to print (default: 50)")
    _common(cas_show)

    rev = sub.add_parser("review", help="record a verdict on a case (gold case_reviews) and set its status")
    rev.add_argument("case_id")
    rev.add_argument("--verdict", required=True, help="confirmed | dismissed | needs-info")
    rev.add_argument("--note", default="", help="reviewer's note")
    rev.add_argument("--reviewer", required=True, help="who gives the verdict")
    _common(rev)

    run = sub.add_parser("run", help="run every pipeline stage on an input folder")
    run.add_argument("--input", required=True)
    _common(run)
    return parser


def _config(args: argparse.Namespace) -> Config:
    overrides: dict[str, Any] = {"warehouse": getattr(args, "warehouse", None), "spark.master": args.master}
    return load_config(args.config, overrides=overrides)


def _run_date(args: argparse.Namespace) -> dt.date:
    return args.run_date or dt.datetime.now(dt.UTC).date()


def _cmd_generate(args: argparse.Namespace) -> int:
    from splitscan.synth import SynthConfig, generate

    fields: dict[str, Any] = {"records": args.records, "seed": args.seed}
    optional = {
        "start_date": args.start_date,
        "end_date": args.end_date,
        "fraud_rate": args.fraud_rate,
        "noise": args.noise,
        "file_format": args.file_format,
        "bad_row_rate": args.bad_row_rate,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    if args.jurisdictions:
        codes = tuple(c.strip().upper() for c in args.jurisdictions.split(",") if c.strip())
        fields["jurisdictions"] = codes
        fields["jurisdiction_weights"] = tuple(1.0 / len(codes) for _ in codes)
    summary = generate(SynthConfig(**fields), out_dir=Path(args.out))
    sys.stdout.write(summary.describe() + "\n")
    return EXIT_OK


def _session(config: Config) -> Any:
    from splitscan.session import build_session

    return build_session(config.spark)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from splitscan.pipelines import ingest

    config = _config(args)
    result = ingest.run(_session(config), config, input_path=args.input, run_date=_run_date(args))
    sys.stdout.write(result.describe() + "\n")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from splitscan.pipelines import validate

    config = _config(args)
    docs = args.docs_dir or f"{config.warehouse_uri}/data_docs"
    summary = validate.run(_session(config), config, path=args.path, run_date=_run_date(args), docs_dir=docs)
    sys.stdout.write(summary.describe() + "\n")
    if summary.blocking:
        return EXIT_DATA
    if args.strict and any(f.action == "quarantine" for f in summary.row_failures):
        return EXIT_DATA
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from splitscan.pipelines import run

    config = _config(args)
    result = run.run(_session(config), config, input_path=args.input, run_date=_run_date(args))
    sys.stdout.write(result.describe() + "\n")
    return EXIT_OK


def _cmd_resolve(args: argparse.Namespace) -> int:
    from splitscan.pipelines import resolve

    config = _config(args)
    result = resolve.run(_session(config), config, run_date=_run_date(args), full=args.full, retrain=args.retrain)
    sys.stdout.write(result.describe() + "\n")
    return EXIT_OK


def _cmd_rings(args: argparse.Namespace) -> int:
    from splitscan.pipelines import rings

    config = _config(args)
    result = rings.run(_session(config), config, run_date=_run_date(args))
    sys.stdout.write(result.describe(top=args.top) + "\n")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from splitscan.pipelines import export

    config = _config(args)
    out = Path(args.out)
    if args.what == "cases":
        export.cases_format(out)  # a bad file name is refused before Spark starts
    spark = _session(config)
    rows = (
        export.cases_file(spark, config, out=out)
        if args.what == "cases"
        else export.entities_csv(spark, config, out=out)
    )
    sys.stdout.write(f"wrote {rows} rows to {args.out}\n")
    return EXIT_OK


def _cmd_detect(args: argparse.Namespace) -> int:
    from splitscan.pipelines import detect

    config = _config(args)
    result = detect.run(
        _session(config),
        config,
        run_date=_run_date(args),
        rule_files=args.rules,
        lookback_days=None if args.full else args.lookback_days,
        top=args.top,
    )
    sys.stdout.write(result.describe() + "\n")
    return EXIT_OK


def _cmd_whatif(args: argparse.Namespace) -> int:
    from splitscan.pipelines import whatif

    config = _config(args)
    result = whatif.run(
        _session(config),
        config,
        run_date=_run_date(args),
        rule_files=args.rules,
        replace=args.replace,
        out=Path(args.out) if args.out else None,
    )
    sys.stdout.write(result.describe() + "\n")
    return EXIT_OK


def _cmd_cases(args: argparse.Namespace) -> int:
    config = _config(args)
    spark = _session(config)
    from splitscan.pipelines import cases

    if args.cases_command == "run":
        result = cases.run(spark, config, run_date=_run_date(args))
        sys.stdout.write(result.describe(top=args.top) + "\n")
        return EXIT_OK
    if args.cases_command == "report":
        from splitscan.cases.report import write_report

        index = write_report(spark, config, run_date=_run_date(args), top=args.top)
        sys.stdout.write(f"report: {index}\n")
        return EXIT_OK
    if args.cases_command == "list":
        text = cases.list_cases(spark, config, top=args.top, statuses=args.status or ())
    else:
        text = cases.show_case(spark, config, case_id=args.case_id, parcels=args.parcels)
    sys.stdout.write(text + "\n")
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    from splitscan.cases.review import ReviewRequest, describe_reviews
    from splitscan.pipelines import review

    request = ReviewRequest(args.case_id, args.verdict, args.note, args.reviewer)  # refuses a bad verdict first
    config = _config(args)
    rows = review.run(_session(config), config, requests=[request])
    sys.stdout.write(describe_reviews(rows) + "\n")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cases": _cmd_cases,
    "review": _cmd_review,
    "detect": _cmd_detect,
    "whatif": _cmd_whatif,
    "resolve": _cmd_resolve,
    "rings": _cmd_rings,
    "export": _cmd_export,
    "generate": _cmd_generate,
    "ingest": _cmd_ingest,
    "validate": _cmd_validate,
    "run": _cmd_run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    from splitscan.cases.report import ReportError
    from splitscan.ingest.readers import InputError

    try:
        return COMMANDS[args.command](args)
    except ContractViolation as exc:
        logger.error("refused: %s", exc)
        sys.stderr.write(f"splitscan: data refused, nothing written: {exc}\n")
        return EXIT_DATA
    except (ConfigError, ContractError, InputError, ReportError, FileNotFoundError, ValueError) as exc:
        sys.stderr.write(f"splitscan: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
