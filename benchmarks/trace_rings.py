"""Trace the nominee rings a ring benchmark missed, stage by stage (error analysis, not a benchmark).

Reads what `bench_rings` left on disk for one size (data folder, cached entities and hubs, findings), rebuilds the
edge stage over all records, and for every missed true ring prints: its identities (entity, parcels, merchants and
purchase days), the edges among them before the supply requirement (tier, kinds), which of those survive
`supply_backed`, the findings holding its parcels, and a one-word cause:

* `no_edges`: fewer than three of its entities are linked by any ring-tier attribute edge;
* `no_supply`: linked, but fewer than three parties keep an edge after the supply requirement;
* `parties`: three or more entities in the ring graph, but fewer than three parties (household / same identity);
* `too_big` / `split`: a finding holds enough of the ring but too much else / the ring is spread over findings;
* `other`.

Usage: python benchmarks/trace_rings.py --records 1000000 [--noise default] [--limit 60] [--out FILE.json] [--tag T]
Only the missed rings' entities and their edges reach the driver.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from pyspark.sql import functions as F

import bench_rings
from splitscan.config import Config
from splitscan.pipelines.rings import RECORD_COLUMNS, RingSettings, entity_records
from splitscan.rings.graph import TIER_RING, build_edges
from splitscan.rings.partition import supply_backed
from splitscan.session import build_session
from splitscan.storage import read_table


def _parties(nodes: set[str], edges: pd.DataFrame) -> int:
    """Parties among `nodes`: components of their household / same-identity edges."""
    g = nx.Graph()
    g.add_nodes_from(nodes)
    for row in edges.itertuples():
        if row.tier != TIER_RING and row.src in nodes and row.dst in nodes:
            g.add_edge(row.src, row.dst)
    return nx.number_connected_components(g)


def _linked(nodes: set[str], edges: pd.DataFrame) -> int:
    """The most ring entities in one component of the edges among them."""
    g = nx.Graph()
    g.add_nodes_from(nodes)
    for row in edges.itertuples():
        if row.src in nodes and row.dst in nodes:
            g.add_edge(row.src, row.dst)
    return max((len(c) for c in nx.connected_components(g)), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--noise", default="default")
    parser.add_argument("--limit", type=int, default=60, help="rings printed in full")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--tag", default="", help="an experiment's findings (bench_rings.run(..., tag=TAG))")
    args = parser.parse_args()

    data = bench_rings._records_dir(args.records, args.noise)
    resolve = args.records <= bench_rings.RESOLVE_LIMIT
    run_dir = bench_rings.WORK / (f"run-{args.records}-{args.noise}" + ("" if resolve else "-truth"))
    truth = pd.read_csv(data / "truth" / "records.csv", dtype=str, keep_default_na=False)
    name = f"findings-{args.tag}.parquet" if args.tag else "findings.parquet"
    findings = pd.read_parquet(run_dir / name, columns=["ring_id", "score", "record_ids"])
    rings = {sid: set(g["record_id"]) for sid, g in truth[truth["scheme_type"] == "nominee_ring"].groupby("scheme_id")}
    sets = [set(ids) for ids in findings["record_ids"]]
    found = {sid for sid, ids in rings.items() if any(bench_rings._matches(s, ids) for s in sets if s & ids)}
    missed = sorted(set(rings) - found)
    print(f"{len(missed)} of {len(rings)} rings missed", flush=True)

    spark = build_session(bench_rings.spark_settings(args.records))
    config = Config(warehouse=str(data / "warehouse"))
    imports = read_table(spark, config.table_path("silver", "import_records")).select(*RECORD_COLUMNS)
    entities = spark.read.parquet(str(run_dir / "entities.parquet"))
    hubs = spark.read.parquet(str(run_dir / "hubs.parquet"))
    missed_records = truth[truth["scheme_id"].isin(missed)][["record_id", "scheme_id", "identity_source"]]
    wanted = spark.createDataFrame(missed_records[["record_id"]])
    ring_entities = entities.join(wanted, "record_id", "left_semi").select("entity_id").distinct()
    er = entity_records(imports, entities).persist()
    edges = build_edges(er, hubs, settings=RingSettings().edges).persist()
    kept = supply_backed(edges).select("src", "dst").withColumn("kept", F.lit(True))
    near = (
        edges.join(ring_entities.withColumnRenamed("entity_id", "src"), "src", "left_semi")
        .join(ring_entities.withColumnRenamed("entity_id", "dst"), "dst", "left_semi")
        .join(kept, ["src", "dst"], "left")
        .select("src", "dst", "tier", "kinds", F.coalesce("kept", F.lit(False)).alias("kept"))
        .toPandas()
    )
    rec = (
        er.join(ring_entities, "entity_id", "left_semi")
        .select("record_id", "entity_id", "seller_id", "order_date", "arrival_date", "surname")
        .toPandas()
        .merge(missed_records, on="record_id", how="inner")
    )
    spark.stop()

    causes: Counter[str] = Counter()
    report: list[dict[str, Any]] = []
    for sid in missed:
        ids = rings[sid]
        parts = rec[rec["scheme_id"] == sid]
        nodes = set(parts["entity_id"])
        inner = near[near["src"].isin(nodes) & near["dst"].isin(nodes)]
        hits = sorted(((len(s & ids), len(s)) for s in sets if s & ids), key=lambda t: (-t[0], t[1]))
        linked = _linked(nodes, inner)
        linked_kept = _linked(nodes, inner[inner["kept"]])
        parties_kept = _parties(nodes, inner[inner["kept"]]) if linked_kept else 0
        if linked < 3:
            cause = "no_edges"
        elif hits and hits[0][0] * 2 >= len(ids):
            cause = "too_big"
        elif linked_kept < 3:
            cause = "no_supply"
        elif len(nodes) - parties_kept > 0 and parties_kept < 3:
            cause = "parties"
        elif len(hits) > 1:
            cause = "split"
        else:
            cause = "other"
        causes[cause] += 1
        per_entity: dict[str, Any] = defaultdict(list)
        for row in parts.sort_values("order_date").itertuples():
            per_entity[row.entity_id].append(f"{row.seller_id}@{row.order_date or row.arrival_date}")
        report.append(
            {
                "scheme_id": sid,
                "cause": cause,
                "parcels": len(ids),
                "entities": {
                    e: {
                        "source": sorted(set(parts.loc[parts["entity_id"] == e, "identity_source"])),
                        "surname": sorted(set(parts.loc[parts["entity_id"] == e, "surname"].dropna())),
                        "purchases": per_entity[e],
                    }
                    for e in sorted(nodes)
                },
                "edges": [
                    f"{r.src}-{r.dst} {r.tier} {','.join(r.kinds)}{' KEPT' if r.kept else ''}"
                    for r in inner.itertuples()
                ],
                "findings_overlap_size": hits[:3],
            }
        )
    print(json.dumps(dict(causes.most_common()), indent=1))
    for item in report[: args.limit]:
        print(json.dumps(item, indent=1, default=str))
    if args.out:
        args.out.write_text(json.dumps({"causes": causes, "rings": report}, indent=1, default=str))


if __name__ == "__main__":
    main()
