"""Staged ring pictures: nothing reaches reports/rings before `publish`, and `discard` leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from splitscan.rings.picture import PictureStage


def _tree(folder: Path) -> dict[str, str | None]:
    return {str(p.relative_to(folder)): p.read_text() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def test_publish_moves_the_staged_pictures_in_and_keeps_the_others(tmp_path: Path) -> None:
    rings = tmp_path / "reports" / "rings"
    rings.mkdir(parents=True)
    (rings / "R1.svg").write_text("old R1")
    (rings / "R2.svg").write_text("R2 of another run date")
    stage = PictureStage(f"file:{tmp_path}", "rings-2026-11-30-abc")

    path = stage.write("new R1", "R1")
    stage.write("new R3", "R3")
    staged = _tree(tmp_path)
    moved = stage.publish()

    assert path == f"file:{tmp_path}/reports/rings/R1.svg"
    assert staged == {
        "reports": None,
        "reports/.rings-rings-2026-11-30-abc": None,
        "reports/.rings-rings-2026-11-30-abc/R1.svg": "new R1",
        "reports/.rings-rings-2026-11-30-abc/R3.svg": "new R3",
        "reports/rings": None,
        "reports/rings/R1.svg": "old R1",
        "reports/rings/R2.svg": "R2 of another run date",
    }
    assert moved == 2
    assert _tree(tmp_path) == {
        "reports": None,
        "reports/rings": None,
        "reports/rings/R1.svg": "new R1",
        "reports/rings/R2.svg": "R2 of another run date",
        "reports/rings/R3.svg": "new R3",
    }


def test_discard_leaves_the_published_pictures_as_they_were(tmp_path: Path) -> None:
    rings = tmp_path / "reports" / "rings"
    rings.mkdir(parents=True)
    (rings / "R1.svg").write_text("old R1")
    stage = PictureStage(str(tmp_path), "rings-2026-11-30-abc")
    stage.write("new R1", "R1")

    stage.discard()

    assert _tree(tmp_path) == {"reports": None, "reports/rings": None, "reports/rings/R1.svg": "old R1"}
    assert stage.publish() == 0


def test_pictures_need_a_local_warehouse() -> None:
    with pytest.raises(ValueError, match="local warehouse"):
        PictureStage("s3://bucket/wh", "run").write("<svg/>", "R1")
