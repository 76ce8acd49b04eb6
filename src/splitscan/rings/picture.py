"""Pictures of rings for case reports: members, the attribute values they share, the organiser highlighted.

Rendered with NetworkX and matplotlib's Agg canvas to SVG, for a bounded number of rings (the top rings of a
run), never for a whole table. The drawing is deterministic: a seeded layout and no date in the SVG metadata.

A run draws its pictures into a staging folder (`PictureStage`) and moves them to `<warehouse>/reports/rings/`
only after the ring table has committed; a refused or failed run discards them, so the pictures stay those of the
table.
"""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["PictureStage", "picture_path", "render_ring_svg", "write_picture"]

logger = logging.getLogger(__name__)

_KIND_COLOURS = {
    "customs_id": "#d62728",
    "phone": "#ff7f0e",
    "email": "#9467bd",
    "drop_address": "#8c564b",
    "unit": "#bcbd22",
    "house": "#2ca02c",
    "seller": "#17becf",
}
_MEMBER, _ORGANISER = "#1f77b4", "#e41a1c"
_MAX_LABEL = 24


def _short(value: str) -> str:
    return value if len(value) <= _MAX_LABEL else value[: _MAX_LABEL - 1] + "\u2026"


def render_ring_svg(
    members: Sequence[str],
    links: Sequence[tuple[str, str, Sequence[str]]],
    organiser: str | None,
    *,
    title: str,
    seed: int = 42,
) -> str:
    """Draw one ring as SVG text.

    Args:
        members: the ring's entity ids.
        links: `(src, dst, evidence)` for the ring's edges; evidence items are `kind=value`.
        organiser: the member to highlight (red, larger), or None.
        title: printed above the drawing (e.g. ring id and score).
        seed: layout seed.

    Returns:
        The SVG document. Members are circles; every shared value is a square joined to the members that carry
        it, coloured by kind (customs id, phone, e-mail, drop address, unit, house, merchant).
    """
    g = nx.Graph()
    g.add_nodes_from(sorted(members), role="member")
    for src, dst, evidence in sorted((s, d, tuple(e)) for s, d, e in links):
        for item in evidence:
            kind, _, value = item.partition("=")
            node = f"{kind}={value}"
            g.add_node(node, role="attribute", kind=kind, label=f"{kind}\n{_short(value)}")
            g.add_edge(src, node)
            g.add_edge(dst, node)
    pos = nx.spring_layout(g, seed=seed)
    fig = Figure(figsize=(9, 7))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    people = [n for n, r in g.nodes(data="role") if r == "member"]
    values = [n for n, r in g.nodes(data="role") if r == "attribute"]
    nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#999999", width=0.8)
    nx.draw_networkx_nodes(
        g,
        pos,
        nodelist=people,
        ax=ax,
        node_shape="o",
        node_color=[_ORGANISER if n == organiser else _MEMBER for n in people],
        node_size=[420 if n == organiser else 220 for n in people],
    )
    nx.draw_networkx_nodes(
        g,
        pos,
        nodelist=values,
        ax=ax,
        node_shape="s",
        node_size=160,
        node_color=[_KIND_COLOURS.get(str(g.nodes[n]["kind"]), "#7f7f7f") for n in values],
    )
    labels = {n: ("organiser\n" + n if n == organiser else n) for n in people}
    labels.update({n: str(g.nodes[n]["label"]) for n in values})
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=6)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _reports(warehouse_uri: str, folder: str) -> str:
    return f"{warehouse_uri.rstrip('/')}/reports/{folder}"


def picture_path(warehouse_uri: str, ring_id: str) -> str:
    """Where a ring's picture lives: `<warehouse>/reports/rings/<ring_id>.svg`."""
    return f"{_reports(warehouse_uri, 'rings')}/{ring_id}.svg"


def _local(path: str) -> Path:
    local = path.removeprefix("file://").removeprefix("file:")
    if "://" in local:
        raise ValueError(f"ring pictures can only be written to a local warehouse, not {path!r}")
    return Path(local)


def write_picture(svg: str, path: str) -> str:
    """Write an SVG to a local warehouse path (`/...` or `file:`) and return the path.

    Raises:
        ValueError: the warehouse is not on a local or mounted file system (object stores are not supported yet).
    """
    target = _local(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(svg, encoding="utf-8")
    logger.debug("wrote ring picture %s", target)
    return path


@dataclass(frozen=True)
class PictureStage:
    """One run's pictures, kept in `<warehouse>/reports/.rings-<run_id>/` until the ring table has committed.

    `write` stages a picture and returns the path it will have once published (the path the table records);
    `publish` moves the staged pictures into `reports/rings/`, each with one rename on the same file system, so a
    reader never sees half a file; `discard` removes whatever is still staged (nothing after `publish`). The
    pictures in `reports/rings/` change only in `publish`.

    Attributes:
        warehouse_uri: the warehouse location (local or mounted).
        run_id: the run whose pictures these are.
    """

    warehouse_uri: str
    run_id: str

    @property
    def folder(self) -> Path:
        """The staging folder."""
        return _local(_reports(self.warehouse_uri, f".rings-{self.run_id}"))

    def write(self, svg: str, ring_id: str) -> str:
        """Stage one ring's picture; returns its published path (`picture_path`)."""
        write_picture(svg, str(self.folder / f"{ring_id}.svg"))
        return picture_path(self.warehouse_uri, ring_id)

    def publish(self) -> int:
        """Move every staged picture to its published path, replacing an older picture of the same ring.

        Returns:
            How many pictures were moved.
        """
        staged = sorted(self.folder.glob("*.svg")) if self.folder.is_dir() else []
        if staged:
            target = _local(_reports(self.warehouse_uri, "rings"))
            target.mkdir(parents=True, exist_ok=True)
            for picture in staged:
                picture.replace(target / picture.name)
        self.discard()
        return len(staged)

    def discard(self) -> None:
        """Remove the staging folder and what is left in it."""
        shutil.rmtree(self.folder, ignore_errors=True)
