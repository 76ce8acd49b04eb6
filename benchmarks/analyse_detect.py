"""Why a detect benchmark's simple-split ranking is wrong where it is (error analysis, not a benchmark).

Reads the findings `bench_detect` wrote (`findings-truth_person` in the data folder) and the generator's truth,
ranks the findings as `bench_detect.evaluate` does for one scheme type, and prints: the false findings in the top
K by what they are (another scheme type or none) and the dominant entity class of their parcels, the score bands
around the cut-off, and the tie at the K-th score (the precision range any tie-break could give).

Usage: python benchmarks/analyse_detect.py build/bench/detect/data-5000000-default [--kind simple_split]
Findings are bounded by the benchmark's size (a few percent of its records); everything here is pandas.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pandas as pd

from bench_detect import FRAUD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("--kind", default="simple_split", choices=FRAUD)
    args = parser.parse_args()
    findings = pd.read_parquet(args.data / "findings-truth_person")
    truth = pd.read_csv(
        args.data / "truth" / "records.csv",
        dtype=str,
        keep_default_na=False,
        usecols=["record_id", "entity_class", "scheme_id", "scheme_type"],
    )
    schemes = pd.read_csv(args.data / "truth" / "schemes.csv", dtype={"scheme_id": str, "scheme_type": str})
    parts = (
        findings[["finding_id", "record_ids"]]
        .explode("record_ids")
        .rename(columns={"record_ids": "record_id"})
        .merge(truth, on="record_id", how="left")
    )
    size = parts.groupby("finding_id").size().rename("f_size").reset_index()
    overlap = (
        parts[parts["scheme_id"] != ""].groupby(["finding_id", "scheme_id"]).size().rename("overlap").reset_index()
    )
    owner = overlap.merge(size, on="finding_id").merge(schemes[["scheme_id", "scheme_type"]], on="scheme_id")
    owner = (
        owner[owner["overlap"] * 2 >= owner["f_size"]]
        .sort_values("overlap", ascending=False)
        .drop_duplicates("finding_id")[["finding_id", "scheme_type"]]
    )
    ranked = findings.merge(owner, on="finding_id", how="left").sort_values(
        ["score", "finding_id"], ascending=[False, True]
    )
    ranked["label"] = ranked["scheme_type"].fillna("none")
    k = int((schemes["scheme_type"] == args.kind).sum())
    ranking = ranked[~ranked["scheme_type"].isin([t for t in FRAUD if t != args.kind])]
    top = ranking.head(k)
    false = top[top["label"] != args.kind]
    print(f"K = {k}, false in the top K: {len(false)}, precision at K {1 - len(false) / k:.4f}")
    cls = parts.groupby("finding_id")["entity_class"].agg(lambda s: Counter(s).most_common(1)[0][0]).rename("cls")
    false = false.merge(cls.reset_index(), on="finding_id")
    print(false.groupby(["label", "cls"]).size().to_string())
    print("rules of the false findings:", false["rule_id"].value_counts().to_dict())
    print(pd.crosstab(ranking.head(int(k * 1.3))["score"].round(2), ranking.head(int(k * 1.3))["label"]).to_string())
    ok = ranking["label"] == args.kind
    cut = ranking["score"].iloc[k - 1]
    above, tie = ranking["score"] > cut, ranking["score"] == cut
    taken = k - int(above.sum())
    true_above, true_tie, n_tie = int(ok[above].sum()), int(ok[tie].sum()), int(tie.sum())
    print(
        f"K-th score {cut}: {int(above.sum())} findings above it ({true_above} true), {n_tie} tied ({true_tie} "
        f"true), {taken} taken from the tie; precision at K: best {(true_above + min(taken, true_tie)) / k:.4f}, "
        f"worst {(true_above + max(0, taken - (n_tie - true_tie))) / k:.4f}, "
        f"expected {(true_above + taken * true_tie / max(n_tie, 1)) / k:.4f}"
    )


if __name__ == "__main__":
    main()
